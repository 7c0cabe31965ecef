"""Property tests for NIK/KK parsing, masking and normalising (hypothesis)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from beneficiaries import synthetic
from beneficiaries.services import importing
from beneficiaries.validators import (
    kk_passes,
    mask_number,
    nik_crosscheck,
    nik_passes,
    normalise_number,
    parse_nik,
    validate_kk,
    validate_nik,
)

birth_dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2025, 12, 31))
serials = st.integers(min_value=1, max_value=9999)


def build_nik(birth, female, serial, prefix="167113"):
    return f"{prefix}{birth.day + (40 if female else 0):02d}{birth:%m%y}{serial:04d}"


@given(birth_dates, st.booleans(), serials)
def test_parse_nik_round_trips_structure(birth, female, serial):
    info = parse_nik(build_nik(birth, female, serial))
    assert info.is_female == female
    assert (info.day, info.month, info.yy) == (birth.day, birth.month, birth.year % 100)
    assert info.birth_date(century_hint=birth) == birth
    assert nik_crosscheck(build_nik(birth, female, serial), is_female=female, birth_date=birth) == []


@given(birth_dates, st.booleans(), serials)
def test_crosscheck_warns_on_wrong_sex(birth, female, serial):
    warnings = nik_crosscheck(build_nik(birth, female, serial), is_female=not female, birth_date=birth)
    assert len(warnings) == 1
    assert "jenis kelamin" in warnings[0]


@given(st.text(alphabet="0123456789 .-", max_size=30))
def test_normalise_keeps_only_digits_in_order(raw):
    assert normalise_number(raw) == "".join(c for c in raw if c.isdigit())


@given(st.text(alphabet="0123456789", min_size=8, max_size=20))
def test_mask_keeps_four_and_four(number):
    masked = mask_number(number)
    assert len(masked) == len(number)
    assert masked[:4] == number[:4]
    assert masked[-4:] == number[-4:]
    assert set(masked[4:-4]) <= {"*"}


@given(st.text(alphabet="0123456789", max_size=7))
def test_mask_hides_short_values_entirely(number):
    assert mask_number(number) == "*" * len(number)


@given(
    st.text(alphabet="0123456789", min_size=0, max_size=15) | st.text(alphabet="0123456789", min_size=17, max_size=25)
)
def test_wrong_length_is_always_refused(number):
    with pytest.raises(ValidationError) as info:
        parse_nik(number)
    assert info.value.code == "nik_length"


@given(st.integers(min_value=10**14, max_value=10**16 - 1))
def test_numbers_from_spreadsheets_are_always_refused(value):
    with pytest.raises(importing.CellError):
        importing.parse_number_id(value, label="NIK")


@given(st.floats(min_value=1e14, max_value=1e16, allow_nan=False))
def test_scientific_notation_is_always_refused(value):
    with pytest.raises(importing.CellError):
        importing.parse_number_id(f"{value:.5E}", label="NIK")


def test_kk_in_the_future_is_refused():
    today = timezone.localdate()
    if (today.month, today.day) == (12, 31):
        pytest.skip("no later date in this year; a 2-digit year beyond it reads as the 1900s")
    future = today.replace(month=12, day=31)
    with pytest.raises(ValidationError) as info:
        validate_kk(f"167113{future:%d%m%y}0001")
    assert info.value.code == "kk_future"


def test_synthetic_numbers_are_valid_and_unique():
    import random

    rng = random.Random(5)
    numbers = synthetic.NumberAllocator()
    seen = set()
    for _ in range(300):
        hh = synthetic.household(rng, numbers, today=datetime.date(2026, 6, 1))
        validate_kk(hh.kk_number)
        for member in hh.members:
            info = parse_nik(member.nik)
            assert info.is_female == (member.sex == 2)
            assert member.nik not in seen
            seen.add(member.nik)


def _accepts(validator, number) -> bool:
    try:
        validator(number)
    except ValidationError:
        return False
    return True


# Numbers near the valid ones: a province or not, any day 00-99 (women +40), month 00-19, serial 0000 or not,
# and the odd stray character, so that both verdicts are drawn often.
near_numbers = st.builds(
    lambda province, rest, dd, mm, yy, serial: f"{province}{rest}{dd:02d}{mm:02d}{yy:02d}{serial}",
    st.sampled_from(["16", "31", "99", "00", "1٦"]),
    st.sampled_from(["7113", "0101"]),
    st.integers(0, 99),
    st.integers(0, 19),
    st.integers(0, 99),
    st.sampled_from(["0000", "0001", "9999", "12a4"]),
)


@given(near_numbers)
def test_fast_nik_check_agrees_with_validate_nik(number):
    """The import takes a NIK on the fast check alone; it must accept exactly what validate_nik accepts."""
    assert nik_passes(number) == _accepts(validate_nik, number)


@given(near_numbers, st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 12, 31)))
def test_fast_kk_check_agrees_with_validate_kk(number, today):
    assert kk_passes(number, today=today) == _accepts(lambda n: validate_kk(n, today=today), number)
