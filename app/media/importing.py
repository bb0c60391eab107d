"""Coverage import from CSV (UTF-8 or GBK/GB18030, detected) and XLSX, in two steps:

1. `stage_import` keeps the uploaded bytes under instance/uploads/media-imports/<token> and
   `preview_import` parses them into rows to add, duplicates, rows from unknown outlets and
   bad rows with their reasons — nothing is written to the database;
2. `confirm_import` parses the kept file again (the log may have changed since), creates the
   unknown outlets the user chose to create, and adds every valid row in the caller's single
   transaction; the route commits once, so an error leaves nothing half-imported.

The outlet is named in the "outlet" column (媒体名称 …) and/or in one column per language
("outlet_en", "outlet (ru)", "媒体名称（英文）" …): a row is matched to an outlet by any of its
names in any language, and an outlet created from the file gets every name the row gives
(the "outlet" column's name in the language its script suggests).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.media.models import CoverageItem, CoverageKind, Outlet, OutletLevel, OutletType
from app.media.services import (
    MediaError,
    OutletData,
    create_outlet,
    duplicate_index,
    is_valid_url,
    name_key,
    outlet_index,
)
from app.translated import LANGUAGE_CODE, Translated

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
STAGED_MAX_AGE_SECONDS = 24 * 3600
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")

# Accepted header names per column (compared with name_key, so case and spaces do not matter).
COLUMNS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet", "media", "media outlet", "媒体", "媒体名称", "媒体单位"),
    "date": ("date", "published", "publication date", "日期", "发布日期", "报道日期"),
    "title": ("title", "headline", "标题", "报道标题", "稿件标题"),
    "url": ("url", "link", "web address", "链接", "网址", "报道链接"),
    "kind": ("kind", "report kind", "报道类型", "形式", "类型"),
    "plays": ("plays", "views", "plays/views", "播放量", "阅读量", "浏览量", "点击量"),
    "notes": ("notes", "note", "remarks", "备注"),
    "level": ("level", "outlet level", "媒体级别", "级别"),
    "outlet_type": ("outlet type", "media type", "媒体类型"),
}
REQUIRED_COLUMNS = ("outlet", "date", "title")
# An outlet's name in one language (headers compared by name_key): "outlet_en", "outlet (ru)",
# "Media (English)", "媒体名称（英文）".
OUTLET_LANGUAGE_HEADER = re.compile(
    r"^(?:outlet|media|媒体名称|媒体单位|媒体)(?:[_-]+([a-z]{2,3})|[_-]*\(([^()]{2,12})\))$"
)
LANGUAGE_WORDS = {
    "chinese": "zh",
    "english": "en",
    "russian": "ru",
    "kazakh": "kk",
    "中文": "zh",
    "英文": "en",
    "俄文": "ru",
    "哈萨克文": "kk",
}
OUTLET_COLUMN_PREFIX = "outlet:"
KIND_WORDS: dict[str, CoverageKind] = {
    "original": CoverageKind.ORIGINAL,
    "original report": CoverageKind.ORIGINAL,
    "原创": CoverageKind.ORIGINAL,
    "原发": CoverageKind.ORIGINAL,
    "报道": CoverageKind.ORIGINAL,
    "repost": CoverageKind.REPOST,
    "转载": CoverageKind.REPOST,
    "转发": CoverageKind.REPOST,
    "video": CoverageKind.VIDEO,
    "视频": CoverageKind.VIDEO,
    "live": CoverageKind.LIVE_STREAM,
    "live stream": CoverageKind.LIVE_STREAM,
    "livestream": CoverageKind.LIVE_STREAM,
    "直播": CoverageKind.LIVE_STREAM,
}
LEVEL_WORDS: dict[str, OutletLevel] = {
    "central": OutletLevel.CENTRAL,
    "中央": OutletLevel.CENTRAL,
    "央媒": OutletLevel.CENTRAL,
    "provincial": OutletLevel.PROVINCIAL,
    "省级": OutletLevel.PROVINCIAL,
    "省": OutletLevel.PROVINCIAL,
    "municipal": OutletLevel.MUNICIPAL,
    "市级": OutletLevel.MUNICIPAL,
    "市": OutletLevel.MUNICIPAL,
    "industry": OutletLevel.INDUSTRY,
    "行业": OutletLevel.INDUSTRY,
    "overseas": OutletLevel.OVERSEAS,
    "境外": OutletLevel.OVERSEAS,
    "海外": OutletLevel.OVERSEAS,
}
TYPE_WORDS: dict[str, OutletType] = {
    "tv": OutletType.TV,
    "电视": OutletType.TV,
    "电视台": OutletType.TV,
    "newspaper": OutletType.NEWSPAPER,
    "报纸": OutletType.NEWSPAPER,
    "news website": OutletType.NEWS_WEBSITE,
    "website": OutletType.NEWS_WEBSITE,
    "新闻网站": OutletType.NEWS_WEBSITE,
    "网站": OutletType.NEWS_WEBSITE,
    "new media": OutletType.NEW_MEDIA,
    "新媒体": OutletType.NEW_MEDIA,
    "公众号": OutletType.NEW_MEDIA,
    "video platform": OutletType.VIDEO_PLATFORM,
    "视频平台": OutletType.VIDEO_PLATFORM,
}
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class ImportFileError(MediaError):
    """The file as a whole cannot be imported (too large, not a spreadsheet, missing columns)."""


@dataclass
class ImportRow:
    """One data row of the file: its line number, the values read, and its verdict."""

    line: int
    outlet_name: str
    title: str
    outlet_names: dict[str, str] = field(default_factory=dict)  # language → name, if given
    published_on: date | None = None
    url: str = ""
    kind: CoverageKind = CoverageKind.ORIGINAL
    plays: int | None = None
    notes: str = ""
    level: OutletLevel | None = None
    outlet_type: OutletType | None = None
    outlet: Outlet | None = None
    errors: list[str] = field(default_factory=list)
    duplicate_of: str = ""  # "log" or "row N"

    @property
    def status(self) -> str:
        """ "error", "unknown_outlet", "duplicate" or "new"."""
        if self.errors:
            return "error"
        if self.outlet is None:
            return "unknown_outlet"
        if self.duplicate_of:
            return "duplicate"
        return "new"


@dataclass
class UnknownOutlet:
    """An outlet name the log does not know, with a suggested level and type."""

    name: str
    rows: int
    level: OutletLevel
    type: OutletType
    names: dict[str, str] = field(default_factory=dict)  # from the language columns


@dataclass
class ImportPreview:
    """The parsed file: every row with its verdict, and the unknown outlets."""

    filename: str
    encoding: str
    rows: list[ImportRow]
    unknown_outlets: list[UnknownOutlet]
    columns: list[str]

    def by_status(self, status: str) -> list[ImportRow]:
        """Rows with this status."""
        return [row for row in self.rows if row.status == status]


# --- reading files --------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding found: UTF-8 (with or without BOM), else GB18030
    (a superset of GBK and GB2312, which Chinese Excel writes)."""
    if b"\x00" in data[:65536]:
        raise ImportFileError(_l("This file is not a spreadsheet (CSV or XLSX)."))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise ImportFileError(
            _l("The file's text encoding is not UTF-8 or GBK. Save it as CSV UTF-8 or XLSX.")
        ) from None


