"""Writes to inquiries: create, assign/take, status changes, notes, resolve, reopen, claims.

Each function runs in one transaction, re-reads the inquiry with select_for_update() so two clerks
racing on one inquiry cannot both win, and writes its audit record alongside. No customer names,
phones or emails go into the audit trail: the inquiry row holds them.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from audit.services import audit_record
from branch_courier.core import branch_figures
from inquiries_app import lifecycle, selectors, sla
from inquiries_app.lifecycle import ACTIVE, InquiryError, Status, TransitionError
from inquiries_app.models import (
    CLAIM_CATEGORIES,
    ClaimStatus,
    CustomerInquiry,
    InquiryNote,
    ResolutionCode,
)
from packages_app import s10
from packages_app.selectors import get_package_for_user
from packages_app.services import actor_role  # one rule for roles: admins count as supervisors

__all__ = ["InquiryError", "TransitionError"]


def _ensure_counter(actor) -> None:
    if not getattr(actor, "is_superuser", False) and not getattr(actor, "works_counter", False):
        raise InquiryError("Only clerks and supervisors of a branch handle inquiries.")


def _ensure_branch(actor, inquiry: CustomerInquiry) -> None:
    _ensure_counter(actor)
    if not getattr(actor, "is_superuser", False) and inquiry.branch_id != actor.branch_id:
        raise InquiryError(f"{inquiry.reference} belongs to another branch.")


def _save(inquiry: CustomerInquiry, **kwargs) -> None:
    """Save, and let the branch dashboard's inquiry figures show the change once it commits."""
    inquiry.save(**kwargs)
    branch_figures.forget(selectors.DASHBOARD_FIGURES, [inquiry.branch_id])


def _locked(inquiry: CustomerInquiry) -> CustomerInquiry:
    # Lock the row alone, without joins: PostgreSQL re-checks a joined FOR UPDATE row after a
    # concurrent update and can drop it, which would lose the second clerk's row instead of
    # making them wait. Related rows load lazily afterwards.
    return CustomerInquiry.objects.select_for_update().get(pk=inquiry.pk)


def check_claim_amount(*, category: str, package, amount: Decimal | None) -> Decimal | None:
    """The one rule for claim amounts: DAMAGE/LOST only, on a package, more than 0, at most its value."""
    if amount is None:
        return None
    if category not in CLAIM_CATEGORIES:
        raise InquiryError("Only damaged or lost parcels can carry a claim.", field="claim_amount")
    if package is None:
        raise InquiryError("A claim needs the parcel's tracking number.", field="tracking_number")
    if amount <= 0:
        raise InquiryError("Enter a claim amount greater than 0.", field="claim_amount")
    if amount > package.declared_value:
        raise InquiryError(
            f"The claim cannot exceed the declared value of {package.tracking_number} "
            f"({package.declared_value}).",
            field="claim_amount",
        )
    return amount


def find_package(*, actor, tracking_number: str):
    """The package a tracking number names, if the actor's branch may see it; None for blank input."""
    if not (tracking_number or "").strip():
        return None
    try:
        number = s10.validate(tracking_number)
    except s10.TrackingNumberError as exc:
        raise InquiryError(str(exc), field="tracking_number") from exc
    try:
        return get_package_for_user(actor, number)
    except Http404 as exc:
        raise InquiryError(
            f"{number} is not a package your branch knows — check the number with the customer.",
            field="tracking_number",
        ) from exc


@transaction.atomic
def inquiry_create(
    *,
    actor,
    customer_name: str,
    category: str,
    description: str,
    customer_phone: str = "",
    customer_email: str = "",
    channel: str = "COUNTER",
    priority: str = "NORMAL",
    tracking_number: str = "",
    claim_amount: Decimal | None = None,
) -> CustomerInquiry:
    """Open an inquiry at the actor's branch; its due time follows from the priority's SLA hours."""
    _ensure_counter(actor)
    if getattr(actor, "branch_id", None) is None:
        raise InquiryError("Inquiries are opened at a branch; your account has none.")
    if not (customer_phone or customer_email):
        raise InquiryError("Give a phone number or an email so we can answer.", field="customer_phone")
    package = find_package(actor=actor, tracking_number=tracking_number)
    claim_amount = check_claim_amount(category=category, package=package, amount=claim_amount)
    now = timezone.now()
    inquiry = CustomerInquiry(
        branch_id=actor.branch_id,
        package=package,
        customer_name=customer_name.strip(),
        customer_phone=customer_phone.strip(),
        customer_email=customer_email.strip(),
        channel=channel,
        category=category,
        priority=priority,
        description=description.strip(),
        status=Status.OPEN,
        created_by=actor,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
        due_at=sla.due_at(start=now, priority=priority),
        claim_amount=claim_amount,
        claim_status=ClaimStatus.PENDING if claim_amount else ClaimStatus.NONE,
    )
    inquiry.full_clean()
    _save(inquiry)
    audit_record(
        action="inquiry.create",
        actor=actor,
        obj=inquiry,
        changes={
            "status": Status.OPEN,
            "channel": channel,
            "category": category,
            "priority": priority,
            "package": package.tracking_number if package else "",
            "due_at": inquiry.due_at.isoformat(),
            **({"claim_amount": str(claim_amount)} if claim_amount else {}),
        },
    )
    return inquiry


