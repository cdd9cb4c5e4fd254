"""{% jinja "app/rows.html" name=value ... %}: a Jinja2 template (jinja_templates/) inside a Django one."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    # The request gives the Jinja2 template csrf_input for row forms, as Django's {% csrf_token %}.
    rendered = engines["jinja2"].get_template(template_name).render(values, request=context.get("request"))
    return mark_safe(rendered)  # noqa: S308 (Jinja2 has escaped every value; see branch_courier/jinja2_env.py)
