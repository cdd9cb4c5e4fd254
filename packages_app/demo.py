"""Demo and scale data: packages with consistent event histories and audit rows, in bulk.

seed_packages(count=1_000_000) fills a benchmark database in a few minutes on PostgreSQL: rows
are built as plain tuples and go in with COPY (psycopg 3's cursor.copy()), in batches of BATCH,
by up to `jobs` worker processes; on SQLite they go in with bulk_create. Every batch draws from
its own random stream (seed, batch number), so a given seed gives the same rows whatever the number
of workers. Timestamps count back from `anchor` (by default the start of the current hour), and
tracking serials continue from the highest serial already in the table, after which the S10
sequence is moved past them so intake never hands out a seeded number.

Each event gets the audit row its service would have written (package.intake, package.<status>),
so the audit trail has realistic proportions; the demo staff are the actors.
"""

import contextlib
import json
import multiprocessing
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, connections, transaction
from django.utils import timezone

from audit.models import AuditLog
from branch_courier.accounts.models import Branch, User
from packages_app import s10
from packages_app.lifecycle import Status
from packages_app.models import Package, PackageEvent, ReasonCode, Service, Tariff, phone_digits

BATCH = 5_000
# Extra branches for scale data (seed_demo --branches N): code, city; the demo branches stay busiest.
CITIES = [
    "Albany",
    "Atlanta",
    "Austin",
    "Baltimore",
    "Boise",
    "Buffalo",
    "Charlotte",
    "Cleveland",
    "Columbus",
    "Dallas",
    "Denver",
    "Detroit",
    "El Paso",
    "Fresno",
    "Hartford",
    "Houston",
    "Indianapolis",
    "Jacksonville",
    "Kansas City",
    "Las Vegas",
    "Louisville",
    "Memphis",
    "Miami",
    "Milwaukee",
    "Minneapolis",
    "Nashville",
    "New Orleans",
    "Newark",
    "Oakland",
    "Omaha",
    "Orlando",
    "Philadelphia",
    "Phoenix",
    "Pittsburgh",
    "Portland",
    "Providence",
    "Raleigh",
    "Richmond",
    "Sacramento",
    "Salt Lake City",
    "San Antonio",
    "San Diego",
    "San Jose",
    "Seattle",
    "St. Louis",
    "Tampa",
    "Tucson",
    "Tulsa",
    "Wichita",
    "Spokane",
]
DEMO_BRANCH_WEIGHT = 4  # a demo branch (NYC01, BOS01, CHI01) sees 4x the traffic of another one
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


def ensure_branches(*, total: int) -> int:
    """Top the active branches up to `total` (BR004, BR005, ...) with a clerk, supervisor and
    auditor each, sharing clerk.nyc01's password hash (hashing 150 passwords would take a minute).
    Returns how many branches were created. Run seed_staff first."""
    existing = Branch.objects.filter(is_active=True).count()
    if total <= existing:
        return 0
    template = (
        User.objects.filter(role=User.Role.CLERK).order_by("id").values_list("password", flat=True).first()
    )
    if template is None:
        raise ValueError("no demo clerk to copy a password from (run seed_demo first)")
    made = 0
    with transaction.atomic():
        taken = set(Branch.objects.values_list("code", flat=True))
        number = 3
        new_branches = []
        while existing + len(new_branches) < total:
            number += 1
            code = f"BR{number:03d}"
            if code in taken:
                continue
            city = CITIES[(number - 4) % len(CITIES)]
            new_branches.append(
                Branch(code=code, name=f"{city} {code}", city=city, opening_hours="Mon-Sat 08:00-19:00")
            )
        Branch.objects.bulk_create(new_branches)
        users = [
            User(
                username=f"{role.lower()}.{branch.code.lower()}",
                branch=Branch.objects.get(code=branch.code),
                role=role,
                first_name=role.label,
                last_name=branch.code,
                password=template,
                is_active=True,
            )
            for branch in new_branches
            for role in (User.Role.CLERK, User.Role.SUPERVISOR, User.Role.AUDITOR)
        ]
        User.objects.bulk_create(users, ignore_conflicts=True)
        made = len(new_branches)
    return made


