"""Demo and scale data: realistic packages with consistent event histories, inserted in bulk.

seed_packages(count=100_000) takes about a minute on PostgreSQL: rows go in with COPY in batches
(bulk_create on SQLite). Deterministic for a given seed, apart from the tracking serials, which
come from the real sequence so seeded packages never collide with real ones.
Demo data skips the audit trail on purpose: nobody did these things.
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from branch_courier.accounts.models import Branch, User
from packages_app import s10
from packages_app.lifecycle import Status
from packages_app.models import Package, PackageEvent, ReasonCode, Service, Tariff, phone_digits

BATCH = 5_000
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Grace",
    "Hiro",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
]
LAST = [
    "Smith",
    "Garcia",
    "Chen",
    "Okafor",
    "Müller",
    "Rossi",
    "Kowalski",
    "Nguyen",
    "Silva",
    "Haddad",
    "Johnson",
    "Brown",
    "Ivanova",
    "Tanaka",
    "O'Brien",
    "Patel",
    "Dubois",
    "Larsen",
    "Costa",
    "Kim",
]
STREETS = [
    "Main St",
    "Oak Ave",
    "Maple Rd",
    "Harbor Blvd",
    "Elm St",
    "Park Ln",
    "Cedar Ct",
    "Lake Dr",
    "Hill St",
    "Pine Ave",
    "River Rd",
    "King St",
]
HOLD_REASONS = [ReasonCode.ADDRESS_PROBLEM, ReasonCode.RECIPIENT_REQUEST, ReasonCode.PAYMENT_PENDING]

# Where a demo package's story stops, and how often (weights).
ENDINGS = [
    ("DELIVERED", 52),
    ("READY_FOR_PICKUP", 12),
    ("IN_TRANSIT", 9),
    ("RECEIVED", 7),
    ("ARRIVED", 3),
    ("OUT_FOR_DELIVERY", 3),
    ("DELIVERY_FAILED", 2),
    ("ON_HOLD", 4),
    ("RETURN_TO_SENDER", 1),
    ("RETURNED", 2),
    ("CANCELLED", 3),
    ("LOST", 1),
]


class _Story:
    """Builds one package's events step by step, moving its clock forward."""

    def __init__(self, rng: random.Random, start, now):
        self.rng, self.at, self.now, self.steps = rng, start, now, []

    def add(self, status, branch, *, frm="", reason="", note="", hours=(1, 30)):
        if self.steps:
            self.at = min(self.at + timedelta(hours=self.rng.uniform(*hours)), self.now)
        self.steps.append((status, branch, self.at, frm, reason, note))
        return self


