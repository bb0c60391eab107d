"""Reading PDFs the way a person (or a door scanner) would: rasterize, decode QR, get text."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp


def decode_pdf_qr_codes(pdf: bytes, scale: float = 3.0) -> list[str]:
    """Every QR code readable on every page of a PDF, in page order."""
    document = pdfium.PdfDocument(pdf)
    found: list[str] = []
    for page in document:
        image = page.render(scale=scale).to_pil()
        found.extend(result.text for result in zxingcpp.read_barcodes(image))
    return found


def pdf_text(pdf: bytes) -> str:
    """The extractable text of all pages."""
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)
