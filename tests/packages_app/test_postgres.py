"""PostgreSQL only: the S10 sequence, the hot queries' indexes (EXPLAIN), and racing clerks."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from branch_courier.accounts.models import User
from packages_app import selectors
from packages_app.demo import seed_packages
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import Package
from packages_app.services import package_cancel, package_dispatch
from tests.factories import PackageFactory, UserFactory, make_package

pytestmark = pytest.mark.postgres


def _plan(sql, params, *, seqscan=True):
    with connection.cursor() as cursor:
        cursor.execute(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
        return plan


def _explain(queryset, **kwargs):
    sql, params = queryset.query.sql_with_params()
    return _plan(sql, params, **kwargs)


@pytest.mark.django_db
def test_the_ops_guide_partial_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_packages_status_branch_id'")
        (definition,) = cursor.fetchone()
    assert "ON public.packages" in definition and "(status, branch_id)" in definition
    assert "'RECEIVED'" in definition and "'IN_TRANSIT'" in definition


@pytest.mark.django_db
def test_hot_queries_use_their_indexes_on_realistic_data(django_db_blocker):
    # A few thousand seeded packages and fresh statistics, so the planner chooses as in production.
    call_command("seed_demo", "--password", "demo-pass-1234", verbosity=0, packages=0)
    seed_packages(count=6_000, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE packages")
    clerk = User.objects.get(username="clerk.nyc01")
    sample = Package.objects.filter(branch=clerk.branch).first()
    PackageFactory(
        origin_branch=clerk.branch,
        destination_branch=sample.destination_branch,
        recipient_name="Zebulon Quux",
    )
    # query -> the indexes that may serve it (two share the (branch_id, status) prefix).
    by_status = ("pkg_branch_status_created", "pkg_branch_status_waiting")
    checks = [
        (
            ("idx_packages_status_branch_id",),
            _plan(
                "SELECT id FROM packages WHERE status = %s AND branch_id = %s",
                ["IN_TRANSIT", clerk.branch_id],
            ),
        ),
        (by_status, _explain(selectors.search_packages(clerk, status="OUT_FOR_DELIVERY")[:50])),
        (("pkg_branch_created",), _explain(selectors.search_packages(clerk)[:50])),
        (("pkg_dest_created",), _explain(selectors.search_packages(clerk, direction="incoming")[:50])),
        (("pkg_origin_created",), _explain(selectors.search_packages(clerk, direction="sent")[:50])),
        (
            ("packages_tracking_number",),
            _explain(selectors.search_packages(clerk, q=sample.tracking_number)),
        ),
        (
            ("pkg_recipient_phone",),
            _explain(selectors.search_packages(clerk, q=sample.recipient_phone)),
        ),
        (
            by_status,
            _explain(
                Package.objects.filter(
                    branch_id=clerk.branch_id,
                    status__in=selectors.WAITING_STATUSES,
                    status_changed_at__lt=selectors.waiting_cutoff(),
                ).order_by()
            ),
        ),
        (("pkgevent_package_at",), _explain(sample.events.order_by("-at", "-id")[:100])),
        # Django's icontains SQL must match the trigram index's expressions. At this size the
        # planner rightly prefers other plans, so only ask whether the index *can* serve it.
        (
            ("pkg_names_trgm",),
            _explain(Package.objects.filter(recipient_name__icontains="zebulon").only("id"), seqscan=False),
        ),
    ]
    missing = {" or ".join(names): plan for names, plan in checks if not any(n in plan for n in names)}
    assert "Seq Scan" not in "".join(plan for _, plan in checks)
    assert not missing, "\n\n".join(f"{index}:\n{plan}" for index, plan in missing.items())


@pytest.mark.django_db
def test_tracking_serials_come_from_a_real_sequence():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = 'packages_tracking_serial_seq'"
        )
        assert cursor.fetchone() == (1,)


def _race(targets):
    """Run each callable in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(i, target):
        try:
            barrier.wait()
            results[i] = ("ok", target())
        except Exception as exc:  # collected and asserted on by the test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_clerks_racing_on_one_package_cannot_both_win(branch_a, branch_b):
    clerk1 = UserFactory(username="clerk1", branch=branch_a)
    clerk2 = UserFactory(username="clerk2", branch=branch_a, role="SUPERVISOR")
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    results = _race(
        [
            lambda: package_dispatch(package=Package.objects.get(pk=package.pk), actor=clerk1),
            lambda: package_cancel(
                package=Package.objects.get(pk=package.pk), actor=clerk2, reason_code="OTHER"
            ),
        ]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, TransitionError)
    package.refresh_from_db()
    assert package.status in (Status.IN_TRANSIT, Status.CANCELLED)
    assert package.events.count() == 2  # RECEIVED + exactly one winner


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_distinct_numbers(branch_a, branch_b):
    clerks = [UserFactory(username=f"racer{i}", branch=branch_a) for i in range(4)]

    def intake(clerk):
        return make_package(actor=clerk, destination=branch_b).tracking_number

    results = _race([lambda c=c: intake(c) for c in clerks])
    numbers = [value for kind, value in results if kind == "ok"]
    assert len(numbers) == 4 and len(set(numbers)) == 4, results


