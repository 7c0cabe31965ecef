"""Exports: the (filtered) project list as XLSX, and a one-page project sheet as PDF."""

import io
from decimal import Decimal

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.spreadsheets import xlsx_cell


def _rp(value) -> str:
    return "Rp" + f"{int(value or 0):,}".replace(",", ".")


def projects_xlsx(projects) -> bytes:
    """`projects` come from `project_list` (with progress annotated and kelurahan prefetched)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Proyek infrastruktur"))
    headers = [
        _("No."),
        _("Nama proyek"),
        _("Jenis"),
        _("Status"),
        _("Tahun anggaran"),
        _("Kelurahan"),
        _("Sumber dana"),
        _("Pagu (Rp)"),
        _("Realisasi kumulatif (Rp)"),
        _("Progres fisik (%)"),
        _("Pelaksana"),
        _("Nomor kontrak"),
        _("Rencana mulai"),
        _("Rencana selesai"),
        _("Mulai aktual"),
        _("Selesai aktual"),
        _("Perkiraan KK terlayani"),
        _("Perlu perhatian"),
        _("Alasan"),
    ]
    widths = [5, 40, 14, 18, 10, 28, 16, 16, 16, 10, 28, 22, 12, 12, 12, 12, 10, 10, 50]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append(headers)
    for number, p in enumerate(projects, start=1):
        ws.append(
            [
                number,
                xlsx_cell(p.name),
                xlsx_cell(str(p.get_kind_display())),
                xlsx_cell(str(p.get_status_display())),
                p.fiscal_year,
                xlsx_cell(", ".join(k.name for k in p.kelurahan_served.all())),
                xlsx_cell(str(p.get_funding_source_display())),
                p.budget,
                p.latest_spent or 0,
                float(p.latest_progress) if p.latest_progress is not None else None,
                xlsx_cell(p.contractor),
                xlsx_cell(p.contract_number),
                p.planned_start_on,
                p.planned_end_on,
                p.actual_start_on,
                p.actual_end_on,
                p.households_served,
                _("Ya") if p.is_delayed else _("Tidak"),
                xlsx_cell(p.delay_reason),
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def project_sheet_pdf(*, detail: dict, photo=None) -> bytes:
    """One A4 page: identity, schedule, budget, latest progress and the latest photo."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    project = detail["project"]
    latest = detail["latest"]
    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(_("Lembar Proyek Infrastruktur · Kecamatan Kertapati")), styles["Title"]),
        Paragraph(escape(project.name), styles["Heading2"]),
    ]

    def day(value):
        return value.strftime("%d-%m-%Y") if value else "-"

    progress = f"{Decimal(latest.physical_progress):f}".rstrip("0").rstrip(".") + "%" if latest else "-"
    rows = [
        [_("Jenis"), project.get_kind_display(), _("Status"), project.get_status_display()],
        [_("Tahun anggaran"), str(project.fiscal_year), _("Sumber dana"), project.get_funding_source_display()],
        [
            _("Kelurahan"),
            ", ".join(k.name for k in detail["kelurahan"]),
            _("KK terlayani"),
            str(project.households_served or "-"),
        ],
        [_("Pelaksana"), project.contractor or "-", _("Nomor kontrak"), project.contract_number or "-"],
        [
            _("Rencana"),
            f"{day(project.planned_start_on)} s.d. {day(project.planned_end_on)}",
            _("Aktual"),
            f"{day(project.actual_start_on)} s.d. {day(project.actual_end_on)}",
        ],
        [_("Pagu"), _rp(project.budget), _("Realisasi"), _rp(latest.spent_cumulative if latest else 0)],
        [_("Progres fisik"), progress, _("Laporan terakhir"), day(latest.reported_on) if latest else "-"],
    ]
    if detail["delay_days"]:
        rows.append([_("Keterlambatan"), _("%(n)d hari") % {"n": detail["delay_days"]}, "", ""])
    if project.is_delayed:
        rows.append([_("Perlu perhatian"), project.delay_reason, "", ""])
    cell = styles["BodyText"]
    table = Table(
        [[Paragraph(escape(str(c)), cell) for c in row] for row in rows],
        colWidths=[3.2 * cm, 5.3 * cm, 3.2 * cm, 5.3 * cm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 0.4 * cm)]
    if photo is not None:
        with default_storage.open(photo.image.name, "rb") as fh:
            data = io.BytesIO(fh.read())
        max_w, max_h = 17 * cm, 11 * cm
        scale = min(max_w / photo.width, max_h / photo.height)
        story.append(
            Paragraph(escape(_("Foto terakhir (%(d)s)") % {"d": day(photo.update.reported_on)}), styles["Heading4"])
        )
        story.append(RLImage(data, width=photo.width * scale, height=photo.height * scale))
    story.append(Spacer(1, 0.3 * cm))
    story.append(
        Paragraph(
            escape(_("Dicetak %(t)s WIB") % {"t": timezone.localtime().strftime("%d-%m-%Y %H.%M")}), styles["Italic"]
        )
    )
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=project.name,
    ).build(story)
    return out.getvalue()
