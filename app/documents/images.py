"""The one check every uploaded image goes through (badge logos, certificate logos, seals and
signatures): decoded by Pillow within limits, re-encoded as a plain PNG, or refused with a
message for the organizer.

Pillow refuses an image whose header claims more than twice `Image.MAX_IMAGE_PIXELS` with
DecompressionBombError (an Exception, not an OSError) and only warns below that; a PNG of a few
hundred bytes claiming 100000 × 100000 pixels got past one of the old per-feature checks as a
500. Here the claimed size is compared with the caller's limit before any pixel is decoded, and
both of Pillow's bomb signals count as "too large".
"""

from __future__ import annotations

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

__all__ = ["ImageRejected", "clean_uploaded_image"]


class ImageRejected(Exception):
    """An upload that is not an acceptable image; `message` is shown to the organizer."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def _format_names(formats: tuple[str, ...]) -> str:
    return " / ".join(formats)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def clean_uploaded_image(
    data: bytes,
    *,
    formats: tuple[str, ...],
    max_bytes: int,
    max_pixels: int,
    max_side: int | None = None,
    fit_within: tuple[int, int] | None = None,
) -> bytes:
    """Decode an uploaded image of one of `formats` (Pillow's names: "PNG", "JPEG") and return
    it re-encoded as PNG, shrunk to `fit_within` if given.

    Raises ImageRejected when the upload is larger than `max_bytes`, an SVG (we do not sanitize
    SVG), another format, claims more than `max_pixels` pixels or a side over `max_side`, or
    cannot be decoded.
    """
    names = _format_names(formats)
    if len(data) > max_bytes:
        raise ImageRejected(
            _l("The image must be smaller than %(size)d MB.", size=max_bytes // (1024 * 1024))
        )
    if _looks_like_svg(data):
        raise ImageRejected(
            _l("SVG images are not accepted. Please upload a %(formats)s image.", formats=names)
        )
    too_large = _l("The image has too many pixels. Please upload a smaller image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in formats:
                    raise ImageRejected(_l("Please upload a %(formats)s image.", formats=names))
                width, height = probe.size
                if width * height > max_pixels or (max_side and max(width, height) > max_side):
                    raise ImageRejected(too_large)
                probe.verify()  # checksums and structure, without decoding the pixels
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                has_alpha = "A" in image.getbands() or "transparency" in image.info
                clean = image.convert("RGBA" if has_alpha else "RGB")
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(too_large) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageRejected(
            _l("The file is not a readable %(formats)s image.", formats=names)
        ) from None
    if fit_within is not None:
        clean.thumbnail(fit_within)
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
