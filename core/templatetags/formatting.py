from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """Rupiah per PUEBI: `Rp1.250.000` (no space, dots between thousands, no cents); negatives `-Rp5.000`."""
    if value is None or value == "":
        return ""
    try:
        amount = int(round(float(value)))
    except (TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,}".replace(",", ".")
    return f"{sign}Rp{grouped}"


@register.filter
def yesno_id(value) -> str:
    return _("Ya") if value else _("Tidak")
