"""The check-in API's contract: the request models that validate every body and query of
app/checkin/api.py, the response models, and the API's part of the OpenAPI document
(app/openapi.py generates the document from these models, so it cannot drift from the checks).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from app.checkin.models import CheckinStatus, ScanKind
from app.clock import utcnow
from app.extensions import INTEGER_MAX
from app.jsonapi import DatabaseId, EventSlug, Refusal, refuse
from app.openapi import OpenApiPart, Operation, schema_ref

MAX_BODY = 16 * 1024
MAX_SYNC_BODY = 1024 * 1024
MAX_SYNC_SCANS = 500
MAX_CODE = 200
MAX_NONCE = 64
MAX_STATION = 60
MAX_QUERY = 100
SCANNED_AT_PAST = timedelta(days=365)
SCANNED_AT_FUTURE = timedelta(days=1)


# --------------------------------------------------------------------------- field types


def _without_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text; no name, phone or station contains control characters.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise refuse(_("contains characters that are not allowed"))
    return value


def _not_blank(value: object) -> object:
    """Before the length: a string of spaces is empty, however long."""
    if isinstance(value, str) and not value.strip():
        raise refuse(_("must not be empty"))
    return value


def _scanned_at(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise refuse(_("must be an ISO 8601 date and time"))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        aware = moment.tzinfo is not None
        if aware:
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise refuse(_("must be an ISO 8601 date and time")) from None
    if not aware:
        raise refuse(_("must include a time zone (e.g. Z)"))
    now = utcnow()
    if not now - SCANNED_AT_PAST <= moment <= now + SCANNED_AT_FUTURE:
        raise refuse(_("is too far from the current time"))
    return moment


def _decimal_digits(value: object) -> object:
    """A query's id is written in at most 10 ASCII digits (no sign, space or underscore)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        raise PydanticCustomError("not_digits", "not decimal digits")
    return value


# Keyboard-wedge scanners may add a trailing newline or spaces: the code is kept stripped.
TicketCode = Annotated[
    str,
    Field(min_length=1, max_length=MAX_CODE),
    BeforeValidator(_not_blank),
    AfterValidator(str.strip),
]
# A short human label: printable, no control characters, stripped.
Station = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_STATION,
        json_schema_extra={"pattern": "^[^\\x00-\\x1f\\x7f]*\\S[^\\x00-\\x1f\\x7f]*$"},
    ),
    BeforeValidator(_not_blank),
    AfterValidator(str.strip),
    AfterValidator(_without_control_characters),
]
Nonce = Annotated[
    str,
    Field(pattern=r"^[\x21-\x7e]{1,64}$"),
    Refusal(_l("must be 1 to 64 visible ASCII characters")),
]
ScannedAt = Annotated[
    datetime,
    PlainValidator(_scanned_at),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "the client's scan time; within a year before and a day after the "
            "server's clock",
        }
    ),
    Refusal(_l("must be an ISO 8601 date and time")),
]
Kind = Annotated[
    ScanKind,
    BeforeValidator(lambda value: ScanKind.ENTRY if value is None else value),
    Refusal(_l("must be entry or exit")),
]
QueryId = Annotated[
    int,
    Field(ge=1, le=INTEGER_MAX),
    BeforeValidator(_decimal_digits),
    Refusal(_l("must be a positive integer")),
]


# --------------------------------------------------------------------------- requests


class RequestBody(BaseModel):
    """A JSON body: a field the API does not know is refused."""

    model_config = ConfigDict(extra="forbid")


class RedeemRequest(RequestBody):
    code: TicketCode
    list_id: DatabaseId
    station: Station
    nonce: Nonce
    scanned_at: ScannedAt | None = None
    kind: Kind = ScanKind.ENTRY


class UndoRequest(RequestBody):
    checkin_id: DatabaseId
    station: Station


class OfflineScan(RequestBody):
    code: TicketCode
    list_id: DatabaseId
    nonce: Nonce
    scanned_at: ScannedAt
    kind: Kind = ScanKind.ENTRY


class SyncRequest(RequestBody):
    station: Station
    # Each scan is checked on its own (OfflineScan): a malformed one gets its own refusal and
    # the others are still recorded.
    scans: Annotated[
        list[Any],
        Field(max_length=MAX_SYNC_SCANS),
        WithJsonSchema(
            {"type": "array", "maxItems": MAX_SYNC_SCANS, "items": schema_ref(OfflineScan)}
        ),
        Refusal(_l("must be a list of at most %(n)d scans", n=MAX_SYNC_SCANS)),
    ]


class EventPath(BaseModel):
    slug: EventSlug


class ListQuery(BaseModel):
    list_id: QueryId


class SearchQuery(ListQuery):
    q: Annotated[str, Field(max_length=MAX_QUERY), AfterValidator(_without_control_characters)] = ""


