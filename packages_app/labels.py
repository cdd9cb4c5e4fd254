"""Shipping labels: PDF (reportlab draws the Code128 and QR itself) and ZPL for thermal printers.

Everything is drawn here; no label data goes to any outside service.
"""

import io
import re

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A6, inch
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from packages_app.models import Package

SIZES = {"4x6": (4 * inch, 6 * inch), "a6": A6}
DEFAULT_SIZE = "4x6"


def _lines(text: str, width: int, limit: int) -> list[str]:
    """Wrap an address into at most `limit` lines of about `width` characters."""
    out: list[str] = []
    for raw in (text or "").splitlines():
        line = ""
        for word in raw.split():
            if len(line) + len(word) + 1 > width and line:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            out.append(line)
    return out[:limit]


def _weight(package: Package) -> str:
    return f"{package.weight_grams / 1000:.2f} kg"


def render_pdf(package: Package, *, tracking_url: str, size: str = DEFAULT_SIZE) -> bytes:
    width, height = SIZES[size]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Label {package.tracking_number}")
    margin = 4 * mm
    top = height - margin

    # Destination branch code, large, top left; service top right.
    pdf.setFont("Helvetica-Bold", 34)
    pdf.drawString(margin, top - 30, package.destination_branch.code)
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawRightString(width - margin, top - 14, package.get_service_display().upper())
    pdf.setFont("Helvetica", 9)
    pdf.drawRightString(width - margin, top - 28, _weight(package))
    if package.cod_amount:
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawRightString(width - margin, top - 42, f"COD {package.cod_amount}")
    pdf.line(margin, top - 48, width - margin, top - 48)

    def block(title: str, y: float, name: str, phone: str, address: str) -> float:
        pdf.setFont("Helvetica-Bold", 7)
        pdf.drawString(margin, y, title)
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(margin, y - 12, name[:48])
        pdf.setFont("Helvetica", 9)
        y -= 24
        for line in _lines(address, 52, 3) + [phone]:
            pdf.drawString(margin, y, line)
            y -= 11
        return y - 4

    y = block("FROM", top - 60, package.sender_name, package.sender_phone, package.sender_address)
    pdf.line(margin, y + 2, width - margin, y + 2)
    y = block("TO", y - 10, package.recipient_name, package.recipient_phone, package.recipient_address)

    # Code128 of the tracking number, as wide as the label allows, with the number under it.
    barcode = code128.Code128(package.tracking_number, barHeight=22 * mm, barWidth=1.2)
    scale = min(1.0, (width - 2 * margin) / barcode.width)
    barcode_y = margin + 36 * mm
    pdf.saveState()
    pdf.translate((width - barcode.width * scale) / 2, barcode_y)
    pdf.scale(scale, 1)
    barcode.drawOn(pdf, 0, 0)
    pdf.restoreState()
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawCentredString(width / 2, barcode_y - 14, package.tracking_number)

    # QR code of the public tracking page, bottom left; origin and date beside it.
    qr_size = 30 * mm
    widget = qr.QrCodeWidget(tracking_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, margin, margin)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(margin + qr_size + 6, margin + 20, f"From branch {package.origin_branch.code}")
    pdf.drawString(margin + qr_size + 6, margin + 9, f"{package.created_at:%Y-%m-%d}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


_ZPL_UNSAFE = re.compile(r"[\^~\\\x00-\x1f]")


def _zpl(text: str, limit: int = 48) -> str:
    """A field value that cannot break out of its ^FD…^FS (ZPL control characters removed)."""
    return _ZPL_UNSAFE.sub(" ", text or "")[:limit]


def render_zpl(package: Package, *, tracking_url: str) -> str:
    """A 4×6 in label at 203 dpi (812 × 1218 dots) for Zebra-compatible thermal printers."""
    lines = [
        "^XA",
        "^CI28",  # UTF-8 field data
        "^PW812",
        "^LL1218",
        f"^FO30,30^A0N,110,110^FD{_zpl(package.destination_branch.code)}^FS",
        f"^FO560,40^A0N,40,40^FD{_zpl(package.get_service_display().upper())}^FS",
        f"^FO560,90^A0N,30,30^FD{_zpl(_weight(package))}^FS",
    ]
    if package.cod_amount:
        lines.append(f"^FO560,130^A0N,34,34^FDCOD {package.cod_amount}^FS")
    lines.append("^FO30,175^GB752,3,3^FS")
    y = 195
    for title, name, phone, address in (
        ("FROM", package.sender_name, package.sender_phone, package.sender_address),
        ("TO", package.recipient_name, package.recipient_phone, package.recipient_address),
    ):
        lines.append(f"^FO30,{y}^A0N,24,24^FD{title}^FS")
        lines.append(f"^FO30,{y + 30}^A0N,34,34^FD{_zpl(name)}^FS")
        y += 72
        for line in _lines(address, 48, 3) + [phone]:
            lines.append(f"^FO30,{y}^A0N,28,28^FD{_zpl(line)}^FS")
            y += 32
        y += 20
    lines += [
        f"^FO60,{y + 10}^BY3^BCN,160,Y,N,N^FD{package.tracking_number}^FS",
        f"^FO30,980^BQN,2,6^FDQA,{_zpl(tracking_url, 200)}^FS",
        f"^FO300,1040^A0N,28,28^FDFrom branch {_zpl(package.origin_branch.code)}^FS",
        f"^FO300,1080^A0N,28,28^FD{package.created_at:%Y-%m-%d}^FS",
        "^XZ",
    ]
    return "\n".join(lines) + "\n"
