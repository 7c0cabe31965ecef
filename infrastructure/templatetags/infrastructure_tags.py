from decimal import Decimal

from django import template

register = template.Library()

STATUS_CLASSES = {
    "usulan": "text-bg-secondary",
    "direncanakan": "text-bg-info",
    "tender": "text-bg-primary",
    "konstruksi": "text-bg-warning",
    "selesai": "text-bg-success",
    "diserahterimakan": "text-bg-dark",
    "dihentikan": "text-bg-danger",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def pct(value) -> str:
    """45.50 -> "45,5%"; empty stays empty."""
    if value is None or value == "":
        return "–"
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


@register.filter
def progress_value(value) -> str:
    """A number for <progress value="...">, always with a dot."""
    if value is None or value == "":
        return "0"
    try:
        return f"{Decimal(value):f}"
    except (ArithmeticError, ValueError, TypeError):  # a missing attribute renders as "" or an object
        return "0"
