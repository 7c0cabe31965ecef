from django import template
from django.utils import timezone

from beneficiaries.validators import mask_number

register = template.Library()


@register.filter
def masked(value, revealed=False):
    """NIK/KK masked (`1671********0003`) unless this response is the one-time reveal."""
    if revealed:
        return value or ""
    return mask_number(value)


@register.filter
def age(birth_date):
    if not birth_date:
        return ""
    today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@register.filter
def pair(first, second):
    return [first, second]
