"""Counter money screens: handover (with COD) and its proof of delivery, the clerk's cash drawer,
and the supervisors' end-of-day report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch_courier.accounts.access import counter_staff_required
from packages_app import drawer, handover, selectors, transit_pdfs
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import Handover, phone_digits
from packages_app.transit_forms import (
    DrawerCloseForm,
    DrawerOpenForm,
    HandoverForm,
    HandoverSearchForm,
    ReportForm,
)

SEARCH_LIMIT = 20
SESSION_PAYMENTS = 200


@login_required
@require_GET
@counter_staff_required()
def handover_search(request):
    """Find what can be handed over here by tracking number or the recipient's (sender's) phone."""
    form = HandoverSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"]
        from packages_app import s10

        number = s10.normalise(q)
        waiting = selectors.packages_for_user(request.user, for_action=True).filter(
            Q(status=Status.READY_FOR_PICKUP)
            | Q(status=Status.RETURN_TO_SENDER, origin_branch_id=request.user.branch_id)
        )
        if s10.is_valid(number):
            waiting = waiting.filter(tracking_number=number)
        else:
            digits = phone_digits(q)
            if len(digits) < 6:
                form.add_error("q", "Enter a full tracking number or at least 6 digits of a phone number.")
                waiting = waiting.none()
            else:
                # The indexed recipient phone; a return is found by its tracking number.
                waiting = waiting.filter(recipient_phone_digits=digits)
        results = list(waiting.order_by("-status_changed_at")[:SEARCH_LIMIT])
        if len(results) == 1 and form.is_valid():
            return redirect("packages:handover", tracking=results[0].tracking_number)
    return render(request, "packages_app/handover_search.html", {"form": form, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def handover_view(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking, for_action=True)
    target = handover.handover_target(package)
    if not target:
        messages.error(
            request, f"{package.tracking_number} is {package.get_status_display()}: not ready to hand over."
        )
        return redirect("packages:detail", tracking=package.tracking_number)
    cod = package.cod_amount if target == Status.DELIVERED else None
    form = HandoverForm(request.POST or None, cod=cod, card_enabled=drawer.card_payments_enabled())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover.package_handover(
                package=package,
                actor=request.user,
                collector=handover.Collector(data["collector_name"], data["id_type"], data["id_last4"]),
                payment=form.payment_input() if cod else None,
            )
        except drawer.PaymentError as exc:
            form.add_error("payment_method" if cod else None, str(exc))
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{package.tracking_number} handed over. Proof of delivery is on its page."
            )
            return redirect("packages:detail", tracking=package.tracking_number)
        if cod and data.get("payment_method") == "CARD" and "declined" in str(form.errors):
            form.data = form.data.copy()
            form.data["payment_key"] = ""  # a declined card: the next attempt is a new charge
    ctx = {"package": package, "form": form, "cod": cod, "returning": target == Status.RETURNED}
    return render(request, "packages_app/handover.html", ctx)


@login_required
@require_GET
def proof_of_delivery(request, tracking):
    package = selectors.get_package_for_user(request.user, tracking)
    record = Handover.objects.filter(package=package).select_related("branch", "handed_over_by").first()
    if record is None:
        raise Http404("This package has not been handed over.")
    response = HttpResponse(
        transit_pdfs.proof_of_delivery_pdf(package, record), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="pod-{package.tracking_number}.pdf"'
    return response


# --- Cash drawer ----------------------------------------------------------------------------------


@login_required
@require_GET
@counter_staff_required()
def drawer_home(request):
    session = drawer.open_drawer_for(request.user)
    ctx = {
        "session": session,
        "open_form": DrawerOpenForm(),
        "close_form": DrawerCloseForm(),
        "recent": selectors.drawers_for_user(request.user).select_related("clerk")[:20],
    }
    if session:
        ctx["payments"] = list(session.payments.select_related("package")[:SESSION_PAYMENTS])
        ctx["expected"] = drawer.expected_cash(session)
    return render(request, "packages_app/drawer.html", ctx)


@login_required
@require_POST
@counter_staff_required()
def drawer_open_view(request):
    form = DrawerOpenForm(request.POST)
    if form.is_valid():
        try:
            drawer.drawer_open(actor=request.user, opening_float=form.cleaned_data["opening_float"])
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Drawer open.")
            return redirect("drawer:home")
    ctx = {"session": None, "open_form": form, "close_form": DrawerCloseForm(), "recent": []}
    return render(request, "packages_app/drawer.html", ctx, status=200 if form.is_valid() else 400)


@login_required
@require_POST
def drawer_close_view(request, pk):
    session = selectors.get_drawer_for_user(request.user, pk)
    form = DrawerCloseForm(request.POST)
    if form.is_valid():
        try:
            session = drawer.drawer_close(
                session=session, actor=request.user, counted_cash=form.cleaned_data["counted_cash"]
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Drawer closed: expected {session.expected_cash}, counted {session.counted_cash}."
            )
        return redirect("drawer:session", pk=session.pk)
    messages.error(request, "Counted cash: " + " ".join(form.errors.get("counted_cash", ["enter an amount"])))
    return redirect("drawer:home")


@login_required
@require_GET
def drawer_session(request, pk):
    session = selectors.get_drawer_for_user(request.user, pk)
    payments = list(session.payments.select_related("package")[:SESSION_PAYMENTS])
    ctx = {
        "session": session,
        "payments": payments,
        "expected": session.expected_cash if session.closed_at else drawer.expected_cash(session),
    }
    return render(request, "packages_app/drawer_session.html", ctx)


@login_required
@require_GET
def drawer_report(request):
    if not (request.user.works_counter and request.user.is_supervisor):
        raise PermissionDenied("Only supervisors see the end-of-day report.")
    form = ReportForm(request.GET or None)
    day = timezone.localdate(timezone.now(), selectors.branch_tz(request.user))
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    ctx = {"form": form, "report": selectors.end_of_day(request.user, day)}
    return render(request, "packages_app/drawer_report.html", ctx)
