"""Badges: one attendee's badge PDF, and A4 sheets of badges with cut marks for printing.

Callers pass plain ``BadgeData`` (already translated and formatted strings), never ORM
objects, so RQ jobs can build them from ids and the renderer stays free of the database.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.documents.render import (
    Stylesheet,
    Translations,
    document_resource_url,
    render_html,
    render_html_to_pdf,
    render_pdf,
    stylesheet,
    warm_up,
)

__all__ = [
    "BADGE_SIZES",
    "BadgeData",
    "badge_context",
    "badge_stylesheet",
    "render_badge_pdf",
    "render_badge_sheet_pdf",
]

# Width × height in millimetres.
BADGE_SIZES = {"A6": (105.0, 148.0), "90x130": (90.0, 130.0)}
A4 = (210.0, 297.0)
SHEET_MIN_MARGIN_MM = 8.0
SHEET_CHUNK = 100  # badges per WeasyPrint document before merging
_PADDING_MM = 6.0
_PT_PER_MM = 72 / 25.4
_NAME_BOX_MM = 26.0  # height of the name block at scale 1 (badge.css)
_NAME_LINE_HEIGHT = 1.15
_COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
DEFAULT_COLOR = "#1F4E9C"


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge; strings are final (translated, formatted)."""

    name: str
    latin_name: str = ""
    organization: str = ""
    title: str = ""
    category_label: str = ""
    category_color: str = DEFAULT_COLOR
    event_name: str = ""
    event_dates: str = ""
    ticket_code: str | None = None
    online_access_url: str | None = None
    size: str = "A6"
    accent_color: str = DEFAULT_COLOR
    # The event logo as PNG bytes already checked and re-encoded by the caller.
    logo_png: bytes | None = None


def _text_width_em(text: str) -> float:
    """Estimate the width of text in em: wide (CJK) characters 1, others ~0.6."""
    width = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6
    return width


def _fit_font_size(text: str, box_mm: float, largest: float, smallest: float) -> float:
    """Return a font size (pt) fitting text on one line of box_mm, within the bounds."""
    width_em = _text_width_em(text)
    if width_em <= 0:
        return largest
    fitting = box_mm * _PT_PER_MM / width_em
    return round(max(smallest, min(largest, fitting)), 1)


def _safe_color(color: str) -> str:
    """Return color if it is a #rgb/#rrggbb hex colour, else the default."""
    return color if isinstance(color, str) and _COLOR_RE.fullmatch(color) else DEFAULT_COLOR


