"""Printable PDFs of the transit screens: the manifest (with its own Code128) and proof of delivery."""

import io

from django.utils import timezone
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

ROWS_PER_PAGE = 45


def manifest_pdf(manifest, items) -> bytes:
    """Every item of the manifest, 45 to a page, with the manifest's barcode on each page."""
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Manifest {manifest.number}")
    margin = 15 * mm
    pages = [items[i : i + ROWS_PER_PAGE] for i in range(0, len(items), ROWS_PER_PAGE)] or [[]]
    for page_no, rows in enumerate(pages, start=1):
        top = height - margin
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(margin, top - 14, f"Manifest {manifest.number}")
        pdf.setFont("Helvetica", 10)
        pdf.drawString(
            margin,
            top - 30,
            f"{manifest.origin_branch.code} → {manifest.destination_branch.code} · "
            f"{len(items)} package(s) · sealed {timezone.localtime(manifest.sealed_at):%Y-%m-%d %H:%M}"
            if manifest.sealed_at
            else f"{manifest.origin_branch.code} → {manifest.destination_branch.code} · not sealed yet",
        )
        pdf.drawRightString(width - margin, top - 30, f"page {page_no}/{len(pages)}")
        barcode = code128.Code128(manifest.number, barHeight=14 * mm, barWidth=1.1)
        barcode.drawOn(pdf, width - margin - barcode.width, top - 16)
        y = top - 52
        pdf.setFont("Helvetica-Bold", 9)
        for x, text in (
            (margin, "#"),
            (margin + 12 * mm, "Tracking number"),
            (margin + 55 * mm, "To"),
            (margin + 75 * mm, "Weight"),
            (margin + 95 * mm, "Recipient"),
        ):
            pdf.drawString(x, y, text)
        pdf.setFont("Helvetica", 9)
        for index, item in enumerate(rows, start=(page_no - 1) * ROWS_PER_PAGE + 1):
            y -= 14
            package = item.package
            pdf.drawString(margin, y, str(index))
            pdf.drawString(margin + 12 * mm, y, package.tracking_number)
            pdf.drawString(margin + 55 * mm, y, package.destination_branch.code)
            pdf.drawString(margin + 75 * mm, y, f"{package.weight_grams / 1000:.2f} kg")
            pdf.drawString(margin + 95 * mm, y, package.recipient_name[:40])
        pdf.setFont("Helvetica", 9)
        pdf.drawString(
            margin, margin, "Signature (sending clerk): ____________________   (driver): ____________________"
        )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def proof_of_delivery_pdf(package, handover) -> bytes:
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Proof of delivery {package.tracking_number}")
    margin = 20 * mm
    y = height - margin
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(margin, y, "Proof of delivery")
    barcode = code128.Code128(package.tracking_number, barHeight=12 * mm, barWidth=1.1)
    barcode.drawOn(pdf, width - margin - barcode.width, y - 6)
    pdf.setFont("Helvetica", 11)
    returned = package.status == "RETURNED"
    lines = [
        ("Tracking number", package.tracking_number),
        ("Status", package.get_status_display()),
        ("Handed over", f"{timezone.localtime(handover.at):%Y-%m-%d %H:%M} at branch {handover.branch.code}"),
        ("Handed to", f"{handover.collector_name} ({'sender' if returned else 'recipient'})"),
        ("ID checked", f"{handover.get_id_type_display()} ending …{handover.id_last4}"),
        ("Cash on delivery", str(handover.cod_collected) if handover.cod_collected else "none"),
        ("Clerk", handover.handed_over_by.get_username()),
        ("From", f"{package.sender_name}, branch {package.origin_branch.code}"),
        ("To", f"{package.recipient_name}, branch {package.destination_branch.code}"),
    ]
    y -= 40
    for label, value in lines:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(margin, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(margin + 45 * mm, y, value[:70])
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
