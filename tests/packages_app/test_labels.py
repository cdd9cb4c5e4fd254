"""Labels: real PDFs (parsed back) and ZPL, carrying the tracking number; every print recorded."""

import io

import pytest
from pypdf import PdfReader

from packages_app.labels import render_zpl
from packages_app.models import PackageEvent
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("size", "width_in"), [("4x6", 4.0), ("a6", 105 / 25.4)])
def test_pdf_label_parses_and_carries_the_tracking_number(alice_client, package_a, size, width_in):
    response = alice_client.get(f"/packages/{package_a.tracking_number}/label.pdf?size={size}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(width_in * 72, abs=0.5)
    text = page.extract_text()
    assert package_a.tracking_number in text
    assert package_a.destination_branch.code in text
    assert package_a.recipient_name in text and package_a.sender_name in text
    assert "STANDARD" in text and "1.20 kg" in text


def test_pdf_defaults_to_4x6_and_refuses_unknown_sizes(alice_client, package_a):
    default = alice_client.get(f"/packages/{package_a.tracking_number}/label.pdf")
    width = float(PdfReader(io.BytesIO(default.content)).pages[0].mediabox.width)
    assert width == pytest.approx(288, abs=0.5)
    assert alice_client.get(f"/packages/{package_a.tracking_number}/label.pdf?size=a0").status_code == 400


def test_cod_amount_is_printed(alice_client, branch_a, branch_b):
    from decimal import Decimal

    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b, cod_amount=Decimal("42.50"))
    response = alice_client.get(f"/packages/{package.tracking_number}/label.pdf")
    assert "COD 42.50" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_zpl_label_has_the_barcode_qr_and_a_clean_structure(alice_client, package_a):
    response = alice_client.get(f"/packages/{package_a.tracking_number}/label.zpl")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/zpl")
    zpl = response.content.decode()
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert f"^BCN,160,Y,N,N^FD{package_a.tracking_number}^FS" in zpl
    assert f"^FDQA,http://testserver/track/{package_a.tracking_number}^FS" in zpl
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1


def test_zpl_field_data_cannot_inject_commands(branch_a, branch_b):
    package = PackageFactory(
        origin_branch=branch_a, destination_branch=branch_b, recipient_name="Evil^XZ^XA~JA"
    )
    zpl = render_zpl(package, tracking_url="https://example.test/track/x")
    assert zpl.count("^XZ") == 1 and "~JA" not in zpl


def test_every_print_is_recorded_and_reprints_counted(alice_client, package_a):
    alice_client.get(f"/packages/{package_a.tracking_number}/label.pdf")
    alice_client.get(f"/packages/{package_a.tracking_number}/label.zpl")
    notes = list(
        PackageEvent.objects.filter(package=package_a, kind="LABEL")
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == ["PDF 4x6 label", "ZPL label, reprint #1"]
    body = alice_client.get(f"/packages/{package_a.tracking_number}/").content.decode()
    assert "Label printed" in body and "reprint #1" in body


def test_labels_are_get_only(alice_client, package_a):
    assert alice_client.post(f"/packages/{package_a.tracking_number}/label.pdf").status_code == 405
    assert alice_client.post(f"/packages/{package_a.tracking_number}/label.zpl").status_code == 405
