"""{% jinja "app/rows.html" name=value ... %}: a Jinja2 template (jinja_templates/) inside a Django one."""

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
# What the csrf context processor gives where there is no request (django.template.context_processors).
NO_TOKEN = "NOTPROVIDED"  # noqa: S105 (a marker, not a secret)


class CsrfField:
    """The hidden CSRF input, made on first use (lists without row forms never make it), then reused."""

    def __init__(self, token):
        self.token, self.html = token, None

    def __html__(self) -> SafeString:
        if self.html is None:
            # As {% csrf_token %}: nothing without a token (a page drawn outside a request).
            token = str(self.token or "")
            self.html = (
                format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
                if token and token != NO_TOKEN
                else mark_safe("")
            )
        return self.html

    __str__ = __html__


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    # Row forms get the page's CSRF token, masked once as Django's {% csrf_token %} has it. Jinja2's
    # own csrf_input masks a new one each time it is drawn: two per manifest row, 40 % of the page.
    values.setdefault("csrf_input", CsrfField(context.get("csrf_token", "")))
    return render_jinja(template_name, values)


def render_jinja(template_name: str, values: dict) -> SafeString:
    """A template of jinja_templates/ drawn with these values, ready to stand in a Django one."""
    rendered = engines["jinja2"].get_template(template_name).render(values)
    return mark_safe(rendered)  # noqa: S308 (Jinja2 has escaped every value; see branch_courier/jinja2_env.py)
