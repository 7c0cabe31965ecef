"""Certificate PDF (reportlab): Indonesian text, the graduate's name, program, cohort dates and a verification
code with a QR code pointing at the public verification page."""

import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

PRIMARY = colors.HexColor("#0b5d5e")


def _long_date(value) -> str:
    return formats.date_format(value, "j F Y")


def render_certificate(*, enrollment, verify_url: str) -> bytes:
    with translation.override("id"):
        return _render(enrollment=enrollment, verify_url=verify_url)


def _render(*, enrollment, verify_url: str) -> bytes:
    cohort = enrollment.cohort
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Sertifikat %(program)s") % {"program": cohort.program.name})
    pdf.setAuthor("Kecamatan Kertapati")

    pdf.setStrokeColor(PRIMARY)
    pdf.setLineWidth(4)
    pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    pdf.setLineWidth(1)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)

    center = width / 2
    pdf.setFillColor(PRIMARY)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawCentredString(center, height - 3 * cm, _("PEMERINTAH KOTA PALEMBANG · KECAMATAN KERTAPATI"))
    pdf.setFont("Helvetica-Bold", 36)
    pdf.drawCentredString(center, height - 5 * cm, _("SERTIFIKAT"))
    pdf.setFillColor(colors.black)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 6.5 * cm, _("diberikan kepada"))
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(center, height - 8 * cm, enrollment.member.full_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 9.3 * cm, _("yang telah menyelesaikan"))
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawCentredString(center, height - 10.5 * cm, f"{cohort.program.name} · {cohort.label}")
    pdf.setFont("Helvetica", 13)
    pdf.drawCentredString(
        center,
        height - 11.6 * cm,
        _("pada tanggal %(start)s sampai dengan %(end)s di %(venue)s")
        % {"start": _long_date(cohort.starts_on), "end": _long_date(cohort.ends_on), "venue": cohort.venue},
    )
    pdf.drawCentredString(
        center,
        height - 12.5 * cm,
        _("Diselenggarakan oleh %(org)s") % {"org": cohort.program.organiser_display},
    )

    pdf.setFont("Helvetica", 12)
    pdf.drawString(width - 10 * cm, 4.6 * cm, _("Palembang, %(date)s") % {"date": _long_date(enrollment.completed_on)})
    pdf.drawString(width - 10 * cm, 4.0 * cm, _("Camat Kertapati"))
    pdf.line(width - 10 * cm, 2.4 * cm, width - 4 * cm, 2.4 * cm)  # room for the signature and stamp

    size = 3.2 * cm
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, 2.2 * cm, 2.2 * cm)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(5.8 * cm, 4.3 * cm, _("Kode verifikasi: %(code)s") % {"code": enrollment.certificate_code})
    pdf.drawString(5.8 * cm, 3.7 * cm, _("Periksa keaslian di: %(url)s") % {"url": verify_url})

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
