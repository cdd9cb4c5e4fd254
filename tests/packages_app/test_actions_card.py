"""The package page's Actions card (drawn by Jinja2): a working form per allowed action."""

import re

import pytest
from django.test import Client

from packages_app.lifecycle import Status
from packages_app.models import HOLD_REASONS
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db


FORM = re.compile(r'<form method="post" action="([^"]+)" class="actions action-form">(.*?)</form>', re.S)


def _forms(html: str) -> list[tuple[str, str]]:
    return FORM.findall(html[html.index('id="actions-h"') :])


def test_each_action_is_a_form_with_its_token_and_the_right_choices(alice, package_a, branch_b):
    BranchFactory(code="ZZZ99", is_active=False)  # closed: not offered
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get(f"/packages/{package_a.tracking_number}/").content.decode()
    forms = _forms(html)
    targets = [re.search(r'name="to_status" value="(\w+)"', body).group(1) for _, body in forms]
    assert {"IN_TRANSIT", "ON_HOLD", "CANCELLED"} <= set(targets), targets
    for action, body in forms:
        assert action == f"/packages/{package_a.tracking_number}/transition/"
        assert re.search(r'name="csrfmiddlewaretoken" value="\w{64}"', body)
    send = dict(zip(targets, (body for _, body in forms), strict=True))
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', send["IN_TRANSIT"])
    assert [code for _, _, code in options] == sorted(code for _, _, code in options)  # by code
    assert not any(label.startswith("ZZZ99") for _, _, label in options)
    assert [int(v) for v, selected, _ in options if selected] == [package_a.destination_branch_id]
    hold_reasons = re.findall(r'<option value="(\w*)">', send["ON_HOLD"])
    assert hold_reasons == ["", *(reason.value for reason in HOLD_REASONS)]
    assert 'name="hold_until"' in send["ON_HOLD"]
    assert re.search(rf'class="danger" data-confirm="[^"]+ {package_a.tracking_number}\?"', send["CANCELLED"])
    assert 'class="primary"' in send["IN_TRANSIT"] and "data-confirm" not in send["IN_TRANSIT"]

    # The drawn dispatch form, sent back as drawn, dispatches the parcel.
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w{64})"', send["IN_TRANSIT"]).group(1)
    response = client.post(
        forms[targets.index("IN_TRANSIT")][0],
        {"csrfmiddlewaretoken": token, "to_status": "IN_TRANSIT", "to_branch": branch_b.pk},
    )
    assert response.status_code == 302
    package_a.refresh_from_db()
    assert package_a.status == Status.IN_TRANSIT


def test_a_return_is_sent_to_its_origin_first(alice_client, package_a, branch_b):
    package_a.is_return, package_a.origin_branch = True, branch_b
    package_a.save(update_fields=["is_return", "origin_branch"])
    html = alice_client.get(f"/packages/{package_a.tracking_number}/").content.decode()
    send = next(body for _, body in _forms(html) if 'value="IN_TRANSIT"' in body)
    assert re.findall(r'<option value="(\d+)" selected>', send) == [str(branch_b.pk)]
