"""accounts.access: the counter-staff and branch-staff checks the apps' views share."""

import pytest

pytestmark = pytest.mark.django_db

COUNTER = [
    ("get", "/packages/new/"),
    ("get", "/packages/scan/"),
    ("get", "/packages/handover/"),
    ("get", "/drawer/"),
    ("post", "/drawer/open/"),
    ("get", "/manifests/"),
    ("post", "/manifests/new/"),
    ("get", "/inquiries/new/"),
]
BRANCH = ["/packages/", "/packages/export.csv", "/inquiries/", "/inquiries/export.csv"]


@pytest.mark.parametrize(("method", "url"), COUNTER)
def test_counter_screens_are_for_clerks_and_supervisors_of_a_branch(client, auditor, alice, method, url):
    assert getattr(client, method)(url).status_code == 302  # anonymous: sign in first
    client.force_login(auditor)
    refused = getattr(client, method)(url)
    assert refused.status_code == 403
    assert "Only clerks and supervisors of a branch" in refused.content.decode()
    client.force_login(alice)
    assert getattr(client, method)(url).status_code != 403


@pytest.mark.parametrize("url", BRANCH)
def test_branch_lists_are_for_staff_of_a_branch(client, auditor, alice, url):
    client.force_login(auditor)
    refused = client.get(url)
    assert refused.status_code == 403 and "per branch" in refused.content.decode()
    client.force_login(alice)
    assert client.get(url).status_code == 200


def test_a_wrong_method_is_a_405_before_the_role_is_looked_at(client, auditor):
    client.force_login(auditor)
    assert client.get("/drawer/open/").status_code == 405
    assert client.post("/packages/handover/").status_code == 405
