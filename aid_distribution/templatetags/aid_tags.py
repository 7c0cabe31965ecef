from django import template

from beneficiaries.validators import mask_number

register = template.Library()


@register.filter
def masked(value) -> str:
    """NIK/KK shown to institution workers: always masked (docs/quality.md S11)."""
    return mask_number(value)
