"""The check-in JSON API for scanners (described by /api/openapi.json, see openapi.py).

Every view parses and validates its input strictly (types, lengths, sizes), calls one service,
commits, and answers JSON. Bad input is a 4xx {"error": code, "message": localized text};
nothing is written for a refused request.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from flask import g, jsonify, request
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.permissions import requires
from app.checkin.auth import checkin_access, current_event
from app.checkin.models import CheckinStatus, ScanKind
from app.checkin.routes import bp
from app.checkin.services import (
    CheckinError,
    CheckinResult,
    OfflineScan,
    Person,
    get_list,
    list_stats,
    lists_of_event,
    offline_data,
    redeem_code,
    search_for_checkin,
    sync_scans,
    undo_checkin,
)
from app.clock import utcnow
from app.extensions import csrf, db
from app.security.input import loads_request_json

API = "/api/events/<slug>/checkin"
MAX_BODY = 16 * 1024
MAX_SYNC_BODY = 1024 * 1024
MAX_SYNC_SCANS = 500
MAX_CODE = 200
MAX_NONCE = 64
MAX_STATION = 60
MAX_QUERY = 100
MAX_ID = 2**31 - 1
SCANNED_AT_PAST = timedelta(days=365)
SCANNED_AT_FUTURE = timedelta(days=1)
NONCE_RE = re.compile(r"[\x21-\x7e]{1,64}")


class ApiError(Exception):
    """A request the API refuses with a 4xx JSON answer."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify(error=error.code, message=error.message), error.status


@bp.errorhandler(CheckinError)
def _checkin_error(error: CheckinError):
    db.session.rollback()
    return jsonify(error=error.code, message=str(error.message)), error.status_code


# --------------------------------------------------------------------------- input


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", f"{field}: {message}")


def json_body(limit: int = MAX_BODY) -> dict:
    """The request's JSON object; raises ApiError for a wrong type, size or syntax."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", _("Send the request as application/json."))
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", _("The request is too large."))
    request.max_content_length = limit
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", _("The request is too large.")) from None
    try:
        data = loads_request_json(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("The request body must be a JSON object."))
    return data


def _text(value: object, field: str, max_length: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise _invalid(field, _("must be a string"))
    if required and not value.strip():
        raise _invalid(field, _("must not be empty"))
    if len(value) > max_length:
        raise _invalid(field, _("must have at most %(n)d characters", n=max_length))
    return value


def _label(value: object, field: str, max_length: int) -> str:
    """A short human label (station): printable, no control characters."""
    value = _text(value, field, max_length).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise _invalid(field, _("contains characters that are not allowed"))
    return value


def _identifier(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise _invalid(field, _("must be a positive integer"))
    return value


def _nonce(value: object) -> str:
    if not isinstance(value, str) or not NONCE_RE.fullmatch(value):
        raise _invalid("nonce", _("must be 1 to 64 visible ASCII characters"))
    return value


def _code(value: object) -> str:
    value = _text(value, "code", MAX_CODE)
    # Keyboard-wedge scanners may add a trailing newline or spaces.
    return value.strip()


def _scanned_at(value: object, required: bool = False) -> datetime | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise _invalid("scanned_at", _("must be an ISO 8601 date and time"))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise _invalid("scanned_at", _("must include a time zone (e.g. Z)"))
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _invalid("scanned_at", _("must be an ISO 8601 date and time")) from None
    now = utcnow()
    if not now - SCANNED_AT_PAST <= moment <= now + SCANNED_AT_FUTURE:
        raise _invalid("scanned_at", _("is too far from the current time"))
    return moment


def _kind(value: object) -> ScanKind:
    if value is None:
        return ScanKind.ENTRY
    if value not in ("entry", "exit"):
        raise _invalid("kind", _("must be entry or exit"))
    return ScanKind(value)


def _only(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise _invalid(sorted(unknown)[0][:40], _("is not a known field"))


def _query_id(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or not 1 <= int(raw) <= MAX_ID:
        raise _invalid(name, _("must be a positive integer"))
    return int(raw)


# --------------------------------------------------------------------------- output


def iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 UTC with a Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _locale() -> str:
    return str(get_locale())


def _person(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id": person.id,
        "native_name": person.native_name,
        "latin_name": person.latin_name,
        "organization": person.organization,
        "category": person.category.name(_locale()),
        "category_color": person.category.color,
    }


def status_message(result: CheckinResult) -> str:
    """The scan's answer in the staff member's language."""
    person = result.person
    name = person.native_name if person is not None else ""
    status = result.status
    if status == CheckinStatus.OK:
        return _("Welcome, %(name)s!", name=name)
    if status == CheckinStatus.ALREADY_CHECKED_IN and result.first_checkin is not None:
        return _(
            "Already checked in at %(time)s by station %(station)s.",
            time=format_time(result.first_checkin.local_at.replace(tzinfo=None), "short"),
            station=result.first_checkin.station,
        )
    messages = {
        CheckinStatus.ALREADY_CHECKED_IN: _("Already checked in."),
        CheckinStatus.NOT_CHECKED_IN: _("This person is not checked in here."),
        CheckinStatus.INVALID: _("Not a valid ticket code."),
        CheckinStatus.REVOKED: _("This ticket was revoked or the registration cancelled."),
        CheckinStatus.NOT_CONFIRMED: _("This registration is not confirmed."),
        CheckinStatus.WRONG_EVENT: _("This ticket is for another event."),
        CheckinStatus.WRONG_LIST: _("This person's category is not admitted here."),
        CheckinStatus.OUTSIDE_WINDOW: _("This check-in point is closed at this time."),
    }
    return messages[status]


def result_body(result: CheckinResult) -> dict:
    """The JSON answer to one scan."""
    first = result.first_checkin
    return {
        "status": result.status.value,
        "message": status_message(result),
        "registration": _person(result.person),
        "first_checkin": None if first is None else {"at": iso(first.at), "station": first.station},
        "checkin_id": result.checkin_id,
        "conflict": result.conflict,
    }


def _list_body(checkin_list) -> dict:
    return {
        "id": checkin_list.id,
        "name": checkin_list.name,
        "category_ids": [c.id for c in checkin_list.categories],
        "starts_at": iso(checkin_list.starts_at),
        "ends_at": iso(checkin_list.ends_at),
        "track_exits": checkin_list.track_exits,
    }


# --------------------------------------------------------------------------- views


def api_view(rule: str, **options):
    """Register an API view: route, the check-in access rule, and CSRF handled by the rule."""

    def decorator(view):
        wrapped = requires(checkin_access())(view)
        csrf.exempt(wrapped)
        return bp.route(rule, **options)(wrapped)

    return decorator


@api_view(f"{API}/lists", methods=["GET"])
def api_lists(slug: str):
    """The event's check-in lists."""
    return {"lists": [_list_body(cl) for cl in lists_of_event(current_event())]}


