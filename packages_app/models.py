"""Packages, their append-only timeline, the fee tariff and the S10 serial counter."""

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from packages_app.lifecycle import FINAL, Status

MONEY = {"max_digits": 10, "decimal_places": 2}


def phone_digits(phone: str) -> str:
    """A phone number as digits only, so '+1 (617) 555-0100' and '16175550100' match in search."""
    return re.sub(r"\D", "", phone or "")


class Service(models.TextChoices):
    STANDARD = "STANDARD", "Standard"
    EXPRESS = "EXPRESS", "Express"


class ReasonCode(models.TextChoices):
    """Why a package was held, cancelled, returned, failed or lost (shown in the timeline)."""

    ADDRESS_ISSUE = "ADDRESS_ISSUE", "Address issue"
    ADDRESS_PROBLEM = "ADDRESS_PROBLEM", "Address incomplete or wrong (older code)"
    RECIPIENT_REQUEST = "RECIPIENT_REQUEST", "Recipient asked to hold"
    SENDER_REQUEST = "SENDER_REQUEST", "Sender asked"
    DAMAGED = "DAMAGED", "Damaged"
    CUSTOMS = "CUSTOMS", "Customs or documents"
    AWAITING_PAYMENT = "AWAITING_PAYMENT", "Awaiting payment"
    PAYMENT_PENDING = "PAYMENT_PENDING", "Payment pending (older code)"
    RECIPIENT_ABSENT = "RECIPIENT_ABSENT", "Recipient absent"
    REFUSED = "REFUSED", "Refused by recipient"
    HOLD_EXPIRED = "HOLD_EXPIRED", "Not collected in time"
    MISSING = "MISSING", "Missing / not found"
    OTHER = "OTHER", "Other (see note)"


# The reasons a clerk may give to put a package on hold (issue 4); the others are for other edges.
HOLD_REASONS = [
    ReasonCode.DAMAGED,
    ReasonCode.ADDRESS_ISSUE,
    ReasonCode.AWAITING_PAYMENT,
    ReasonCode.REFUSED,
    ReasonCode.CUSTOMS,
    ReasonCode.OTHER,
]


