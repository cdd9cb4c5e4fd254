"""The counter screens: owner works, other branch 404, wrong method 405, bad input a clear error."""

import pytest
from django.test import Client

from packages_app.lifecycle import Status
from packages_app.models import Package, PackageEvent
from tests.factories import PackageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charlie_client(charlie):
    client = Client()
    client.force_login(charlie)
    return client


def _intake_data(branch, **overrides):
    data = {
        "sender_name": "Sam Sender",
        "sender_phone": "+1 617 555 0100",
        "sender_address": "1 Main St",
        "recipient_name": "Rita Recipient",
        "recipient_phone": "+1 212 555 0199",
        "recipient_address": "2 Oak Ave",
        "destination_branch": branch.pk,
        "service": "STANDARD",
        "weight_grams": "1500",
        "declared_value": "20.00",
    }
    return {**data, **overrides}


# --- Intake -------------------------------------------------------------------------------------


def test_intake_lands_on_the_package_page_with_the_label_ready(
    alice_client, alice_drawer, branch_a, branch_b
):
    response = alice_client.post("/packages/new/", _intake_data(branch_b), follow=True)
    package = Package.objects.get()
    assert response.redirect_chain[-1][0] == f"/packages/{package.tracking_number}/?new=1"
    body = response.content.decode()
    assert package.tracking_number in body
    assert f"/packages/{package.tracking_number}/label.pdf?size=4x6" in body
    assert "taken in; fee 8.50" in body
    assert package.branch == branch_a


