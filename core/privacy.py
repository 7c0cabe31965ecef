"""What the privacy notice promises (UU PDP): purposes, legal bases and retention periods, in one place.

The retention task of each app reads its period from here, so the notice and the behaviour cannot drift.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NOTICE_VERSION = "2026-11"


@dataclass(frozen=True)
class Retention:
    key: str
    record: str
    years: int
    after: str


RETENTION = [
    Retention(
        "registry_inactive",
        _("Data keluarga dan anggota yang sudah dinonaktifkan (pindah, meninggal, ganda)"),
        5,
        _("sejak dinonaktifkan; setelah itu nama, NIK, tanggal lahir dan alamat dianonimkan"),
    ),
    Retention(
        "grievance_closed",
        _("Identitas dan kontak pelapor pengaduan"),
        2,
        _("sejak pengaduan selesai atau ditolak; isi pengaduan disimpan tanpa identitas"),
    ),
    Retention(
        "support_case_closed",
        _("Catatan dukungan psikososial anak"),
        5,
        _("sejak kasus ditutup, atau sampai anak berusia 21 tahun bila lebih lama"),
    ),
    Retention(
        "import_files",
        _("Berkas impor data keluarga (spreadsheet) dan baris pratinjaunya"),
        1,
        _("sejak impor disimpan, dibatalkan atau terakhir diubah; catatan siapa mengimpor dan jumlahnya tetap"),
    ),
    Retention("delivery_photo", _("Foto bukti penyerahan bantuan"), 2, _("sejak putaran penyaluran ditutup")),
    Retention("audit_event", _("Catatan audit keamanan"), 5, _("sejak kejadian")),
]

PURPOSES = [
    (
        _("Pendataan dan pemutakhiran registri kesejahteraan sosial"),
        _("pelaksanaan tugas pelayanan publik kecamatan (UU PDP Pasal 20 ayat (2) huruf e)"),
    ),
    (
        _("Program pemberdayaan (pelatihan, pendampingan usaha)"),
        _("tugas pelayanan publik; persetujuan peserta untuk foto dan hasil usaha"),
    ),
    (
        _("Penyaluran bantuan oleh lembaga sosial"),
        _("persetujuan keluarga penerima, atau perjanjian pemrosesan dengan kecamatan (Pasal 51)"),
    ),
    (_("Dukungan psikososial anak dan remaja"), _("persetujuan orang tua/wali (Pasal 25)")),
    (_("Laporan dan perencanaan (statistik tanpa identitas)"), _("tugas pelayanan publik")),
]
