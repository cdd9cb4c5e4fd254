"""Demo and scale data: customer inquiries about seeded packages, inserted in bulk.

About 2 % of packages draw an inquiry (seed_demo --packages N adds round(N * RATE)); most are
resolved or closed, a few are open, waiting or overdue so the queues and the dashboard have
something to show. Deterministic for a given seed. Demo data skips the audit trail: nobody did this.
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from branch_courier.accounts.models import User
from inquiries_app.lifecycle import Status
from inquiries_app.models import Category, Channel, CustomerInquiry, InquiryNote, Priority, ResolutionCode
from inquiries_app.sla import DEFAULT_HOURS
from packages_app.demo import fake_person
from packages_app.models import Package

RATE = 0.02
BATCH = 2_000
STATUSES = [
    (Status.CLOSED, 45),
    (Status.RESOLVED, 25),
    (Status.IN_PROGRESS, 12),
    (Status.OPEN, 10),
    (Status.WAITING_ON_CUSTOMER, 8),
]
CATEGORIES = [
    (Category.DELAY, 40),
    (Category.PICKUP, 15),
    (Category.ADDRESS_CHANGE, 12),
    (Category.DAMAGE, 10),
    (Category.LOST, 5),
    (Category.COMPLAINT, 10),
    (Category.OTHER, 8),
]
PRIORITIES = [(Priority.LOW, 15), (Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.URGENT, 5)]
WHAT = {
    Category.DELAY: "Parcel not arrived yet; the tracking page has not changed for days.",
    Category.DAMAGE: "Box arrived crushed, contents broken.",
    Category.LOST: "Parcel never arrived and tracking stopped.",
    Category.ADDRESS_CHANGE: "Customer moved; wants delivery to a new address.",
    Category.PICKUP: "Wants to collect at the counter instead of home delivery.",
    Category.COMPLAINT: "Courier was rude at the door.",
    Category.OTHER: "Asks about opening hours and ID needed for pickup.",
}


def seed_inquiries(*, count: int, seed: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
    """Create `count` inquiries about random packages at their branches; returns how many."""
    if count <= 0:
        return 0
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    staff: dict[int, list[int]] = {}
    for user_id, branch_id in User.objects.filter(
        role__in=[User.Role.CLERK, User.Role.SUPERVISOR], is_active=True, branch__isnull=False
    ).values_list("id", "branch_id"):
        staff.setdefault(branch_id, []).append(user_id)
    # A bounded random sample of packages: the newest few thousand per batch, never the whole table.
    pool = list(
        Package.objects.order_by("-created_at").values_list(
            "id", "branch_id", "declared_value", "created_at"
        )[: max(count * 10, 200)]
    )
    if not pool or not staff:
        raise ValueError("no packages or staff to attach inquiries to (run seed_demo first)")
    statuses, s_weights = zip(*STATUSES, strict=True)
    categories, c_weights = zip(*CATEGORIES, strict=True)
    priorities, p_weights = zip(*PRIORITIES, strict=True)
    now = timezone.now()
    done = made = 0
    while done < count:
        size = min(BATCH, count - done)
        rows, notes = [], []
        for _ in range(size):
            package_id, branch_id, declared, package_at = rng.choice(pool)
            if branch_id not in staff:
                continue
            status = rng.choices(statuses, s_weights)[0]
            category = rng.choices(categories, c_weights)[0]
            priority = rng.choices(priorities, p_weights)[0]
            hours = DEFAULT_HOURS[priority]
            age = timedelta(
                hours=rng.uniform(
                    0.5, hours * 1.6 if status in (Status.OPEN, Status.IN_PROGRESS) else 24 * 28
                )
            )
            created = max(now - age, package_at)
            row = CustomerInquiry(
                branch_id=branch_id,
                package_id=package_id,
                customer_name=fake_person(rng)[0],
                customer_phone=f"+1 {rng.randint(201, 989)} 555 {rng.randint(0, 9999):04d}",
                channel=rng.choice(Channel.values),
                category=category,
                priority=priority,
                description=WHAT[category],
                status=status,
                assignee_id=None if status == Status.OPEN else rng.choice(staff[branch_id]),
                created_by_id=rng.choice(staff[branch_id]),
                created_at=created,
                updated_at=created,
                status_changed_at=created,
                due_at=created + timedelta(hours=hours),
            )
            if status == Status.WAITING_ON_CUSTOMER:
                row.paused_at = created + (now - created) * rng.uniform(0.1, 0.9)
            if status in (Status.RESOLVED, Status.CLOSED):
                took = timedelta(hours=rng.uniform(0.2, hours * 1.3))
                row.resolved_at = min(created + took, now)
                row.resolution_code = rng.choice(
                    [ResolutionCode.ANSWERED, ResolutionCode.DELIVERED, ResolutionCode.ADDRESS_UPDATED]
                )
                row.resolution_summary = "Explained the status and next steps to the customer."
                row.status_changed_at = row.resolved_at
                if status == Status.CLOSED:
                    row.closed_at = min(row.resolved_at + timedelta(days=rng.uniform(1, 5)), now)
            if category in (Category.DAMAGE, Category.LOST) and declared and declared > 0:
                row.claim_amount = (declared * Decimal(rng.choice(["0.5", "0.8", "1"]))).quantize(
                    Decimal("0.01")
                )
                row.claim_status = "PENDING" if status not in (Status.RESOLVED, Status.CLOSED) else "APPROVED"
                if row.claim_status == "APPROVED":
                    row.claim_approved_amount = row.claim_amount
                    row.claim_decision_reason = "Damage confirmed at the counter."
                    row.claim_decided_by_id = rng.choice(staff[branch_id])
                    row.claim_decided_at = row.resolved_at
                    row.resolution_code = ResolutionCode.CLAIM_PAID
            rows.append(row)
        with transaction.atomic():
            created_rows = CustomerInquiry.objects.bulk_create(rows)
            for row in created_rows:
                if row.pk is not None and row.status != Status.OPEN:
                    notes.append(
                        InquiryNote(
                            inquiry_id=row.pk,
                            author_id=row.assignee_id,
                            visibility=InquiryNote.Visibility.INTERNAL,
                            body="Checked the package timeline.",
                            created_at=row.created_at + timedelta(minutes=10),
                        )
                    )
            InquiryNote.objects.bulk_create(notes, batch_size=BATCH)
        done += size
        made += len(rows)
        if progress:
            progress(done, count)
    return made
