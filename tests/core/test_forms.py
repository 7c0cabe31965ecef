from django import forms
from django.core.exceptions import ValidationError

from core.forms import add_service_error


class _Form(forms.Form):
    name = forms.CharField()


def _bound():
    form = _Form({"name": "Proyek"})
    assert form.is_valid()
    return form


def test_field_errors_go_on_the_field_and_unknown_fields_above_the_form():
    form = _bound()
    add_service_error(form, ValidationError({"name": "Nama sudah dipakai.", "budget": "Anggaran melebihi pagu."}))
    assert form.errors["name"] == ["Nama sudah dipakai."]
    assert form.non_field_errors() == ["Anggaran melebihi pagu."]  # no ValueError for a field the form lacks
    assert not form.is_valid()


def test_plain_and_list_errors_go_above_the_form():
    form = _bound()
    add_service_error(form, ValidationError(["Status tidak boleh mundur.", "Alasan wajib diisi."]))
    assert form.non_field_errors() == ["Status tidak boleh mundur.", "Alasan wajib diisi."]
