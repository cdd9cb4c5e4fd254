"""The package list's drawn results are cached per branch and query, and put out of reach by the
services that change the branch's packages."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branch_courier.core import branch_pages
from packages_app.models import Package
from packages_app.selectors import PACKAGE_LIST
from packages_app.services import package_hold
from tests.factories import BranchFactory, PackageFactory, ensure_tariff, make_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_cached(settings):
    settings.BRANCH_PAGE_CACHE_SECONDS = 30
    ensure_tariff()  # a transactional test elsewhere may have flushed the migration's tariff
    # Generations of other tests' branches with the same ids (SQLite reuses them; Redis outlives tests).
    cache.delete_many([branch_pages.generation_key(PACKAGE_LIST, branch_id) for branch_id in range(1, 400)])


def _list(client, query="") -> str:
    response = client.get(f"/packages/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_is_drawn_once_then_read_from_the_cache(alice_client, branch_a, branch_b):
    first = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    assert first.tracking_number in _list(alice_client)
    # A row written behind the services' back is not seen until the part expires: the second page
    # came from the cache, without counting or reading a package.
    second = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    with CaptureQueriesContext(connection) as queries:
        body = _list(alice_client)
    assert first.tracking_number in body and second.tracking_number not in body
    assert not any('"packages_app_package"' in q["sql"] for q in queries.captured_queries)
    # Another query string is drawn afresh, and sees it.
    assert second.tracking_number in _list(alice_client, "?direction=here")


def test_a_service_change_shows_at_once_after_commit(
    alice_client, alice, branch_a, branch_b, django_capture_on_commit_callbacks
):
    assert "No packages match these filters." in _list(alice_client, "?status=ON_HOLD")
    with django_capture_on_commit_callbacks(execute=True):
        package = make_package(actor=alice, destination=branch_b)
    assert package.tracking_number in _list(alice_client)
    assert "No packages match these filters." in _list(alice_client, "?status=ON_HOLD")
    with django_capture_on_commit_callbacks(execute=True):
        package_hold(package=Package.objects.get(pk=package.pk), actor=alice, reason_code="DAMAGED")
    assert package.tracking_number in _list(alice_client, "?status=ON_HOLD")


def test_the_destination_branchs_incoming_list_follows_a_change_made_elsewhere(
    client, alice, charlie, branch_a, branch_b, django_capture_on_commit_callbacks
):
    client.force_login(charlie)  # branch B, waiting for what A sends
    assert "No packages match these filters." in _list(client, "?direction=incoming")
    with django_capture_on_commit_callbacks(execute=True):
        package = make_package(actor=alice, destination=branch_b)
    assert package.tracking_number in _list(client, "?direction=incoming")


def test_another_branch_never_reads_this_branchs_list(alice_client, charlie, branch_a):
    ours = PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    assert ours.tracking_number in _list(alice_client)
    other = Client()
    other.force_login(charlie)
    body = _list(other)  # the same query string, another branch
    assert ours.tracking_number not in body and "No packages match these filters." in body
    assert ours.tracking_number in _list(alice_client)


def test_nothing_is_put_out_of_reach_before_the_commit(
    alice, branch_a, branch_b, django_capture_on_commit_callbacks
):
    drawn = []
    branch_pages.cached_html(PACKAGE_LIST, branch_a.pk, "", lambda: drawn.append(1) or "<p>old</p>")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_package(actor=alice, destination=branch_b)
    # Before the commit (and so after a rollback) the old part is still the current one.
    assert branch_pages.cached_html(PACKAGE_LIST, branch_a.pk, "", lambda: "<p>new</p>") == "<p>old</p>"
    for callback in callbacks:
        callback()
    assert branch_pages.cached_html(PACKAGE_LIST, branch_a.pk, "", lambda: "<p>new</p>") == "<p>new</p>"
    assert drawn == [1]


def test_another_branchs_change_keeps_this_branchs_list(
    alice, charlie, branch_a, django_capture_on_commit_callbacks
):
    branch_pages.cached_html(PACKAGE_LIST, branch_a.pk, "", lambda: "<p>A</p>")
    with django_capture_on_commit_callbacks(execute=True):
        make_package(actor=charlie, destination=BranchFactory())  # B to a third branch: not A's
    assert branch_pages.cached_html(PACKAGE_LIST, branch_a.pk, "", lambda: "<p>again</p>") == "<p>A</p>"


def test_zero_seconds_turns_the_cache_off(settings, branch_a):
    settings.BRANCH_PAGE_CACHE_SECONDS = 0
    calls = []
    for _ in range(2):
        branch_pages.cached_html("probe", branch_a.pk, "", lambda: f"<p>{calls.append(1) or len(calls)}</p>")
    assert calls == [1, 1]
    assert cache.get(branch_pages.generation_key("probe", branch_a.pk)) is None


@pytest.mark.postgres
def test_with_redis_down_the_list_is_drawn_every_time(settings, alice_client, branch_a, closed_port):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"},
    }
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    assert package.tracking_number in _list(alice_client)
    later = PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    assert later.tracking_number in _list(alice_client)


def test_a_made_up_parameter_is_left_out_of_the_page_and_its_cache_key(alice_client, branch_a):
    first = PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    assert first.tracking_number in _list(alice_client, "?direction=here")
    second = PackageFactory(origin_branch=branch_a, destination_branch=branch_a)
    # The same filters with something else added: the cached part, not a new one (which would
    # show the second package), and the made-up parameter nowhere in the page's links.
    body = _list(alice_client, "?direction=here&note=made-up")
    assert second.tracking_number not in body and "made-up" not in body
