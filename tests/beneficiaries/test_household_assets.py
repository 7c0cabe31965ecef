"""B8: the 18 Regsosek assets and the household GPS can be set in the household form and by import."""

import csv
import decimal
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries import choices
from beneficiaries.models import Household
from beneficiaries.services import importing
from tests.beneficiaries.conftest import member_data
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_kk, make_nik

pytestmark = pytest.mark.django_db

CREATE = reverse("beneficiaries:household_create")


def form_post(rt, **household):
    m = member_data(1)
    return {
        "kk_number": "1671130101200005",
        "rt": rt.pk,
        "address": "Jl. Uji Aset",
        "anggota-TOTAL_FORMS": "1",
        "anggota-INITIAL_FORMS": "0",
        "anggota-0-nik": m["nik"],
        "anggota-0-full_name": m["full_name"],
        "anggota-0-sex": m["sex"],
        "anggota-0-birth_date": m["birth_date"].isoformat(),
        "anggota-0-relationship": m["relationship"],
        **household,
    }


def test_form_has_a_folded_assets_and_location_section(client_for, user_kelurahan, rt_keramasan):
    content = client_for(user_kelurahan).get(CREATE).content.decode()
    assert 'data-testid="assets-section"' in content
    assert 'id="household-assets"' in content
    assert 'class="collapse" id="household-assets"' in content
    for name in ("asset_motorbike", "asset_gold_grams", "asset_land_ha", "latitude", "longitude"):
        assert f'id="id_{name}"' in content
    assert 'inputmode="decimal"' in content  # GPS and hectares: a phone shows the number keyboard
    assert "household_location.js" in content


