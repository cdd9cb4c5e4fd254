"""Customer inquiries (the branch help desk), their notes thread, and the SLA hours per priority."""

import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from inquiries_app import sla
from inquiries_app.lifecycle import ACTIVE, Status

MONEY = {"max_digits": 10, "decimal_places": 2}
REFERENCE_RE = re.compile(r"^(?:INQ)?-?(?:(\d{4})-)?0*(\d{1,12})$")


class Channel(models.TextChoices):
    COUNTER = "COUNTER", "Counter"
    PHONE = "PHONE", "Phone"
    EMAIL = "EMAIL", "Email"


class Category(models.TextChoices):
    DELAY = "DELAY", "Delay"
    DAMAGE = "DAMAGE", "Damaged parcel"
    LOST = "LOST", "Lost parcel"
    ADDRESS_CHANGE = "ADDRESS_CHANGE", "Address change"
    PICKUP = "PICKUP", "Pickup"
    COMPLAINT = "COMPLAINT", "Complaint"
    OTHER = "OTHER", "Other"


# Categories that may carry a claim for money (capped by the package's declared value).
CLAIM_CATEGORIES = frozenset({Category.DAMAGE, Category.LOST})


class Priority(models.TextChoices):
    LOW = "LOW", "Low"
    NORMAL = "NORMAL", "Normal"
    HIGH = "HIGH", "High"
    URGENT = "URGENT", "Urgent"


class ResolutionCode(models.TextChoices):
    ANSWERED = "ANSWERED", "Answered / information given"
    DELIVERED = "DELIVERED", "Parcel delivered or found"
    ADDRESS_UPDATED = "ADDRESS_UPDATED", "Address or pickup changed"
    CLAIM_PAID = "CLAIM_PAID", "Claim approved and paid"
    CLAIM_REJECTED = "CLAIM_REJECTED", "Claim rejected"
    NO_RESPONSE = "NO_RESPONSE", "No response from the customer"
    DUPLICATE = "DUPLICATE", "Duplicate inquiry"
    OTHER = "OTHER", "Other (see summary)"


class ClaimStatus(models.TextChoices):
    NONE = "", "No claim"
    PENDING = "PENDING", "Pending decision"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"


def parse_reference(raw: str) -> tuple[int | None, int] | None:
    """(year or None, id) from 'INQ-2026-000123', '2026-123' or '123'; None if it is not one."""
    match = REFERENCE_RE.match(re.sub(r"\s+", "", raw or "").upper())
    if not match:
        return None
    year, number = match.groups()
    return (int(year) if year else None, int(number))


