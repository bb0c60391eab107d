"""Badges: one attendee's badge PDF, and A4 sheets of badges with cut marks for printing.

Callers pass plain ``BadgeData`` (already translated and formatted strings), never ORM
objects, so RQ jobs can build them from ids and the renderer stays free of the database.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.documents.render import (
    Translations,
    render_html,
    render_html_to_pdf,
    render_pdf,
    warm_up,
)

__all__ = [
    "BADGE_SIZES",
    "BadgeData",
    "badge_context",
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


def badge_context(badge: BadgeData, size: str | None = None) -> dict[str, Any]:
    """Return the badge.html context for one badge (sizes computed, colours checked)."""
    size = size or badge.size
    if size not in BADGE_SIZES:
        raise ValueError(f"unknown badge size {size!r}; use one of {sorted(BADGE_SIZES)}")
    width, height = BADGE_SIZES[size]
    inner = width - 2 * _PADDING_MM
    scale = width / BADGE_SIZES["A6"][0]
    color = _safe_color(badge.category_color)
    return {
        "page_width_mm": width,
        "page_height_mm": height,
        "name": badge.name,
        "name_size_pt": _fit_font_size(badge.name, inner, 40 * scale, 16 * scale),
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
        "scale": scale,
    }


def render_badge_pdf(badge: BadgeData, *, translations: Translations | None = None) -> bytes:
    """Return the PDF of one badge on its own page (A6 or 90×130 mm)."""
    return render_pdf("badge.html", {"badge": badge_context(badge)}, translations=translations)


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


def render_badge_sheet_pdf(
    badges: Iterable[BadgeData],
    progress: Callable[[int, int], None] | None = None,
    *,
    size: str = "90x130",
    translations: Translations | None = None,
    workers: int | None = None,
) -> bytes:
    """Return A4 pages of badges with cut marks; progress(done, total) after each chunk.

    Chunks of SHEET_CHUNK badges are laid out separately (bounded memory) and merged with
    pypdf; with workers > 1 (default: up to 2 on POSIX) chunks are laid out in forked
    processes that inherit this process's warm fonts.
    """
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
    htmls = (_sheet_chunk_html(part, layout, size, translations) for part in parts)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if hasattr(os, "fork") else 1
    workers = max(1, min(workers, len(parts)))
    writer = PdfWriter()
    done = 0
    if progress:
        progress(0, total)
    pool = None
    if workers > 1:
        warm_up()  # forked workers inherit the loaded fonts and configuration
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        pdfs = pool.imap(render_html_to_pdf, htmls) if pool else map(render_html_to_pdf, htmls)
        for part, pdf in zip(parts, pdfs, strict=True):
            writer.append(io.BytesIO(pdf))
            done += len(part)
            if progress:
                progress(done, total)
    finally:
        if pool:
            pool.close()
            pool.join()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
