"""The branch selects (intake, transitions, manifests) read the branches in one plain query."""

import pytest
from django.template import Context, Template

from packages_app.forms import IntakeForm, TransitionForm
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db


def test_a_branch_select_is_one_query_and_lists_every_open_branch(
    branch_a, branch_b, django_assert_num_queries
):
    closed = BranchFactory(code="CLS01", name="Closed", is_active=False)
    # As the package page draws its transition's select: a {% for %} over the field's choices,
    # which asks for their length first (Django's iterator answered that with a COUNT query).
    page = Template("{% for value, text in choices %}<option value='{{ value }}'>{{ text }}{% endfor %}")
    with django_assert_num_queries(1):
        html = page.render(Context({"choices": TransitionForm().fields["to_branch"].choices}))
    with django_assert_num_queries(1):  # the intake form's select, drawn by its widget
        html += str(IntakeForm()["destination_branch"])
    for branch in (branch_a, branch_b):
        assert html.count(f"value='{branch.pk}'") + html.count(f'value="{branch.pk}"') == 2
    assert f"value='{closed.pk}'" not in html and f'value="{closed.pk}"' not in html
    assert "AAA01 — Alpha Central" in html


def test_a_closed_or_unknown_branch_is_refused_with_the_field_message(branch_a):
    closed = BranchFactory(code="CLS01", name="Closed", is_active=False)
    for value in (closed.pk, 10**9):
        form = TransitionForm({"to_status": "IN_TRANSIT", "to_branch": value})
        assert not form.is_valid()
        message = "Choose an open branch from the list; that one is unknown or closed."
        assert form.errors["to_branch"] == [message]
