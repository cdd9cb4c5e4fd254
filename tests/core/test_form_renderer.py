"""Widgets drawn by Jinja2 are the widgets Django's templates drew; the admin's still render."""

import re

import pytest
from django.forms.renderers import DjangoTemplates

from branch_courier.core.form_renderer import JinjaFirstRenderer
from packages_app.forms import ListFilterForm

pytestmark = pytest.mark.django_db


def _same_html(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace(">", "> ").replace("<", " <")).strip()


@pytest.mark.parametrize("data", [{}, {"status": "IN_TRANSIT", "direction": "sent", "created_from": "x"}])
def test_every_field_and_its_errors_match_djangos_own_templates(data):
    drawn = {}
    for renderer in (DjangoTemplates(), JinjaFirstRenderer()):
        form = ListFilterForm(data or None, renderer=renderer)
        form.is_valid()
        drawn[type(renderer)] = [
            (_same_html(str(form[name])), _same_html(str(form[name].errors))) for name in form.fields
        ]
    assert drawn[DjangoTemplates] == drawn[JinjaFirstRenderer]
    assert any("selected" in widget for widget, _ in drawn[JinjaFirstRenderer])


def test_the_app_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "branch_courier.core.form_renderer.JinjaFirstRenderer"
    assert isinstance(ListFilterForm().renderer or get_default_renderer(), JinjaFirstRenderer)


def test_a_widget_template_only_django_has_comes_from_django():
    from django.template.backends.django import Template as DjangoTemplate
    from django.template.backends.jinja2 import Template as JinjaTemplate

    renderer = JinjaFirstRenderer()
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), JinjaTemplate)


def test_the_admin_change_form_renders(admin_client, alice):
    response = admin_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert response.status_code == 200
    assert 'name="branch"' in response.content.decode()
