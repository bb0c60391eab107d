"""Registration exports for organizers: XLSX (openpyxl) and CSV (UTF-8 with BOM for Excel).

Every text cell that a spreadsheet could read as a formula (starting with = + - @, or a tab /
carriage return) is neutralized: in CSV it gets a leading apostrophe, in XLSX it is stored as
an explicit string with Excel's own "quote prefix" flag (the apostrophe Excel would show in the
formula bar), so "+8613800138000" still reads as a phone number and never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.clock import to_local
from app.contributions import ExportColumn
from app.events.models import Event
from app.i18n import language_name
from app.registration.forms import LANGUAGE_CHOICES, country_name
from app.registration.models import Attendance, Question, QuestionKind, Registration

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MULTIPLE_CHOICE_SEPARATOR = "; "
_LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet could evaluate this text as a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def neutralize(value: str) -> str:
    """The text with a leading apostrophe when it could be read as a formula."""
    return "'" + value if is_formula_like(value) else value


def state_label(state: str) -> str:
    """Translated name of a registration state."""
    labels = {
        "pending": _("Awaiting approval"),
        "confirmed": _("Confirmed"),
        "waitlisted": _("Waiting list"),
        "cancelled": _("Cancelled"),
        "rejected": _("Rejected"),
    }
    return labels.get(str(state), str(state))


def attendance_label(attendance: Attendance | str) -> str:
    """Translated name of an attendance mode."""
    return _("On site") if str(attendance) == Attendance.ONSITE.value else _("Online")


def language_label(code: str) -> str:
    """Name of a participant's language in that language (中文, English, Русский)."""
    return _LANGUAGE_NAMES.get(code, code)


def format_answer(question: Question, value, locale: str) -> str:
    """An answer to a custom question as text for organizers (choices and countries by name)."""
    if value in (None, "", []):
        return ""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else [value]
        return MULTIPLE_CHOICE_SEPARATOR.join(question.choice_label(str(v), locale) for v in values)
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return question.choice_label(str(value), locale)
    if question.kind == QuestionKind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(str(value), str(value))
    if question.kind == QuestionKind.COUNTRY:
        return country_name(str(value), locale)
    if isinstance(value, list):
        return MULTIPLE_CHOICE_SEPARATOR.join(str(v) for v in value)
    return str(value)


def export_headers(
    questions: Sequence[Question], locale: str, extra: Sequence[ExportColumn] = ()
) -> list[str]:
    """Column headers in the organizer's language: fixed columns, the columns other domains
    contribute (`extra`: check-in and online attendance), then one per question."""
    fixed = [
        _("Reference"),
        _("State"),
        _("Category"),
        _("Native name"),
        _("Latin name"),
        _("Organization"),
        _("Title / position"),
        _("Email"),
        _("Phone"),
        _("Country / region"),
        _("Attendance"),
        _("Language"),
        _("Created"),
        _("Privacy notice read in"),
    ]
    return fixed + [column.header for column in extra] + [q.label_in(locale) for q in questions]


def export_row(
    registration: Registration,
    questions: Sequence[Question],
    event: Event,
    locale: str,
    extra: Sequence[ExportColumn] = (),
) -> list:
    """One registration as a row of cell values (times as naive datetimes in the event's
    timezone)."""
    created = to_local(registration.created_at, event.timezone).replace(tzinfo=None, microsecond=0)
    answers = registration.answers or {}
    return [
        registration.reference,
        state_label(registration.state),
        registration.category.name_in(locale),
        registration.native_name,
        registration.latin_name,
        registration.organization,
        registration.job_title,
        registration.email,
        registration.phone,
        country_name(registration.country, locale),
        attendance_label(registration.attendance),
        language_label(registration.language),
        created,
        language_name(registration.consent_language) if registration.consent_language else "",
        *(_cell(column.values.get(registration.id), event) for column in extra),
        *(format_answer(q, answers.get(str(q.id)), locale) for q in questions),
    ]


def _cell(value, event: Event):
    """A contributed cell: an aware time in the event's timezone, naive; others unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return to_local(value, event.timezone).replace(tzinfo=None, microsecond=0)
    return "" if value is None else value


def _display_width(value) -> int:
    if isinstance(value, datetime):
        return 16
    text = str(value or "")
    # CJK characters take two columns in a spreadsheet.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _set_cell(cell, value):
    """Store a value; text always as a plain string, never as a formula."""
    if isinstance(value, datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    text = "" if value is None else str(value)
    cell.value = text
    # openpyxl turns any text starting with "=" into a formula unless told otherwise.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def write_xlsx(headers: list[str], rows: list[list], sheet_title: str) -> bytes:
    """An XLSX workbook: bold frozen header row, autofilter, column widths fitted to content."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31] or "Sheet1"
    bold = Font(bold=True)
    for column_index, header in enumerate(headers, start=1):
        _set_cell(sheet.cell(row=1, column=column_index), header).font = bold
    widths = [_display_width(h) for h in headers]
    for row_index, row in enumerate(rows, start=2):
        for column_index, value in enumerate(row, start=1):
            _set_cell(sheet.cell(row=row_index, column=column_index), value)
            widths[column_index - 1] = max(widths[column_index - 1], _display_width(value))
    for column_index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(max(len(headers), 1))
    sheet.auto_filter.ref = f"A1:{last_column}{max(len(rows) + 1, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(headers: list[str], rows: list[list]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel shows Chinese), formula-like cells neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                value.strftime("%Y-%m-%d %H:%M")
                if isinstance(value, datetime)
                else neutralize("" if value is None else str(value))
                for value in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
