"""PDF documents: the household card (QR of card_token only, the typed card_code under it), as one card or as A4
sheets of a round's or an RT's cards, and the berita acara serah terima of a round.

reportlab draws the pages and qrcode makes the QR image; both install from PyPI alone (docs/architecture.md §1).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beneficiaries.validators import card_code_display, mask_number

CARD_SIZE = (85.6 * mm, 54 * mm)  # ID-1, the size of a KTP


QR_PIXELS_PER_MODULE = 4  # the QR image is tiny and scaled by the PDF; 4 px per module keeps its edges sharp
SHEET_COLUMNS, SHEET_ROWS = 2, 5  # ten ID-1 cards on an A4 sheet
CUT_MARK = 5 * mm  # cut marks in the margins, on the lines between the cards
CUT_GAP = 2 * mm  # between a cut mark and the cards


@dataclass(frozen=True)
class Card:
    """What one printed card shows: the household (with `rt` and `kelurahan` loaded) and its head, if any."""

    household: object
    head_name: str | None
    head_nik: str | None


def _qr_image(data: str) -> ImageReader:
    """The QR as a small grey-scale image (with its quiet zone). The mask pattern is fixed: choosing the best of
    eight costs more than the rest of a card, and every mask scans."""
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    image = Image.new("L", (size, size))
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    scale = QR_PIXELS_PER_MODULE
    return ImageReader(image.resize((size * scale, size * scale), Image.Resampling.NEAREST))


def _draw_card(pdf, card: Card, *, x: float = 0, y: float = 0) -> None:
    """One card with its lower left corner at (x, y): who it belongs to on the left, the QR of `card_token` and
    the typed fallback `card_code` under it on the right."""
    household = card.household
    width, height = CARD_SIZE
    pdf.saveState()
    pdf.translate(x, y)
    pdf.setFillColor(colors.HexColor("#0b5d5e"))
    pdf.rect(0, height - 11 * mm, width, 11 * mm, fill=1, stroke=0)
    pdf.setFillColor(colors.white)
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(4 * mm, height - 5 * mm, _("KARTU PENERIMA BANTUAN SOSIAL"))
    pdf.setFont("Helvetica", 7)
    pdf.drawString(4 * mm, height - 9 * mm, _("Kecamatan Kertapati, Kota Palembang"))
    # The QR carries only the opaque card token: scanning it reveals nothing without the portal.
    qr_size = 30 * mm
    qr_x = width - qr_size - 3 * mm
    pdf.drawImage(_qr_image(household.card_token), qr_x, 9 * mm, qr_size, qr_size)
    pdf.setFillColor(colors.black)
    # The short code, typed where a phone cannot scan: large and in a fixed-width face.
    pdf.setFont("Courier-Bold", 11)
    pdf.drawCentredString(qr_x + qr_size / 2, 5 * mm, card_code_display(household.card_code))
    pdf.setFont("Helvetica", 5.5)
    pdf.drawCentredString(qr_x + qr_size / 2, 2.3 * mm, _("Kode kartu"))
    text = pdf.beginText(4 * mm, height - 17 * mm)
    text.setFont("Helvetica-Bold", 8)
    text.textLine(card.head_name or _("(kepala keluarga belum tercatat)"))
    text.setFont("Helvetica", 7)
    if card.head_nik:
        text.textLine(f"NIK {mask_number(card.head_nik)}")
    text.textLine(household.address[:40])
    text.textLine(f"RT {household.rt.number:03d} / RW {household.rt.rw:03d}")
    text.textLine(_("Kel. %(name)s") % {"name": household.kelurahan.name})
    pdf.drawText(text)
    pdf.setFont("Helvetica-Oblique", 5.5)
    pdf.drawString(4 * mm, 3 * mm, _("Tunjukkan kartu ini kepada petugas saat penyaluran."))
    pdf.restoreState()


def household_card(*, household, head) -> bytes:
    """One card on a page of its own size (ID-1, the size of a KTP)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=CARD_SIZE)
    pdf.setTitle(_("Kartu Penerima Bantuan"))
    _draw_card(pdf, Card(household, head.full_name if head else None, head.nik if head else None))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def household_cards(cards: Iterable[Card], *, title: str) -> bytes:
    """Many cards on A4 sheets, ten a sheet in the order given, with cut marks; a sheet notes its page number.
    An empty list gives one sheet that says so."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    page_width, page_height = A4
    card_width, card_height = CARD_SIZE
    left = (page_width - SHEET_COLUMNS * card_width) / 2
    bottom = (page_height - SHEET_ROWS * card_height) / 2
    per_sheet = SHEET_COLUMNS * SHEET_ROWS
    count = 0
    for count, card in enumerate(cards, start=1):
        slot = (count - 1) % per_sheet
        if slot == 0:
            _sheet(pdf, left=left, bottom=bottom, title=title, page=(count - 1) // per_sheet + 1)
        column, row = slot % SHEET_COLUMNS, slot // SHEET_COLUMNS
        _draw_card(pdf, card, x=left + column * card_width, y=bottom + (SHEET_ROWS - 1 - row) * card_height)
        if slot == per_sheet - 1:
            pdf.showPage()
    if count == 0:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(20 * mm, page_height - 30 * mm, _("Tidak ada kartu untuk dicetak."))
    if count == 0 or count % per_sheet:
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _sheet(pdf, *, left: float, bottom: float, title: str, page: int) -> None:
    """A new sheet's cut marks (the card grid's lines, drawn in the margins only) and its footer."""
    page_width, _page_height = A4
    card_width, card_height = CARD_SIZE
    right, top = left + SHEET_COLUMNS * card_width, bottom + SHEET_ROWS * card_height
    pdf.setStrokeColor(colors.black)
    pdf.setLineWidth(0.3)
    for column in range(SHEET_COLUMNS + 1):
        line_x = left + column * card_width
        pdf.line(line_x, top + CUT_GAP, line_x, top + CUT_GAP + CUT_MARK)
        pdf.line(line_x, bottom - CUT_GAP, line_x, bottom - CUT_GAP - CUT_MARK)
    for row in range(SHEET_ROWS + 1):
        line_y = bottom + row * card_height
        pdf.line(left - CUT_GAP, line_y, left - CUT_GAP - CUT_MARK, line_y)
        pdf.line(right + CUT_GAP, line_y, right + CUT_GAP + CUT_MARK, line_y)
    pdf.setFillColor(colors.grey)
    pdf.setFont("Helvetica", 6)
    footer = _("%(title)s · halaman %(page)s") % {"title": title[:90], "page": page}
    pdf.drawCentredString(page_width / 2, bottom - CUT_GAP - CUT_MARK - 3 * mm, footer)
    pdf.setFillColor(colors.black)


def handover_record(*, round_, recon: dict, summary, commodities: list[dict]) -> bytes:
    """Berita Acara Serah Terima (BAST) of a closed round, in Indonesian."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm
    )
    doc.title = _("Berita Acara Serah Terima")
    styles = getSampleStyleSheet()
    period = date_format(round_.period, "F Y")
    closed = date_format(timezone.localtime(round_.closed_at), "j F Y") if round_.closed_at else "-"
    story = [
        Paragraph(_("BERITA ACARA SERAH TERIMA BANTUAN SEMBAKO"), styles["Title"]),
        Paragraph(_("Nomor: BAST/%(id)s/%(year)s") % {"id": round_.pk, "year": round_.period.year}, styles["Normal"]),
        Spacer(1, 6 * mm),
        Paragraph(
            _(
                "Pada tanggal %(closed)s, %(institution)s telah menyelesaikan penyaluran bantuan "
                "“%(name)s” periode %(period)s berupa paket “%(package)s” kepada keluarga penerima di "
                "Kecamatan Kertapati, dengan rincian sebagai berikut."
            )
            # Paragraph reads its text as markup (<img src=...> would even load a file): typed names are escaped.
            % {
                "closed": closed,
                "institution": escape(round_.institution.name),
                "name": escape(round_.name),
                "period": period,
                "package": escape(round_.package.name),
            },
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    stock_rows = [
        [_("Paket diterima (termasuk penyesuaian)"), str(summary.available)],
        [_("Paket diserahkan"), str(summary.delivered)],
        [_("Sisa paket"), str(summary.remaining)],
    ]
    story.append(_table(stock_rows, header=False))
    story.append(Spacer(1, 4 * mm))
    header = [_("Kelurahan"), _("Berhak"), _("Diterima"), _("Tidak tersalurkan")]
    rows = [header]
    for row in recon["rows"]:
        rows.append([row["kelurahan"], row["entitled"], row["delivered"], row["not_delivered"]])
    totals = recon["totals"]
    rows.append([_("Jumlah"), totals["entitled"], totals["delivered"], totals["not_delivered"]])
    story.append(_table(rows))
    story.append(Spacer(1, 4 * mm))
    reasons = [[_("Alasan tidak tersalurkan"), _("Jumlah")]]
    reasons += [[label, n] for label, n in zip(recon["reason_labels"], totals["reason_counts"], strict=True)]
    story.append(_table(reasons))
    if commodities:
        story.append(Spacer(1, 4 * mm))
        items = [[_("Komoditas"), _("Diserahkan")]]
        items += [[c["commodity"].name, f"{c['delivered']} {c['commodity'].unit}"] for c in commodities]
        story.append(_table(items))
    if summary.is_over_delivered:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(_("PERHATIAN: paket diserahkan melebihi paket diterima."), styles["Heading4"]))
    story.append(Spacer(1, 14 * mm))
    signatures = [
        [_("Yang menyerahkan,"), _("Yang menerima/mengetahui,")],
        [round_.institution.name, _("Kecamatan Kertapati")],
        ["\n\n\n(................................)", "\n\n\n(................................)"],
    ]
    table = Table(signatures, colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()


def _table(rows, *, header: bool = True) -> Table:
    table = Table([[str(cell) for cell in row] for row in rows], hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f0f0")),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    table.setStyle(TableStyle(style))
    return table