PACKAGE_COLUMNS = [
    "id", "tracking_number", "status", "status_before_hold", "status_changed_at", "is_return",
    "hold_until", "service", "origin_branch_id", "destination_branch_id", "branch_id",
    "sender_name", "sender_phone", "sender_email", "sender_address", "recipient_name",
    "recipient_phone", "recipient_phone_digits", "recipient_email", "recipient_address",
    "weight_grams", "length_cm", "width_cm", "height_cm", "declared_value", "fee", "cod_amount",
    "created_by_id", "created_at", "updated_at", "intake_key",
]  # fmt: skip
EVENT_COLUMNS = [
    "package_id",
    "kind",
    "status",
    "from_status",
    "branch_id",
    "actor_id",
    "at",
    "reason_code",
    "note",
]
AUDIT_COLUMNS = [
    "timestamp", "user_id", "username", "branch_code", "action", "ip", "user_agent", "request_id",
    "status_code", "duration_ms", "object_type", "object_id", "object_repr", "changes",
]  # fmt: skip
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)


class _Plan:
    """What every batch needs, read once: branches (weighted), staff, tariff bands, the clock."""

    def __init__(self, *, seed: int, days: int, anchor: datetime, first_serial: int):
        branches = list(Branch.objects.filter(is_active=True).order_by("code"))
        if len(branches) < 2:
            raise ValueError("need at least two active branches (run seed_demo first)")
        self.branches = branches
        demo = {"NYC01", "BOS01", "CHI01"}
        self.weights = [DEMO_BRANCH_WEIGHT if b.code in demo else 1 for b in branches]
        self.staff: dict[int, list[tuple[int, str]]] = {}
        for user_id, username, branch_id in (
            User.objects.filter(
                branch__in=branches, role__in=[User.Role.CLERK, User.Role.SUPERVISOR], is_active=True
            )
            .order_by("id")
            .values_list("id", "username", "branch_id")
        ):
            self.staff.setdefault(branch_id, []).append((user_id, username))
        self.bands: dict[str, list[tuple[int, Decimal]]] = {}
        for tariff in Tariff.objects.filter(is_active=True).order_by("max_weight_grams", "id"):
            self.bands.setdefault(tariff.service, []).append((tariff.max_weight_grams, tariff.price))
        self.seed, self.days, self.anchor, self.first_serial = seed, days, anchor, first_serial
        self.endings, self.ending_weights = zip(*ENDINGS, strict=True)
        self.skip_fk_checks = False


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def default_anchor() -> datetime:
    """The clock seeded timestamps count back from: the start of the current hour (UTC)."""
    return timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def seed_packages(
    *,
    count: int,
    seed: int = 1,
    days: int = 90,
    anchor: datetime | None = None,
    jobs: int = 1,
    audit: bool = True,
    progress: Callable[[int, int], None] | None = None,
    note: Callable[[str], None] | None = None,
) -> int:
    """Create `count` packages with their timelines (and audit rows) across the active branches.

    Returns the count. `jobs` > 1 splits the batches over worker processes (PostgreSQL only)."""
    if count <= 0:
        return 0
    plan = _Plan(seed=seed, days=days, anchor=anchor or default_anchor(), first_serial=_next_free_serial())
    if plan.first_serial + count - 1 > s10.SERIAL_MAX:
        raise ValueError("not enough S10 serials left for that many packages")
    batches = [
        (number, start, min(BATCH, count - start)) for number, start in enumerate(range(0, count, BATCH))
    ]
    # Big loads as a superuser (a benchmark database) skip the per-row foreign-key triggers: the
    # rows are consistent by construction and the checks would double the load time.
    plan.skip_fk_checks = (
        connection.vendor == "postgresql" and count >= DEFER_INDEXES_FROM and _is_superuser()
    )
    with _indexes_deferred(count, note=note or (lambda message: None)):
        done = _run_batches(plan, batches, count, jobs=jobs, audit=audit, progress=progress)
    _move_sequence_past(plan.first_serial + count - 1)
    return done


def _run_batches(plan, batches, count, *, jobs, audit, progress) -> int:
    done = 0
    if jobs > 1 and connection.vendor == "postgresql" and len(batches) > 1:
        global _PLAN  # noqa: PLW0603 (handed to the forked workers)
        _PLAN = (plan, audit)
        connections.close_all()  # each worker opens its own connection
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            for size in pool.imap_unordered(_batch_in_worker, batches):
                done += size
                if progress:
                    progress(done, count)
        _PLAN = None
    else:
        for batch in batches:
            done += _seed_batch(plan, batch, audit=audit)
            if progress:
                progress(done, count)
    return done


