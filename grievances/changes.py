"""Which registry fields a change request may correct, and how their values are stored and shown.

Values are stored as text (the model field's own string form: a code for a choice, an id for a foreign key,
ISO for a date) so that the old value captured at creation can be compared exactly with the current one
when the request is approved (optimistic check).
"""

from __future__ import annotations

import decimal

from django.db import models

from beneficiaries import fields as editable
from beneficiaries.models import Household, Member

# The registry's correctable fields (beneficiaries.fields): welfare status (desil, DTKS/DTSEN) is imported, never
# corrected by hand; specific personal data (disability, chronic illness) is left to the registry's own edit
# screen, which checks view_sensitive; the NIK-missing reason goes with the NIK there too.
HOUSEHOLD_FIELDS = list(editable.HOUSEHOLD_CORRECTABLE)
MEMBER_FIELDS = list(editable.MEMBER_CORRECTABLE)
MASKED_FIELDS = {"nik", "kk_number"}


def model_for(*, is_member: bool):
    return Member if is_member else Household


def allowed_fields(*, is_member: bool) -> list[str]:
    return MEMBER_FIELDS if is_member else HOUSEHOLD_FIELDS


def field_choices(*, is_member: bool) -> list[tuple[str, str]]:
    model = model_for(is_member=is_member)
    return [
        (name, str(model._meta.get_field(name).verbose_name).capitalize())
        for name in allowed_fields(is_member=is_member)
    ]


def field_label(*, is_member: bool, field_name: str) -> str:
    try:
        return str(model_for(is_member=is_member)._meta.get_field(field_name).verbose_name).capitalize()
    except Exception:
        return field_name


def serialize(field: models.Field, value) -> str:
    """The stored text of a Python value (a model instance for a foreign key becomes its id)."""
    if value is None:
        return ""
    if isinstance(field, models.ForeignKey):
        return str(value.pk if isinstance(value, models.Model) else value)
    if isinstance(field, models.DecimalField):
        # At the field's places, as the database returns it: -2.99 typed and -2.990000 stored are the same value.
        try:
            return str(decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-field.decimal_places)))
        except decimal.InvalidOperation:
            return str(value).strip()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def current_value(obj, field_name: str) -> str:
    field = obj._meta.get_field(field_name)
    return serialize(field, getattr(obj, field.attname))


def deserialize(field: models.Field, text: str):
    """The Python value to hand to the registry's services (a model instance for a foreign key)."""
    if text == "":
        return None if field.null else ""
    if isinstance(field, models.ForeignKey):
        return field.related_model.objects.get(pk=int(text))
    return field.to_python(text)


def display(field: models.Field, text: str, *, masked: bool = False) -> str:
    """What a person reads: a choice's label, an RT's name, a date as dd-mm-yyyy, a masked NIK."""
    if text == "":
        return "—"
    if field.name in MASKED_FIELDS and masked:
        return text[:4] + "*" * max(len(text) - 8, 0) + text[-4:]
    if field.choices:
        value = field.to_python(text)
        return str(dict(field.flatchoices).get(value, text))
    if isinstance(field, models.ForeignKey):
        obj = field.related_model.objects.filter(pk=text).first()
        return str(obj) if obj is not None else text
    if isinstance(field, models.DateField):
        value = field.to_python(text)
        return value.strftime("%d-%m-%Y")
    return text


def describe(change_request, *, masked: bool) -> dict:
    model = model_for(is_member=bool(change_request.member_id))
    field = model._meta.get_field(change_request.field_name)
    return {
        "label": str(field.verbose_name).capitalize(),
        "old": display(field, change_request.old_value, masked=masked),
        "new": display(field, change_request.new_value, masked=masked),
    }
