"""PostgreSQL only (issue 9): the bench's hot list queries read an index and stop early, no sort."""

import pytest
from django.core.management import call_command
from django.db import connection

from branch_courier.accounts.models import User
from branch_courier.core.pagination import CappedPaginator
from packages_app import selectors
from packages_app.demo import seed_packages

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _sorts_everything(plan: str) -> bool:
    # A full Sort node; an Incremental Sort on the index's order (tie-break by id) is fine.
    return any(line.strip().removeprefix("->").strip().startswith("Sort  (") for line in plan.splitlines())


def _count_query(queryset):
    # The paginator's count, as SQL: COUNT(*) over a LIMITed, unordered subquery.
    return queryset.order_by()[: CappedPaginator.cap + 1]


@pytest.fixture
def clerk():
    call_command(
        "seed_demo", "--password", "demo-pass-1234", "--packages", "0", "--branches", "6", verbosity=0
    )
    seed_packages(count=6_000, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE packages")
    return User.objects.get(username="clerk.nyc01")


def test_incoming_in_transit_list_and_count_use_the_partial_index(clerk):
    queryset = selectors.search_packages(clerk, status="IN_TRANSIT", direction="incoming")
    for plan in (_explain(queryset[:50]), _explain(_count_query(queryset))):
        assert "pkg_incoming_in_transit" in plan, plan
        assert not _sorts_everything(plan) and "Seq Scan" not in plan, plan


def test_the_branch_list_count_stops_at_the_cap_without_sorting(clerk):
    plan = _explain(_count_query(selectors.search_packages(clerk)))
    # On a small seed the planner may rightly scan the table; what matters is that it stops after
    # cap + 1 rows instead of sorting every match first.
    assert "Limit" in plan and "Sort" not in plan, plan
