"""A print kit's PDF, drawn by reportlab on the server: the commune's name and logo, the title in large print, the
text, the date and place of an event, a QR code of the kit's short link (at least 3 cm printed) and that address
written out in full for those who cannot scan.

Accessibility on paper: the accent colour of the commune is used (for the title and the band under the QR code,
white text on it) only when it contrasts with white at 4.5:1 or more, else a dark fallback; sizes scale with the
sheet (a 40 pt title on an A4 poster) with a floor of 11 pt for the text. The font is Bitstream Vera, which ships
inside reportlab (no file read outside installed packages); it lacks the narrow no-break space of French
typography, so U+202F becomes the no-break space U+00A0 it has. The short address is drawn in Helvetica (all its
characters are ASCII), so that it stays as plain text in the PDF. A logo that cannot be read is left out.
"""

import io
import os

import qrcode
import reportlab
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from concerto.core.mobilisation.models import KitFormat
from concerto.core.territory.validators import HEX_COLOUR, MIN_CONTRAST, contrast_ratio

FALLBACK = "#1f2937"  # dark slate: 14.7:1 with white
TEXT = "#111827"
FONT, BOLD, ASCII_BOLD = "ConcertoVera", "ConcertoVeraBold", "Helvetica-Bold"
LOGO_MAX_BYTES = 5 * 1024 * 1024
QR_MIN = 3 * cm

# format: (page size, columns, rows)
SHEETS = {
    KitFormat.POSTER_A4: (A4, 1, 1),
    KitFormat.POSTER_A3: (A3, 1, 1),
    KitFormat.FLYER_A5: (landscape(A4), 2, 1),
    KitFormat.FLYER_A6: (A4, 2, 2),
}


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        pdfmetrics.registerFont(TTFont(FONT, os.path.join(folder, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "VeraBd.ttf")))


def printable(text: str) -> str:
    """TEXT in characters the embedded font has: the narrow no-break space becomes a no-break space."""
    return (text or "").replace("\u202f", "\u00a0")


def accent_of(organisation) -> str:
    """The commune's accent colour when white text on it reads well (4.5:1), else the dark fallback."""
    colour = (organisation.accent_color or "").strip()
    if HEX_COLOUR.fullmatch(colour) and contrast_ratio(colour, "#ffffff") >= MIN_CONTRAST:
        return colour
    return FALLBACK


def logo_of(organisation):
    """The organisation's logo as an ImageReader, or None when there is none or it cannot be read."""
    if not organisation.logo:
        return None
    try:
        with organisation.logo.open("rb") as file:
            data = file.read(LOGO_MAX_BYTES + 1)
        if len(data) > LOGO_MAX_BYTES:
            return None
        Image.open(io.BytesIO(data)).verify()
        image = Image.open(io.BytesIO(data))
        image.load()
        return ImageReader(image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image)
    except Exception:  # a missing file, a truncated or hostile image: the kit goes out without a logo
        return None


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of URL as rows of modules (True: dark), with its quiet zone of 4 modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(pdf, matrix, x: float, y: float, size: float) -> None:
    module = size / len(matrix)
    pdf.setFillColor("#ffffff")
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColor("#000000")
    path = pdf.beginPath()
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                path.rect(x + column * module, y + size - (row + 1) * module, module, module)
    pdf.drawPath(path, stroke=0, fill=1)


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    return simpleSplit(printable(text), font, size, width)


