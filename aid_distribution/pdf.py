"""PDF documents: the household card (QR of card_token only) and the berita acara serah terima of a round.

reportlab draws the pages and qrcode makes the QR image; both install from PyPI alone (architecture.md §1).
"""

import io
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beneficiaries.validators import mask_number

CARD_SIZE = (85.6 * mm, 54 * mm)  # ID-1, the size of a KTP


def _qr_image(data: str) -> ImageReader:
    image = qrcode.make(data, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def household_card(*, household, head) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=CARD_SIZE)
    width, height = CARD_SIZE
    pdf.setTitle(_("Kartu Penerima Bantuan"))
    pdf.setFillColor(colors.HexColor("#0b5d5e"))
    pdf.rect(0, height - 11 * mm, width, 11 * mm, fill=1, stroke=0)
    pdf.setFillColor(colors.white)
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(4 * mm, height - 5 * mm, _("KARTU PENERIMA BANTUAN SOSIAL"))
    pdf.setFont("Helvetica", 7)
    pdf.drawString(4 * mm, height - 9 * mm, _("Kecamatan Kertapati, Kota Palembang"))
    # The QR carries only the opaque card token: scanning it reveals nothing without the portal.
    qr_size = 30 * mm
    pdf.drawImage(_qr_image(household.card_token), width - qr_size - 3 * mm, 4 * mm, qr_size, qr_size)
    pdf.setFillColor(colors.black)
    text = pdf.beginText(4 * mm, height - 17 * mm)
    text.setFont("Helvetica-Bold", 8)
    text.textLine(head.full_name if head else _("(kepala keluarga belum tercatat)"))
    text.setFont("Helvetica", 7)
    if head and head.nik:
        text.textLine(f"NIK {mask_number(head.nik)}")
    text.textLine(household.address[:40])
    text.textLine(f"RT {household.rt.number:03d} / RW {household.rt.rw:03d}")
    text.textLine(_("Kel. %(name)s") % {"name": household.kelurahan.name})
    pdf.drawText(text)
    pdf.setFont("Helvetica-Oblique", 5.5)
    pdf.drawString(4 * mm, 3 * mm, _("Tunjukkan kartu ini kepada petugas saat penyaluran."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


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