def _story(rng, *, origin, dest, hub, ending, created_at, now) -> tuple[list, dict]:
    s = _Story(rng, created_at, now)
    extra = {"is_return": False, "status_before_hold": "", "hold_until": None, "branch": origin}
    s.add(Status.RECEIVED, origin)
    if ending == "RECEIVED":
        return s.steps, extra
    if ending == "CANCELLED":
        s.add(Status.CANCELLED, origin, frm=Status.RECEIVED, reason=ReasonCode.SENDER_REQUEST, hours=(0.2, 4))
        return s.steps, extra
    # Some packages go through a hub on the way.
    if hub is not None and rng.random() < 0.25:
        s.add(Status.IN_TRANSIT, origin, frm=Status.RECEIVED, hours=(1, 8))
        if ending == "IN_TRANSIT" and rng.random() < 0.5:
            extra["branch"] = hub
            return s.steps, extra
        s.add(Status.ARRIVED, hub, frm=Status.IN_TRANSIT)
        if ending == "ARRIVED":
            extra["branch"] = hub
            return s.steps, extra
        s.add(Status.IN_TRANSIT, hub, frm=Status.ARRIVED, hours=(1, 8))
    else:
        s.add(Status.IN_TRANSIT, origin, frm=Status.RECEIVED, hours=(1, 8))
    if ending in ("IN_TRANSIT", "ARRIVED"):
        extra["branch"] = dest
        return s.steps, extra
    if ending == "LOST":
        s.add(Status.LOST, origin, frm=Status.IN_TRANSIT, reason=ReasonCode.MISSING, hours=(72, 200))
        extra["branch"] = dest
        return s.steps, extra
    s.add(Status.READY_FOR_PICKUP, dest, frm=Status.IN_TRANSIT)
    extra["branch"] = dest
    if ending == "READY_FOR_PICKUP":
        return s.steps, extra
    if ending == "ON_HOLD":
        s.add(Status.ON_HOLD, dest, frm=Status.READY_FOR_PICKUP, reason=rng.choice(HOLD_REASONS))
        extra["status_before_hold"] = Status.READY_FOR_PICKUP
        return s.steps, extra
    if ending in ("RETURN_TO_SENDER", "RETURNED"):
        s.add(
            Status.RETURN_TO_SENDER,
            dest,
            frm=Status.READY_FOR_PICKUP,
            reason=ReasonCode.HOLD_EXPIRED,
            hours=(100, 240),
        )
        extra["is_return"] = True
        if ending == "RETURN_TO_SENDER":
            return s.steps, extra
        s.add(Status.IN_TRANSIT, dest, frm=Status.RETURN_TO_SENDER, hours=(1, 8))
        s.add(Status.RETURNED, origin, frm=Status.IN_TRANSIT)
        extra["branch"] = origin
        return s.steps, extra
    if ending == "DELIVERED" and rng.random() < 0.6:
        s.add(Status.DELIVERED, dest, frm=Status.READY_FOR_PICKUP, note="Handed over at the counter")
        return s.steps, extra
    s.add(Status.OUT_FOR_DELIVERY, dest, frm=Status.READY_FOR_PICKUP, hours=(1, 20))
    if ending == "OUT_FOR_DELIVERY":
        return s.steps, extra
    if ending == "DELIVERY_FAILED":
        s.add(
            Status.DELIVERY_FAILED,
            dest,
            frm=Status.OUT_FOR_DELIVERY,
            reason=ReasonCode.RECIPIENT_ABSENT,
            hours=(1, 8),
        )
        return s.steps, extra
    s.add(Status.DELIVERED, dest, frm=Status.OUT_FOR_DELIVERY, hours=(1, 8))
    return s.steps, extra