def test_the_intake_form_sent_twice_takes_the_parcel_in_once(alice_client, alice_drawer, branch_b):
    data = _intake_data(branch_b, payment_key="3f1c0d6e9b2a4c5d8e7f6a5b4c3d2e1f")
    first = alice_client.post("/packages/new/", data)
    again = alice_client.post("/packages/new/", data, follow=True)
    package = Package.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/packages/{package.tracking_number}/?new=1"
    assert again.redirect_chain[-1][0] == f"/packages/{package.tracking_number}/?new=1"
    assert (
        "was already taken in with this form; nothing was taken in or charged again" in again.content.decode()
    )
    assert package.payments.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_grams", "-5", "Weight must be more than 0 g."),
        ("weight_grams", "0", "Weight must be more than 0 g."),
        ("weight_grams", "900000", "more than the counter accepts"),
        ("weight_grams", "45000", "the heaviest band for this service is 30,000 g"),
        ("weight_grams", "heavy", "Enter the weight in whole grams"),
        ("recipient_phone", "call me", "Enter a phone number of 7 to 15 digits"),
        ("sender_phone", "12", "Enter a phone number of 7 to 15 digits"),
        ("destination_branch", "999999", "unknown or closed"),
        ("cod_amount", "-3", "greater than 0"),
        ("declared_value", "-1", "Cannot be negative"),
        ("length_cm", "20", "Give all three dimensions or none."),
    ],
)
def test_intake_bad_input_gets_a_field_error_and_saves_nothing(alice_client, branch_b, field, value, message):
    response = alice_client.post("/packages/new/", _intake_data(branch_b, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Package.objects.exists()


def test_intake_refuses_a_closed_destination_branch(alice_client, branch_b):
    branch_b.is_active = False
    branch_b.save()
    response = alice_client.post("/packages/new/", _intake_data(branch_b))
    assert "unknown or closed" in response.content.decode()
    assert not Package.objects.exists()


def test_intake_wrong_method_is_405(alice_client):
    assert alice_client.put("/packages/new/").status_code == 405


def test_intake_without_csrf_is_403(alice, branch_b):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/packages/new/", _intake_data(branch_b)).status_code == 403
    assert not Package.objects.exists()


def test_auditors_cannot_take_packages_in(client, branch_a):
    client.force_login(UserFactory(branch=branch_a, role="AUDITOR"))
    assert client.get("/packages/new/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/packages/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Package page and actions ------------------------------------------------------------------


def test_package_page_shows_details_timeline_newest_first_and_actions(alice_client, package_a, alice):
    from packages_app.services import package_hold

    package_hold(package=package_a, actor=alice, reason_code="ADDRESS_PROBLEM", note="flat?")
    body = alice_client.get(f"/packages/{package_a.tracking_number}/").content.decode()
    assert package_a.recipient_name in body
    assert body.index("Address incomplete or wrong") < body.index("<strong>Received</strong>")
    assert "Release hold" in body and "back to Received" in body
    assert "Declare lost" not in body  # a clerk may not


def test_in_transit_page_offers_check_in_hold_and_for_supervisors_lost(client, bob, branch_a, branch_b):
    package = PackageFactory(
        origin_branch=branch_b, destination_branch=branch_a, branch=branch_a, status="IN_TRANSIT"
    )
    client.force_login(bob)
    body = client.get(f"/packages/{package.tracking_number}/").content.decode()
    assert 'value="READY_FOR_PICKUP"' in body and "Receive at destination" in body
    assert 'value="ARRIVED"' not in body and 'value="RETURNED"' not in body
    assert "Put on hold" in body and "Declare lost" in body


def test_package_page_accepts_lower_case_and_spaces_in_the_number(alice_client, package_a):
    number = package_a.tracking_number.lower()
    assert alice_client.get(f"/packages/{number[:5]}%20{number[5:]}/").status_code == 200


def test_incoming_package_is_read_only_for_the_destination(alice_client, package_b):
    response = alice_client.get(f"/packages/{package_b.tracking_number}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Read-only" in body and "Actions" not in body and "label.pdf" not in body


def test_actions_post_through_the_service(alice_client, package_a):
    url = f"/packages/{package_a.tracking_number}/transition/"
    response = alice_client.post(url, {"to_status": "ON_HOLD", "reason_code": "CUSTOMS"}, follow=True)
    assert "is now On hold" in response.content.decode()
    package_a.refresh_from_db()
    assert package_a.status == Status.ON_HOLD
    alice_client.post(url, {"to_status": "RECEIVED"})
    package_a.refresh_from_db()
    assert package_a.status == Status.RECEIVED


def test_illegal_action_is_a_message_not_a_500(alice_client, package_a):
    url = f"/packages/{package_a.tracking_number}/transition/"
    response = alice_client.post(url, {"to_status": "DELIVERED"}, follow=True)
    assert response.status_code == 200
    assert "A package that is Received cannot become Delivered." in response.content.decode()
    response = alice_client.post(url, {"to_status": "CANCELLED"}, follow=True)
    assert "Give a reason to cancel." in response.content.decode()
    response = alice_client.post(url, {"to_status": "NONSENSE"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    package_a.refresh_from_db()
    assert package_a.status == Status.RECEIVED


def test_an_action_runs_a_bounded_number_of_queries(alice_client, package_a, assert_max_statements):
    url = f"/packages/{package_a.tracking_number}/transition/"
    with assert_max_statements(12):
        response = alice_client.post(
            url, {"to_status": "IN_TRANSIT", "to_branch": package_a.destination_branch_id}
        )
    assert response.status_code == 302


def test_transition_needs_post_and_csrf(alice, package_a):
    url = f"/packages/{package_a.tracking_number}/transition/"
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url, {"to_status": "CANCELLED", "reason_code": "OTHER"}).status_code == 403
    package_a.refresh_from_db()
    assert package_a.status == Status.RECEIVED


def test_destination_cannot_act_on_an_incoming_package(alice_client, package_b):
    url = f"/packages/{package_b.tracking_number}/transition/"
    assert alice_client.post(url, {"to_status": "CANCELLED", "reason_code": "OTHER"}).status_code == 404


def test_html_in_names_is_shown_escaped(alice_client, alice_drawer, branch_a, branch_b):
    package = PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_b,
        recipient_name="<script>alert(1)</script>",
        sender_name='<img src=x onerror="alert(2)">',
    )
    for url in (f"/packages/{package.tracking_number}/", "/packages/", "/packages/?q=script"):
        body = alice_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<img src=x" not in body


# --- Every URL of this issue: another branch's package is a 404 ------------------------------


PACKAGE_URLS = [
    ("get", "/packages/{}/"),
    ("get", "/packages/{}/label.pdf"),
    ("get", "/packages/{}/label.zpl"),
    ("post", "/packages/{}/transition/"),
]


@pytest.mark.parametrize(("method", "url"), PACKAGE_URLS)
def test_other_branch_gets_404_on_every_package_url(
    charlie_client, alice_client, package_a, branch_a, method, url
):
    # package_a is taken in at A for B: before dispatch, B has nothing to do with it... except it
    # is incoming there (read-only). A package between A and a third branch is invisible to B.
    from tests.factories import BranchFactory

    hidden = PackageFactory(origin_branch=branch_a, destination_branch=BranchFactory(code="ZZZ01"))
    response = getattr(charlie_client, method)(url.format(hidden.tracking_number), {"to_status": "CANCELLED"})
    assert response.status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == Status.RECEIVED and hidden.events.count() == 1


@pytest.mark.parametrize(("method", "url"), PACKAGE_URLS[1:])
def test_read_only_branches_get_404_on_labels_and_actions(alice_client, package_b, method, url):
    response = getattr(alice_client, method)(
        url.format(package_b.tracking_number), {"to_status": "CANCELLED"}
    )
    assert response.status_code == 404


def test_unknown_or_malformed_numbers_are_404(alice_client):
    assert alice_client.get("/packages/RB123456785US/").status_code == 404
    assert alice_client.get("/packages/RB123456786US/").status_code == 404
    assert alice_client.get("/packages/nonsense/label.pdf").status_code == 404


def test_list_search_and_export_never_show_other_branches(charlie_client, branch_a, branch_c):
    hidden = PackageFactory(
        origin_branch=branch_a, destination_branch=branch_c, recipient_name="Hidden Person"
    )
    for url in (
        "/packages/",
        "/packages/?direction=incoming",
        "/packages/?direction=sent",
        "/packages/?q=Hidden&direction=incoming",
        f"/packages/?q={hidden.tracking_number}",
        f"/packages/?q={hidden.recipient_phone}",
    ):
        response = charlie_client.get(url)
        assert hidden.tracking_number not in _numbers(response), url
        assert "Hidden Person" not in response.content.decode()
    body = b"".join(charlie_client.get(f"/packages/export.csv?q={hidden.tracking_number}").streaming_content)
    assert hidden.tracking_number.encode() not in body


# --- List, search, export --------------------------------------------------------------------


@pytest.fixture
def mixed(branch_a, branch_b, branch_c):
    """At A: 3 received, 1 on hold. Incoming to A (at B): 1. Sent by A (now at B): 1."""
    here = [PackageFactory(origin_branch=branch_a, destination_branch=branch_b) for _ in range(3)]
    held = PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_c,
        status="ON_HOLD",
        status_before_hold="RECEIVED",
        recipient_name="Zebulon Quuxhold",  # a name Faker never makes, so the search is exact
        recipient_phone="+44 20 7946 0018",
        recipient_phone_digits="442079460018",
    )
    incoming = PackageFactory(origin_branch=branch_b, destination_branch=branch_a)
    sent = PackageFactory(
        origin_branch=branch_a, destination_branch=branch_b, branch=branch_b, status="IN_TRANSIT"
    )
    return {"here": here, "held": held, "incoming": incoming, "sent": sent}


def _numbers(response):
    return {row["tracking_number"] for row in response.context["page"].object_list}


def test_list_filters_by_direction_and_status(alice_client, mixed):
    here = {p.tracking_number for p in mixed["here"]} | {mixed["held"].tracking_number}
    assert _numbers(alice_client.get("/packages/")) == here
    assert _numbers(alice_client.get("/packages/?direction=incoming")) == {mixed["incoming"].tracking_number}
    sent = here | {mixed["sent"].tracking_number}  # taken in at A, wherever they are now
    assert _numbers(alice_client.get("/packages/?direction=sent")) == sent
    assert _numbers(alice_client.get("/packages/?status=ON_HOLD")) == {mixed["held"].tracking_number}
    # A full tracking number finds the package whatever the direction.
    incoming = mixed["incoming"].tracking_number
    assert _numbers(alice_client.get(f"/packages/?q={incoming}&direction=sent")) == {incoming}
    assert _numbers(alice_client.get("/packages/?q=Quuxhold&direction=incoming")) == set()


def test_search_by_number_name_and_phone(alice_client, mixed):
    held = mixed["held"].tracking_number
    assert _numbers(alice_client.get(f"/packages/?q={held.lower()}")) == {held}
    assert _numbers(alice_client.get("/packages/?q=quuxhold")) == {held}
    assert _numbers(alice_client.get("/packages/?q=%2B44 20 7946 0018")) == {held}
    assert _numbers(alice_client.get(f"/packages/?q={held[:6]}")) >= {held}


def test_date_filters_and_their_errors(alice_client, mixed):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert len(_numbers(alice_client.get(f"/packages/?created_from={today}&created_to={today}"))) == 4
    assert _numbers(alice_client.get("/packages/?created_to=2001-01-01")) == set()
    response = alice_client.get("/packages/?created_from=2026-05-02&created_to=2026-05-01")
    assert "The end date is before the start date." in response.content.decode()
    response = alice_client.get("/packages/?created_from=yesterday&status=BOGUS")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_list_paginates_at_50(alice_client, branch_a, branch_b):
    PackageFactory.create_batch(55, origin_branch=branch_a, destination_branch=branch_b, with_event=False)
    first = alice_client.get("/packages/")
    assert len(first.context["page"].object_list) == 50
    second = alice_client.get("/packages/?page=2")
    assert len(second.context["page"].object_list) == 5
    assert alice_client.get("/packages/?page=999").status_code == 200


def test_csv_export_streams_the_filtered_list(alice_client, mixed):
    response = alice_client.get("/packages/export.csv?status=ON_HOLD")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("tracking_number,status,service")
    assert len(lines) == 2 and lines[1].startswith(mixed["held"].tracking_number)


def test_csv_export_defuses_spreadsheet_formulas(alice_client, branch_a, branch_b):
    PackageFactory(origin_branch=branch_a, destination_branch=branch_b, recipient_name="=HYPERLINK(1)")
    body = b"".join(alice_client.get("/packages/export.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_list_and_export_are_get_only(alice_client):
    assert alice_client.post("/packages/").status_code == 405
    assert alice_client.post("/packages/export.csv").status_code == 405


# --- Dashboard ---------------------------------------------------------------------------------


def test_dashboard_counts_this_branch_only(alice_client, mixed, branch_b):
    from datetime import timedelta

    from django.utils import timezone

    old = mixed["here"][0]
    Package.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - timedelta(days=10))
    dash = alice_client.get("/").context["dash"]
    counts = {row["status"]: row["n"] for row in dash["counts"]}
    assert counts["RECEIVED"] == 3 and counts["ON_HOLD"] == 1 and counts["IN_TRANSIT"] == 0
    assert dash["intake_today"] == 5  # 4 here + 1 sent
    assert dash["waiting"] == 1


def test_dashboard_links_into_filtered_lists(alice_client, mixed):
    from django.utils import timezone

    body = alice_client.get("/").content.decode()
    today = timezone.localdate().isoformat()
    link = f"/packages/?direction=sent&amp;created_from={today}&amp;created_to={today}"
    assert link in body
    # The list behind "taken in today" holds as many packages as the figure says.
    assert (
        len(_numbers(alice_client.get(link.replace("&amp;", "&"))))
        == alice_client.get("/").context["dash"]["intake_today"]
    )
    assert 'href="/packages/?status=ON_HOLD"' in body
    assert 'href="/packages/?waiting=on"' in body
    assert "Welcome" in body and "Alpha Central" in body


def test_users_without_a_branch_get_the_plain_home(client, auditor):
    client.force_login(auditor)
    response = client.get("/")
    assert response.status_code == 200 and "dash" not in response.context


# --- Bounded queries ---------------------------------------------------------------------------


@pytest.fixture
def few_hundred(branch_a, branch_b, branch_c, alice):
    from packages_app.services import package_hold

    packages = PackageFactory.create_batch(150, origin_branch=branch_a, destination_branch=branch_b)
    PackageFactory.create_batch(100, origin_branch=branch_b, destination_branch=branch_a)
    PackageFactory.create_batch(100, origin_branch=branch_c, destination_branch=branch_b)
    for package in packages[:5]:
        package_hold(package=package, actor=alice, reason_code="OTHER")
    return packages


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/packages/",
        "/packages/?direction=sent&status=IN_TRANSIT",
        "/packages/?q=a",
        "/packages/?direction=incoming&page=2",
        "/packages/new/",
        "/packages/scan/",
        "/packages/export.csv",
    ],
)
def test_pages_run_a_bounded_number_of_queries(alice_client, few_hundred, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(12):
        response = alice_client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200


def test_package_page_and_labels_run_a_bounded_number_of_queries(
    alice_client, few_hundred, alice, django_assert_max_num_queries
):
    package = few_hundred[0]
    for _ in range(30):
        PackageEvent.objects.create(
            package=package, status=package.status, branch=alice.branch, actor=alice, at=package.created_at
        )
    for url in ("/", "label.pdf", "label.zpl"):
        with django_assert_max_num_queries(12):
            response = alice_client.get(f"/packages/{package.tracking_number}/{url.lstrip('/')}")
        assert response.status_code == 200
