from decimal import Decimal

from django import template

from infrastructure.models import ProjectStatus

register = template.Library()

STATUS_CLASSES = {
    ProjectStatus.USULAN: "text-bg-secondary",
    ProjectStatus.DIRENCANAKAN: "text-bg-info",
    ProjectStatus.TENDER: "text-bg-primary",
    ProjectStatus.KONSTRUKSI: "text-bg-warning",
    ProjectStatus.SELESAI: "text-bg-success",
    ProjectStatus.DISERAHTERIMAKAN: "text-bg-dark",
    ProjectStatus.DIHENTIKAN: "text-bg-danger",
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