def _text_color_on(color: str) -> str:
    """Return black or white, whichever reads better on the given hex colour."""
    hex_digits = color[1:]
    if len(hex_digits) == 3:
        hex_digits = "".join(digit * 2 for digit in hex_digits)
    red, green, blue = (int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000000" if luminance > 0.55 else "#FFFFFF"


def _name_style(name: str, size_pt: float, inner_mm: float, scale: float) -> str:
    """Return the name's inline style: its font size and a top padding centring its lines."""
    line_mm = size_pt * _NAME_LINE_HEIGHT / _PT_PER_MM
    lines = max(1, math.ceil(_text_width_em(name) * size_pt / (inner_mm * _PT_PER_MM)))
    padding = max(0.0, (_NAME_BOX_MM * scale - lines * line_mm) / 2)
    return f"font-size:{size_pt}pt;padding-top:{padding:.2f}mm"


def _logo_uri(logo_png: bytes) -> str:
    """Return the short document URL of a PNG logo (every badge of an event shares one)."""
    return document_resource_url(logo_png, "image/png")


def badge_stylesheet(size: str, *, sheet: bool = False) -> Stylesheet:
    """Name badge.css for a badge size, on its own page or on A4 sheets."""
    width, height = BADGE_SIZES[size]
    return stylesheet("badge.css", {"width_mm": width, "height_mm": height, "sheet": sheet})


def badge_context(badge: BadgeData, size: str | None = None) -> dict[str, Any]:
    """Return the badge.html context for one badge (sizes computed, colours checked)."""
    size = size or badge.size
    if size not in BADGE_SIZES:
        raise ValueError(f"unknown badge size {size!r}; use one of {sorted(BADGE_SIZES)}")
    width, height = BADGE_SIZES[size]
    inner = width - 2 * _PADDING_MM
    scale = width / BADGE_SIZES["A6"][0]
    color = _safe_color(badge.category_color)
    name_size = _fit_font_size(badge.name, inner, 40 * scale, 16 * scale)
    return {
        "size": size,
        "page_width_mm": width,
        "page_height_mm": height,
        "name": badge.name,
        "name_size_pt": name_size,
        "name_style": _name_style(badge.name, name_size, inner, scale),
        "latin_name": badge.latin_name,
        "latin_size_pt": _fit_font_size(badge.latin_name, inner, 18 * scale, 10 * scale),
        "organization": badge.organization,
        "title": badge.title,
        "category_label": badge.category_label,
        "category_color": color,
        "category_text_color": _text_color_on(color),
        "event_name": badge.event_name,
        "event_dates": badge.event_dates,
        "ticket_code": badge.ticket_code,
        "online_access_url": badge.online_access_url,
        "accent_color": _safe_color(badge.accent_color),
        "logo_uri": _logo_uri(badge.logo_png) if badge.logo_png else None,
        "scale": scale,
    }


def render_badge_pdf(badge: BadgeData, *, translations: Translations | None = None) -> bytes:
    """Return the PDF of one badge on its own page (A6 or 90×130 mm)."""
    context = {"badge": badge_context(badge)}
    return render_pdf(
        "badge.html",
        context,
        stylesheets=[badge_stylesheet(context["badge"]["size"])],
        translations=translations,
    )


def _sheet_layout(size: str) -> dict[str, Any]:
    """Place badges of a size on A4 portrait: grid, margins, cut-mark positions."""
    width, height = BADGE_SIZES[size]
    columns = max(1, int((A4[0] - 2 * SHEET_MIN_MARGIN_MM) // width))
    rows = max(1, int((A4[1] - 2 * SHEET_MIN_MARGIN_MM) // height))
    left = (A4[0] - columns * width) / 2
    top = (A4[1] - rows * height) / 2
    return {
        "badge_width_mm": width,
        "badge_height_mm": height,
        "columns": columns,
        "rows": rows,
        "per_page": columns * rows,
        "left_mm": left,
        "top_mm": top,
        "cut_x_mm": [left + i * width for i in range(columns + 1)],
        "cut_y_mm": [top + i * height for i in range(rows + 1)],
        "mark_length_mm": min(left, top) - 2,
    }


def _cut_marks(layout: dict[str, Any]) -> bytes:
    """PDF operators for the cut marks of a sheet page, drawn in the margins only."""
    length = layout["mark_length_mm"]
    gap = 2.0
    top, left = layout["top_mm"], layout["left_mm"]
    lines = []
    for x in layout["cut_x_mm"]:
        lines.append((x, top - gap - length, x, top - gap))
        lines.append((x, A4[1] - top + gap, x, A4[1] - top + gap + length))
    for y in layout["cut_y_mm"]:
        lines.append((left - gap - length, y, left - gap, y))
        lines.append((A4[0] - left + gap, y, A4[0] - left + gap + length, y))
    k = _PT_PER_MM
    path = " ".join(
        f"{x1 * k:.2f} {y1 * k:.2f} m {x2 * k:.2f} {y2 * k:.2f} l" for x1, y1, x2, y2 in lines
    )
    return f"q 0 G 0.25 w {path} S Q".encode("ascii")


def _chunks(items: list[BadgeData], size: int) -> Iterator[list[BadgeData]]:
    """Yield consecutive slices of items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sheet_chunk_html(
    part: list[BadgeData], layout: dict[str, Any], size: str, translations: Any
) -> str:
    """Return the badge_sheet.html markup for one chunk of badges."""
    per_page = layout["per_page"]
    pages = [
        [badge_context(badge, size) for badge in part[start : start + per_page]]
        for start in range(0, len(part), per_page)
    ]
    return render_html("badge_sheet.html", {**layout, "pages": pages}, translations=translations)


# The sheet being rendered, set before forking so workers inherit it instead of receiving
# the translations and layout by pickle: (layout, size, translations).
_sheet_job: tuple[dict[str, Any], str, Any] | None = None


def _render_sheet_chunk(part: list[BadgeData]) -> bytes:
    """Lay out one chunk of the current sheet (in this process or a forked worker)."""
    assert _sheet_job is not None
    layout, size, translations = _sheet_job
    html = _sheet_chunk_html(part, layout, size, translations)
    return render_html_to_pdf(html, [badge_stylesheet(size, sheet=True)], _cut_marks(layout))


def render_badge_sheet_pdf(
    badges: Iterable[BadgeData],
    progress: Callable[[int, int], None] | None = None,
    *,
    size: str = "90x130",
    translations: Translations | None = None,
    workers: int | None = None,
) -> bytes:
    """Return A4 pages of badges with cut marks; progress(done, total) after each chunk.

    Chunks of SHEET_CHUNK badges are rendered as separate documents (bounded memory, one
    font subset per chunk) and merged with pypdf; with workers > 1 (default: up to 2 on
    POSIX) chunks are rendered in forked processes that inherit this process's warm fonts,
    parsed stylesheets and translations. Raises ValueError for an unknown size.
    """
    global _sheet_job
    from pypdf import PdfWriter

    items = list(badges)
    if size not in BADGE_SIZES:
        raise ValueError(f"unknown badge size {size!r}; use one of {sorted(BADGE_SIZES)}")
    layout = _sheet_layout(size)
    total = len(items)
    per_page = layout["per_page"]
    # Whole pages per chunk, so that merging chunks never leaves half-empty pages.
    chunk = max(per_page, SHEET_CHUNK // per_page * per_page)
    parts = list(_chunks(items, chunk)) or [[]]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if hasattr(os, "fork") else 1
    workers = max(1, min(workers, len(parts)))
    writer = PdfWriter()
    done = 0
    if progress:
        progress(0, total)
    _sheet_job = (layout, size, translations)
    pool = None
    if workers > 1:
        warm_up()  # forked workers inherit the loaded fonts and configuration
        render_html_to_pdf("<p></p>", [badge_stylesheet(size, sheet=True)])  # parse CSS once
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        pdfs = pool.imap(_render_sheet_chunk, parts) if pool else map(_render_sheet_chunk, parts)
        for part, pdf in zip(parts, pdfs, strict=True):
            writer.append(io.BytesIO(pdf))
            done += len(part)
            if progress:
                progress(done, total)
    finally:
        _sheet_job = None
        if pool:
            pool.close()
            pool.join()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
