"""Report figures laid out as tables (title, columns, rows): one layout for the page, XLSX, CSV and PDF."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    #: the value columns to chart (indexes into columns), None for no chart
    chart: tuple[int, ...] | None = None
    note: str = ""
    #: trailing summary rows (totals), left out of charts
    footer: int = 0
    #: indexes of columns holding Rupiah amounts (shown as Rp1.250.000 on the page and in the PDF)
    money: tuple[int, ...] = ()

    @property
    def body(self) -> list[list]:
        return self.rows[: len(self.rows) - self.footer] if self.footer else self.rows


def _per_kelurahan(key, title, section, columns: list[tuple[str, str]], *, chart=None, note="") -> Table:
    """One row per kelurahan plus a total row, for the `(field, heading)` pairs given."""
    table = Table(key, title, [_("Kelurahan")] + [heading for _f, heading in columns], chart=chart, note=note)
    for row in section["rows"]:
        table.rows.append([row["name"]] + [row.get(f) for f, _h in columns])
    if len(section["rows"]) > 1:
        table.rows.append([_("Kecamatan (jumlah)")] + [section["total"].get(f) for f, _h in columns])
        table.footer = 1
    return table


def _breakdown(key, title, section, labels: list[list[str]]) -> Table:
    """The kecamatan total broken down by one attribute: rows are the categories, columns the kelurahan."""
    names = [row["name"] for row in section["rows"]]
    multi = len(names) > 1
    table = Table(
        key, title, [_("Kategori")] + names + ([_("Jumlah")] if multi else []), chart=(len(names) + int(multi),)
    )
    for field_key, label in labels:
        values = [row.get(field_key, 0) for row in section["rows"]]
        table.rows.append([label] + values + ([section["total"].get(field_key, 0)] if multi else []))
    return table


def build_tables(figures: dict) -> list[Table]:
    sections = figures.get("sections", {})
    labels = figures.get("labels", {})
    tables: list[Table] = []

    def available(key):
        section = sections.get(key)
        return section if section and section.get("available") else None

    if section := available("households"):
        tables.append(
            _per_kelurahan(
                "keluarga",
                _("Keluarga terdaftar"),
                section,
                [
                    ("active", _("Terdaftar aktif")),
                    ("new", _("Baru bulan ini")),
                    ("changed", _("Diubah bulan ini")),
                    ("removed", _("Dinonaktifkan bulan ini")),
                    ("dtks", _("Terdaftar DTKS")),
                    ("desil_1_4", _("Desil 1–4")),
                ],
                chart=(1,),
                note=_(
                    "Terdaftar aktif: keadaan saat laporan dihitung. Baru, diubah dan dinonaktifkan: selama periode."
                ),
            )
        )
        tables.append(_breakdown("desil", _("Keluarga aktif per desil"), section, labels.get("desil", [])))
    if section := available("members"):
        tables.append(
            _per_kelurahan(
                "anggota",
                _("Anggota keluarga"),
                section,
                [
                    ("active", _("Terdaftar aktif")),
                    ("new", _("Baru bulan ini")),
                    ("removed", _("Dinonaktifkan bulan ini")),
                    ("male", _("Laki-laki")),
                    ("female", _("Perempuan")),
                    ("disabled", _("Penyandang disabilitas")),
                ],
            )
        )
        tables.append(_breakdown("umur", _("Anggota per kelompok umur"), section, labels.get("age", [])))
        tables.append(
            _breakdown("pendidikan", _("Anggota per pendidikan terakhir"), section, labels.get("education", []))
        )
        tables.append(
            _breakdown("disabilitas", _("Anggota per jenis disabilitas"), section, labels.get("disability", []))
        )
        tables.append(
            _per_kelurahan(
                "tantangan_pendidikan",
                _("Tantangan pendidikan"),
                section,
                [
                    ("school_age", _("Anak usia 7–18")),
                    ("school_in", _("Masih sekolah")),
                    ("school_not", _("Tidak/putus sekolah")),
                    ("school_unknown", _("Partisipasi belum didata")),
                    ("adults", _("Dewasa (19+)")),
                    ("adults_no_primary", _("Dewasa tidak tamat SD")),
                ],
                chart=(3,),
                note=_(
                    "Usia dihitung pada akhir periode. Tidak/putus sekolah: tidak/belum pernah sekolah atau tidak bersekolah lagi."
                ),
            )
        )
    if section := available("programs"):
        tables.append(
            _per_kelurahan(
                "program",
                _("Program pemberdayaan"),
                section,
                [
                    ("enrolled_new", _("Pendaftaran baru")),
                    ("participating", _("Sedang mengikuti")),
                    ("completed", _("Lulus bulan ini")),
                    ("not_completed", _("Tidak lulus/keluar")),
                    ("outcomes", _("Tindak lanjut didata")),
                    ("working", _("Bekerja")),
                    ("business", _("Memulai usaha")),
                    ("online", _("Berjualan daring")),
                ],
                note=_('"Sedang mengikuti" adalah status pada saat laporan dibuat.'),
            )
        )
    if section := available("aid_coordination"):
        tables.append(
            _per_kelurahan(
                "koordinasi",
                _("Cakupan dan koordinasi sembako"),
                section,
                [
                    ("served", _("Keluarga menerima bulan ini")),
                    ("target", _("Keluarga desil 1–4")),
                    ("target_served", _("Desil 1–4 menerima")),
                    ("coverage_pct", _("Cakupan desil 1–4 (%)")),
                    ("multi_served", _("Dilayani >1 lembaga")),
                    ("not_reached", _("Desil 1–4 tidak terjangkau 3 bulan")),
                ],
                chart=(3,),
            )
        )
    if section := available("aid_institutions"):
        table = Table(
            "lembaga",
            _("Sembako tersalurkan per lembaga"),
            [_("Lembaga"), _("Penyerahan"), _("Keluarga"), _("Putaran")],
            chart=(1,),
        )
        for row in section["rows"]:
            table.rows.append([row["name"], row["deliveries"], row["households"], row["rounds"]])
        table.rows.append([_("Jumlah"), section["total"]["deliveries"], None, section["total"]["rounds"]])
        table.footer = 1
        tables.append(table)
    if section := available("support"):
        tables.append(
            _per_kelurahan(
                "pendampingan",
                _("Pendampingan psikososial (jumlah kasus)"),
                section,
                [("opened", _("Dibuka")), ("closed", _("Ditutup")), ("open_at_end", _("Aktif akhir bulan"))],
            )
        )
    if section := available("infrastructure"):
        from infrastructure.models import ProjectStatus

        tables.append(
            _per_kelurahan(
                "infrastruktur",
                _("Proyek infrastruktur"),
                section,
                [(f"status_{value}", str(label)) for value, label in ProjectStatus.choices]
                + [
                    ("projects", _("Jumlah proyek")),
                    ("budget", _("Pagu (Rp)")),
                    ("spent", _("Realisasi (Rp)")),
                    ("spent_pct", _("Realisasi (%)")),
                    ("overdue", _("Melewati rencana selesai")),
                ],
                note=_("Proyek yang melayani beberapa kelurahan dihitung sekali pada jumlah kecamatan."),
            )
        )
        columns = tables[-1].columns
        tables[-1].money = (columns.index(_("Pagu (Rp)")), columns.index(_("Realisasi (Rp)")))
    if section := available("grievances"):
        tables.append(
            _per_kelurahan(
                "pengaduan",
                _("Pengaduan diterima"),
                section,
                [("total", _("Diterima")), ("open", _("Belum selesai")), ("overdue", _("Melewati batas waktu"))],
            )
        )
        category = Table("pengaduan_kategori", _("Pengaduan per kategori"), [_("Kategori"), _("Jumlah")], chart=(1,))
        category.rows = [[r["label"], r["count"]] for r in section["by_category"]]
        tables.append(category)
        status = Table("pengaduan_status", _("Pengaduan per status"), [_("Status"), _("Jumlah")])
        status.rows = [[r["label"], r["count"]] for r in section["by_status"]]
        avg = section["total"]["avg_days_to_resolve"]
        status.rows.append([_("Rata-rata hari penyelesaian"), avg if avg is not None else "–"])
        status.footer = 1
        tables.append(status)
    return tables


def unavailable_sections(figures: dict) -> list[dict]:
    return [s for s in figures.get("sections", {}).values() if not s.get("available")]
