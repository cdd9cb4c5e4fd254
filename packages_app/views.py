"""Counter screens: dashboard, intake, package page and its actions, labels, list + CSV, scan station.

Views are thin: parse, call selectors/services, render. Branch scoping is selectors.get_package_for_user.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch_courier.accounts.access import branch_staff_required, counter_staff_required
from branch_courier.core import branch_figures, branch_pages, panels
from branch_courier.core.context_processors import nav_urls
from branch_courier.core.csv_export import csv_lines, csv_response
from branch_courier.core.pagination import CappedPaginator
from packages_app import drawer, labels, lifecycle, open_branches, s10, selectors, services
from packages_app.forms import IntakeForm, ListFilterForm, ScanForm, TransitionForm
from packages_app.handover import handover_target
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import HOLD_REASONS, Handover, PackageEvent
from packages_app.tariffs import NoTariffError
from packages_app.transit_forms import PaymentFields

PAGE_SIZE = 50
RECEIVE_TARGETS = {Status.ARRIVED, Status.READY_FOR_PICKUP, Status.RETURN_TO_SENDER}
COUNTER_HANDOVER = {
    (Status.READY_FOR_PICKUP, Status.DELIVERED),
    (Status.RETURN_TO_SENDER, Status.RETURNED),
}
TIMELINE_LIMIT = 100
# What the timeline shows of each event (not the actor's whole user row).
TIMELINE_FIELDS = ("kind", "status", "at", "reason_code", "note", "branch__code", "actor__username")
SCAN_HISTORY = 25


@login_required
@require_GET
def home(request):
    """Clerks and supervisors land on their branch dashboard; everyone else on the plain home page."""
    user = request.user
    if not user.works_counter:
        return render(request, "accounts/home.html", {"user": user})
    # The figures and panels are the same for every clerk and supervisor of the branch: drawn
    # once, then one cache read until a change at the branch drops them (core/branch_figures.py).
    day = selectors.branch_day_start(user).date().isoformat()
    body = branch_figures.drawn(user.branch_id, day, lambda: _dashboard_body(request))
    return render(request, "packages_app/dashboard.html", {"body": body})


def _dashboard_body(request) -> str:
    ctx = {
        "dash": selectors.branch_dashboard(request.user),
        # Boxes other apps add (e.g. inquiries); packages_app does not import them (core/panels.py).
        "panels": panels.collect("dashboard", request=request),
        "nav": nav_urls(),
    }
    return render_to_string("packages_app/_dashboard_body.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
@counter_staff_required()
def intake(request):
    form = IntakeForm(request.POST or None)
    pay = PaymentFields(request.POST or None, card_enabled=drawer.card_payments_enabled())
    if request.method == "POST" and all([form.is_valid(), pay.is_valid()]):
        data = form.cleaned_data
        try:
            # The fee is taken in the same transaction: a failed payment leaves no package behind.
            package, created = drawer.intake_and_pay(
                payment=pay.payment_input(),
                actor=request.user,
                sender=services.Party(
                    data["sender_name"], data["sender_phone"], data["sender_address"], data["sender_email"]
                ),
                recipient=services.Party(
                    data["recipient_name"],
                    data["recipient_phone"],
                    data["recipient_address"],
                    data["recipient_email"],
                ),
                destination_branch=data["destination_branch"],
                service=data["service"],
                weight_grams=data["weight_grams"],
                declared_value=data["declared_value"],
                cod_amount=data["cod_amount"],
                length_cm=data["length_cm"],
                width_cm=data["width_cm"],
                height_cm=data["height_cm"],
            )
        except NoTariffError as exc:
            form.add_error("weight_grams", str(exc))
        except drawer.PaymentError as exc:
            pay.add_error("payment_method", str(exc))
            if "declined" in str(exc):
                pay.data = pay.data.copy()
                pay.data["payment_key"] = ""  # a new attempt is a new charge
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            paid = "card" if pay.cleaned_data["payment_method"] == "CARD" else "cash"
            if created:
                messages.success(
                    request,
                    f"{package.tracking_number} taken in; fee {package.fee} paid by {paid}. Print the label.",
                )
            else:
                messages.info(
                    request,
                    f"{package.tracking_number} was already taken in with this form; "
                    "nothing was taken in or charged again.",
                )
            return redirect(reverse("packages:detail", args=[package.tracking_number]) + "?new=1")
    return render(request, "packages_app/intake.html", {"form": form, "pay": pay})


@login_required
@require_GET
def detail(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking)
    events = list(
        PackageEvent.objects.filter(package=package)
        .select_related("actor", "branch")
        .only(*TIMELINE_FIELDS)
        .order_by("-at", "-id")[:TIMELINE_LIMIT]
    )
    can_act = selectors.can_act_on(request.user, package)
    edges = []
    if can_act:
        edges = lifecycle.allowed_targets(
            source=package.status,
            role=services.actor_role(request.user),
            status_before_hold=package.status_before_hold,
        )
        # Of the check-in targets, offer only the one that fits where the package is.
        landing = services.receive_target(package)
        edges = [
            e for e in edges if e.target not in RECEIVE_TARGETS - {landing} or e.source != Status.IN_TRANSIT
        ]
        # Handing over needs the collector's ID (and COD): the Handover screen, not a button here.
        edges = [e for e in edges if (e.source, e.target) not in COUNTER_HANDOVER]
    ctx = {
        "package": package,
        "events": events,
        "can_act": can_act,
        "edges": edges,
        **_action_choices(package, edges),
        "just_created": request.GET.get("new") == "1",
        "label_sizes": labels.SIZES,
        "panels": panels.collect("package_detail", request=request, package=package),
        "hold_reasons": [(r.value, r.label) for r in HOLD_REASONS],
        "handover": Handover.objects.filter(package=package).first() if package.is_final else None,
        "can_hand_over": can_act and bool(handover_target(package)),
    }
    return render(request, "packages_app/detail.html", ctx)


def _action_choices(package, edges) -> dict:
    """What the Actions card's selects list (jinja_templates/packages_app/actions.html); nothing
    when there is no card."""
    if not edges:
        return {}
    sends_on = any(e.target == Status.IN_TRANSIT for e in edges)
    return {
        # The open branches (kept in the cache), only when an action sends the parcel on.
        "branches": open_branches.choices() if sends_on else [],
        "send_to": package.origin_branch_id if package.is_return else package.destination_branch_id,
        "reasons": TransitionForm.base_fields["reason_code"].choices,  # fixed: no query behind them
    }


@login_required
@require_POST
def transition(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking, for_action=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"Nothing changed — {errors}")
        return redirect("packages:detail", tracking=package.tracking_number)
    data = form.cleaned_data
    if (package.status, data["to_status"]) in COUNTER_HANDOVER:
        messages.error(request, "Hand it over from the Handover screen: it records who collected it.")
        return redirect("packages:handover", tracking=package.tracking_number)
    # Cancelling refunds the fee from the drawer: its own service.
    change = services.package_cancel if data["to_status"] == Status.CANCELLED else services.package_transition
    kwargs = (
        {}
        if change is services.package_cancel
        else {
            "to_status": data["to_status"],
            "to_branch": data["to_branch"],
            "hold_until": data["hold_until"],
        }
    )
    try:
        package = change(
            package=package,
            actor=request.user,
            reason_code=data["reason_code"],
            note=data["note"],
            **kwargs,
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{package.tracking_number} is now {package.get_status_display()}.")
    return redirect("packages:detail", tracking=package.tracking_number)


def _tracking_url(request, package) -> str:
    return request.build_absolute_uri(f"/track/{package.tracking_number}")


@login_required
@require_GET
def label_pdf(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking, for_action=True)
    size = request.GET.get("size", labels.DEFAULT_SIZE).lower()
    if size not in labels.SIZES:
        return HttpResponse(
            "Unknown label size; use size=4x6 or size=a6.", status=400, content_type="text/plain"
        )
    body = labels.render_pdf(package, tracking_url=_tracking_url(request, package), size=size)
    # Printing is what the clerk does with this GET; the timeline records every (re)print.
    services.package_label_printed(package=package, actor=request.user, label_format=f"PDF {size}")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{package.tracking_number}-{size}.pdf"'
    return response


@login_required
@require_GET
def label_zpl(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking, for_action=True)
    body = labels.render_zpl(package, tracking_url=_tracking_url(request, package))
    services.package_label_printed(package=package, actor=request.user, label_format="ZPL")
    response = HttpResponse(body, content_type="application/zpl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{package.tracking_number}.zpl"'
    return response


# The list's own parameters: its filters and the page. Anything else in the query string is left
# out of the page, its links and its cache key (a made-up parameter makes no new cache entry).
LIST_PARAMS = (*ListFilterForm.base_fields, "page")


def _list_params(request) -> QueryDict:
    params = QueryDict(mutable=True)
    for name in LIST_PARAMS:
        if values := request.GET.getlist(name):
            params.setlist(name, values)
    return params


def _filtered(user, params: QueryDict):
    form = ListFilterForm(params or None)
    if form.is_bound:
        form.is_valid()
    return form, selectors.search_packages(user, **form.filters())


LIST_FIELDS = (
    "tracking_number",
    "status",
    "recipient_name",
    "recipient_phone",
    "created_at",
    "branch__code",
    "origin_branch__code",
    "destination_branch__code",
)


@login_required
@require_GET
@branch_staff_required("Packages are listed per branch; admins use Django admin.")
def package_list(request):
    # What the list draws depends on the branch and its parameters alone: drawn once, then
    # cached until a package of the branch changes (core/branch_pages.py).
    user, params = request.user, _list_params(request)
    body = branch_pages.cached_html(
        selectors.PACKAGE_LIST, user.branch_id, params.urlencode(), lambda: _list_body(user, params)
    )
    return render(request, "packages_app/list.html", {"body": body})


def _list_body(user, params: QueryDict) -> str:
    form, queryset = _filtered(user, params)
    # The rows as plain dicts of the columns they show: 50 packages with three joined branches
    # were 200 model instances, the largest share of this page's time. Counted without the joins.
    rows = queryset.values(*LIST_FIELDS)
    page = CappedPaginator(rows, PAGE_SIZE, counted=queryset).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "query": query.urlencode()}
    return render_to_string("packages_app/_list_body.html", ctx)


CSV_COLUMNS = [
    ("tracking_number", "tracking_number"),
    ("status", "status"),
    ("service", "service"),
    ("responsible_branch", "branch__code"),
    ("origin_branch", "origin_branch__code"),
    ("destination_branch", "destination_branch__code"),
    ("recipient_name", "recipient_name"),
    ("recipient_phone", "recipient_phone"),
    ("weight_grams", "weight_grams"),
    ("fee", "fee"),
    ("cod_amount", "cod_amount"),
    ("created_at", "created_at"),
]


@login_required
@require_GET
@branch_staff_required("Packages are exported per branch.")
def package_export(request):
    _form, queryset = _filtered(request.user, _list_params(request))
    rows = queryset.values_list(*(field for _, field in CSV_COLUMNS)).iterator(chunk_size=2000)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    lines = csv_lines([name for name, _ in CSV_COLUMNS], rows)
    return csv_response(lines, f"packages-{request.user.branch.code}-{stamp}.csv")


# --- Scan station -----------------------------------------------------------------------------


def _scan(request, *, action: str, code: str, reason_code: str) -> dict:
    """Apply the chosen action to one scanned code; a result row for the screen."""
    row = {"code": code[:40], "action": action, "at": timezone.localtime().strftime("%H:%M:%S")}
    try:
        number = s10.validate(code)
    except s10.TrackingNumberError as exc:
        kind = "bad_check_digit" if exc.wrong_check_digit else "bad_number"
        return {**row, "kind": kind, "ok": False, "message": str(exc)}
    row["code"] = number
    history = request.session.get("scan_history", [])
    if any(h["code"] == number and h["action"] == action and h["ok"] for h in history):
        return {
            **row,
            "kind": "repeat",
            "ok": False,
            "message": f"{number} was already scanned here — repeat scan.",
        }
    found = selectors.package_for_scan(request.user, number, for_action=action != "lookup")
    if found.package is None:
        if found.exists_elsewhere:
            return {
                **row,
                "kind": "other_branch",
                "ok": False,
                "message": f"{number} belongs to another branch — set it aside, do not process it here.",
            }
        return {**row, "kind": "unknown", "ok": False, "message": f"{number} is not a known package."}
    package = found.package
    row["url"] = reverse("packages:detail", args=[number])
    if action == "lookup":
        return {
            **row,
            "kind": "ok",
            "ok": True,
            "message": f"{number}: {package.get_status_display()} "
            f"(responsible branch {package.branch.code}).",
        }
    try:
        if action == "check_in":
            if package.status in (Status.ARRIVED, Status.READY_FOR_PICKUP, Status.RETURN_TO_SENDER) and (
                package.branch_id == request.user.branch_id
            ):
                return {
                    **row,
                    "kind": "repeat",
                    "ok": False,
                    "message": f"{number} is already checked in here ({package.get_status_display()}).",
                }
            package = services.package_receive(package=package, actor=request.user)
        elif action == "hold":
            if package.status == Status.ON_HOLD:
                return {**row, "kind": "repeat", "ok": False, "message": f"{number} is already on hold."}
            package = services.package_hold(package=package, actor=request.user, reason_code=reason_code)
    except TransitionError as exc:
        return {**row, "kind": "illegal", "ok": False, "message": str(exc)}
    return {**row, "kind": "ok", "ok": True, "message": f"{number} → {package.get_status_display()}."}


@login_required
@require_http_methods(["GET", "POST"])
@counter_staff_required()
def scan(request):
    history = request.session.get("scan_history", [])
    if request.method == "POST":
        form = ScanForm(request.POST)
        if form.is_valid() and form.cleaned_data["code"].strip():
            data = form.cleaned_data
            row = _scan(request, action=data["action"], code=data["code"], reason_code=data["reason_code"])
            history = [row, *history][:SCAN_HISTORY]
            request.session["scan_history"] = history
            request.session["scan_action"] = {"action": data["action"], "reason_code": data["reason_code"]}
            if request.headers.get("HX-Request") == "true":
                return render(request, "packages_app/_scan_row.html", {"row": row})
            return redirect("packages:scan")
        if request.headers.get("HX-Request") == "true":
            # Nothing scanned or no hold reason: show the form's complaint as a row.
            message = (
                " ".join(e for errors in form.errors.values() for e in errors) or "Scan a tracking number."
            )
            row = {
                "code": "",
                "kind": "form",
                "ok": False,
                "message": message,
                "at": timezone.localtime().strftime("%H:%M:%S"),
            }
            return render(request, "packages_app/_scan_row.html", {"row": row})
    else:
        form = ScanForm(initial=request.session.get("scan_action", {}))
    return render(request, "packages_app/scan.html", {"form": form, "history": history})


@login_required
@require_POST
def scan_clear(request):
    request.session.pop("scan_history", None)
    return redirect("packages:scan")
