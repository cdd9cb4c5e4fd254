"""Manifests (sealed bags between branches), handovers at the counter, and the clerk's cash drawer.

Only services write these rows (manifest_services.py, handover.py, drawer.py).
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual

MONEY = {"max_digits": 10, "decimal_places": 2}

# "MF" + 8 digits: 10 characters, digits at the end, so it can never be mistaken for an S10
# tracking number (13 characters ending in two letters) whichever box it is scanned into.
MANIFEST_NUMBER_RE = re.compile(r"^MF(\d{8})$")


def manifest_number(pk: int) -> str:
    return f"MF{pk:08d}"


def manifest_pk_from_number(code: str) -> int | None:
    """The manifest id in a scanned manifest number, or None if it is not one."""
    match = MANIFEST_NUMBER_RE.match((code or "").strip().upper().replace(" ", ""))
    return int(match.group(1)) if match else None


class Manifest(models.Model):
    class State(models.TextChoices):
        OPEN = "OPEN", "Open (filling)"
        SEALED = "SEALED", "Sealed"
        DISPATCHED = "DISPATCHED", "Dispatched"
        RECEIVED = "RECEIVED", "Received"

    origin_branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="manifests_sent", db_index=False
    )
    destination_branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="manifests_incoming", db_index=False
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sealed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    receiving_started_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The reconciliation report's totals, kept with the manifest when the receipt is finished.
    expected_count = models.PositiveIntegerField(default=0)
    received_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)
    extra_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "manifests"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["origin_branch", "state", "-created_at"], name="manifest_origin_state"),
            models.Index(fields=["destination_branch", "state", "-created_at"], name="manifest_dest_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin_branch=models.F("destination_branch")), name="manifest_two_branches"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["OPEN", "SEALED", "DISPATCHED", "RECEIVED"]),
                name="manifest_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return manifest_number(self.pk)

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.OPEN


class ManifestItem(models.Model):
    """A package in a manifest; on receipt also what became of it (received, missing, extra)."""

    class Outcome(models.TextChoices):
        PENDING = "", "Not yet received"
        RECEIVED = "RECEIVED", "Received"
        MISSING = "MISSING", "Missing"
        FOUND = "FOUND", "Missing, found later"
        LOST = "LOST", "Missing, declared lost"
        EXTRA = "EXTRA", "Extra (not on the manifest)"

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="items")
    package = models.ForeignKey("packages_app.Package", on_delete=models.PROTECT, related_name="+")
    # True until the manifest is dispatched: the partial unique index below keeps a package on at
    # most one manifest that has not left yet, whatever two clerks do at the same moment.
    in_open_manifest = models.BooleanField(default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    scanned_at = models.DateTimeField(null=True, blank=True, help_text="Scanned at the receiving branch.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")

    class Meta:
        db_table = "manifest_items"
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "package"], name="manifest_item_once"),
            models.UniqueConstraint(
                fields=["package"], condition=Q(in_open_manifest=True), name="manifest_item_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["manifest", "outcome"], name="manifest_item_outcome"),
            # The manifest page reads its items in this order, a page at a time: without it every
            # item of the manifest is joined to its package and sorted to show the first 100.
            models.Index(fields=["manifest", "added_at", "id"], name="manifest_item_order"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} in manifest {self.manifest_id}"


class Handover(models.Model):
    """Proof of delivery: who collected the package. Only the last 4 characters of the ID."""

    class IdType(models.TextChoices):
        ID_CARD = "ID_CARD", "National ID card"
        PASSPORT = "PASSPORT", "Passport"
        DRIVING_LICENCE = "DRIVING_LICENCE", "Driving licence"
        OTHER = "OTHER", "Other photo ID"

    package = models.OneToOneField("packages_app.Package", on_delete=models.PROTECT, related_name="handover")
    collector_name = models.CharField(max_length=120)
    id_type = models.CharField(max_length=20, choices=IdType.choices)
    id_last4 = models.CharField(max_length=4)
    cod_collected = models.DecimalField(**MONEY, null=True, blank=True)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        db_table = "handovers"
        constraints = [
            # At most 4 characters can ever be stored. (A length check, not a REGEXP: SQLite has
            # no REGEXP outside Django, and backups are verified with plain sqlite3.)
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("id_last4"), 4) & GreaterThan(Length("id_last4"), 0),
                name="handover_id_last4_only",
            ),
        ]

    def __str__(self) -> str:
        return f"handover of {self.package_id}"


class DrawerSession(models.Model):
    """One clerk's cash drawer from opening (with a float) to closing (with the counted cash)."""

    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drawers")
    opened_at = models.DateTimeField()
    opening_float = models.DecimalField(**MONEY)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_cash = models.DecimalField(**MONEY, null=True, blank=True)
    counted_cash = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        db_table = "drawer_sessions"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["branch", "-opened_at"], name="drawer_branch_opened")]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(closed_at__isnull=True), name="drawer_one_open"
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="drawer_float_not_negative"),
        ]

    def __str__(self) -> str:
        return f"drawer {self.pk} of {self.clerk_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def discrepancy(self):
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class Payment(models.Model):
    """Money in (fee, COD) or out (refund) at the counter; cash posts to the clerk's drawer."""

    class Kind(models.TextChoices):
        FEE = "FEE", "Fee"
        COD = "COD", "Cash on delivery"
        REFUND = "REFUND", "Fee refund"

    class Method(models.TextChoices):
        CASH = "CASH", "Cash"
        CARD = "CARD", "Card"

    package = models.ForeignKey("packages_app.Package", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    method = models.CharField(max_length=4, choices=Method.choices)
    amount = models.DecimalField(**MONEY, help_text="Always positive; a refund is money out.")
    drawer = models.ForeignKey(
        DrawerSession, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    charge_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        db_table = "payments"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["branch", "at"], name="payment_branch_at")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # Cash always lands in a drawer; card money never does.
            models.CheckConstraint(
                condition=Q(method="CASH", drawer__isnull=False) | Q(method="CARD", drawer__isnull=True),
                name="payment_cash_in_drawer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.method} {self.amount}"

    @property
    def signed_amount(self):
        return -self.amount if self.kind == self.Kind.REFUND else self.amount
