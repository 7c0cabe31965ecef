import datetime

from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.templatetags.formatting import rupiah


def test_rupiah_examples():
    assert rupiah(1250000) == "Rp1.250.000"
    assert rupiah(0) == "Rp0"
    assert rupiah(-5000) == "-Rp5.000"
    assert rupiah(None) == ""
    assert rupiah("bukan angka") == ""


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_rupiah_roundtrips_any_amount(amount):
    text = rupiah(amount)
    assert " " not in text
    assert int(text.replace("Rp", "").replace(".", "")) == amount


def test_slash_datetime_is_read_day_first():
    # Django 5.2's own `id` locale would read this as 3 May (docs/domain.md §5.3).
    with translation.override("id"):
        value = forms.DateTimeField().clean("05/03/2025 14.30")
    assert (value.day, value.month, value.hour, value.minute) == (5, 3, 14, 30)


def test_dates_accept_indonesian_forms():
    with translation.override("id"):
        field = forms.DateField()
        assert field.clean("17-08-2025") == datetime.date(2025, 8, 17)
        assert field.clean("17/08/2025") == datetime.date(2025, 8, 17)
        assert field.clean("2025-08-17") == datetime.date(2025, 8, 17)
