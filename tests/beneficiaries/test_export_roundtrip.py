"""B5: the registry export is the import template, so export -> correct a cell -> import changes that cell only.
B3 (sharing): households that withdrew their consent to sharing data are left out of the export, and it says so.
"""

import csv
import datetime
import decimal
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries import choices, selectors
from beneficiaries.models import Consent, Household, ImportBatch, Member
from beneficiaries.services import importing
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_nik

pytestmark = pytest.mark.django_db

EXPORT = reverse("beneficiaries:household_export")
HEADER = [h for h, _r, _d in importing.COLUMNS.values()]


@pytest.fixture
def registry(rt_keramasan):
    """Two families with every kind of cell: codes, yes/no, dates, decimals, GPS, a member without NIK, text a
    spreadsheet would run as a formula, quotes and commas."""
    kelurahan = rt_keramasan.kelurahan
    rich = HouseholdFactory(
        kelurahan=kelurahan,
        rt=rt_keramasan,
        address='+62 Jl. Rumus, Lr. "Damai"',
        house_number="12A",
        desil=3,
        is_in_dtks=True,
        is_in_dtsen=False,
        welfare_source="=DTSEN 2025",
        welfare_as_of=datetime.date(2025, 3, 1),
        families_in_house=2,
        home_ownership=choices.HomeOwnership.RENT,
        floor_area_m2=decimal.Decimal("36.5"),
        installed_power=choices.InstalledPower.VA_1300,
        asset_motorbike=2,
        asset_gold_grams=15,
        asset_land_ha=decimal.Decimal("0.25"),
        latitude=decimal.Decimal("-2.993412"),
        longitude=decimal.Decimal("104.743199"),
    )
    MemberFactory(household=rich, full_name="Budi Santoso", education=choices.Education.PRIMARY)
    MemberFactory(
        household=rich,
        full_name="Siti Aminah",
        female=True,
        relationship=choices.Relationship.WIFE,
        birth_date=datetime.date(1988, 2, 3),
        birth_place="",
    )
    MemberFactory(
        household=rich,
        full_name='Putri "Ana", Kecil',
        female=True,
        nik=None,
        nik_missing_reason=choices.NikMissingReason.NEWBORN,
        relationship=choices.Relationship.CHILD,
        birth_date=datetime.date(2025, 11, 2),
        marital_status=choices.MaritalStatus.SINGLE,
        education=None,
        occupation=None,
    )
    plain = HouseholdFactory(kelurahan=kelurahan, rt=rt_keramasan, desil=None)
    MemberFactory(household=plain, full_name="Rahmat Hidayat", birth_date=datetime.date(1979, 7, 9))
    return rich, plain


def snapshot() -> dict:
    skip = {"created_at", "updated_at"}
    rows = {}
    for obj in [*Household.objects.all(), *Member.objects.all()]:
        for name, value in model_to_dict(obj).items():
            if name not in skip:
                rows[(type(obj).__name__, obj.pk, name)] = value
    return rows


def changes_between(before: dict, after: dict) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def export(client, fmt, **extra):
    response = client.post(EXPORT, {"format": fmt, **extra})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def import_file(actor, data: bytes, name: str) -> ImportBatch:
    batch = importing.import_batch_create(actor=actor, uploaded_file=SimpleUploadedFile(name, data))
    return importing.import_batch_validate(batch_id=batch.pk)


def errors_of(batch):
    return {r.row_number: [e["message"] for e in r.errors] for r in batch.rows.filter(is_accepted=False)}


def plan_of(batch) -> dict:
    keys = ("households_created", "households_updated", "members_created", "members_updated", "unchanged_rows")
    return {key: getattr(batch, key) for key in keys}


