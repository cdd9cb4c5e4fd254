"""The long lists' rows drawn by Jinja2: escaped, complete, with working row forms."""

import pytest
from django.template import engines
from jinja2 import UndefinedError

from branch_courier.core.templatetags.display import stamp
from packages_app import manifest_services as ms
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


def test_a_value_is_escaped_not_markup(alice_client, branch_a, branch_b):
    PackageFactory(origin_branch=branch_a, destination_branch=branch_b, recipient_name="<b>Rita</b>")
    body = alice_client.get("/packages/?direction=sent").content.decode()
    assert "&lt;b&gt;Rita&lt;/b&gt;" in body and "<b>Rita</b>" not in body


def test_a_row_shows_its_link_badge_branches_and_time(alice_client, branch_a, branch_b):
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    body = alice_client.get("/packages/?direction=sent").content.decode()
    assert f'href="/packages/{package.tracking_number}/"' in body
    assert '<span class="status status-received">Received</span>' in body
    assert f"<td>{branch_b.code}</td>" in body
    assert f"<td>{stamp(package.created_at)}</td>" in body


def test_a_name_the_row_template_does_not_have_is_an_error_not_a_blank_cell():
    template = engines["jinja2"].from_string("{{ package.no_such_field }}")
    with pytest.raises(UndefinedError):
        template.render({"package": object()})


def test_manifest_row_forms_carry_the_csrf_token_and_work(client, alice, branch_a, branch_b):
    from django.test import Client

    manifest = ms.manifest_open(actor=alice, destination_branch=branch_b)
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    item = ms.manifest_add(manifest=manifest, actor=alice, code=package.tracking_number)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    body = browser.get(f"/manifests/{manifest.pk}/").content.decode()
    action = f'action="/manifests/{manifest.pk}/items/{item.pk}/remove/"'
    assert action in body
    row_form = body[body.index(action) :].split("</form>")[0]
    token = row_form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    remove = f"/manifests/{manifest.pk}/items/{item.pk}/remove/"
    response = browser.post(remove, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not manifest.items.exists()


@pytest.mark.parametrize(
    "name, args",
    [
        ("packages:detail", ["RB000000076US"]),
        ("inquiries:detail", ["INQ-2026-000123"]),
        ("manifests:remove", [12, 345]),
        ("manifests:detail", [7]),
        ("packages:list", []),
    ],
)
def test_a_row_url_is_the_reversed_url(name, args):
    from django.urls import reverse

    from branch_courier.jinja2_env import url

    assert url(name, *args) == reverse(name, args=args)
    assert url(name, *args) == reverse(name, args=args)  # the second time from the cut pattern


def test_labels_are_what_get_display_gives(alice, branch_a, branch_b):
    from branch_courier.jinja2_env import label
    from inquiries_app.models import Category, CustomerInquiry, Priority
    from packages_app.lifecycle import Status
    from packages_app.transit_models import ManifestItem

    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b, status="IN_TRANSIT")
    assert label(package.status, Status) == package.get_status_display() == "In transit"
    for outcome in ManifestItem.Outcome.values:
        assert label(outcome, ManifestItem.Outcome) == ManifestItem(outcome=outcome).get_outcome_display()
    for priority in Priority.values:
        assert label(priority, Priority) == CustomerInquiry(priority=priority).get_priority_display()
    for category in Category.values:
        assert label(category, Category) == CustomerInquiry(category=category).get_category_display()
    assert label("NO_SUCH", Status) == "NO_SUCH"