def _csv_rows(text: str) -> list[list[str]]:
    control = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if control > 4:
        raise ImportFileError(_l("This file is not a spreadsheet (CSV or XLSX)."))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]


# An XLSX is a zip: 5 MB of it can inflate to gigabytes (openpyxl reads the shared strings
# into memory even in read-only mode), so the sizes the zip declares are checked first.
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000


def _check_xlsx_size(data: bytes) -> None:
    """Raise ImportFileError for a zip that would inflate beyond what a coverage log needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_l("This file is not a spreadsheet (CSV or XLSX).")) from None
    if (
        len(members) > MAX_XLSX_MEMBERS
        or sum(member.file_size for member in members) > MAX_XLSX_UNCOMPRESSED_BYTES
    ):
        raise ImportFileError(
            _l("The spreadsheet is too large once unpacked. Save the log as CSV and try again.")
        )


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    _check_xlsx_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(_l("This file is not a spreadsheet (CSV or XLSX).")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
            if any(c is not None and str(c).strip() for c in row):
                rows.append(list(row))
        return rows
    finally:
        workbook.close()


def read_table(data: bytes) -> tuple[list[list], str]:
    """Rows of a CSV or XLSX file (the first sheet) and the encoding or format found; raises
    ImportFileError for an empty, oversized, binary or old-Excel file."""
    if not data:
        raise ImportFileError(_l("The file is empty."))
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _l("The file is too large (at most %(n)d MB).", n=MAX_IMPORT_BYTES // 2**20)
        )
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data), "XLSX"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
        )
    text, encoding = _decode(data)
    return _csv_rows(text), f"CSV ({encoding})"


def _header_map(header: list) -> dict[str, int]:
    aliases = {name_key(alias): column for column, names in COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = name_key(str(cell or ""))
        column = aliases.get(key)
        if column is None and (match := OUTLET_LANGUAGE_HEADER.match(key)):
            word = match.group(1) or match.group(2)
            language = LANGUAGE_WORDS.get(word) or (word if LANGUAGE_CODE.match(word) else None)
            column = f"{OUTLET_COLUMN_PREFIX}{language}" if language else None
        if column and column not in found:
            found[column] = index
    return found


def guess_language(name: str, languages: list[str]) -> str:
    """The content language an outlet name from the file is probably in, by its script:
    Chinese characters → zh, Cyrillic → ru, Latin → en; the event's first language when the
    guess is not one of its content languages."""
    scripts = {unicodedata.name(c, "").split(" ")[0] for c in name if c.isalpha()}
    if "CJK" in scripts:
        guess = "zh"
    elif "CYRILLIC" in scripts:
        guess = "ru"
    else:
        guess = "en"
    return guess if guess in languages else languages[0]


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def parse_date(value) -> date | None:
    """A date cell: a date, a datetime or text such as 2020-11-23, 2020/11/23, 2020年11月23日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


