"""Reading PDFs the way a person (or a door scanner) would: rasterize, decode QR, get text."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp


def decode_qr_codes(image) -> list[str]:
    """The text of every QR code in an image (PIL or numpy), and of nothing else.

    zxing-cpp reads every symbology by default, and a rasterized badge page (cut marks, a row
    of characters, a logo) now and then passes for a one-dimensional barcode: once a sheet
    "contained" the code 247646. Our documents carry only QR codes, so only QR codes count.
    """
    return [
        result.text
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


def decode_pdf_qr_codes(pdf: bytes, scale: float = 3.0) -> list[str]:
    """Every QR code readable on every page of a PDF, in page order."""
    document = pdfium.PdfDocument(pdf)
    found: list[str] = []
    for page in document:
        found.extend(decode_qr_codes(page.render(scale=scale).to_pil()))
    return found


def pdf_text(pdf: bytes) -> str:
    """The extractable text of all pages."""
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)