def _panel(pdf, kit, *, x: float, y: float, width: float, height: float, short_url: str, accent: str, logo,
           matrix) -> None:
    """One poster or flyer in the box (x, y, width, height), y at its bottom."""
    scale = width / A4[0]
    margin = max(1.2 * cm * scale * 1.5, 0.8 * cm)
    inner = width - 2 * margin
    top = y + height - margin
    organisation = kit.organisation
    # the commune: logo and name
    name_size = max(20 * scale, 11)
    logo_height = 1.8 * cm * scale * 1.4
    text_x = x + margin
    if logo is not None:
        logo_width, logo_h = logo.getSize()
        drawn_width = min(logo_height * logo_width / max(logo_h, 1), inner / 3)
        pdf.drawImage(logo, x + margin, top - logo_height, width=drawn_width, height=logo_height,
                      preserveAspectRatio=True, anchor="sw", mask="auto")
        text_x += drawn_width + 0.4 * cm * scale
    pdf.setFillColor(TEXT)
    pdf.setFont(BOLD, name_size)
    pdf.drawString(text_x, top - logo_height / 2 - name_size / 3, printable(organisation.name)[:60])
    cursor = top - logo_height - 1.2 * cm * scale
    # the title, in the accent colour
    title_size = max(40 * scale, 18)
    pdf.setFillColor(accent)
    pdf.setFont(BOLD, title_size)
    for line in _lines(kit.title, BOLD, title_size, inner)[:4]:
        cursor -= title_size * 1.15
        pdf.drawString(x + margin, cursor, line)
    cursor -= 0.6 * cm * scale
    # the date and place, then the text
    qr_size = max(min(width * 0.34, height * 0.3), QR_MIN)
    band = max(2.6 * cm * scale, 1.3 * cm)
    floor = y + margin + band + qr_size + 0.6 * cm * scale
    pdf.setFillColor(TEXT)
    if kit.when:
        when_size = max(22 * scale, 12)
        pdf.setFont(BOLD, when_size)
        for line in _lines(kit.when, BOLD, when_size, inner)[:3]:
            cursor -= when_size * 1.25
            pdf.drawString(x + margin, cursor, line)
        cursor -= 0.4 * cm * scale
    body_size = max(18 * scale, 11)
    pdf.setFont(FONT, body_size)
    lines = _lines(kit.text, FONT, body_size, inner)
    room = max(int((cursor - floor) // (body_size * 1.4)), 0)
    if len(lines) > room:  # a small flyer holds less than a poster: the text is cut where it must, and says so
        lines = lines[:room]
        if lines:
            lines[-1] = lines[-1].rstrip(" ,;:") + "…"
    for line in lines:
        cursor -= body_size * 1.4
        pdf.drawString(x + margin, cursor, line)
    # the QR code, centred, then the band with the address in full
    qr_x = x + (width - qr_size) / 2
    qr_y = y + margin + band + 0.3 * cm * scale
    _draw_qr(pdf, matrix, qr_x, qr_y, qr_size)
    pdf.linkURL(short_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    pdf.setFillColor(accent)
    pdf.rect(x + margin, y + margin, inner, band, stroke=0, fill=1)
    pdf.setFillColor("#ffffff")
    call_size = max(16 * scale, 10)
    pdf.setFont(BOLD, call_size)
    pdf.drawCentredString(x + width / 2, y + margin + band - call_size * 1.4,
                          printable(_("Scan the code or type this address:")))
    url_size = max(18 * scale, 11)
    while url_size > 7 and pdfmetrics.stringWidth(short_url, ASCII_BOLD, url_size) > inner - 0.4 * cm:
        url_size -= 0.5
    pdf.setFont(ASCII_BOLD, url_size)
    pdf.drawCentredString(x + width / 2, y + margin + band * 0.22, short_url)


def kit_pdf(kit, *, short_url: str, compress: bool = True) -> bytes:
    """KIT as a PDF: one poster, or a sheet of two or four flyers to cut. In French, whatever the language of the
    agent who prints it: it is for the commune's residents."""
    with translation.override(settings.LANGUAGE_CODE):
        return _kit_pdf(kit, short_url=short_url, compress=compress)


def _kit_pdf(kit, *, short_url: str, compress: bool) -> bytes:
    _fonts()
    page, columns, rows = SHEETS.get(kit.format, SHEETS[KitFormat.POSTER_A4])
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=page, pageCompression=1 if compress else 0)
    pdf.setTitle(printable(kit.title))
    pdf.setAuthor(printable(kit.organisation.name))  # the commune, never the agent who made it
    pdf.setSubject(printable(kit.target_label))
    pdf.setCreator("Concerto")
    pdf.setKeywords("")
    accent, logo, matrix = accent_of(kit.organisation), logo_of(kit.organisation), qr_matrix(short_url)
    width, height = page[0] / columns, page[1] / rows
    for column in range(columns):
        for row in range(rows):
            _panel(pdf, kit, x=column * width, y=row * height, width=width, height=height, short_url=short_url,
                   accent=accent, logo=logo, matrix=matrix)
    if columns * rows > 1:  # where to cut
        pdf.setStrokeColor("#9ca3af")
        pdf.setDash(4, 4)
        for column in range(1, columns):
            pdf.line(column * width, 0, column * width, page[1])
        for row in range(1, rows):
            pdf.line(0, row * height, page[0], row * height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
