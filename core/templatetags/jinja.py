"""`{% jinja "beneficiaries/_household_rows.html" rows=page.items %}`: a Jinja2 partial (`core/jinja.py`)."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def jinja(template_name: str, **context) -> str:
    # The partial's own autoescaping has escaped every value it printed: its output is safe HTML.
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))  # noqa: S308  # nosec B308 B703