@pytest.mark.django_db(transaction=True)
def test_one_intake_form_sent_three_times_at_once_takes_one_parcel_and_one_fee(branch_a, branch_b):
    from decimal import Decimal

    from packages_app import drawer
    from packages_app.models import Payment
    from packages_app.services import Party
    from tests.factories import ensure_tariff

    ensure_tariff()
    clerk = UserFactory(username="doubleclick", branch=branch_a)
    drawer.drawer_open(actor=clerk, opening_float=Decimal("0"))
    payment = drawer.PaymentInput(method="CASH", idempotency_key="one-form")

    def send():
        package, created = drawer.intake_and_pay(
            payment=payment,
            actor=clerk,
            sender=Party("S", "+1 617 555 0100", "a"),
            recipient=Party("R", "+1 617 555 0101", "b"),
            destination_branch=branch_b,
            service="STANDARD",
            weight_grams=100,
        )
        return package.pk, created

    results = _race([send, send, send])
    assert [kind for kind, _ in results] == ["ok"] * 3, results
    assert len({pk for _, (pk, _) in results}) == 1
    assert sorted(created for _, (_, created) in results) == [False, False, True]
    assert Package.objects.filter(intake_key="one-form").count() == 1
    assert Payment.objects.filter(package__intake_key="one-form").count() == 1


# --- Manifests under races (issue 4) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_clerks_adding_one_package_to_two_manifests_cannot_both_win(branch_a, branch_b):
    from packages_app import manifest_services as ms
    from packages_app.models import ManifestItem

    clerk1 = UserFactory(username="m1", branch=branch_a)
    clerk2 = UserFactory(username="m2", branch=branch_a)
    first = ms.manifest_open(actor=clerk1, destination_branch=branch_b)
    second = ms.manifest_open(actor=clerk2, destination_branch=branch_b)
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    results = _race(
        [
            lambda: ms.manifest_add(manifest=first, actor=clerk1, code=package.tracking_number),
            lambda: ms.manifest_add(manifest=second, actor=clerk2, code=package.tracking_number),
        ]
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), TransitionError)
    assert ManifestItem.objects.filter(package=package).count() == 1


@pytest.mark.django_db(transaction=True)
def test_receiving_one_manifest_twice_at_once_succeeds_once(branch_a, branch_b):
    from packages_app import manifest_services as ms
    from packages_app.models import PackageEvent

    sender = UserFactory(username="s1", branch=branch_a)
    receivers = [UserFactory(username=f"r{i}", branch=branch_b) for i in range(2)]
    manifest = ms.manifest_open(actor=sender, destination_branch=branch_b)
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    ms.manifest_add(manifest=manifest, actor=sender, code=package.tracking_number)
    ms.manifest_seal(manifest=manifest, actor=sender)
    ms.manifest_dispatch(manifest=manifest, actor=sender)
    ms.manifest_receive_scan(manifest=manifest, actor=receivers[0], code=package.tracking_number)
    results = _race([lambda r=r: ms.manifest_receive_finish(manifest=manifest, actor=r) for r in receivers])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert "already been received" in str(next(v for k, v in results if k == "error"))
    assert PackageEvent.objects.filter(package=package, status=Status.READY_FOR_PICKUP).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_expire_holds_runs_at_once_move_each_package_once(branch_a, branch_b):
    from datetime import timedelta

    from django.utils import timezone

    from packages_app.holds import expire_holds
    from packages_app.models import PackageEvent

    past = timezone.localdate() - timedelta(days=1)
    packages = [
        PackageFactory(
            origin_branch=branch_a,
            destination_branch=branch_b,
            branch=branch_b,
            status=Status.READY_FOR_PICKUP,
            hold_until=past,
        )
        for _ in range(20)
    ]
    results = _race([lambda: expire_holds(batch_size=5), lambda: expire_holds(batch_size=5)])
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(r.moved for _, r in results) == 20
    assert PackageEvent.objects.filter(package__in=packages, status=Status.RETURN_TO_SENDER).count() == 20


@pytest.mark.django_db
def test_the_one_open_manifest_check_uses_its_partial_unique_index(branch_a, branch_b):
    from packages_app.models import ManifestItem

    query = ManifestItem.objects.filter(package_id=1, in_open_manifest=True).values_list("manifest_id")
    plan = _explain(query, seqscan=False)
    assert "manifest_item_one_open" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'manifest_item_one_open'")
        (definition,) = cursor.fetchone()
    assert "UNIQUE" in definition and "WHERE in_open_manifest" in definition
