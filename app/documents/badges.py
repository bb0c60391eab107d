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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.documents import fonts
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
SHEET_CHUNK = 100  # badges per WeasyPrint document before merging
_PADDING_MM = 6.0  # left and right padding of every block, at A6 width
_LOGO_MM = 26.0  # the widest logo and its gap, beside the event name (badge.css)
_PT_PER_MM = 72 / 25.4
# The estimate of a line's width may fill this much of it: Pango's line breaks and
# kerning differ a little from _line_count's.
_FIT_SLACK = 0.94
_SMALLEST_PT = 4.0  # a 300-character event name still fits its block at this size


@dataclass(frozen=True)
class _TextBlock:
    """A text block of the badge, at A6 width (badge.css scales it by width / 105)."""

    height_mm: float
    largest_pt: float
    line_height: float
    centred: bool = False  # vertically, with the text kept `inset_mm` clear of both edges
    inset_mm: float = 0.0


# Top to bottom; with the head's rule and padding (3 + 2.5), the gap under the head (1.5)
# and the QR block (58) they fill the 148 mm of an A6 badge.
_TEXT_BLOCKS = {
    "event": _TextBlock(8.0, 9.0, 1.2),
    "dates": _TextBlock(3.5, 8.0, 1.2),
    "name": _TextBlock(26.0, 40.0, 1.15, centred=True, inset_mm=1.5),
    "latin": _TextBlock(8.0, 16.0, 1.15, centred=True, inset_mm=0.5),
    "org": _TextBlock(10.0, 10.5, 1.2),
    "title": _TextBlock(7.5, 9.0, 1.2),
    "band": _TextBlock(20.0, 17.0, 1.15, centred=True, inset_mm=2.0),
}
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


def _advances() -> Mapping[int, float]:
    """Return the advance width (em) of every character of the badge font."""
    return fonts.ensure_fonts().advances


def _char_em(char: str, advances: Mapping[int, float]) -> float:
    """Return the width of one character in em (unknown glyphs count as one em)."""
    width = advances.get(ord(char))
    if width is not None:
        return width
    return 0.0 if unicodedata.combining(char) else 1.0


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


# Character categories a line never starts with: closing brackets, quotes and punctuation
# such as "，" and "。" (Chinese line-start rules), and combining marks.
_NO_BREAK_BEFORE = {"Pe", "Pf", "Po", "Mn", "Mc", "Me"}


def _may_break_between(before: str, after: str) -> bool:
    """Say whether a line may break between two characters (a cautious subset of UAX #14).

    Breaks after a space, after a hyphen (not before a digit) and around wide (CJK)
    characters, but never before closing or after opening punctuation: fewer break
    opportunities than Pango's make the estimate count as many lines as the real layout or
    more, so text is shrunk rather than clipped.
    """
    if before.isspace():
        return not after.isspace()
    if before == "-":
        return after.isalpha()
    if not (_is_wide(before) or _is_wide(after)) or after.isspace():
        return False
    return unicodedata.category(after) not in _NO_BREAK_BEFORE and unicodedata.category(
        before
    ) not in ("Ps", "Pi")


def _words(text: str) -> list[tuple[str, str]]:
    """Split text where a line may break: (word, the spaces after it)."""
    words: list[tuple[str, str]] = []
    current = ""
    for index, char in enumerate(text):
        current += char
        following = text[index + 1] if index + 1 < len(text) else ""
        if following and _may_break_between(char, following):
            stripped = current.rstrip()
            words.append((stripped, current[len(stripped) :]))
            current = ""
    if current:
        stripped = current.rstrip()
        words.append((stripped, current[len(stripped) :]))
    return words


@lru_cache(maxsize=4096)
def _line_count(text: str, width_em: float) -> int:
    """Count the lines greedy wrapping makes of text in a line of width_em (em of the font).

    A word wider than a line breaks anywhere, as CSS overflow-wrap: anywhere does.
    """
    advances = _advances()
    lines = 0
    used = 0.0  # width of the current line, its trailing spaces excluded
    pending = 0.0  # width of the spaces after the last word of the current line
    for word, spaces in _words(text):
        word_em = sum(_char_em(char, advances) for char in word)
        spaces_em = sum(_char_em(char, advances) for char in spaces)
        if lines and used + pending + word_em <= width_em:
            used += pending + word_em
        elif word_em <= width_em:
            lines += 1
            used = word_em
        else:  # on lines of its own, as Pango first breaks where it may
            lines += 1
            used = 0.0
            for char in word:
                char_em = _char_em(char, advances)
                if used and used + char_em > width_em:
                    lines += 1
                    used = 0.0
                used += char_em
        pending = spaces_em
    return lines


@lru_cache(maxsize=4096)
def _fit_text(
    text: str, width_mm: float, height_mm: float, largest_pt: float, line_height: float
) -> tuple[float, int]:
    """Return the largest font size (pt, in 0.25 pt steps) at which text wraps into the box.

    The box is width_mm wide and height_mm high, lines are line_height × size apart. Returns
    (size, lines); at _SMALLEST_PT the text is printed even if it would not fit.
    """
    if not text.strip():
        return largest_pt, 0
    width_pt = width_mm * _PT_PER_MM * _FIT_SLACK
    height_pt = height_mm * _PT_PER_MM

    def lines_at(steps: int) -> int | None:
        size = steps / 4
        lines = _line_count(text, width_pt / size)
        return lines if lines * size * line_height <= height_pt else None

    low, high = int(_SMALLEST_PT * 4), int(largest_pt * 4)
    if lines_at(high) is not None:
        low = high
    while high - low > 1:  # low fits (or is the smallest size); high does not
        middle = (low + high) // 2
        if lines_at(middle) is None:
            high = middle
        else:
            low = middle
    size = low / 4
    return size, _line_count(text, width_pt / size)