_PLAN = None
# Above this many packages, secondary indexes are dropped for the load and built again after:
# random inserts into indexes bigger than shared_buffers make COPY several times slower.
DEFER_INDEXES_FROM = 200_000
BULK_TABLES = ("packages", "package_events", "audit_auditlog")


@contextlib.contextmanager
def _indexes_deferred(count: int, *, note: Callable[[str], None]):
    """Drop the plain (non-constraint) indexes of the bulk tables, load, then rebuild them.

    Rebuilt in `finally`, so an error or Ctrl-C still leaves every index in place. Only for big
    loads on PostgreSQL; other sessions see slow queries meanwhile, which is fine for seed data.
    """
    if connection.vendor != "postgresql" or count < DEFER_INDEXES_FROM:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint) "
            "ORDER BY tablename, indexname",
            [list(BULK_TABLES)],
        )
        deferred = cursor.fetchall()
        note(f"dropped {len(deferred)} indexes for the load; they are rebuilt at the end")
        for name, _ in deferred:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        connections.close_all()  # a fresh connection after the workers
        note(f"rebuilding {len(deferred)} indexes and analysing …")
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in deferred:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            for table in BULK_TABLES:
                cursor.execute(f"ANALYZE {table}")
        note(f"rebuilt {len(deferred)} indexes in {time.monotonic() - started:.0f} s")


def _batch_in_worker(batch) -> int:
    plan, audit = _PLAN
    try:
        return _seed_batch(plan, batch, audit=audit)
    finally:
        connections.close_all()


def _next_free_serial() -> int:
    """One past the highest serial in the packages table (not the sequence, so reruns repeat)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(MAX(SUBSTRING(tracking_number FROM 3 FOR 8)::bigint), 0) FROM packages"
            )
            return cursor.fetchone()[0] + 1
    numbers = Package.objects.values_list("tracking_number", flat=True).iterator()
    return max((int(n[2:10]) for n in numbers), default=0) + 1


def _move_sequence_past(last_serial: int) -> None:
    """Intake takes serials from the sequence: move it past the seeded ones (never backwards)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {s10.SEQUENCE})))",  # noqa: S608
                [s10.SEQUENCE, last_serial],
            )
        return
    from packages_app.models import TrackingSerialCounter

    with transaction.atomic():
        counter, _ = TrackingSerialCounter.objects.select_for_update().get_or_create(pk=1)
        if counter.last_value < last_serial:
            counter.last_value = last_serial
            counter.save(update_fields=["last_value"])


def _seed_batch(plan: _Plan, batch: tuple[int, int, int], *, audit: bool) -> int:
    number, start, size = batch
    rng = random.Random(f"{plan.seed}:{number}")  # noqa: S311 (demo data, not secrets)
    packages, stories = _build_packages(plan, rng, start, size)
    with transaction.atomic():
        if plan.skip_fk_checks:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        for row, pk in zip(packages, _allocate_ids(size), strict=True):
            row[0] = pk
        _write(Package, PACKAGE_COLUMNS, packages)  # on SQLite this fills in the ids
        events, audits = [], []
        status_kind = PackageEvent.Kind.STATUS.value
        for row, steps in zip(packages, stories, strict=True):
            pk, tracking = row[0], row[1]
            for status, branch, at, frm, reason, note, actor in steps:
                actor_id = actor[0] if actor else None
                events.append((pk, status_kind, status, frm, branch.pk, actor_id, at, reason, note))
                if audit:
                    audits.append(_audit_row(rng, pk, tracking, status, frm, reason, branch, at, actor))
        _write(PackageEvent, EVENT_COLUMNS, events)
        if audits:
            _write(AuditLog, AUDIT_COLUMNS, audits)
    return size


def _audit_row(rng, pk, tracking, status, frm, reason, branch, at, actor):
    if frm:
        action = f"package.{status.lower()}"
        changes = {"status": [frm, status], **({"reason": reason} if reason else {})}
    else:
        action = "package.intake"
        changes = {"status": status}
    return (
        at,
        actor[0] if actor else None,
        actor[1] if actor else "",
        branch.code,
        action,
        f"10.{branch.pk % 250}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        USER_AGENT,
        f"{rng.getrandbits(64):016x}",
        None,
        None,
        "packages_app.package",
        str(pk),
        tracking,
        json.dumps(changes),
    )