def parse_plays(value) -> int | None:
    """A plays/views cell: 12345, "12,345", "1.2万"; raises ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(value)
        return value
    if isinstance(value, float):
        if value < 0 or not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
    multiplier = 1
    if text.endswith("万"):
        text, multiplier = text[:-1], 10000
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(value)
    number = float(text) * multiplier
    if multiplier == 1 and "." in text:
        raise ValueError(value)
    return round(number)


def _row_from_cells(line: int, cells: list, columns: dict[str, int]) -> ImportRow:
    def text(column: str) -> str:
        value = _cell(cells, columns.get(column))
        return "" if value is None else str(value).strip()

    names = {
        column.removeprefix(OUTLET_COLUMN_PREFIX): text(column)[:200]
        for column in columns
        if column.startswith(OUTLET_COLUMN_PREFIX) and text(column)
    }
    outlet_name = text("outlet") or next(iter(names.values()), "")
    row = ImportRow(line=line, outlet_name=outlet_name, title=text("title"), outlet_names=names)
    if not row.outlet_name:
        row.errors.append(str(_l("The outlet is missing.")))
    if not row.title:
        row.errors.append(str(_l("The title is missing.")))
    elif len(row.title) > 500:
        row.errors.append(str(_l("The title is longer than 500 characters.")))
    raw_date = _cell(cells, columns.get("date"))
    row.published_on = parse_date(raw_date)
    if row.published_on is None:
        if raw_date in (None, ""):
            row.errors.append(str(_l("The date is missing.")))
        else:
            row.errors.append(
                str(_l("“%(value)s” is not a date (use 2020-11-23).", value=str(raw_date)[:40]))
            )
    row.url = text("url")
    if row.url and not is_valid_url(row.url):
        row.errors.append(
            str(_l("“%(value)s” is not a web address (http:// or https://).", value=row.url[:80]))
        )
    raw_plays = _cell(cells, columns.get("plays"))
    try:
        row.plays = parse_plays(raw_plays)
    except ValueError:
        row.errors.append(
            str(_l("Plays “%(value)s” is not a whole number.", value=str(raw_plays)[:40]))
        )
    kind = text("kind")
    if kind:
        found = KIND_WORDS.get(kind.casefold()) or next(
            (k for k in CoverageKind if k.value == kind.casefold()), None
        )
        if found is None:
            row.errors.append(
                str(
                    _l(
                        "Unknown kind “%(value)s” (original, repost, video, live stream).",
                        value=kind[:40],
                    )
                )
            )
        else:
            row.kind = found
    row.notes = text("notes")[:5000]
    row.level = LEVEL_WORDS.get(text("level").casefold())
    row.outlet_type = TYPE_WORDS.get(text("outlet_type").casefold())
    return row


def parse_import(event: Event, data: bytes, filename: str) -> ImportPreview:
    """Read a coverage file and judge every row against the current log (writes nothing);
    raises ImportFileError for a file that cannot be read or lacks required columns."""
    table, encoding = read_table(data)
    if not table:
        raise ImportFileError(_l("The file has no rows."))
    columns = _header_map(table[0])
    named = "outlet" in columns or any(c.startswith(OUTLET_COLUMN_PREFIX) for c in columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns and not (c == "outlet" and named)]
    if missing:
        raise ImportFileError(
            _l(
                "Missing columns: %(columns)s. The first row must name the columns, for "
                "example: outlet, date, title, url, kind, plays, notes (or 媒体, 日期, 标题, "
                "链接, 类型, 播放量, 备注).",
                columns=", ".join(missing),
            )
        )
    body = table[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFileError(_l("At most %(n)d rows per file.", n=MAX_IMPORT_ROWS))
    outlets = outlet_index(event)
    seen = duplicate_index(event)
    rows: list[ImportRow] = []
    unknown: dict[str, UnknownOutlet] = {}
    for number, cells in enumerate(body, start=2):
        row = _row_from_cells(number, cells, columns)
        rows.append(row)
        if not row.outlet_name:
            continue
        row.outlet = next(
            (
                outlets[key]
                for key in map(name_key, [row.outlet_name, *row.outlet_names.values()])
                if key in outlets
            ),
            None,
        )
        if row.outlet is None:
            entry = unknown.setdefault(
                name_key(row.outlet_name),
                UnknownOutlet(
                    row.outlet_name,
                    0,
                    row.level or OutletLevel.MUNICIPAL,
                    row.outlet_type or OutletType.NEWS_WEBSITE,
                ),
            )
            entry.rows += 1
            for language, name in row.outlet_names.items():
                entry.names.setdefault(language, name)
            continue
        if row.errors:
            continue
        duplicate = seen.find(row.outlet.id, row.published_on, row.title, row.url)
        if duplicate is not None:
            row.duplicate_of = "log" if duplicate > 0 else f"row {-duplicate}"
            continue
        seen.add(-number, row.outlet.id, row.published_on, row.title, row.url)
    return ImportPreview(filename, encoding, rows, list(unknown.values()), sorted(columns))


# --- staging ------------------------------------------------------------------------------


def _staging_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads" / "media-imports"


def _clean_staging(directory: Path) -> None:
    cutoff = time.time() - STAGED_MAX_AGE_SECONDS
    for path in directory.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def stage_import(event: Event, data: bytes, filename: str, user: User | None) -> str:
    """Keep an uploaded file for preview and confirmation; returns its token. Raises
    ImportFileError when the file cannot be read (so nothing unreadable is kept)."""
    parse_import(event, data, filename)
    directory = _staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _clean_staging(directory)
    token = secrets.token_urlsafe(18)
    (directory / f"{token}.data").write_bytes(data)
    meta = {"event_id": event.id, "user_id": user.id if user else None, "filename": filename}
    (directory / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def _staged(event: Event, token: str) -> tuple[bytes, dict]:
    if not TOKEN_PATTERN.match(token or ""):
        raise MediaError(_l("This import has expired. Upload the file again."))
    directory = _staging_dir()
    try:
        meta = json.loads((directory / f"{token}.json").read_text(encoding="utf-8"))
        data = (directory / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        raise MediaError(_l("This import has expired. Upload the file again.")) from None
    if meta.get("event_id") != event.id:
        raise MediaError(_l("This import has expired. Upload the file again."))
    return data, meta


def preview_import(event: Event, token: str) -> ImportPreview:
    """Parse a staged file again for its preview; raises MediaError for an unknown token."""
    data, meta = _staged(event, token)
    return parse_import(event, data, meta.get("filename", ""))


def discard_import(token: str) -> None:
    """Forget a staged file."""
    if TOKEN_PATTERN.match(token or ""):
        for suffix in (".data", ".json"):
            (_staging_dir() / f"{token}{suffix}").unlink(missing_ok=True)


@dataclass
class ImportResult:
    """What a confirmed import did."""

    added: int
    outlets_created: int
    duplicates: int
    errors: int
    skipped_unknown: int


def confirm_import(
    event: Event,
    token: str,
    new_outlets: dict[str, tuple[OutletLevel, OutletType]],
    user: User | None,
) -> ImportResult:
    """Create the chosen unknown outlets (by name → level, type) and add every valid new row,
    all in the caller's transaction; raises MediaError for an expired token or a refused
    outlet. Rows with errors, duplicates and rows of outlets not chosen are skipped."""
    data, meta = _staged(event, token)
    preview = parse_import(event, data, meta.get("filename", ""))
    wanted = {name_key(name): choice for name, choice in new_outlets.items()}
    created = 0
    for unknown in preview.unknown_outlets:
        choice = wanted.get(name_key(unknown.name))
        if choice is None:
            continue
        level, outlet_type = choice
        names = {guess_language(unknown.name, event.languages): unknown.name, **unknown.names}
        create_outlet(event, OutletData(name=Translated(names), level=level, type=outlet_type))
        created += 1
    if created:
        db.session.flush()
        preview = parse_import(event, data, meta.get("filename", ""))
    rows = preview.by_status("new")
    db.session.add_all(
        CoverageItem(
            event_id=event.id,
            outlet_id=row.outlet.id,
            published_on=row.published_on,
            title=row.title,
            url=row.url or None,
            kind=row.kind,
            plays=row.plays,
            notes=row.notes,
            created_by_id=user.id if user else None,
        )
        for row in rows
    )
    db.session.flush()
    return ImportResult(
        added=len(rows),
        outlets_created=created,
        duplicates=len(preview.by_status("duplicate")),
        errors=len(preview.by_status("error")),
        skipped_unknown=len(preview.by_status("unknown_outlet")),
    )
