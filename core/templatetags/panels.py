from django import template
from django.template.loader import render_to_string

from core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context, model_label: str, obj):
    """The panels registered for `model_label`, for a page that is not handed them by its view:
    `{% page_panels "beneficiaries.HouseholdList" filter as actions %}` then `{% render_panel item %}` each."""
    return panels_for(model_label=model_label, viewer=context.get("user"), obj=obj)


@register.simple_tag(takes_context=True)
def render_panel(context, item):
    """Renders one registered page panel with its selector's context.

    The keys are available both directly (`{{ total }}`) and under `panel` (`{{ panel.total }}`), so every
    app's panel template works the same way.
    """
    data = dict(item["context"])
    data.setdefault("panel", item["context"])
    data["perms"] = context.get("perms")
    data["user"] = context.get("user")
    return render_to_string(item["panel"].template, data, request=context.get("request"))