def test_form_saves_assets_and_gps_typed_with_a_comma_and_many_decimals(client_for, user_kelurahan, rt_keramasan):
    response = client_for(user_kelurahan).post(
        CREATE,
        form_post(
            rt_keramasan,
            asset_motorbike="2",
            asset_smartphone="3",
            asset_land_ha="0,25",
            latitude="-2,99341234",
            longitude="104.74319876",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get()
    assert (household.asset_motorbike, household.asset_smartphone, household.asset_fridge) == (2, 3, 0)
    assert household.asset_land_ha == decimal.Decimal("0.25")
    assert household.latitude == decimal.Decimal("-2.993412")
    assert household.longitude == decimal.Decimal("104.743199")


def test_form_refuses_gps_out_of_range_or_alone_and_opens_the_section(client_for, user_kelurahan, rt_keramasan):
    client = client_for(user_kelurahan)
    response = client.post(CREATE, form_post(rt_keramasan, latitude="95", longitude="104.7"))
    content = response.content.decode()
    assert response.status_code == 200
    assert not Household.objects.exists()
    assert "Lintang harus antara -90 dan 90 derajat." in content
    assert 'class="collapse show" id="household-assets"' in content
    response = client.post(CREATE, form_post(rt_keramasan, latitude="-2.99"))
    assert "isi lintang dan bujur bersama-sama" in response.content.decode()
    response = client.post(CREATE, form_post(rt_keramasan, asset_car="-1"))
    assert response.status_code == 200
    assert not Household.objects.exists()


# --- Import ------------------------------------------------------------------------------------------------

HEADER = [h for h, _r, _d in importing.COLUMNS.values()]


def csv_file(rows: list[dict], header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buffer.getvalue().encode()


def base_row(n=1, **extra) -> dict:
    import datetime

    row = {
        "no_kk": make_kk(6100 + n),
        "kelurahan": "Keramasan",
        "rt": "1",
        "rw": "1",
        "alamat": "Jl. Impor Aset",
        "nik": make_nik(6100 + n, birth_date=datetime.date(1985, 6, 15), female=False),
        "nama_lengkap": f"Warga Aset {n}",
        "jenis_kelamin": "L",
        "tanggal_lahir": "15-06-1985",
        "hubungan": "1",
    }
    row.update(extra)
    return row


def run(actor, data):
    batch = importing.import_batch_create(actor=actor, uploaded_file=SimpleUploadedFile("aset.csv", data))
    return importing.import_batch_validate(batch_id=batch.pk)


def errors_of(batch):
    return {r.row_number: r.errors for r in batch.rows.filter(is_accepted=False)}


def test_import_sets_assets_gps_housing_and_welfare_columns(user_kelurahan, rt_keramasan):
    row = base_row(
        aset_sepeda_motor="2",
        aset_lahan_ha="0,5",
        aset_emas_gram="10",
        lintang="-2.9934",
        bujur="104,7431",
        status_rumah="Milik sendiri",
        daya_listrik="900",
        terdaftar_dtks="ya",
        terdaftar_dtsen="tidak",
        tanggal_data_kesejahteraan="01-03-2025",
        jumlah_keluarga_serumah="2",
    )
    batch = run(user_kelurahan, csv_file([row]))
    assert batch.accepted_rows == 1, errors_of(batch)
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    household = Household.objects.get()
    assert (household.asset_motorbike, household.asset_gold_grams, household.asset_car) == (2, 10, 0)
    assert household.asset_land_ha == decimal.Decimal("0.5")
    assert (household.latitude, household.longitude) == (decimal.Decimal("-2.9934"), decimal.Decimal("104.7431"))
    assert household.home_ownership == choices.HomeOwnership.OWN
    assert household.installed_power == choices.InstalledPower.VA_900
    assert (household.is_in_dtks, household.is_in_dtsen, household.families_in_house) == (True, False, 2)
    assert household.welfare_as_of.isoformat() == "2025-03-01"


def test_import_rejects_bad_asset_and_gps_cells_naming_the_column(user_kelurahan, rt_keramasan):
    rows = [
        base_row(1, lintang="-95", bujur="104.7"),
        base_row(2, lintang="-2.99"),
        base_row(3, aset_mobil="dua"),
        base_row(4, terdaftar_dtks="mungkin"),
        base_row(5, status_rumah="istana"),
    ]
    errors = errors_of(run(user_kelurahan, csv_file(rows)))
    assert errors[2][0]["column"] == "lintang"
    assert "antara -90 dan 90" in errors[2][0]["message"]
    assert errors[3][0]["column"] == "bujur"
    assert "bersama-sama" in errors[3][0]["message"]
    assert errors[4][0]["column"] == "aset_mobil"
    assert "harus angka" in errors[4][0]["message"]
    assert errors[5][0]["column"] == "terdaftar_dtks"
    assert "ya atau tidak" in errors[5][0]["message"]
    assert errors[6][0]["column"] == "status_rumah"
    assert "daftar kode" in errors[6][0]["message"]


def test_a_column_the_file_does_not_have_leaves_the_registry_value(user_kelurahan, rt_keramasan):
    """An older template (no asset, GPS or desil columns) updates what it has and clears nothing else."""
    household = HouseholdFactory(
        kelurahan=rt_keramasan.kelurahan,
        rt=rt_keramasan,
        desil=3,
        asset_motorbike=2,
        latitude=decimal.Decimal("-2.9934"),
        longitude=decimal.Decimal("104.7431"),
    )
    head = MemberFactory(household=household, education=choices.Education.PRIMARY)
    old_header = [h for h in HEADER if h in ("no_kk", "kelurahan", "rt", "alamat", "nik", "nama_lengkap",
                                               "jenis_kelamin", "tanggal_lahir", "hubungan")]  # fmt: skip
    row = {
        "no_kk": household.kk_number,
        "kelurahan": "Keramasan",
        "rt": "1",
        "alamat": "Jl. Alamat Baru",
        "nik": head.nik,
        "nama_lengkap": head.full_name,
        "jenis_kelamin": "L",
        "tanggal_lahir": head.birth_date.strftime("%d-%m-%Y"),
        "hubungan": "1",
    }
    batch = run(user_kelurahan, csv_file([row], header=old_header))
    assert (batch.households_updated, batch.unchanged_rows) == (1, 1), errors_of(batch)
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    household.refresh_from_db()
    head.refresh_from_db()
    assert household.address == "Jl. Alamat Baru"
    assert (household.desil, household.asset_motorbike, household.latitude) == (3, 2, decimal.Decimal("-2.9934"))
    assert head.education == choices.Education.PRIMARY
    assert head.marital_status == choices.MaritalStatus.MARRIED


def test_template_has_the_asset_columns_and_explains_code_lists(client_for, user_kelurahan):
    response = client_for(user_kelurahan).get(reverse("beneficiaries:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["data"][1]] == HEADER
    notes = {row[0]: row[2] for row in workbook["petunjuk"].iter_rows(min_row=2, values_only=True)}
    assert "aset_sepeda_motor" in notes
    assert "lintang" in notes
    assert "bujur" in notes
    assert notes["status_rumah"].startswith("Kode atau nama: 1 Milik sendiri")
    # The example rows fill in every required column and read back without an error.
    example = [[c.value or "" for c in row] for row in workbook["data"].iter_rows(min_row=2, max_row=3)]
    assert all(example[0][HEADER.index(h)] for h, required, _d in importing.COLUMNS.values() if required)