class Package(models.Model):
    tracking_number = models.CharField(max_length=13, unique=True)
    # Only services write these (lifecycle.py is the one transition table).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_before_hold = models.CharField(
        max_length=20, choices=Status.choices, blank=True, help_text="Where a release from hold returns to."
    )
    status_changed_at = models.DateTimeField()
    is_return = models.BooleanField(default=False, help_text="Travelling back to the sender.")
    hold_until = models.DateField(null=True, blank=True)
    service = models.CharField(max_length=10, choices=Service.choices, default=Service.STANDARD)

    # No single-column indexes on the branch keys: the composite indexes below start with them.
    origin_branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="packages_sent", db_index=False
    )
    destination_branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="packages_incoming", db_index=False
    )
    # The branch responsible now; while IN_TRANSIT, the branch it is heading to.
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="packages", db_index=False
    )

    sender_name = models.CharField(max_length=120)
    sender_phone = models.CharField(max_length=32)
    sender_email = models.EmailField(blank=True)
    sender_address = models.TextField()
    recipient_name = models.CharField(max_length=120)
    recipient_phone = models.CharField(max_length=32)
    recipient_phone_digits = models.CharField(max_length=32, editable=False)
    recipient_email = models.EmailField(blank=True)
    recipient_address = models.TextField()

    weight_grams = models.PositiveIntegerField()
    length_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    width_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    declared_value = models.DecimalField(**MONEY, default=Decimal("0.00"))
    fee = models.DecimalField(**MONEY)
    cod_amount = models.DecimalField(**MONEY, null=True, blank=True, help_text="Cash on delivery.")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The intake form's one-time key: the same form sent twice (a double click, or a retry after the
    # answer was lost) finds this package instead of taking the parcel in and charging it again.
    # Unique per origin branch (pkg_intake_key_once): the key comes back from the browser, and a
    # key sent from another branch must neither find this package nor collide with it.
    intake_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        db_table = "packages"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ops guide's index: the work queues of a branch.
            models.Index(
                fields=["status", "branch"],
                name="idx_packages_status_branch_id",
                condition=Q(status__in=["RECEIVED", "IN_TRANSIT"]),
            ),
            # The branch list's status filter and the dashboard's grouped counts (index-only).
            models.Index("branch", "status", models.F("created_at").desc(), name="pkg_branch_status_created"),
            models.Index("branch", models.F("created_at").desc(), name="pkg_branch_created"),
            # "Waiting longer than N days" on the dashboard (index-only).
            models.Index(fields=["branch", "status", "status_changed_at"], name="pkg_branch_status_waiting"),
            # Incoming / sent lists: the responsible branch is the last key column so "not here
            # any more" is answered from the index (a key, not INCLUDE, which SQLite lacks).
            models.Index(fields=["destination_branch", "-created_at", "branch"], name="pkg_dest_created"),
            models.Index(fields=["origin_branch", "-created_at", "branch"], name="pkg_origin_created"),
            # "Incoming, in transit" (the receiving clerk's list): a small partial index, so the
            # list and its count skip the branch's delivered history (make bench, issue 9).
            models.Index(
                fields=["destination_branch", "-created_at", "branch"],
                name="pkg_incoming_in_transit",
                condition=Q(status="IN_TRANSIT"),
            ),
            # Search by phone (digits only).
            models.Index(fields=["recipient_phone_digits"], name="pkg_recipient_phone"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["origin_branch", "intake_key"], name="pkg_intake_key_once"),
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="pkg_weight_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="pkg_fee_not_negative"),
            models.CheckConstraint(condition=Q(declared_value__gte=0), name="pkg_declared_not_negative"),
            models.CheckConstraint(
                condition=Q(cod_amount__isnull=True) | Q(cod_amount__gt=0), name="pkg_cod_positive"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="pkg_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.ON_HOLD) | ~Q(status_before_hold=""),
                name="pkg_hold_remembers_previous_status",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def dimensions(self) -> str:
        sides = [self.length_cm, self.width_cm, self.height_cm]
        return " × ".join(str(s) for s in sides) + " cm" if all(sides) else ""


class PackageEvent(models.Model):
    """One line of a package's timeline. Append-only: services add rows, nothing edits them."""

    class Kind(models.TextChoices):
        STATUS = "STATUS", "Status change"
        LABEL = "LABEL", "Label printed"

    # Indexed by pkgevent_package_at (package, at DESC), which also serves the timeline.
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    status = models.CharField(max_length=20, choices=Status.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField()
    reason_code = models.CharField(max_length=24, choices=ReasonCode.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "package_events"
        ordering = ["-at", "-id"]
        indexes = [models.Index("package", models.F("at").desc(), name="pkgevent_package_at")]

    def __str__(self) -> str:
        return f"{self.package_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class Tariff(models.Model):
    """One weight band of one service: packages up to max_weight_grams cost price."""

    service = models.CharField(max_length=10, choices=Service.choices)
    max_weight_grams = models.PositiveIntegerField(help_text="Upper bound of the band, inclusive.")
    price = models.DecimalField(**MONEY)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(fields=["service", "max_weight_grams"], name="tariff_band_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="tariff_price_not_negative"),
            models.CheckConstraint(condition=Q(max_weight_grams__gt=0), name="tariff_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} up to {self.max_weight_grams} g: {self.price}"


class TrackingSerialCounter(models.Model):
    """The S10 serial counter on SQLite (PostgreSQL uses a real SEQUENCE; see s10.allocate_serials)."""

    last_value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "packages_tracking_serial_counter"

    def __str__(self) -> str:
        return f"last S10 serial {self.last_value}"


# Manifests, handovers and the cash drawer live in their own modules; imported here so Django
# registers them with this app.
from packages_app.transit_models import (  # noqa: E402
    DrawerSession,
    Handover,
    Manifest,
    ManifestItem,
    Payment,
    manifest_pk_from_number,
)

__all__ = ["DrawerSession", "Handover", "Manifest", "ManifestItem", "Payment", "manifest_pk_from_number"]