@transaction.atomic
def inquiry_assign(*, inquiry: CustomerInquiry, assignee, actor) -> CustomerInquiry:
    """Give the inquiry to a clerk or supervisor of its branch ("take" is assignee=actor).

    An OPEN inquiry starts being worked on (IN_PROGRESS); an active one changes hands only.
    """
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    if not (assignee.is_active and assignee.works_counter and assignee.branch_id == locked.branch_id):
        raise InquiryError(
            f"{assignee.get_username()} is not an active clerk or supervisor of {locked.branch.code}.",
            field="assignee",
        )
    if locked.status not in ACTIVE:
        raise TransitionError(f"{locked.reference} is {locked.get_status_display()}; reopen it first.")
    changes = {"assignee": {"from": locked.assignee.get_username() if locked.assignee else None}}
    changes["assignee"]["to"] = assignee.get_username()
    now = timezone.now()
    if locked.status == Status.OPEN:
        lifecycle.check(
            source=locked.status, target=Status.IN_PROGRESS, role=actor_role(actor), service="inquiry_assign"
        )
        changes["status"] = {"from": Status.OPEN, "to": Status.IN_PROGRESS}
        locked.status = Status.IN_PROGRESS
        locked.status_changed_at = now
    elif locked.assignee_id == assignee.pk:
        raise InquiryError(f"{locked.reference} is already assigned to {assignee.get_username()}.")
    locked.assignee = assignee
    locked.updated_at = now
    _save(locked)
    audit_record(action="inquiry.assign", actor=actor, obj=locked, changes=changes)
    return locked


@transaction.atomic
def inquiry_change_status(*, inquiry: CustomerInquiry, to_status: str, actor) -> CustomerInquiry:
    """The plain moves: wait for the customer (pauses the SLA clock), customer answered, close."""
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    source = locked.status
    lifecycle.check(source=source, target=to_status, role=actor_role(actor))
    now = timezone.now()
    changes = {"status": {"from": source, "to": to_status}}
    if to_status == Status.WAITING_ON_CUSTOMER:
        sla.pause(locked, now=now)
    elif source == Status.WAITING_ON_CUSTOMER:
        waited = sla.resume(locked, now=now)
        changes["paused_seconds"] = int(waited.total_seconds())
        changes["due_at"] = locked.due_at.isoformat()
    if to_status == Status.CLOSED:
        locked.closed_at = now
    locked.status = to_status
    locked.status_changed_at = now
    locked.updated_at = now
    _save(locked)
    audit_record(action=f"inquiry.{to_status.lower()}", actor=actor, obj=locked, changes=changes)
    return locked


@transaction.atomic
def inquiry_resolve(
    *, inquiry: CustomerInquiry, actor, resolution_code: str, summary: str
) -> CustomerInquiry:
    """Resolve with a resolution code and a summary (both required); a pending claim blocks it."""
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    lifecycle.check(
        source=locked.status, target=Status.RESOLVED, role=actor_role(actor), service="inquiry_resolve"
    )
    if resolution_code not in ResolutionCode.values:
        raise InquiryError("Choose a resolution code.", field="resolution_code")
    summary = (summary or "").strip()
    if not summary:
        raise InquiryError("Write a short summary of the resolution.", field="summary")
    if locked.claim_status == ClaimStatus.PENDING:
        raise InquiryError("A supervisor must approve or reject the claim before it is resolved.")
    now = timezone.now()
    changes = {"status": {"from": locked.status, "to": Status.RESOLVED}, "resolution_code": resolution_code}
    if locked.status == Status.WAITING_ON_CUSTOMER:
        changes["paused_seconds"] = int(sla.resume(locked, now=now).total_seconds())
    locked.status = Status.RESOLVED
    locked.status_changed_at = now
    locked.updated_at = now
    locked.resolved_at = now
    locked.resolution_code = resolution_code
    locked.resolution_summary = summary
    _save(locked)
    changes["late"] = locked.resolved_late
    audit_record(action="inquiry.resolve", actor=actor, obj=locked, changes=changes)
    return locked


def reopen_deadline(inquiry: CustomerInquiry):
    if inquiry.resolved_at is None:
        return None
    return inquiry.resolved_at + timedelta(days=settings.INQUIRY_REOPEN_DAYS)