def _text_style(text: str, width_mm: float, block: _TextBlock, scale: float) -> str:
    """Return the inline style of a text block: its fitted size, and centring padding."""
    height_mm = block.height_mm * scale
    size, lines = _fit_text(
        text,
        round(width_mm, 3),
        round(height_mm - 2 * block.inset_mm * scale, 3),
        round(block.largest_pt * scale, 2),
        block.line_height,
    )
    style = f"font-size:{size:g}pt"
    if block.centred:
        used_mm = lines * size * block.line_height / _PT_PER_MM
        style += f";padding-top:{max(0.0, (height_mm - used_mm) / 2):.2f}mm"
    return style


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


def _logo_uri(logo_png: bytes) -> str:
    """Return the short document URL of a PNG logo (every badge of an event shares one)."""
    return document_resource_url(logo_png, "image/png")


def badge_stylesheet(size: str, *, sheet: bool = False) -> Stylesheet:
    """Name badge.css for a badge size, on its own page or on A4 sheets."""
    width, height = BADGE_SIZES[size]
    blocks = tuple((name, b.height_mm, b.line_height) for name, b in _TEXT_BLOCKS.items())
    return stylesheet(
        "badge.css", {"width_mm": width, "height_mm": height, "sheet": sheet, "blocks": blocks}
    )


def badge_context(badge: BadgeData, size: str | None = None) -> dict[str, Any]:
    """Return the badge.html context for one badge (sizes computed, colours checked)."""
    size = size or badge.size
    if size not in BADGE_SIZES:
        raise ValueError(f"unknown badge size {size!r}; use one of {sorted(BADGE_SIZES)}")
    width, height = BADGE_SIZES[size]
    scale = width / BADGE_SIZES["A6"][0]
    inner = width - 2 * _PADDING_MM * scale
    beside_logo = inner - _LOGO_MM * scale if badge.logo_png else inner
    color = _safe_color(badge.category_color)
    texts = {
        "event": (badge.event_name, beside_logo),
        "dates": (badge.event_dates, beside_logo),
        "name": (badge.name, inner),
        "latin": (badge.latin_name, inner),
        "org": (badge.organization, inner),
        "title": (badge.title, inner),
        "band": (badge.category_label, inner),
    }
    styles = {
        block: _text_style(text, box_width, _TEXT_BLOCKS[block], scale)
        for block, (text, box_width) in texts.items()
    }
    return {
        "size": size,
        "page_width_mm": width,
        "page_height_mm": height,
        "name": badge.name,
        "latin_name": badge.latin_name,
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
        "styles": styles,
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
    """Place as many badges of a size as fit on A4 portrait, centred: grid and cut lines."""
    width, height = BADGE_SIZES[size]
    columns = max(1, int(A4[0] // width))
    rows = max(1, int(A4[1] // height))
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
    }


_MARK_GAP_MM = 2.0  # between a badge's corner and a mark in the margin
_MARK_MM = 8.0  # the longest mark
_MARK_MIN_MM = 3.0  # shorter marks than this do not fit a margin: mark the cut line itself


def _cut_mark_lines(layout: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """The cut marks of a sheet page as lines (x1, y1, x2, y2) in mm from the top left.

    Every cut line is marked beyond both ends, in the margin, clear of the badges. When
    badges reach the paper's edge (4 × A6 fill an A4) there is no margin: the cut lines
    between badges are marked on themselves, from each edge inwards and as crosses where
    they meet, so that the cut takes the marks away.
    """
    top, left = layout["top_mm"], layout["left_mm"]
    xs, ys = layout["cut_x_mm"], layout["cut_y_mm"]
    lines = []
    for margin, cuts, along_y in ((top, xs, True), (left, ys, False)):
        length = min(_MARK_MM, margin - _MARK_GAP_MM)
        paper = A4[1] if along_y else A4[0]
        if length >= _MARK_MIN_MM:
            near = (margin - _MARK_GAP_MM - length, margin - _MARK_GAP_MM)
            far = (paper - margin + _MARK_GAP_MM, paper - margin + _MARK_GAP_MM + length)
        else:
            cuts = cuts[1:-1]  # the outer edges are the paper's
            near, far = (0.0, _MARK_MM), (paper - _MARK_MM, paper)
        for cut in cuts:
            for start, end in (near, far):
                lines.append((cut, start, cut, end) if along_y else (start, cut, end, cut))
    if min(top, left) - _MARK_GAP_MM < _MARK_MIN_MM:
        arm = _MARK_MM / 2
        for x in xs[1:-1]:
            for y in ys[1:-1]:
                lines.append((x - arm, y, x + arm, y))
                lines.append((x, y - arm, x, y + arm))
    return lines


def _cut_marks(layout: dict[str, Any]) -> bytes:
    """PDF operators drawing the cut marks of a sheet page (thin black lines)."""
    k = _PT_PER_MM
    path = " ".join(
        f"{x1 * k:.2f} {y1 * k:.2f} m {x2 * k:.2f} {y2 * k:.2f} l"
        for x1, y1, x2, y2 in _cut_mark_lines(layout)
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