@api_view(f"{API}/redeem", methods=["POST"])
def api_redeem(slug: str):
    """Redeem one scanned code on a list; idempotent by nonce (409 nonce_reused otherwise)."""
    data = json_body()
    _only(data, {"code", "list_id", "station", "nonce", "scanned_at", "kind"})
    code = _code(data.get("code"))
    list_id = _identifier(data.get("list_id"), "list_id")
    station = _label(data.get("station"), "station", MAX_STATION)
    nonce = _nonce(data.get("nonce"))
    scanned_at = _scanned_at(data.get("scanned_at"))
    kind = _kind(data.get("kind"))
    if kind == ScanKind.ENTRY:
        _autocommit_on_postgresql()
    result = redeem_code(g.event_id, list_id, code, station, nonce, scanned_at, kind)
    body = result_body(result)
    db.session.commit()
    return body


def _autocommit_on_postgresql() -> None:
    """Run an entry scan's statements without BEGIN/COMMIT round trips (PostgreSQL).

    An entry scan writes at most one row, with one INSERT … ON CONFLICT DO NOTHING that the
    unique keys make safe on its own; the SELECT before it decides nothing the INSERT does
    not check again (see redeem_code). In a READ COMMITTED transaction each statement sees
    the latest commits anyway, so autocommit changes no answer and saves two of the scan's
    four round trips. Exits (an UPDATE and an INSERT together) keep their transaction.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if db.session().in_transaction():
        db.session.commit()  # the device-token look-up read in its own transaction
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@api_view(f"{API}/undo", methods=["POST"])
def api_undo(slug: str):
    """Undo a check-in from the same station within 5 minutes (409 with the reason otherwise)."""
    data = json_body()
    _only(data, {"checkin_id", "station"})
    checkin_id = _identifier(data.get("checkin_id"), "checkin_id")
    station = _label(data.get("station"), "station", MAX_STATION)
    undo_checkin(current_event(), checkin_id, station)
    db.session.commit()
    return {"status": "undone", "message": _("Check-in undone.")}


@api_view(f"{API}/search", methods=["GET"])
def api_search(slug: str):
    """Find registrations of a list by name, organization, phone or email (max 20)."""
    event = current_event()
    checkin_list = get_list(event, _query_id("list_id"))
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        raise _invalid("q", _("must have at most %(n)d characters", n=MAX_QUERY))
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in q):
        # PostgreSQL refuses NUL in text; no name or phone contains control characters.
        raise _invalid("q", _("contains characters that are not allowed"))
    hits = search_for_checkin(event, checkin_list, q)
    return {
        "results": [
            {
                "id": hit.registration.id,
                "native_name": hit.registration.native_name,
                "latin_name": hit.registration.latin_name,
                "organization": hit.registration.organization,
                "category": hit.registration.category.name(_locale()),
                "category_color": hit.registration.category.color,
                "state": hit.registration.state.value,
                "checked_in_at": iso(hit.checked_in_at),
                "ticket_code": hit.ticket_code,
            }
            for hit in hits
        ]
    }


@api_view(f"{API}/offline", methods=["GET"])
def api_offline(slug: str):
    """Everything a scanner needs to judge this list's codes offline."""
    event = current_event()
    checkin_list = get_list(event, _query_id("list_id"))
    data = offline_data(event, checkin_list)
    locale = _locale()
    return {
        "list": _list_body(checkin_list),
        "event_id": data["event_id"],
        "key": data["key"],
        "revocations": data["revocations"],
        "people": data["people"],
        "categories": {
            str(c.id): {"name": c.name(locale), "color": c.color} for c in event.categories
        },
        "admitted_category_ids": data["admitted_category_ids"],
        "checked_in": data["checked_in"],
        "generated_at": iso(data["generated_at"]),
    }


