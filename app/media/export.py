"""Coverage exports: the log as XLSX (openpyxl) and a PDF report whose charts are bar charts
drawn here as inline SVG (WeasyPrint renders SVG; PDFs carry no JavaScript)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from flask_babel import format_date, get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.documents.render import render_pdf
from app.events.models import Event
from app.media.models import CoverageKind, OutletLevel, OutletType
from app.media.services import CoverageFilter, coverage_summary, dashboard, list_coverage


def level_labels() -> dict[str, str]:
    """Outlet levels in the current locale."""
    return {
        OutletLevel.CENTRAL: _("Central"),
        OutletLevel.PROVINCIAL: _("Provincial"),
        OutletLevel.MUNICIPAL: _("Municipal"),
        OutletLevel.INDUSTRY: _("Industry"),
        OutletLevel.OVERSEAS: _("Overseas"),
    }


def type_labels() -> dict[str, str]:
    """Outlet types in the current locale."""
    return {
        OutletType.TV: _("TV"),
        OutletType.NEWSPAPER: _("Newspaper"),
        OutletType.NEWS_WEBSITE: _("News website"),
        OutletType.NEW_MEDIA: _("New media account"),
        OutletType.VIDEO_PLATFORM: _("Video platform"),
    }


def kind_labels() -> dict[str, str]:
    """Coverage kinds in the current locale."""
    return {
        CoverageKind.ORIGINAL: _("Original report"),
        CoverageKind.REPOST: _("Repost"),
        CoverageKind.VIDEO: _("Video"),
        CoverageKind.LIVE_STREAM: _("Live stream"),
    }


def _safe_cell(value):
    # A text cell starting with = + - @ would be run as a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def coverage_xlsx(event: Event, filters: CoverageFilter) -> bytes:
    """The coverage log (matching the filter) as an XLSX workbook, headers in the UI language."""
    locale = str(get_locale() or "zh_CN")
    levels, types, kinds = level_labels(), type_labels(), kind_labels()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Coverage")[:31]
    headers = [
        _("Date"),
        _("Outlet"),
        _("Level"),
        _("Outlet type"),
        _("Title"),
        _("URL"),
        _("Kind"),
        _("Plays/views"),
        _("Ceremony"),
        _("Notes"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in list_coverage(event, filters):
        outlet = item.outlet
        sheet.append(
            [
                item.published_on,
                _safe_cell(outlet.name.text(locale, event.languages)),
                levels[outlet.level],
                types[outlet.type],
                _safe_cell(item.title),
                _safe_cell(item.url or ""),
                kinds[item.kind],
                item.plays,
                _safe_cell(item.ceremony.title.text(locale, event.languages))
                if item.ceremony
                else "",
                _safe_cell(item.notes),
            ]
        )
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    widths = [12, 24, 10, 14, 50, 40, 12, 12, 24, 30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bar_chart_svg(
    bars: Sequence[tuple[str, int]], width: int = 500, bar_height: int = 18, color: str = "#1f6feb"
) -> Markup:
    """A horizontal bar chart as inline SVG: one labelled bar per (label, value)."""
    label_width = 150
    value_width = 60
    gap = 6
    height = max(1, len(bars)) * (bar_height + gap) + gap
    largest = max((value for _, value in bars), default=0) or 1
    scale = (width - label_width - value_width) / largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart">'
    ]
    for index, (label, value) in enumerate(bars):
        y = gap + index * (bar_height + gap)
        length = max(value * scale, 1 if value else 0)
        text_y = y + bar_height * 0.72
        parts.append(
            f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end" '
            f'font-size="11">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{color}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}" font-size="11">'
            f"{value:,}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - labels escaped above, numbers formatted


def column_chart_svg(
    columns: Sequence[tuple[str, int]], width: int = 500, height: int = 180, color: str = "#2da44e"
) -> Markup:
    """A vertical column chart as inline SVG (per-day counts), labels under the columns."""
    bottom = 30
    top = 16
    usable = height - bottom - top
    count = max(1, len(columns))
    step = width / count
    largest = max((value for _, value in columns), default=0) or 1
    every = max(1, count // 12)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart">',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        f'stroke="#999" stroke-width="0.5"/>',
    ]
    for index, (label, value) in enumerate(columns):
        column_height = value / largest * usable
        x = index * step + step * 0.15
        y = height - bottom - column_height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{column_height:.1f}" fill="{color}"/>'
        )
        if value:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{y - 3:.1f}" font-size="8" '
                f'text-anchor="middle">{value}</text>'
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 12}" font-size="8" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - labels escaped above, numbers formatted


def _range_label(filters: CoverageFilter) -> str:
    if filters.date_from and filters.date_to:
        return _(
            "%(start)s – %(end)s",
            start=format_date(filters.date_from, "medium"),
            end=format_date(filters.date_to, "medium"),
        )
    if filters.date_from:
        return _("from %(start)s", start=format_date(filters.date_from, "medium"))
    if filters.date_to:
        return _("until %(end)s", end=format_date(filters.date_to, "medium"))
    return _("all dates")


def report_context(event: Event, filters: CoverageFilter, generated_on: date) -> dict:
    """Everything the PDF coverage report prints, in the current UI language."""
    locale = str(get_locale() or "zh_CN")
    numbers = dashboard(event, filters)
    levels, types = level_labels(), type_labels()
    summary = coverage_summary(event, filters)
    return {
        "lang": "zh" if locale.startswith("zh") else "en",
        "event_title": event.text(event.title, locale),
        "range": _range_label(filters),
        "generated": format_date(generated_on, "long"),
        "reports": numbers.reports,
        "outlets": numbers.outlets,
        "plays": numbers.plays,
        "summary_zh": summary["zh"],
        "summary_en": summary["en"],
        "level_chart": bar_chart_svg([(levels[v], n) for v, n, _ in numbers.by_level]),
        "type_chart": bar_chart_svg(
            [(types[v], n) for v, n, _ in numbers.by_type], color="#8250df"
        ),
        "day_chart": column_chart_svg(
            [(day.strftime("%m-%d"), n) for day, n, _ in numbers.per_day]
        ),
        "top_outlets": [
            {
                "name": outlet.name.text(locale, event.languages),
                "name_lang": outlet.name.pick(locale, event.languages)[1] or "",
                "level": levels[outlet.level],
                "type": types[outlet.type],
                "reports": n,
                "plays": plays,
            }
            for outlet, n, plays in numbers.top_outlets
        ],
    }


def coverage_report_pdf(event: Event, filters: CoverageFilter, generated_on: date) -> bytes:
    """The PDF coverage report: totals, summary paragraphs, charts and top outlets."""
    return render_pdf(
        "media_report.html",
        report_context(event, filters, generated_on),
        translations=get_translations(),
    )