def fake_person(rng) -> tuple[str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    phone = f"+1 {rng.randint(201, 989)} 555 {rng.randint(0, 9999):04d}"
    address = f"{rng.randint(1, 9999)} {rng.choice(STREETS)}\nApt {rng.randint(1, 80)}"
    email = (
        f"{first}.{last}{rng.randint(1, 99)}@example.com".lower().replace("'", "")
        if rng.random() < 0.6
        else ""
    )
    return f"{first} {last}", phone, address, email


def seed_packages(
    *, count: int, seed: int = 1, days: int = 90, progress: Callable[[int, int], None] | None = None
) -> int:
    """Create `count` packages with their timelines across the active branches; returns the count."""
    branches = list(Branch.objects.filter(is_active=True).order_by("code"))
    if len(branches) < 2:
        raise ValueError("need at least two active branches (run seed_demo first)")
    staff: dict[int, list[int]] = {}
    for user_id, branch_id in User.objects.filter(
        branch__in=branches, role__in=[User.Role.CLERK, User.Role.SUPERVISOR], is_active=True
    ).values_list("id", "branch_id"):
        staff.setdefault(branch_id, []).append(user_id)
    bands: dict[str, list[tuple[int, Decimal]]] = {}
    for tariff in Tariff.objects.filter(is_active=True).order_by("max_weight_grams"):
        bands.setdefault(tariff.service, []).append((tariff.max_weight_grams, tariff.price))

    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    now = timezone.now()
    endings, weights = zip(*ENDINGS, strict=True)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            serials = s10.allocate_serials(size)
            packages, stories = [], []
            for serial in serials:
                origin, dest = rng.sample(branches, 2)
                others = [b for b in branches if b.pk not in (origin.pk, dest.pk)]
                hub = rng.choice(others) if others else None
                # Recent days are busier; open packages are recent, finished ones can be old.
                ending = rng.choices(endings, weights)[0]
                max_age = days if ending in ("DELIVERED", "RETURNED", "CANCELLED", "LOST") else 12
                created_at = now - timedelta(days=max_age * rng.random() ** 1.5, minutes=rng.randint(5, 600))
                steps, extra = _story(
                    rng, origin=origin, dest=dest, hub=hub, ending=ending, created_at=created_at, now=now
                )
                service = Service.EXPRESS if rng.random() < 0.25 else Service.STANDARD
                weight = max(50, int(rng.lognormvariate(7.0, 0.9)))
                service_bands = bands.get(service) or [(10**9, Decimal("5.00"))]
                weight = min(weight, service_bands[-1][0])
                fee = next(price for top, price in service_bands if top >= weight)
                s_name, s_phone, s_addr, s_email = fake_person(rng)
                r_name, r_phone, r_addr, r_email = fake_person(rng)
                last = steps[-1]
                status = last[0]
                if status == Status.ON_HOLD:
                    extra["hold_until"] = (last[2] + timedelta(days=rng.randint(3, 14))).date()
                packages.append(
                    Package(
                        tracking_number=s10.build(serial),
                        status=status,
                        status_before_hold=extra["status_before_hold"],
                        status_changed_at=last[2],
                        is_return=extra["is_return"],
                        hold_until=extra["hold_until"],
                        service=service,
                        origin_branch_id=origin.pk,
                        destination_branch_id=dest.pk,
                        branch_id=extra["branch"].pk,
                        sender_name=s_name,
                        sender_phone=s_phone,
                        sender_email=s_email,
                        sender_address=s_addr,
                        recipient_name=r_name,
                        recipient_phone=r_phone,
                        recipient_phone_digits=phone_digits(r_phone),
                        recipient_email=r_email,
                        recipient_address=r_addr,
                        weight_grams=weight,
                        length_cm=rng.randint(10, 60),
                        width_cm=rng.randint(8, 40),
                        height_cm=rng.randint(2, 30),
                        declared_value=Decimal(rng.choice([0, 0, 20, 50, 100, 250])),
                        fee=fee,
                        cod_amount=Decimal(rng.randint(10, 300)) if rng.random() < 0.1 else None,
                        created_by_id=rng.choice(staff.get(origin.pk) or [None]),
                        created_at=created_at,
                        updated_at=last[2],
                    )
                )
                stories.append(steps)
            _insert(packages, stories, rng, staff)
        done += size
        if progress:
            progress(done, count)
    return done


def _insert(packages: list[Package], stories: list[list], rng, staff) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('packages', 'id')) FROM generate_series(1, %s)",
                [len(packages)],
            )
            for package, (pk,) in zip(packages, cursor.fetchall(), strict=True):
                package.pk = pk
        _copy(Package, packages)
    else:
        Package.objects.bulk_create(packages)
    events = [
        PackageEvent(
            package_id=package.pk,
            kind=PackageEvent.Kind.STATUS,
            status=status,
            from_status=frm,
            branch_id=branch.pk,
            actor_id=rng.choice(staff.get(branch.pk) or [None]),
            at=at,
            reason_code=reason,
            note=note,
        )
        for package, steps in zip(packages, stories, strict=True)
        for status, branch, at, frm, reason, note in steps
    ]
    if connection.vendor == "postgresql":
        _copy(PackageEvent, events, with_pk=False)
    else:
        PackageEvent.objects.bulk_create(events, batch_size=2_000)


def _copy(model, objects, *, with_pk: bool = True) -> None:
    """COPY rows into the model's table (PostgreSQL): several times faster than INSERT."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
        for obj in objects:
            copy.write_row([getattr(obj, f.attname) for f in fields])
