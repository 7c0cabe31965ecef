"""The registry's editable fields: one definition per model, from which everything else is derived.

Each entry names a model field and says how it travels: its column in the import template and the export
(`header`; empty = not in files), whether an import row needs it (`required`), what the template's "petunjuk"
sheet says about it (`description`; code lists describe themselves from the model's choices), which section of
the household form shows it, whether a change request (grievances) may correct it, and whether it is specific
personal data (UU PDP Pasal 4). Derived from these lists, and nowhere else written down:

- the services' allowed keys in `data` (`HOUSEHOLD_EDITABLE`, `MEMBER_EDITABLE`, `SENSITIVE_FIELDS`);
- the forms' `fields` and the household form's sections (`beneficiaries/forms.py`);
- the change-request fields (`grievances/changes.py`);
- the import template's columns and the staging table's columns (`beneficiaries/services/importing/columns.py`,
  `ImportRow`);
- the export's columns (`beneficiaries/exporting.py`), which are the import's, so an export re-imports.

`tests/beneficiaries/test_fields.py` checks that they agree. This module imports no model, so that the models
module can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EditableField:
    name: str
    header: str = ""
    required: bool = False
    description: str = ""
    section: str = ""
    correctable: bool = True
    sensitive: bool = False
    #: In the file, the columns that identify the family come before the member columns, the family's other
    #: details after them (the first template's order, which older files and tools follow).
    before_members: bool = False


# Sections of the household form, in order: (key, title, collapsed?). The assets and location section starts
# folded on every screen: it is long, and most visits change nothing in it.
IDENTITY, WELFARE, HOUSING, ASSETS = "identity", "welfare", "housing", "assets"
HOUSEHOLD_SECTIONS = [
    (IDENTITY, _("Kartu Keluarga dan alamat"), False),
    (WELFARE, _("Status kesejahteraan (data impor BPS/Dinsos)"), False),
    (HOUSING, _("Perumahan"), False),
    (ASSETS, _("Aset dan lokasi"), True),
]

_F = EditableField
# Welfare status (desil, DTKS/DTSEN) is an imported attribute with a source and a date (beneficiaries/models.py):
# the portal never computes it, and a change request never corrects it by hand.
HOUSEHOLD: tuple[EditableField, ...] = (
    _F("kk_number", "no_kk", True, "Nomor KK, 16 digit. Format kolom sebagai Teks.", IDENTITY, before_members=True),
    # The RT is written as three columns in files: kelurahan (name), rt (number), rw (number, checked).
    _F("rt", "rt", True, "Nomor RT (angka).", IDENTITY, before_members=True),
    _F("address", "alamat", True, "Jalan/lorong.", IDENTITY, before_members=True),
    _F("house_number", "no_rumah", False, "Nomor rumah.", IDENTITY, before_members=True),
    _F("desil", "desil", False, "1-10, dari data BPS/Dinsos.", WELFARE, correctable=False, before_members=True),
    _F(
        "is_in_dtks", "terdaftar_dtks", False, "ya atau tidak; kosong bila belum diketahui.", WELFARE, correctable=False
    ),
    _F(
        "is_in_dtsen",
        "terdaftar_dtsen",
        False,
        "ya atau tidak; kosong bila belum diketahui.",
        WELFARE,
        correctable=False,
    ),
    _F(
        "welfare_source",
        "sumber_data_kesejahteraan",
        False,
        "Asal data desil/DTKS, mis. DTSEN 2025.",
        WELFARE,
        correctable=False,
    ),
    _F("welfare_as_of", "tanggal_data_kesejahteraan", False, "DD-MM-YYYY.", WELFARE, correctable=False),
    _F("families_in_house", "jumlah_keluarga_serumah", False, "Angka; kosong berarti 1.", HOUSING),
    _F("home_ownership", "status_rumah", section=HOUSING),
    _F("land_proof", "bukti_lahan", section=HOUSING),
    _F("floor_area_m2", "luas_lantai_m2", False, "Angka, mis. 36 atau 36.5 (titik atau koma).", HOUSING),
    _F("floor_material", "lantai", section=HOUSING),
    _F("wall_material", "dinding", section=HOUSING),
    _F("roof_material", "atap", section=HOUSING),
    _F("drinking_water", "air_minum", section=HOUSING),
    _F("lighting", "penerangan", section=HOUSING),
    _F("installed_power", "daya_listrik", section=HOUSING),
    _F("cooking_fuel", "bahan_bakar_memasak", section=HOUSING),
    _F("toilet_facility", "fasilitas_bab", section=HOUSING),
    _F("toilet_type", "jenis_kloset", section=HOUSING),
    _F("faeces_disposal", "pembuangan_tinja", section=HOUSING),
    # The 18 Regsosek assets, as counts (kosong = 0).
    _F("asset_lpg_5kg", "aset_tabung_gas", False, "Jumlah tabung gas 5,5 kg atau lebih; kosong berarti 0.", ASSETS),
    _F("asset_fridge", "aset_lemari_es", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_ac", "aset_ac", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_water_heater", "aset_pemanas_air", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_landline", "aset_telepon_rumah", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_tv", "aset_televisi", False, "Jumlah televisi layar datar ≥30 inci; kosong berarti 0.", ASSETS),
    _F("asset_gold_grams", "aset_emas_gram", False, "Gram emas/perhiasan; kosong berarti 0.", ASSETS),
    _F("asset_computer", "aset_komputer", False, "Jumlah komputer/laptop/tablet; kosong berarti 0.", ASSETS),
    _F("asset_motorbike", "aset_sepeda_motor", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_bicycle", "aset_sepeda", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_car", "aset_mobil", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_boat", "aset_perahu", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_motorboat", "aset_perahu_motor", False, "Jumlah; kosong berarti 0.", ASSETS),
    _F("asset_smartphone", "aset_smartphone", False, "Jumlah telepon seluler/smartphone; kosong berarti 0.", ASSETS),
    _F("asset_land_ha", "aset_lahan_ha", False, "Hektare, mis. 0.25 (titik atau koma); kosong berarti 0.", ASSETS),
    _F("asset_other_house", "aset_rumah_lain", False, "Jumlah rumah di tempat lain; kosong berarti 0.", ASSETS),
    _F("asset_large_livestock", "aset_ternak_besar", False, "Sapi/kerbau/kuda; kosong berarti 0.", ASSETS),
    _F("asset_small_livestock", "aset_ternak_kecil", False, "Kambing/domba/babi; kosong berarti 0.", ASSETS),
    _F(
        "latitude",
        "lintang",
        False,
        "Lintang GPS, derajat desimal (-90 s.d. 90), mis. -2.9934; isi bersama bujur.",
        ASSETS,
    ),
    _F(
        "longitude",
        "bujur",
        False,
        "Bujur GPS, derajat desimal (-180 s.d. 180), mis. 104.7431; isi bersama lintang.",
        ASSETS,
    ),
)

# The NIK-missing reason goes with the NIK (setting a NIK clears it), so it is corrected on the edit screen, not
# by a change request; specific personal data stays on the edit screen (view_sensitive) and out of every file.
MEMBER: tuple[EditableField, ...] = (
    _F("nik", "nik", False, "NIK, 16 digit. Format kolom sebagai Teks. Kosong hanya jika alasan_tanpa_nik diisi."),
    _F(
        "nik_missing_reason",
        "alasan_tanpa_nik",
        False,
        "Kode alasan belum ada NIK: 1 bayi baru lahir, 2 tidak punya dokumen, 3 sedang diproses, 4 lainnya.",
        correctable=False,
    ),
    _F("full_name", "nama_lengkap", True, "Nama sesuai KK."),
    _F("sex", "jenis_kelamin", True, "L atau P."),
    _F("birth_place", "tempat_lahir", False, "Tempat lahir."),
    _F("birth_date", "tanggal_lahir", True, "DD-MM-YYYY, DD/MM/YYYY atau YYYY-MM-DD."),
    _F("relationship", "hubungan", True, "Kode SHDK (1 Kepala Keluarga, 3 Istri, 4 Anak, ...) atau namanya."),
    _F("marital_status", "status_kawin", False, "Kode atau nama (Belum kawin, Kawin, Cerai hidup, Cerai mati)."),
    _F("religion", "agama", False, "Kode atau nama."),
    _F("education", "pendidikan", False, "Kode pendidikan dalam KK (1-10) atau namanya."),
    _F(
        "school_participation",
        "partisipasi_sekolah",
        False,
        "1 tidak/belum pernah, 2 masih sekolah, 3 tidak bersekolah lagi.",
    ),
    _F("occupation", "pekerjaan", False, "Kode pekerjaan Dukcapil atau namanya."),
    _F("disability", sensitive=True, correctable=False),
    _F("chronic_illness", sensitive=True, correctable=False),
)
del _F

HOUSEHOLD_EDITABLE: list[str] = [f.name for f in HOUSEHOLD]
MEMBER_EDITABLE: list[str] = [f.name for f in MEMBER]
SENSITIVE_FIELDS: tuple[str, ...] = tuple(f.name for f in MEMBER if f.sensitive)
HOUSEHOLD_CORRECTABLE: list[str] = [f.name for f in HOUSEHOLD if f.correctable and not f.sensitive]
MEMBER_CORRECTABLE: list[str] = [f.name for f in MEMBER if f.correctable and not f.sensitive]
# The household fields after the member columns in a file: the ones the staging table gets from `ImportRow`'s
# generated columns and the import parses by their model field's type.
HOUSEHOLD_DETAILS: tuple[EditableField, ...] = tuple(f for f in HOUSEHOLD if f.header and not f.before_members)


def household_section(section: str) -> list[str]:
    return [f.name for f in HOUSEHOLD if f.section == section]