# --------------------------------------------------------------------------- responses


class Person(BaseModel):
    id: int
    native_name: str
    latin_name: str
    organization: str
    category: str
    category_color: str


class FirstCheckin(BaseModel):
    at: datetime
    station: str


class ScanResult(BaseModel):
    status: CheckinStatus
    message: str
    registration: Person | None
    first_checkin: FirstCheckin | None
    checkin_id: int | None
    conflict: bool = Field(description="an offline scan of a code another station had checked in")


class Undone(BaseModel):
    status: Literal["undone"]
    message: str = ""


class CheckinList(BaseModel):
    id: int
    name: str
    category_ids: list[int] = Field(description="empty: all categories")
    starts_at: datetime | None
    ends_at: datetime | None
    track_exits: bool


class Lists(BaseModel):
    lists: list[CheckinList]


class SearchHit(Person):
    state: str
    checked_in_at: datetime | None
    ticket_code: str


class SearchResults(BaseModel):
    results: list[SearchHit] = Field(max_length=20)


class OfflineData(BaseModel):
    list: CheckinList
    event_id: int
    key: str = Field(description="base64 of the event's ticket key")
    revocations: list[list[int]] = Field(description="[registration_id, serial] pairs")
    people: dict[str, dict[str, Any]]
    categories: dict[str, dict[str, Any]]
    admitted_category_ids: list[int] | None
    checked_in: list[int]
    generated_at: datetime


class SyncAnswer(BaseModel):
    """Either the fields of a ScanResult, or error and message."""

    nonce: str | None
    error: str | None = None
    message: str | None = None
    status: CheckinStatus | None = None
    registration: Person | None = None
    first_checkin: FirstCheckin | None = None
    checkin_id: int | None = None
    conflict: bool | None = None


class SyncResults(BaseModel):
    results: list[SyncAnswer] = Field(description="one answer per scan, in order")


class CategoryCount(BaseModel):
    category_id: int
    name: str
    color: str = ""
    checked_in: int
    expected: int


class ListStats(BaseModel):
    list_id: int
    checked_in: int
    expected: int
    per_category: list[CategoryCount]


# --------------------------------------------------------------------------- the document

ERRORS = {
    "400": "Malformed JSON, or a missing CSRF token on a session POST",
    "401": "No valid device token or session",
    "403": "The token or user has no access to this event",
    "404": "No such event, list or check-in",
    "405": "Method not allowed",
    "422": "A field is missing, of the wrong type or out of range",
}
BODY_ERRORS = {
    **ERRORS,
    "409": "Refused: nonce_reused, too_late, other_station, already_undone, not_undoable",
    "413": "The request body is too large",
    "415": "The request body is not application/json",
}
SECURITY = ("deviceToken", "staffSession")
BASE = "/api/events/{slug}/checkin"


def _read(summary: str, response, description: str, query=None) -> Operation:
    return Operation(summary, response, description, ERRORS, SECURITY, EventPath, query=query)


def _write(summary: str, response, description: str, body) -> Operation:
    return Operation(summary, response, description, BODY_ERRORS, SECURITY, EventPath, body=body)


OPENAPI_PART = OpenApiPart(
    tag="check-in",
    description="Scanning ticket codes at the door",
    paths={
        f"{BASE}/lists": {"get": _read("The event's check-in lists", Lists, "Lists")},
        f"{BASE}/redeem": {
            "post": _write(
                "Redeem a scanned code on a list (idempotent by nonce)",
                ScanResult,
                "The answer to the scan",
                RedeemRequest,
            )
        },
        f"{BASE}/undo": {
            "post": _write(
                "Undo a check-in from the same station within 5 minutes",
                Undone,
                "Undone",
                UndoRequest,
            )
        },
        f"{BASE}/search": {
            "get": _read(
                "Search registrations of a list by name, organization, phone or email",
                SearchResults,
                "Up to 20 registrations",
                SearchQuery,
            )
        },
        f"{BASE}/offline": {
            "get": _read(
                "Data for offline scanning: key, revocations, names, categories",
                OfflineData,
                "Offline data",
                ListQuery,
            )
        },
        f"{BASE}/sync": {
            "post": _write(
                "Upload scans recorded offline; each keeps its original time",
                SyncResults,
                "One answer per scan, in order",
                SyncRequest,
            )
        },
        f"{BASE}/stats": {
            "get": _read(
                "Checked in vs expected on a list, per category", ListStats, "Counters", ListQuery
            )
        },
    },
    security_schemes={
        "deviceToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A device token an organizer created for one event "
            "(shown once, revocable). No CSRF token needed.",
        },
        "staffSession": {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "A signed-in check-in staff or organizer session; POSTs "
            "must also send the CSRF token in the X-CSRFToken header.",
        },
    },
    models=(OfflineScan,),
)
