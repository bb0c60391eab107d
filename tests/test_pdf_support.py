"""The tests' PDF reader counts QR codes only: a badge page that also shows a line barcode (or
marks that pass for one) must not yield a stray "ticket code"."""

from __future__ import annotations

import io

import numpy as np
import zxingcpp
from PIL import Image

from app.documents.qr import qr_png
from tests.pdf_support import decode_pdf_qr_codes, decode_qr_codes

TICKET = "HW1TESTCODEQRONLY"


def page_with_a_qr_and_a_line_barcode() -> Image.Image:
    """A white page: our QR code above a Code 128 barcode that reads 247646."""
    qr = Image.open(io.BytesIO(qr_png(TICKET))).convert("L")
    barcode = zxingcpp.create_barcode("247646", zxingcpp.BarcodeFormat.Code128)
    line = Image.fromarray(np.asarray(barcode.to_image(scale=3)))
    page = Image.new("L", (max(qr.width, line.width) + 80, qr.height + line.height + 120), 255)
    page.paste(qr, (40, 40))
    page.paste(line, (40, qr.height + 80))
    # The barcode is there to be read by anything that reads all symbologies.
    assert "247646" in [r.text for r in zxingcpp.read_barcodes(page)]
    return page


def test_decode_qr_codes_ignores_a_line_barcode_beside_the_qr():
    assert decode_qr_codes(page_with_a_qr_and_a_line_barcode()) == [TICKET]


def test_decode_pdf_qr_codes_ignores_a_line_barcode_on_the_page():
    pdf = io.BytesIO()
    page_with_a_qr_and_a_line_barcode().save(pdf, "PDF", resolution=150)
    assert decode_pdf_qr_codes(pdf.getvalue()) == [TICKET]
