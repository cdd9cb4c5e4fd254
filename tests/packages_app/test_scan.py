"""The scan station: each scan applies the chosen action; each kind of failure has its own message."""

import pytest
from django.test import Client

from packages_app.lifecycle import Status
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def incoming(branch_a, branch_b):
    """Dispatched from B to A: A checks it in."""
    return PackageFactory(
        origin_branch=branch_b, destination_branch=branch_a, branch=branch_a, status="IN_TRANSIT"
    )


def _scan(client, code, action="check_in", **extra):
    return client.post("/packages/scan/", {"action": action, "code": code, **extra}, **HX)


def test_check_in_at_destination_makes_it_ready_for_pickup(alice_client, incoming):
    response = _scan(alice_client, incoming.tracking_number.lower())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-kind="ok"' in body and "Ready for pickup" in body
    assert body.strip().startswith("<li")  # just the row, for htmx to add
    incoming.refresh_from_db()
    assert incoming.status == Status.READY_FOR_PICKUP


def test_wrong_check_digit_is_rejected_before_any_lookup(alice_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        body = _scan(alice_client, "RB123456786US").content.decode()
    assert 'data-kind="bad_check_digit"' in body and "wrong check digit" in body
    # Session, user and audit only: the bad number never reaches the packages table.
    assert not any('"packages"' in q["sql"] for q in captured.captured_queries)


def test_garbage_is_not_a_tracking_number(alice_client):
    body = _scan(alice_client, "hello").content.decode()
    assert 'data-kind="bad_number"' in body and "is not a tracking number" in body


def test_another_branchs_package_says_so(alice_client, branch_b, branch_c):
    theirs = PackageFactory(origin_branch=branch_b, destination_branch=branch_c)
    body = _scan(alice_client, theirs.tracking_number).content.decode()
    assert 'data-kind="other_branch"' in body and "belongs to another branch" in body
    theirs.refresh_from_db()
    assert theirs.status == Status.RECEIVED


def test_unknown_number_says_so(alice_client):
    body = _scan(alice_client, "RB123456785US").content.decode()
    assert 'data-kind="unknown"' in body and "not a known package" in body


def test_illegal_transition_says_why(alice_client, package_a):
    body = _scan(alice_client, package_a.tracking_number).content.decode()
    assert 'data-kind="illegal"' in body and "not in transit" in body


def test_repeat_scan_is_flagged(alice_client, incoming):
    _scan(alice_client, incoming.tracking_number)
    body = _scan(alice_client, incoming.tracking_number).content.decode()
    assert 'data-kind="repeat"' in body and "repeat scan" in body


def test_repeat_from_another_session_is_flagged_too(alice_client, bob, incoming):
    _scan(alice_client, incoming.tracking_number)
    other = Client()
    other.force_login(bob)
    body = _scan(other, incoming.tracking_number).content.decode()
    assert 'data-kind="repeat"' in body and "already checked in here" in body


def test_hold_needs_its_reason_chosen_once(alice_client, package_a):
    body = _scan(alice_client, package_a.tracking_number, action="hold").content.decode()
    assert "Choose the hold reason" in body
    body = _scan(
        alice_client, package_a.tracking_number, action="hold", reason_code="CUSTOMS"
    ).content.decode()
    assert 'data-kind="ok"' in body and "On hold" in body
    package_a.refresh_from_db()
    assert package_a.status == Status.ON_HOLD


def test_look_up_reads_incoming_packages_without_changing_them(alice_client, package_b):
    body = _scan(alice_client, package_b.tracking_number, action="lookup").content.decode()
    assert 'data-kind="ok"' in body and "Received" in body and "BBB01" in body


def test_without_javascript_the_page_redirects_and_lists_results(alice_client, incoming):
    response = alice_client.post("/packages/scan/", {"action": "check_in", "code": incoming.tracking_number})
    assert response.status_code == 302 and response["Location"] == "/packages/scan/"
    page = alice_client.get("/packages/scan/").content.decode()
    assert incoming.tracking_number in page and "Ready for pickup" in page
    # The chosen action is remembered for the next scan.
    assert '<option value="check_in" selected>' in page


def test_scan_needs_csrf_and_counter_staff(alice, auditor, incoming):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert (
        client.post("/packages/scan/", {"action": "check_in", "code": incoming.tracking_number}).status_code
        == 403
    )
    incoming.refresh_from_db()
    assert incoming.status == Status.IN_TRANSIT
    other = Client()
    other.force_login(auditor)
    assert other.get("/packages/scan/").status_code == 403


def test_scan_wrong_method_is_405(alice_client):
    assert alice_client.put("/packages/scan/").status_code == 405
    assert alice_client.get("/packages/scan/clear/").status_code == 405


def test_a_scan_runs_a_bounded_number_of_queries(alice_client, incoming, assert_max_statements):
    with assert_max_statements(12):
        body = _scan(alice_client, incoming.tracking_number).content.decode()
    assert 'data-kind="ok"' in body
