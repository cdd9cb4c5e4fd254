"""CappedPaginator: list counts stop at a cap, so a page costs the same at a million rows."""

import pytest

from branch_courier.core.pagination import CappedPaginator
from packages_app.models import Package
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)


def test_it_counts_exactly_below_the_cap(alice):
    PackageFactory.create_batch(2, origin_branch=alice.branch)
    paginator = CappedPaginator(Package.objects.order_by("-created_at"), 50)
    assert paginator.count == 2 and not paginator.capped


def test_it_stops_counting_past_the_cap(alice, small_cap):
    PackageFactory.create_batch(6, origin_branch=alice.branch)
    paginator = CappedPaginator(Package.objects.order_by("-created_at"), 2)
    assert paginator.count == 4 and paginator.capped
    assert paginator.num_pages == 2


def test_the_list_says_more_than_the_cap_and_stays_bounded(
    alice_client, alice, small_cap, django_assert_max_num_queries
):
    PackageFactory.create_batch(6, origin_branch=alice.branch)
    with django_assert_max_num_queries(10):
        response = alice_client.get("/packages/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "More than 3 packages: narrow the filter" in body


def test_rows_with_joined_columns_are_counted_without_the_joins(branch_a, branch_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    plain = Package.objects.filter(origin_branch=branch_a)
    rows = plain.values("tracking_number", "destination_branch__code").order_by("id")
    with CaptureQueriesContext(connection) as captured:
        page = CappedPaginator(rows, 2, counted=plain).get_page(1)
        assert [row["destination_branch__code"] for row in page] == [branch_b.code] * 2
    count_sql, rows_sql = (q["sql"] for q in captured.captured_queries)
    assert page.paginator.count == 3
    assert "COUNT" in count_sql and "JOIN" not in count_sql
    assert "JOIN" in rows_sql