def test_full_csv_export_corrected_and_reimported_changes_only_the_corrected_cell(client_for, user_kecamatan, registry):
    rich, _plain = registry
    before = snapshot()
    body = export(client_for(user_kecamatan), "csv", reveal="on").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    notes = [r for r in rows if r and r[0].startswith("#")]
    assert any("dapat diperbaiki lalu diimpor ulang" in n[0] for n in notes)
    header_at = len(notes)
    assert rows[header_at] == HEADER
    data = rows[header_at + 1 :]
    assert len(data) == 4
    # Cells as the import reads them: codes, L/P, DD-MM-YYYY, ya/tidak, decimals with a point, the neutralised text.
    cell = {h: data[0][HEADER.index(h)] for h in HEADER}
    assert (cell["jenis_kelamin"], cell["hubungan"], cell["tanggal_lahir"]) == ("L", "1", "15-06-1985")
    assert (cell["terdaftar_dtks"], cell["terdaftar_dtsen"], cell["tanggal_data_kesejahteraan"]) == (
        "ya",
        "tidak",
        "01-03-2025",
    )
    assert (cell["lintang"], cell["bujur"], cell["aset_lahan_ha"], cell["status_rumah"]) == (
        "-2.993412",
        "104.743199",
        "0.25",
        str(choices.HomeOwnership.RENT.value),
    )
    assert cell["alamat"].startswith("'+62")
    assert cell["sumber_data_kesejahteraan"] == "'=DTSEN 2025"
    # Correct one name, as someone would in a spreadsheet, and save the file again (notes and all).
    wife = rich.members.get(relationship=choices.Relationship.WIFE)
    target = next(r for r in data if r[HEADER.index("nama_lengkap")] == "Siti Aminah")
    target[HEADER.index("nama_lengkap")] = "Siti Aminah Putri"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    batch = import_file(user_kecamatan, buffer.getvalue().encode("utf-8-sig"), "koreksi.csv")  # dry run
    assert batch.status == ImportBatch.Status.VALIDATED, errors_of(batch)
    assert batch.rejected_rows == 0, errors_of(batch)
    assert plan_of(batch) == {
        "households_created": 0,
        "households_updated": 0,
        "members_created": 0,
        "members_updated": 1,
        "unchanged_rows": 3,
    }
    assert changes_between(before, snapshot()) == set()  # validating changed nothing
    batch = importing.import_batch_commit(actor=user_kecamatan, batch=batch)
    assert changes_between(before, snapshot()) == {("Member", wife.pk, "full_name")}
    wife.refresh_from_db()
    assert wife.full_name == "Siti Aminah Putri"


def test_full_xlsx_export_corrected_and_reimported_changes_only_the_corrected_cell(
    client_for, user_kecamatan, registry
):
    rich, _plain = registry
    before = snapshot()
    workbook = load_workbook(io.BytesIO(export(client_for(user_kecamatan), "xlsx", reveal="on")))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert workbook.sheetnames[1:] == ["catatan", "petunjuk"]
    kk_column = HEADER.index("no_kk") + 1
    assert sheet.cell(row=2, column=kk_column).number_format == "@"  # retyped, a KK keeps its 16 digits
    # A family's detail is on each of its rows: correct it on all of them (the import checks they agree).
    car = HEADER.index("aset_mobil") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=kk_column).value == rich.kk_number:
            assert sheet.cell(row=row, column=car).value == "0"
            sheet.cell(row=row, column=car).value = "1"
    handle = io.BytesIO()
    workbook.save(handle)
    batch = import_file(user_kecamatan, handle.getvalue(), "koreksi.xlsx")
    assert batch.rejected_rows == 0, errors_of(batch)
    assert plan_of(batch) == {
        "households_created": 0,
        "households_updated": 1,
        "members_created": 0,
        "members_updated": 0,
        "unchanged_rows": 4,
    }
    importing.import_batch_commit(actor=user_kecamatan, batch=batch)
    assert changes_between(before, snapshot()) == {("Household", rich.pk, "asset_car")}


def test_masked_export_says_it_cannot_be_reimported_and_the_import_says_why(client_for, user_kelurahan, registry):
    client = client_for(user_kelurahan)
    body = export(client, "csv").decode("utf-8-sig")
    assert body.splitlines()[1].startswith("# NIK dan nomor KK tersamar: berkas ini TIDAK dapat diimpor ulang")
    workbook = load_workbook(io.BytesIO(export(client, "xlsx")))
    assert "TIDAK dapat diimpor ulang" in " ".join(str(c.value) for c in workbook["catatan"]["A"])
    batch = import_file(user_kelurahan, body.encode("utf-8-sig"), "tersamar.csv")
    assert batch.accepted_rows == 0
    errors = errors_of(batch)
    assert len(errors) == 4  # every row, each saying why
    assert all(any("berkas ekspor tersamar tidak dapat diimpor ulang" in m for m in ms) for ms in errors.values())
    # The list page says so next to the export buttons.
    page = client.get(reverse("beneficiaries:household_list")).content.decode()
    assert "tidak dapat diimpor ulang" in page


# --- B3: consent to sharing gates the export --------------------------------------------------------------------


