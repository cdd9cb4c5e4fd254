"""Dashboard figures are cached per branch and dropped when a service changes what they count."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branch_courier.core import branch_figures, branch_pages
from inquiries_app import selectors as inquiry_selectors
from packages_app import selectors as package_selectors
from packages_app.lifecycle import Status
from packages_app.models import Package
from packages_app.services import package_hold
from tests.factories import BranchFactory, PackageFactory, ensure_tariff, make_package
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db
FIGURE = re.compile(r'<span class="value">(\d+)</span><span class="label">([^<]+)</span>')


@pytest.fixture(autouse=True)
def figures_cached(settings):
    settings.BRANCH_FIGURES_CACHE_SECONDS = 30
    ensure_tariff()  # a transactional test elsewhere may have flushed the migration's tariff
    for branch_id in range(1, 50):  # keys of other tests' branches, whatever their ids
        cache.delete_many(
            [
                branch_figures.cache_key(package_selectors.DASHBOARD_FIGURES, branch_id),
                branch_figures.cache_key(inquiry_selectors.DASHBOARD_FIGURES, branch_id),
                branch_pages.generation_key(branch_figures.DRAWN_DASHBOARD, branch_id),
            ]
        )


def _counts(client) -> dict:
    """The dashboard's figures as the page shows them (label -> number), whether drawn or cached."""
    body = client.get("/").content.decode()
    shown = {label: int(n) for n, label in FIGURE.findall(body)}
    return {
        "received": shown[Status.RECEIVED.label],
        "on_hold": shown[Status.ON_HOLD.label],
        "intake_today": shown["taken in today"],
    }


def test_a_cached_dashboard_skips_the_counts(alice_client, branch_a, branch_b):
    PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    with CaptureQueriesContext(connection) as first:
        assert _counts(alice_client)["received"] == 1
    # A row written behind the services' back is not seen until the figures expire: the second
    # page came from the cache, without the three package counts and the inquiry aggregate(s).
    PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    with CaptureQueriesContext(connection) as second:
        assert _counts(alice_client)["received"] == 1
    assert len(first) - len(second) >= 4
    assert not any('"packages"' in q["sql"] for q in second.captured_queries)
    # Both the figures and the dashboard drawn from them are cached: each hides the new row.
    cache.delete(branch_figures.cache_key(package_selectors.DASHBOARD_FIGURES, branch_a.pk))
    assert _counts(alice_client)["received"] == 1
    cache.delete(branch_pages.generation_key(branch_figures.DRAWN_DASHBOARD, branch_a.pk))
    assert _counts(alice_client)["received"] == 2


def test_a_cached_dashboard_is_one_cache_read(alice_client, branch_a, django_assert_max_num_queries):
    _counts(alice_client)
    # The user (uncached in the test settings) and the page-view audit row: nothing counted.
    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as queries:
        _counts(alice_client)
    counted = [q["sql"] for q in queries.captured_queries if '"packages"' in q["sql"] or "inquir" in q["sql"]]
    assert counted == []


def test_the_drawn_dashboard_of_another_day_is_not_served(alice_client, branch_a):
    branch_figures.drawn(branch_a.pk, "2000-01-01", lambda: '<span class="value">99</span>')
    body = alice_client.get("/").content.decode()
    assert '<span class="value">99</span>' not in body and "taken in today" in body


def test_an_inquiry_change_makes_the_drawn_dashboard_stale(
    alice, branch_a, django_capture_on_commit_callbacks
):
    day = timezone.localdate().isoformat()
    assert branch_figures.drawn(branch_a.pk, day, lambda: "<p>old</p>") == "<p>old</p>"
    with django_capture_on_commit_callbacks(execute=True):
        make_inquiry(actor=alice)
    assert branch_figures.drawn(branch_a.pk, day, lambda: "<p>new</p>") == "<p>new</p>"


def test_a_dashboard_drawn_while_a_change_commits_is_drawn_again(
    alice, branch_a, branch_b, django_capture_on_commit_callbacks
):
    """The race: a reader draws the old figures, the change commits meanwhile, the reader stores
    what it drew. The next reader must not get it."""
    day = timezone.localdate().isoformat()

    def draw_while_a_change_commits():
        with django_capture_on_commit_callbacks(execute=True):
            make_package(actor=alice, destination=branch_b)
        return "<p>drawn before the change</p>"

    branch_figures.drawn(branch_a.pk, day, draw_while_a_change_commits)
    assert branch_figures.drawn(branch_a.pk, day, lambda: "<p>after</p>") == "<p>after</p>"


def test_a_service_change_shows_at_once_after_commit(
    alice_client, alice, branch_a, branch_b, django_capture_on_commit_callbacks
):
    assert _counts(alice_client)["intake_today"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        package = make_package(actor=alice, destination=branch_b)
    counts = _counts(alice_client)
    assert counts["intake_today"] == 1 and counts["received"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        package_hold(package=Package.objects.get(pk=package.pk), actor=alice, reason_code="DAMAGED")
    counts = _counts(alice_client)
    assert counts["received"] == 0 and counts["on_hold"] == 1


def test_nothing_is_dropped_before_the_commit(alice, branch_b, branch_a, django_capture_on_commit_callbacks):
    key = branch_figures.cache_key(package_selectors.DASHBOARD_FIGURES, branch_a.pk)
    cache.set(key, {"stale": True}, 30)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_package(actor=alice, destination=branch_b)
    assert cache.get(key) == {"stale": True}  # a rolled-back intake would leave it so
    for callback in callbacks:
        callback()
    assert cache.get(key) is None


def test_another_branchs_change_keeps_this_branchs_figures(
    alice_client, charlie, branch_a, branch_b, django_capture_on_commit_callbacks
):
    PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    assert _counts(alice_client)["received"] == 1
    other = BranchFactory()
    with django_capture_on_commit_callbacks(execute=True):
        make_package(actor=charlie, destination=other)  # branch B to a third branch: A is not involved
    assert cache.get(branch_figures.cache_key(package_selectors.DASHBOARD_FIGURES, branch_a.pk)) is not None


def test_inquiry_figures_follow_inquiry_changes(alice, branch_a, django_capture_on_commit_callbacks):
    assert inquiry_selectors.dashboard_stats(alice).open == 0
    with django_capture_on_commit_callbacks(execute=True):
        make_inquiry(actor=alice)
    assert inquiry_selectors.dashboard_stats(alice).open == 1


def test_zero_seconds_turns_the_cache_off(settings, alice, branch_a):
    settings.BRANCH_FIGURES_CACHE_SECONDS = 0
    calls = []
    for _ in range(2):
        branch_figures.cached("probe", branch_a.pk, lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]
    assert cache.get(branch_figures.cache_key("probe", branch_a.pk)) is None
