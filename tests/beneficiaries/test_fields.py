"""A4: one definition of the editable fields (beneficiaries.fields), and every list derived from it agrees."""

import decimal

import pytest

from beneficiaries import fields as editable
from beneficiaries import forms, services
from beneficiaries.exporting import export_header
from beneficiaries.models import Household, ImportRow, Member
from beneficiaries.services.importing import columns
from grievances import changes
from tests.beneficiaries.conftest import household_data, member_data

pytestmark = pytest.mark.django_db

ASSETS = [name for name in editable.HOUSEHOLD_EDITABLE if name.startswith("asset_")]


def file_fields(definition):
    return [f for f in definition if f.header]


def test_every_name_is_a_model_field_and_every_header_is_unique():
    for model, definition in ((Household, editable.HOUSEHOLD), (Member, editable.MEMBER)):
        for field in definition:
            model._meta.get_field(field.name)  # raises if the list names no field
    headers = [f.header for f in (*editable.HOUSEHOLD, *editable.MEMBER) if f.header]
    assert len(headers) == len(set(headers))
    assert len(ASSETS) == 18  # the Regsosek asset list


def admin_form_fields(model, user):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return set(admin.site._registry[model].get_form(request).base_fields)


def test_services_forms_and_admin_take_the_listed_fields(user_admin):
    assert services.HOUSEHOLD_EDITABLE == editable.HOUSEHOLD_EDITABLE
    assert services.MEMBER_EDITABLE == editable.MEMBER_EDITABLE
    assert services.SENSITIVE_FIELDS == ("disability", "chronic_illness")
    assert set(forms.HouseholdForm._meta.fields) == set(editable.HOUSEHOLD_EDITABLE)
    assert set(forms.MemberForm._meta.fields) == set(editable.MEMBER_EDITABLE)
    assert set(editable.HOUSEHOLD_EDITABLE) <= admin_form_fields(Household, user_admin)
    assert set(editable.MEMBER_EDITABLE) <= admin_form_fields(Member, user_admin)


def test_household_form_shows_every_field_in_a_section(user_kelurahan):
    form = forms.HouseholdForm(user=user_kelurahan)
    in_layout = {
        name for section, _title, _c in editable.HOUSEHOLD_SECTIONS for name in editable.household_section(section)
    }
    assert in_layout == set(form.fields)  # a field without a section would never be rendered, and saved as empty
    assert [bound.name for bound, _css in form.asset_columns] == [*ASSETS, "latitude", "longitude"]


def test_import_template_and_export_have_every_file_field_and_nothing_else():
    keys = set(columns.COLUMNS)
    for field in file_fields(editable.HOUSEHOLD) + file_fields(editable.MEMBER):
        assert field.name in keys
    assert keys - {f.name for f in (*editable.HOUSEHOLD, *editable.MEMBER)} == {"kelurahan", "rw"}  # the RT's columns
    assert export_header() == [header for header, _r, _d in columns.COLUMNS.values()]
    # Sensitive data never travels in a file.
    assert not {f.name for f in editable.MEMBER if f.sensitive} & keys
    # Every household column is staged, typed, in ImportRow.
    staged = {f.name for f in ImportRow._meta.get_fields()}
    assert {f.name for f in editable.HOUSEHOLD_DETAILS} <= staged


def test_change_requests_correct_exactly_the_correctable_fields():
    assert changes.allowed_fields(is_member=False) == editable.HOUSEHOLD_CORRECTABLE
    assert changes.allowed_fields(is_member=True) == editable.MEMBER_CORRECTABLE
    assert "desil" not in changes.HOUSEHOLD_FIELDS
    assert "disability" not in changes.MEMBER_FIELDS
    assert set(ASSETS) <= set(changes.HOUSEHOLD_FIELDS)


def test_a_field_added_to_the_list_shows_up_in_the_import_columns(monkeypatch):
    """The columns are computed from the list, not written beside it: a new entry appears in the template."""
    extra = editable.EditableField("families_in_house", "kolom_baru", False, "Uji.", editable.HOUSING)
    details = tuple(f for f in editable.HOUSEHOLD_DETAILS if f.name != "families_in_house") + (extra,)
    monkeypatch.setattr(editable, "HOUSEHOLD_DETAILS", details)
    assert columns._columns()["families_in_house"] == ("kolom_baru", False, "Uji.")


def test_gps_needs_both_coordinates_and_a_range(user_kelurahan, rt_keramasan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan,
            household_data=household_data(rt_keramasan, latitude=decimal.Decimal("-2.9934")),
            members=[member_data(1)],
        )
    assert "lintang dan bujur bersama-sama" in info.value.message_dict["longitude"][0]
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan,
            household_data=household_data(
                rt_keramasan, latitude=decimal.Decimal("91"), longitude=decimal.Decimal("104.7")
            ),
            members=[member_data(1)],
        )
    assert "Lintang harus antara -90 dan 90" in info.value.message_dict["latitude"][0]
    household = services.household_register(
        actor=user_kelurahan,
        household_data=household_data(
            rt_keramasan, asset_motorbike=2, latitude=decimal.Decimal("-2.9934"), longitude=decimal.Decimal("104.7431")
        ),
        members=[member_data(1)],
    )
    household.refresh_from_db()
    assert household.asset_motorbike == 2
    assert household.latitude == decimal.Decimal("-2.993400")