def give(household, purpose, on, *, withdrawn=None):
    return Consent.objects.create(
        household=household,
        consenter_name="Kepala Keluarga",
        purpose=purpose,
        notice_version="2026-11",
        consented_on=on,
        withdrawn_on=withdrawn,
    )


def test_export_leaves_out_households_that_withdrew_sharing_consent_and_says_how_many(
    client_for, user_kecamatan, registry, rt_keramasan
):
    rich, plain = registry
    again = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=again, full_name="Dewi Lestari", female=True, birth_date=datetime.date(1990, 1, 1))
    day = datetime.date(2026, 1, 10)
    give(rich, choices.ConsentPurpose.SHARING, day, withdrawn=day + datetime.timedelta(days=5))  # withdrawn: out
    give(plain, choices.ConsentPurpose.REGISTRY, day, withdrawn=day)  # another purpose: still shared
    give(again, choices.ConsentPurpose.SHARING, day, withdrawn=day)  # withdrawn, then given again: shared
    give(again, choices.ConsentPurpose.SHARING, day + datetime.timedelta(days=1))
    client = client_for(user_kecamatan)
    body = export(client, "csv", reveal="on").decode("utf-8-sig")
    assert rich.kk_number not in body
    assert plain.kk_number in body
    assert again.kk_number in body
    note = "# 1 keluarga tidak ikut diekspor karena menarik persetujuan berbagi data dengan Dinas Sosial."
    assert note in body.splitlines()
    workbook = load_workbook(io.BytesIO(export(client, "xlsx", reveal="on")))
    kks = {row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert kks == {plain.kk_number, again.kk_number}
    assert note[2:] in [c.value for c in workbook["catatan"]["A"]]


def test_households_excluding_withdrawn_reads_the_latest_record_by_date_then_id(registry):
    rich, plain = registry
    day = datetime.date(2026, 1, 10)
    give(rich, choices.ConsentPurpose.SHARING, day)
    give(rich, choices.ConsentPurpose.SHARING, day, withdrawn=day)  # same day, recorded later: it decides
    give(plain, choices.ConsentPurpose.SHARING, day, withdrawn=day)
    give(plain, choices.ConsentPurpose.SHARING, day - datetime.timedelta(days=3))  # older: does not decide
    queryset = Household.objects.all()
    purpose = choices.ConsentPurpose.SHARING
    assert set(selectors.households_excluding_withdrawn(queryset, purpose=purpose)) == set()
    assert set(selectors.households_withdrawn(queryset, purpose=purpose)) == {rich, plain}
    assert set(selectors.households_excluding_withdrawn(queryset, purpose=choices.ConsentPurpose.AID)) == {rich, plain}


def test_a_newborns_nik_written_into_the_export_fills_in_that_member(client_for, user_kecamatan, registry):
    """The member without NIK is found by household, name and birth date even when the row now has a NIK, so
    the correction updates her (and clears the reason) instead of adding a second member."""
    rich, _plain = registry
    baby = rich.members.get(nik__isnull=True)
    before = snapshot()
    rows = list(csv.reader(io.StringIO(export(client_for(user_kecamatan), "csv", reveal="on").decode("utf-8-sig"))))
    target = next(r for r in rows if len(r) > 1 and r[HEADER.index("nama_lengkap")] == baby.full_name)
    assert target[HEADER.index("nik")] == ""
    assert target[HEADER.index("alasan_tanpa_nik")] == "1"
    new_nik = make_nik(8800, birth_date=baby.birth_date, female=True)
    target[HEADER.index("nik")] = new_nik  # the reason is left as it was: a NIK makes it moot
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    batch = import_file(user_kecamatan, buffer.getvalue().encode(), "nik-bayi.csv")
    assert batch.rejected_rows == 0, errors_of(batch)
    assert (batch.members_created, batch.members_updated, batch.unchanged_rows) == (0, 1, 3)
    importing.import_batch_commit(actor=user_kecamatan, batch=batch)
    assert changes_between(before, snapshot()) == {
        ("Member", baby.pk, "nik"),
        ("Member", baby.pk, "nik_missing_reason"),
    }
    baby.refresh_from_db()
    assert (baby.nik, baby.nik_missing_reason) == (new_nik, None)


def test_nik_and_its_missing_reason_are_one_pair_of_columns():
    household_keys, member_keys = importing.columns.present_keys(["kk_number", "kelurahan", "rt", "nik"])
    assert "nik_missing_reason" in member_keys
    assert "desil" not in household_keys
    assert importing.columns.present_keys([]) == (importing.HOUSEHOLD_KEYS, importing.MEMBER_KEYS)