def _build_packages(plan: _Plan, rng: random.Random, start: int, size: int) -> tuple[list[list], list[list]]:
    anchor, branches, staff = plan.anchor, plan.branches, plan.staff
    rows, stories = [], []
    for index in range(start, start + size):
        origin, dest = rng.choices(branches, plan.weights, k=2)
        while dest.pk == origin.pk:
            dest = rng.choice(branches)
        hub = rng.choice(branches)
        if hub.pk in (origin.pk, dest.pk):
            hub = None
        # Recent days are busier; open packages are recent, finished ones can be old.
        ending = rng.choices(plan.endings, plan.ending_weights)[0]
        max_age = plan.days if ending in ("DELIVERED", "RETURNED", "CANCELLED", "LOST") else 12
        created_at = anchor - timedelta(days=max_age * rng.random() ** 1.5, minutes=rng.randint(5, 600))
        steps, extra = _story(
            rng, origin=origin, dest=dest, hub=hub, ending=ending, created_at=created_at, now=anchor
        )
        steps = [(*step, _pick(rng, staff.get(step[1].pk))) for step in steps]
        service = Service.EXPRESS.value if rng.random() < 0.25 else Service.STANDARD.value
        weight = max(50, int(rng.lognormvariate(7.0, 0.9)))
        service_bands = plan.bands.get(service) or [(10**9, Decimal("5.00"))]
        weight = min(weight, service_bands[-1][0])
        fee = next(price for top, price in service_bands if top >= weight)
        s_name, s_phone, s_addr, s_email = fake_person(rng)
        r_name, r_phone, r_addr, r_email = fake_person(rng)
        last = steps[-1]
        status = last[0]
        hold_until = None
        if status == Status.ON_HOLD:
            hold_until = (last[2] + timedelta(days=rng.randint(3, 14))).date()
        creator = steps[0][6]
        rows.append(
            [
                None,
                s10.build(plan.first_serial + index),
                str(status),
                str(extra["status_before_hold"]),
                last[2],
                extra["is_return"],
                hold_until,
                service,
                origin.pk,
                dest.pk,
                extra["branch"].pk,
                s_name,
                s_phone,
                s_email,
                s_addr,
                r_name,
                r_phone,
                phone_digits(r_phone),
                r_email,
                r_addr,
                weight,
                rng.randint(10, 60),
                rng.randint(8, 40),
                rng.randint(2, 30),
                Decimal(rng.choice([0, 0, 20, 50, 100, 250])),
                fee,
                Decimal(rng.randint(10, 300)) if rng.random() < 0.1 else None,
                creator[0] if creator else None,
                created_at,
                last[2],
                None,  # intake_key: seeded parcels came from no form
            ]
        )
        stories.append(
            [
                (str(st), br, at, str(frm), str(reason), note, actor)
                for st, br, at, frm, reason, note, actor in steps
            ]
        )
    return rows, stories


def _pick(rng, choices):
    return rng.choice(choices) if choices else None


def _allocate_ids(size: int) -> list:
    if connection.vendor != "postgresql":
        return [None] * size  # bulk_create fills them in
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('packages', 'id')) FROM generate_series(1, %s)", [size]
        )
        return [pk for (pk,) in cursor.fetchall()]


def _write(model, columns: list[str], rows: list) -> None:
    """COPY the rows into the model's table on PostgreSQL; bulk_create elsewhere."""
    expected = {f.column for f in model._meta.concrete_fields} - ({"id"} if columns[0] != "id" else set())
    if set(columns) != expected:
        # A new column on the model needs a value here too; fail loudly rather than seed junk.
        raise ValueError(
            f"demo seeder is out of date for {model._meta.db_table}: {sorted(expected ^ set(columns))}"
        )
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
        return
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    objects = []
    for row in rows:
        values = dict(zip((attnames[c] for c in columns), row, strict=True))
        if model is AuditLog:
            values["changes"] = json.loads(values["changes"])
        objects.append(model(**values))
    created = model.objects.bulk_create(objects, batch_size=1_000)
    if model is Package:
        # The events of this batch need the ids SQLite just handed out.
        for row, obj in zip(rows, created, strict=True):
            row[0] = obj.pk
