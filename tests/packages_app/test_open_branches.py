"""The open branches' (id, label) list: the forms' rule, kept in the cache until a branch changes."""

import re

import pytest
from django.core.cache import cache

from packages_app import open_branches
from packages_app.forms import TransitionForm
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.OPEN_BRANCHES_CACHE_SECONDS = 300
    cache.delete(open_branches.CACHE_KEY)
    yield
    cache.delete(open_branches.CACHE_KEY)


def _sent_to(client, package) -> list[str]:
    html = client.get(f"/packages/{package.tracking_number}/").content.decode()
    select = html[html.index('name="to_branch"') :].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"(?: selected)?>([^<]+)</option>', select)


def test_the_list_is_the_forms_own_choices(kept, branch_a, branch_b):
    BranchFactory(code="ZZZ99", is_active=False)
    field = TransitionForm().fields["to_branch"]
    assert open_branches.choices() == [(choice.value, label) for choice, label in field.choices if choice]


def test_the_list_is_read_once_then_from_the_cache(kept, branch_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = open_branches.choices()
    with django_assert_num_queries(0):
        assert open_branches.choices() == first


def test_a_branch_opened_renamed_closed_or_deleted_shows_on_the_next_page(
    kept, alice_client, package_a, branch_b
):
    assert f"{branch_b.code} — {branch_b.name}" in _sent_to(alice_client, package_a)
    opened = BranchFactory(code="A0001", name="Aardvark Street")  # sorts first
    assert _sent_to(alice_client, package_a)[0] == "A0001 — Aardvark Street"
    branch_b.name = "Bravo Renamed"
    branch_b.save()
    assert f"{branch_b.code} — Bravo Renamed" in _sent_to(alice_client, package_a)
    opened.is_active = False
    opened.save()
    assert "A0001 — Aardvark Street" not in _sent_to(alice_client, package_a)
    gone = BranchFactory(code="A0002", name="Short Lived")
    assert _sent_to(alice_client, package_a)[0] == "A0002 — Short Lived"
    gone.delete()
    assert "A0002 — Short Lived" not in _sent_to(alice_client, package_a)


def test_a_branch_closed_behind_the_cache_is_still_refused(kept, alice_client, package_a, branch_b):
    assert f"{branch_b.code} — {branch_b.name}" in _sent_to(alice_client, package_a)
    type(branch_b).objects.filter(pk=branch_b.pk).update(is_active=False)  # no signal: still listed
    assert f"{branch_b.code} — {branch_b.name}" in _sent_to(alice_client, package_a)
    response = alice_client.post(
        f"/packages/{package_a.tracking_number}/transition/",
        {"to_status": "IN_TRANSIT", "to_branch": branch_b.pk},
        follow=True,
    )
    assert "Choose an open branch from the list" in response.content.decode()
    package_a.refresh_from_db()
    assert package_a.status == "RECEIVED"
