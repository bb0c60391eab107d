"""Reading PDFs the way a person (or a door scanner) would: rasterize, decode QR, get text,
and where each character is printed and how big."""

from __future__ import annotations

import ctypes
import math
from collections.abc import Collection
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
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


MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class PdfChar:
    """A character drawn on a PDF page: its glyph box in mm from the page's top-left corner
    (y grows downwards) and its font size in pt as printed (text and page matrices applied)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    size_pt: float


def _printed_font_size(textpage, index: int) -> float:
    """The font size of a character times the scale of its text object's matrix (WeasyPrint
    writes CSS pixels under a 0.75 page matrix, so the raw size alone is 4/3 too big)."""
    text_object = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
    size = ctypes.c_float()
    pdfium_c.FPDFTextObj_GetFontSize(text_object, ctypes.byref(size))
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(text_object, ctypes.byref(matrix))
    return size.value * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))


def pdf_chars(pdf: bytes) -> list[list[PdfChar]]:
    """Every character each page draws (not those pdfium adds between lines), in order."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        height = page.get_size()[1]
        textpage = page.get_textpage()
        chars = []
        for index in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(textpage.raw, index):
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            text = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
            if pdfium_c.FPDFText_IsHyphen(textpage.raw, index):
                text = "-"  # pdfium's code for a hyphen it takes for a hyphenation point
            chars.append(
                PdfChar(
                    text=text,
                    left=left * MM_PER_PT,
                    top=(height - top) * MM_PER_PT,
                    right=right * MM_PER_PT,
                    bottom=(height - bottom) * MM_PER_PT,
                    size_pt=_printed_font_size(textpage, index),
                )
            )
        pages.append(chars)
    return pages


def find_chars(
    chars: list[PdfChar], text: str, taken: Collection[PdfChar] = ()
) -> list[PdfChar] | None:
    """The drawn characters of the first occurrence of text that uses none of the taken
    characters, whitespace ignored (a line may break at any space), or None when the page
    does not hold all of it in order."""
    wanted = [char for char in text if not char.isspace()]
    drawn = [char for char in chars if not char.text.isspace()]
    for start in range(len(drawn) - len(wanted) + 1):
        found = drawn[start : start + len(wanted)]
        if all(c.text == w for c, w in zip(found, wanted, strict=True)) and not any(
            c in taken for c in found
        ):
            return found
    return None
