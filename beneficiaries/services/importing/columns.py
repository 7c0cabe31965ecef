"""The columns of the import template: headers, which are required, and the keys they fill."""

from __future__ import annotations

from beneficiaries import choices

# Column key -> (header in the template, required, description for the template's second sheet)
COLUMNS: dict[str, tuple[str, bool, str]] = {
    "kk_number": ("no_kk", True, "Nomor KK, 16 digit. Format kolom sebagai Teks."),
    "kelurahan": ("kelurahan", True, "Nama kelurahan, mis. Keramasan."),
    "rt": ("rt", True, "Nomor RT (angka)."),
    "rw": ("rw", False, "Nomor RW (angka); harus sama dengan RW tercatat untuk RT tersebut."),
    "address": ("alamat", True, "Jalan/lorong."),
    "house_number": ("no_rumah", False, "Nomor rumah."),
    "desil": ("desil", False, "1-10, dari data BPS/Dinsos."),
    "nik": ("nik", False, "NIK, 16 digit. Format kolom sebagai Teks. Kosong hanya jika alasan_tanpa_nik diisi."),
    "nik_missing_reason": (
        "alasan_tanpa_nik",
        False,
        "Kode alasan belum ada NIK: 1 bayi baru lahir, 2 tidak punya dokumen, 3 sedang diproses, 4 lainnya.",
    ),
    "full_name": ("nama_lengkap", True, "Nama sesuai KK."),
    "sex": ("jenis_kelamin", True, "L atau P."),
    "birth_place": ("tempat_lahir", False, "Tempat lahir."),
    "birth_date": ("tanggal_lahir", True, "DD-MM-YYYY, DD/MM/YYYY atau YYYY-MM-DD."),
    "relationship": ("hubungan", True, "Kode SHDK (1 Kepala Keluarga, 3 Istri, 4 Anak, ...) atau namanya."),
    "marital_status": ("status_kawin", False, "Kode atau nama (Belum kawin, Kawin, Cerai hidup, Cerai mati)."),
    "religion": ("agama", False, "Kode atau nama."),
    "education": ("pendidikan", False, "Kode pendidikan dalam KK (1-10) atau namanya."),
    "school_participation": (
        "partisipasi_sekolah",
        False,
        "1 tidak/belum pernah, 2 masih sekolah, 3 tidak bersekolah lagi.",
    ),
    "occupation": ("pekerjaan", False, "Kode pekerjaan Dukcapil atau namanya."),
}
HEADER_TO_KEY = {header: key for key, (header, _req, _desc) in COLUMNS.items()}
HOUSEHOLD_KEYS = ("kelurahan_id", "rt_id", "address", "house_number", "desil")
MEMBER_KEYS = (
    "nik",
    "nik_missing_reason",
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "relationship",
    "marital_status",
    "religion",
    "education",
    "school_participation",
    "occupation",
)
CODE_LISTS = {
    "relationship": choices.Relationship,
    "marital_status": choices.MaritalStatus,
    "religion": choices.Religion,
    "education": choices.Education,
    "school_participation": choices.SchoolParticipation,
    "occupation": choices.Occupation,
    "nik_missing_reason": choices.NikMissingReason,
}

HOUSEHOLD_COLUMNS = ("kelurahan", "rt", "rw", "address", "house_number", "desil")
REQUIRED = tuple((key, header) for key, (header, required, _desc) in COLUMNS.items() if required)
REQUIRED_KEYS = frozenset(key for key, _header in REQUIRED)
CELL_KEYS = ("sex", "birth_date", *CODE_LISTS)  # parsed once per distinct cell value (_RowParser)
# The staging row (ImportRow) as written by the validation: the registry values of the row, typed.
STAGED_KEYS = (*HOUSEHOLD_KEYS, *(key for key in MEMBER_KEYS if key != "nik"))
STAGED_COLUMNS = ["batch_id", "row_number", "kk_number", "nik", "errors", "is_accepted", *STAGED_KEYS]
TEXT_LIMITS = {"address": 200, "house_number": 20, "full_name": 150, "birth_place": 100}