@transaction.atomic
def inquiry_reopen(*, inquiry: CustomerInquiry, actor, reason: str) -> CustomerInquiry:
    """Back to IN_PROGRESS within INQUIRY_REOPEN_DAYS of the resolution, with a fresh SLA window.

    The old resolution goes into the audit trail and an internal note; the row keeps only the
    current one, so the dashboard's time to resolve counts the final resolution.
    """
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    lifecycle.check(
        source=locked.status, target=Status.IN_PROGRESS, role=actor_role(actor), service="inquiry_reopen"
    )
    reason = (reason or "").strip()
    if not reason:
        raise InquiryError("Say why the inquiry is reopened.", field="reason")
    now = timezone.now()
    deadline = reopen_deadline(locked)
    if deadline is not None and now > deadline:
        raise TransitionError(
            f"{locked.reference} was resolved more than {settings.INQUIRY_REOPEN_DAYS} days ago; "
            "open a new inquiry instead."
        )
    previous = {"code": locked.resolution_code, "resolved_at": locked.resolved_at.isoformat()}
    InquiryNote.objects.create(
        inquiry=locked,
        author=actor,
        visibility=InquiryNote.Visibility.INTERNAL,
        body=f"Reopened: {reason}\nPrevious resolution ({locked.get_resolution_code_display()}): "
        f"{locked.resolution_summary}",
        created_at=now,
    )
    locked.status = Status.IN_PROGRESS
    locked.status_changed_at = now
    locked.updated_at = now
    locked.resolved_at = None
    locked.resolution_code = ""
    locked.resolution_summary = ""
    locked.reopened_count += 1
    locked.due_at = sla.due_at(start=now, priority=locked.priority)
    _save(locked)
    audit_record(
        action="inquiry.reopen",
        actor=actor,
        obj=locked,
        changes={
            "status": {"from": Status.RESOLVED, "to": Status.IN_PROGRESS},
            "previous_resolution": previous,
            "due_at": locked.due_at.isoformat(),
        },
    )
    return locked


@transaction.atomic
def inquiry_add_note(*, inquiry: CustomerInquiry, actor, body: str, shared: bool = False) -> InquiryNote:
    """Add to the thread: internal, or shared with the customer (what we told them)."""
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    body = (body or "").strip()
    if not body:
        raise InquiryError("Write the note first.", field="body")
    if locked.status == Status.CLOSED:
        raise InquiryError(f"{locked.reference} is closed; open a new inquiry for a new question.")
    now = timezone.now()
    note = InquiryNote.objects.create(
        inquiry=locked,
        author=actor,
        visibility=InquiryNote.Visibility.CUSTOMER if shared else InquiryNote.Visibility.INTERNAL,
        body=body,
        created_at=now,
    )
    locked.updated_at = now
    _save(locked, update_fields=["updated_at"])
    # The note's text stays in the thread, not in the audit trail (it may hold personal data).
    audit_record(
        action="inquiry.note",
        actor=actor,
        obj=locked,
        changes={"note_id": note.pk, "visibility": note.visibility, "length": len(body)},
    )
    return note


@transaction.atomic
def inquiry_set_claim(*, inquiry: CustomerInquiry, actor, amount: Decimal) -> CustomerInquiry:
    """Record or change the amount a customer claims, before a supervisor decides."""
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    if locked.status not in ACTIVE:
        raise InquiryError(f"{locked.reference} is {locked.get_status_display()}; reopen it first.")
    if locked.claim_status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
        raise InquiryError("The claim has been decided; it can no longer change.", field="claim_amount")
    if amount is None:
        raise InquiryError("Enter the amount claimed.", field="claim_amount")
    check_claim_amount(category=locked.category, package=locked.package, amount=amount)
    before = locked.claim_amount
    locked.claim_amount = amount
    locked.claim_status = ClaimStatus.PENDING
    locked.updated_at = timezone.now()
    _save(locked)
    audit_record(
        action="inquiry.claim",
        actor=actor,
        obj=locked,
        changes={"claim_amount": {"from": str(before) if before else None, "to": str(amount)}},
    )
    return locked


@transaction.atomic
def inquiry_claim_decide(
    *,
    inquiry: CustomerInquiry,
    actor,
    approve: bool,
    reason: str,
    approved_amount: Decimal | None = None,
) -> CustomerInquiry:
    """A supervisor approves (all or part of the claimed amount) or rejects a claim, with a reason."""
    locked = _locked(inquiry)
    _ensure_branch(actor, locked)
    if actor_role(actor) != lifecycle.SUPERVISOR:
        raise InquiryError("Only supervisors decide claims.")
    if locked.claim_status != ClaimStatus.PENDING:
        raise InquiryError(f"{locked.reference} has no claim waiting for a decision.")
    reason = (reason or "").strip()
    if not reason:
        raise InquiryError("Give the reason for the decision.", field="reason")
    if approve:
        approved_amount = locked.claim_amount if approved_amount is None else approved_amount
        if not 0 < approved_amount <= locked.claim_amount:
            raise InquiryError(
                f"Approve between 0.01 and the claimed {locked.claim_amount}.", field="approved_amount"
            )
    else:
        approved_amount = None
    now = timezone.now()
    locked.claim_status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    locked.claim_approved_amount = approved_amount
    locked.claim_decision_reason = reason[:500]
    locked.claim_decided_by = actor
    locked.claim_decided_at = now
    locked.updated_at = now
    _save(locked)
    audit_record(
        action=f"inquiry.claim_{'approve' if approve else 'reject'}",
        actor=actor,
        obj=locked,
        changes={
            "claim_amount": str(locked.claim_amount),
            "approved_amount": str(approved_amount) if approved_amount else None,
            "reason": reason[:500],
        },
    )
    return locked