def _offline_scan(item: object) -> OfflineScan:
    if not isinstance(item, dict):
        raise _invalid("scans", _("each scan must be an object"))
    _only(item, {"code", "list_id", "nonce", "scanned_at", "kind"})
    return OfflineScan(
        code=_code(item.get("code")),
        list_id=_identifier(item.get("list_id"), "list_id"),
        nonce=_nonce(item.get("nonce")),
        scanned_at=_scanned_at(item.get("scanned_at"), required=True),
        kind=_kind(item.get("kind")),
    )


@api_view(f"{API}/sync", methods=["POST"])
def api_sync(slug: str):
    """Upload a device's offline scans; each gets its own answer (conflicts are flagged)."""
    data = json_body(MAX_SYNC_BODY)
    _only(data, {"station", "scans"})
    station = _label(data.get("station"), "station", MAX_STATION)
    items = data.get("scans")
    if not isinstance(items, list) or len(items) > MAX_SYNC_SCANS:
        raise _invalid("scans", _("must be a list of at most %(n)d scans", n=MAX_SYNC_SCANS))
    answers: list[dict | None] = [None] * len(items)
    scans: list[OfflineScan] = []
    positions: list[int] = []
    for index, item in enumerate(items):
        try:
            scans.append(_offline_scan(item))
            positions.append(index)
        except ApiError as error:
            nonce = item.get("nonce") if isinstance(item, dict) else None
            answers[index] = {
                "nonce": nonce if isinstance(nonce, str) and len(nonce) <= MAX_NONCE else None,
                "error": error.code,
                "message": error.message,
            }
    for index, outcome in zip(positions, sync_scans(g.event_id, station, scans), strict=True):
        if outcome.error is not None:
            answers[index] = {
                "nonce": outcome.nonce,
                "error": outcome.error.code,
                "message": str(outcome.error.message),
            }
        else:
            answers[index] = {"nonce": outcome.nonce, **result_body(outcome.result)}
    db.session.commit()
    return {"results": answers}


@api_view(f"{API}/stats", methods=["GET"])
def api_stats(slug: str):
    """Checked in vs expected on a list, per category."""
    event = current_event()
    stats = list_stats(event, get_list(event, _query_id("list_id")))
    locale = _locale()
    return {
        "list_id": stats["list_id"],
        "checked_in": stats["checked_in"],
        "expected": stats["expected"],
        "per_category": [
            {
                "category_id": row["category"].id,
                "name": row["category"].name(locale),
                "color": row["category"].color,
                "checked_in": row["checked_in"],
                "expected": row["expected"],
            }
            for row in stats["per_category"]
        ],
    }