class SlaPolicy(models.Model):
    """Hours an inquiry of one priority may stay unresolved; edited by admins."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    hours = models.PositiveIntegerField(help_text="Hours from creation to the due time.")

    class Meta:
        db_table = "inquiry_sla_policies"
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        ordering = ["hours"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="sla_hours_positive")]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.hours} h"


class CustomerInquiry(models.Model):
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="inquiries")
    package = models.ForeignKey(
        "packages_app.Package", on_delete=models.PROTECT, related_name="inquiries", null=True, blank=True
    )
    customer_name = models.CharField(max_length=120)
    customer_phone = models.CharField(max_length=32, blank=True)
    customer_email = models.EmailField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    category = models.CharField(max_length=16, choices=Category.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    description = models.TextField(help_text="What the customer asks or reports.")

    # Only services write these (lifecycle.py is the one transition table).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_inquiries",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()

    # SLA: due_at moves later by every pause; paused_at is set while waiting on the customer.
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, help_text="Total time spent waiting.")

    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_code = models.CharField(max_length=20, choices=ResolutionCode.choices, blank=True)
    resolution_summary = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    # Claims (DAMAGE and LOST only): the amount asked, capped by the package's declared value.
    claim_amount = models.DecimalField(**MONEY, null=True, blank=True)
    claim_status = models.CharField(max_length=10, choices=ClaimStatus.choices, blank=True)
    claim_approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    claim_decision_reason = models.CharField(max_length=500, blank=True)
    claim_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    claim_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "customer_inquiries"
        verbose_name = "customer inquiry"
        verbose_name_plural = "customer inquiries"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ops guide's partial index idx_customer_inquiries_created_at, (created_at DESC)
            # WHERE status = 'OPEN', serves the "unassigned" queue. Its name is longer than Django's
            # 30-character limit for Meta.indexes, so migration 0002 creates it with RunSQL.
            # "All open" and "overdue" queues (by due time) and the dashboard's counts.
            models.Index(fields=["branch", "status", "due_at"], name="inq_branch_status_due"),
            # "All open", the default queue, walked in due order: its first page reads 50 entries
            # instead of sorting every active inquiry of the branch (and joining their packages).
            models.Index(
                fields=["branch", "due_at", "id"],
                name="inq_branch_active_due",
                condition=Q(status__in=sorted(ACTIVE)),
            ),
            # "Mine": an assignee's work by due time.
            models.Index(fields=["assignee", "status", "due_at"], name="inq_assignee_status_due"),
            # "All" (any status) newest first, and search within a branch.
            models.Index("branch", F("created_at").desc(), name="inq_branch_created"),
            # Resolved today and the median time to resolve over 30 days.
            models.Index(fields=["branch", "resolved_at"], name="inq_branch_resolved"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="inq_status_valid"),
            # OPEN means nobody has it; every later state has someone responsible.
            models.CheckConstraint(
                condition=Q(status=Status.OPEN, assignee__isnull=True)
                | (~Q(status=Status.OPEN) & Q(assignee__isnull=False)),
                name="inq_open_iff_unassigned",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.WAITING_ON_CUSTOMER, paused_at__isnull=False)
                | (~Q(status=Status.WAITING_ON_CUSTOMER) & Q(paused_at__isnull=True)),
                name="inq_paused_iff_waiting",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.RESOLVED, Status.CLOSED])
                | (Q(resolved_at__isnull=False) & ~Q(resolution_code="") & ~Q(resolution_summary="")),
                name="inq_resolution_required",
            ),
            models.CheckConstraint(
                condition=Q(claim_amount__isnull=True)
                | (Q(claim_amount__gt=0) & Q(category__in=sorted(CLAIM_CATEGORIES))),
                name="inq_claim_only_damage_lost",
            ),
            models.CheckConstraint(
                condition=Q(claim_approved_amount__isnull=True)
                | (Q(claim_approved_amount__gt=0) & Q(claim_approved_amount__lte=F("claim_amount"))),
                name="inq_claim_approved_within_claim",
            ),
            models.CheckConstraint(condition=Q(due_at__gte=F("created_at")), name="inq_due_after_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number customers are given, e.g. INQ-2026-000123 (year of creation and the row id)."""
        if self.pk is None:
            return "INQ-new"
        return f"INQ-{self.created_at.year}-{self.pk:06d}"

    @property
    def audit_id(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_overdue(self) -> bool:
        return sla.is_overdue(self, now=timezone.now())

    @property
    def time_left(self):
        return sla.time_left(self, now=timezone.now())

    @property
    def resolved_late(self) -> bool:
        return self.resolved_at is not None and self.resolved_at > self.due_at

    @property
    def is_claim(self) -> bool:
        return self.category in CLAIM_CATEGORIES


class InquiryNote(models.Model):
    """One entry of an inquiry's thread: internal, or shared with the customer (what we told them)."""

    class Visibility(models.TextChoices):
        INTERNAL = "INTERNAL", "Internal"
        CUSTOMER = "CUSTOMER", "Shared with the customer"

    # No index of its own: inqnote_inquiry_order below is led by inquiry_id.
    inquiry = models.ForeignKey(
        CustomerInquiry, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "customer_inquiry_notes"
        ordering = ["created_at", "id"]
        # The thread's exact order: a long thread is read in order, never sorted.
        indexes = [models.Index(fields=["inquiry", "created_at", "id"], name="inqnote_inquiry_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["INTERNAL", "CUSTOMER"]), name="inqnote_visibility_valid"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="inqnote_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on inquiry {self.inquiry_id}"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.CUSTOMER
