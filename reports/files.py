"""Report files: XLSX (one sheet per table, with charts), CSV per table and a PDF (title page, tables, charts).

Text cells are neutralised against formula injection (docs/quality.md S8) even though report tables only hold our
own labels and kelurahan/institution names: an institution's name is typed by a user.
"""

import csv
import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from core.spreadsheets import neutralise, xlsx_cell
from core.templatetags.formatting import rupiah
from reports.tables import Table

PORTAL_BLUE = colors.HexColor("#1d4e89")


def display_number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return formats.number_format(
            value, decimal_pos=1 if isinstance(value, float) else 0, use_l10n=True, force_grouping=True
        )
    return str(value)


def title_lines(run) -> tuple[str, str]:
    period = formats.date_format(run.period_start, "F Y")
    return str(run.get_report_type_display()), _("%(scope)s · periode %(period)s") % {
        "scope": run.scope_label,
        "period": period,
    }


# ------------------------------------------------------------------------------------------------ CSV


def build_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # Excel in Indonesian locale expects ';' (decimal comma)
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralise("" if v is None else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


# ------------------------------------------------------------------------------------------------ XLSX


def build_xlsx(run, tables: list[Table], computed_at) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = _("Sampul")
    heading, subtitle = title_lines(run)
    cover["A1"] = heading
    cover["A1"].font = Font(size=16, bold=True)
    cover["A2"] = subtitle
    cover["A3"] = _("Dihitung pada %(time)s WIB") % {
        "time": formats.date_format(timezone.localtime(computed_at), "d-m-Y H.i")
    }
    cover["A5"] = _("Daftar tabel")
    cover["A5"].font = Font(bold=True)
    for index, table in enumerate(tables, start=6):
        cover.cell(row=index, column=1, value=xlsx_cell(table.title))
    cover.column_dimensions["A"].width = 70
    header_fill = PatternFill("solid", fgColor="DCE6F2")
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append([xlsx_cell(table.title)])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([xlsx_cell(c) for c in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for row in table.rows:
            sheet.append([xlsx_cell(v) for v in row])
        if table.note:
            sheet.append([])
            sheet.append([xlsx_cell(table.note)])
        sheet.column_dimensions["A"].width = 34
        for col in range(2, len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 16
        data_rows = table.body
        if table.chart and data_rows:
            chart = BarChart()
            chart.title = table.title
            chart.height, chart.width = 8, 18
            col = table.chart[0] + 1
            chart.add_data(Reference(sheet, min_col=col, min_row=2, max_row=2 + len(data_rows)), titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + len(data_rows)))
            sheet.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ PDF


def _chart(table: Table) -> Drawing | None:
    if not table.chart:
        return None
    col = table.chart[0]
    rows = table.body
    values = [float(r[col]) if isinstance(r[col], int | float) else 0.0 for r in rows]
    if not rows or not any(values):
        return None
    height = 40 + 18 * len(rows)
    drawing = Drawing(24 * cm, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y = 7 * cm, 10
    chart.width, chart.height = 15 * cm, height
    chart.data = [values]
    chart.categoryAxis.categoryNames = [str(r[0])[:40] for r in rows]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = PORTAL_BLUE
    chart.barLabelFormat = "%d" if all(v == int(v) for v in values) else "%.1f"
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 8
    drawing.add(chart)
    drawing.add(String(0, height + 8, table.columns[col], fontSize=8, fillColor=colors.grey))
    return drawing


def build_pdf(run, tables: list[Table], computed_at) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=title_lines(run)[0],
        author=_("Kecamatan Kertapati"),
    )
    heading, subtitle = title_lines(run)
    story = [
        Spacer(1, 4 * cm),
        Paragraph(escape(_("Pemerintah Kota Palembang · Kecamatan Kertapati")), styles["Heading3"]),
        Paragraph(escape(heading), styles["Title"]),
        Paragraph(escape(subtitle), styles["Heading2"]),
        Spacer(1, 1 * cm),
        Paragraph(
            escape(
                _("Dihitung pada %(time)s WIB dari data portal. Berisi angka agregat saja, tanpa data pribadi.")
                % {"time": formats.date_format(timezone.localtime(computed_at), "d-m-Y H.i")}
            ),
            styles["Normal"],
        ),
        PageBreak(),
    ]
    cell_style = styles["BodyText"].clone("cell", fontSize=7, leading=8)
    for table in tables:
        story.append(Paragraph(escape(table.title), styles["Heading2"]))
        data = [[Paragraph(escape(str(c)), cell_style) for c in table.columns]]
        data += [
            [str(row[0])]  # a plain cell is drawn as it is (only Paragraph reads markup): no escaping
            + [rupiah(v) if i in table.money else display_number(v) for i, v in enumerate(row[1:], start=1)]
            for row in table.rows
        ]
        first = 6 * cm
        other = (landscape(A4)[0] - 3 * cm - first) / max(len(table.columns) - 1, 1)
        pdf_table = PdfTable(data, colWidths=[first] + [min(other, 3.2 * cm)] * (len(table.columns) - 1), repeatRows=1)
        pdf_table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f2")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(pdf_table)
        if table.note:
            story.append(Paragraph(escape(table.note), cell_style))
        drawing = _chart(table)
        if drawing is not None:
            story.append(Spacer(1, 0.4 * cm))
            story.append(drawing)
        story.append(Spacer(1, 0.6 * cm))
    doc.build(story)
    return buffer.getvalue()
