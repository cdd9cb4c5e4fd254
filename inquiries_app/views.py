"""Help desk screens: queues + CSV, create, the inquiry page and its actions (assign, status, notes...).

Views are thin: parse the form, call a service, redirect or render. Branch scoping is
selectors.get_inquiry_for_user; a refused change (InquiryError) is shown next to its field or as a
message, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch_courier.accounts.access import (
    branch_staff_required,
    counter_staff_required,
    require_counter_staff,
)
from branch_courier.core.csv_export import csv_lines, csv_response
from inquiries_app import selectors, services
from inquiries_app.forms import (
    AssignForm,
    ClaimDecisionForm,
    ClaimForm,
    InquiryForm,
    NoteForm,
    QueueFilterForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
)
from inquiries_app.lifecycle import CLOCK_RUNS, InquiryError, Status, simple_edges
from inquiries_app.models import ClaimStatus, InquiryNote
from packages_app.services import actor_role

PAGE_SIZE = 50
NOTES_LIMIT = 200


HANDLE_ONLY = "Only clerks and supervisors of a branch handle inquiries."
BRANCH_ONLY = "Inquiries are handled per branch; admins use Django admin."


def _filtered(request):
    form = QueueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, selectors.queue(request.user, **form.filters())


QUEUE_FIELDS = (
    "created_at",  # with the id, the reference
    "status",
    "priority",
    "category",
    "customer_name",
    "due_at",
)


@login_required
@require_GET
@branch_staff_required(BRANCH_ONLY)
def inquiry_list(request):
    form, queryset = _filtered(request)
    # Only the columns the rows show: whole package and user rows cost more to fetch than the page.
    # The package's number and the assignee's name come as two columns of the inquiry's row, not
    # as a package and a user instance each: a third of the rows' time went on making those.
    queryset = queryset.only(*QUEUE_FIELDS).annotate(
        tracking_number=F("package__tracking_number"), assignee_username=F("assignee__username")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_queue = query.copy()
    without_queue.pop("queue", None)
    ctx = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "query_without_queue": without_queue.urlencode(),
        "queues": selectors.QUEUES,
        "current_queue": form.filters()["name"],
        "now": timezone.now(),
    }
    return render(request, "inquiries_app/list.html", ctx)


CSV_COLUMNS = [
    ("id", "id"),
    ("created_at", "created_at"),
    ("status", "status"),
    ("priority", "priority"),
    ("category", "category"),
    ("channel", "channel"),
    ("tracking_number", "package__tracking_number"),
    ("customer_name", "customer_name"),
    ("customer_phone", "customer_phone"),
    ("customer_email", "customer_email"),
    ("assignee", "assignee__username"),
    ("due_at", "due_at"),
    ("resolved_at", "resolved_at"),
    ("resolution_code", "resolution_code"),
    ("claim_amount", "claim_amount"),
    ("claim_status", "claim_status"),
]


@login_required
@require_GET
@branch_staff_required(BRANCH_ONLY)
def inquiry_export(request):
    """The filtered queue as CSV, streamed in chunks so a large export never sits in memory."""
    _form, queryset = _filtered(request)
    fields = [field for _, field in CSV_COLUMNS]
    at = {field: i for i, field in enumerate(fields)}
    rows = queryset.values_list(*fields).iterator(chunk_size=2000)
    now = timezone.now()
    header = ["reference"] + [name for name, _ in CSV_COLUMNS] + ["overdue"]

    def annotated():
        for row in rows:
            created_at, status = row[at["created_at"]], row[at["status"]]
            reference = f"INQ-{created_at.year}-{row[at['id']]:06d}"
            overdue = status in CLOCK_RUNS and row[at["due_at"]] < now
            yield [reference, *row, "yes" if overdue else ""]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"inquiries-{request.user.branch.code}-{stamp}.csv"
    response = csv_response(csv_lines(header, annotated()), filename)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@counter_staff_required(HANDLE_ONLY)
def inquiry_create(request):
    initial = {}
    if request.method == "GET" and request.GET.get("tracking"):
        # Prefilled from a package page ("New inquiry" there): the number and a counter channel.
        initial["tracking_number"] = request.GET["tracking"][:40]
    form = InquiryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.inquiry_create(
                actor=request.user,
                customer_name=data["customer_name"],
                customer_phone=data["customer_phone"],
                customer_email=data["customer_email"],
                channel=data["channel"],
                category=data["category"],
                priority=data["priority"],
                description=data["description"],
                tracking_number=data["tracking_number"],
                claim_amount=data["claim_amount"],
            )
        except InquiryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"{inquiry.reference} opened; due {_when(inquiry.due_at)}.")
            return redirect("inquiries:detail", reference=inquiry.reference)
    return render(request, "inquiries_app/create.html", {"form": form})


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _detail_context(request, inquiry, **forms) -> dict:
    can_act = selectors.can_act_on(request.user, inquiry)
    role = actor_role(request.user)
    notes = list(
        InquiryNote.objects.filter(inquiry=inquiry)
        .select_related("author")
        .order_by("created_at", "id")[:NOTES_LIMIT]
    )
    ctx = {
        "inquiry": inquiry,
        "notes": notes,
        "can_act": can_act,
        "is_supervisor": role == "SUPERVISOR",
        "edges": simple_edges(source=inquiry.status, role=role) if can_act else [],
        "can_resolve": can_act and inquiry.status in (Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER),
        "can_reopen": can_act and inquiry.status == Status.RESOLVED,
        "reopen_deadline": services.reopen_deadline(inquiry),
        "claim_editable": can_act
        and inquiry.is_claim
        and inquiry.is_active
        and inquiry.claim_status in (ClaimStatus.NONE, ClaimStatus.PENDING),
        "claim_pending": inquiry.claim_status == ClaimStatus.PENDING,
        "assign_form": AssignForm(branch_id=inquiry.branch_id),
        "resolve_form": ResolveForm(),
        "reopen_form": ReopenForm(),
        "note_form": NoteForm(),
        "claim_form": ClaimForm(initial={"claim_amount": inquiry.claim_amount}),
        "decision_form": ClaimDecisionForm(),
        "now": timezone.now(),
    }
    ctx.update(forms)
    return ctx


@login_required
@require_GET
def inquiry_detail(request, reference):
    inquiry = selectors.get_inquiry_for_user(request.user, reference)
    return render(request, "inquiries_app/detail.html", _detail_context(request, inquiry))


def _act(request, inquiry, form, call, *, form_name: str, success: str):
    """Shared shape of the POST actions: validate, call the service, redirect or re-render with errors."""
    require_counter_staff(request.user, HANDLE_ONLY)
    if form.is_valid():
        try:
            result = call(inquiry, form.cleaned_data)
        except InquiryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, success.format(ref=inquiry.reference, result=result))
            return redirect("inquiries:detail", reference=inquiry.reference)
    ctx = _detail_context(request, inquiry, **{form_name: form})
    # Refusals that concern no field (an illegal move, a clerk deciding a claim) become the message.
    messages.error(
        request, "Nothing changed — " + (" ".join(form.non_field_errors()) or "see the form below.")
    )
    return render(request, "inquiries_app/detail.html", ctx, status=400)


@login_required
@require_POST
def inquiry_assign(request, reference):
    inquiry = selectors.get_inquiry_for_user(request.user, reference)
    data = request.POST.copy()
    if data.get("take"):
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data, branch_id=inquiry.branch_id)
    return _act(
        request,
        inquiry,
        form,
        lambda i, d: services.inquiry_assign(inquiry=i, assignee=d["assignee"], actor=request.user),
        form_name="assign_form",
        success="{ref} assigned to {result.assignee.username}.",
    )


@login_required
@require_POST
def inquiry_status(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        StatusForm(request.POST),
        lambda i, d: services.inquiry_change_status(inquiry=i, to_status=d["to_status"], actor=request.user),
        form_name="status_form",
        success="{ref} is now {result.get_status_display}.",
    )


@login_required
@require_POST
def inquiry_resolve(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        ResolveForm(request.POST),
        lambda i, d: services.inquiry_resolve(
            inquiry=i, actor=request.user, resolution_code=d["resolution_code"], summary=d["summary"]
        ),
        form_name="resolve_form",
        success="{ref} resolved.",
    )


@login_required
@require_POST
def inquiry_reopen(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        ReopenForm(request.POST),
        lambda i, d: services.inquiry_reopen(inquiry=i, actor=request.user, reason=d["reason"]),
        form_name="reopen_form",
        success="{ref} reopened.",
    )


@login_required
@require_POST
def inquiry_note(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        NoteForm(request.POST),
        lambda i, d: services.inquiry_add_note(
            inquiry=i, actor=request.user, body=d["body"], shared=d["shared"]
        ),
        form_name="note_form",
        success="Note added to {ref}.",
    )


@login_required
@require_POST
def inquiry_claim(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        ClaimForm(request.POST),
        lambda i, d: services.inquiry_set_claim(inquiry=i, actor=request.user, amount=d["claim_amount"]),
        form_name="claim_form",
        success="Claim of {result.claim_amount} recorded on {ref}; a supervisor decides it.",
    )


@login_required
@require_POST
def inquiry_claim_decision(request, reference):
    return _act(
        request,
        selectors.get_inquiry_for_user(request.user, reference),
        ClaimDecisionForm(request.POST),
        lambda i, d: services.inquiry_claim_decide(
            inquiry=i,
            actor=request.user,
            approve=d["decision"] == "approve",
            reason=d["reason"],
            approved_amount=d["approved_amount"],
        ),
        form_name="decision_form",
        success="Claim on {ref}: {result.get_claim_status_display}.",
    )
