"""core.bulk: set-based writes keep defaults, odd text and the audit history of every row."""

import datetime

import pytest

from beneficiaries.models import Household, ImportBatch, ImportRow
from core.bulk import copy_tuples, insert_ignoring_conflicts, insert_select
from core.history import acting_as, events_for
from core.models import RT
from tests.factories.core import RTFactory

pytestmark = pytest.mark.django_db


def test_insert_select_fills_defaults_and_writes_one_insert_event_per_row_with_the_actor(keramasan, user_admin):
    with acting_as(user_admin, command="uji-bulk"):
        inserted = insert_select(
            RT,
            ["kelurahan_id", "number", "rw"],
            "SELECT %s::bigint, n, 3 FROM generate_series(101, 103) AS n",
            [keramasan.pk],
        )
    assert inserted == 3
    rts = list(RT.objects.filter(number__gte=101).order_by("number"))
    assert [(rt.number, rt.rw, rt.is_active) for rt in rts] == [(101, 3, True), (102, 3, True), (103, 3, True)]
    for rt in rts:
        (event,) = events_for(rt)
        assert event.pgh_label == "insert"
        assert event.pgh_data["rw"] == 3
        assert event.pgh_context["user"] == user_admin.pk
        assert event.pgh_context["command"] == "uji-bulk"
    # The insert trigger was ignored for that statement only: an ordinary save is still recorded by it.
    later = RTFactory(kelurahan=keramasan, number=104, rw=3)
    assert [e.pgh_label for e in events_for(later)] == ["insert"]


def test_insert_select_refuses_a_default_that_differs_per_row():
    with pytest.raises(ValueError, match="card_token"):
        insert_select(Household, ["kk_number"], "SELECT '1671130101150001'")


def test_copy_tuples_keeps_odd_text_nulls_dates_and_json():
    batch = ImportBatch.objects.create(original_name="uji.csv", file_hash="0" * 64)
    odd = 'Jl. "Lr." \\Ujung,\tdua\nbaris; \\N'
    names = ["batch_id", "row_number", "full_name", "address", "desil", "birth_date", "errors", "is_accepted"]
    written = copy_tuples(
        ImportRow,
        names,
        [
            (batch.pk, 1, odd, "", None, datetime.date(1985, 6, 15), '[{"column": "nik", "message": "salah"}]', False),
            (batch.pk, 2, "", odd, 7, None, "[]", True),
        ],
    )
    assert written == 2
    first, second = ImportRow.objects.filter(batch=batch).order_by("row_number")
    assert (first.full_name, first.address, first.desil, first.birth_date) == (
        odd,
        "",
        None,
        datetime.date(1985, 6, 15),
    )
    assert first.errors == [{"column": "nik", "message": "salah"}]
    assert not first.is_accepted
    assert (second.full_name, second.address, second.desil, second.birth_date) == ("", odd, 7, None)
    assert second.errors == []
    assert second.is_accepted
    assert second.kk_number == ""
    assert second.nik == ""


def test_copy_tuples_refuses_tables_with_history():
    with pytest.raises(ValueError, match="history"):
        copy_tuples(RT, ["number"], [(1,)])


def test_insert_ignoring_conflicts_skips_clashes_marks_the_rows_inserted_and_keeps_history(keramasan, user_admin):
    RTFactory(kelurahan=keramasan, number=201, rw=4)
    rows = [RT(kelurahan=keramasan, number=number, rw=4) for number in (200, 201, 202)]
    with acting_as(user_admin, command="uji-bulk"):
        inserted = insert_ignoring_conflicts(rows, key="number")
    assert set(inserted) == {200, 202}
    assert [row.pk is not None and not row._state.adding for row in rows] == [True, False, True]
    for row in (rows[0], rows[2]):
        assert RT.objects.get(pk=row.pk).number == row.number
        (event,) = events_for(row)
        assert event.pgh_label == "insert"
        assert event.pgh_context["user"] == user_admin.pk


def test_insert_ignoring_conflicts_refuses_rows_it_could_not_tell_apart(keramasan):
    with pytest.raises(ValueError, match="number"):
        insert_ignoring_conflicts(
            [RT(kelurahan=keramasan, number=5, rw=1), RT(kelurahan=keramasan, number=5, rw=2)], key="number"
        )
