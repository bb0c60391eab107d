"""The check-in JSON API for scanners (described by /api/openapi.json, generated from the models
of schemas.py).

Every view validates its input against a model of schemas.py (types, lengths, sizes), calls one
service,
commits, and answers JSON. Bad input is a 4xx {"error": code, "message": localized text};
nothing is written for a refused request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, jsonify, request
from flask_babel import format_time, get_locale
from flask_babel import gettext as _

from app.accounts.permissions import requires
from app.checkin import schemas
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
from app.extensions import csrf, db
from app.jsonapi import ApiError, json_body, validate

API = "/api/events/<slug>/checkin"


@bp.errorhandler(CheckinError)
def _checkin_error(error: CheckinError):
    db.session.rollback()
    return jsonify(error=error.code, message=str(error.message)), error.status_code


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
        "category": person.category.name_in(_locale()),
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
    scan = validate(schemas.RedeemRequest, json_body(schemas.MAX_BODY))
    if scan.kind == ScanKind.ENTRY:
        _autocommit_on_postgresql()
    result = redeem_code(
        g.event_id, scan.list_id, scan.code, scan.station, scan.nonce, scan.scanned_at, scan.kind
    )
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
    undo = validate(schemas.UndoRequest, json_body(schemas.MAX_BODY))
    undo_checkin(current_event(), undo.checkin_id, undo.station)
    db.session.commit()
    return {"status": "undone", "message": _("Check-in undone.")}


@api_view(f"{API}/search", methods=["GET"])
def api_search(slug: str):
    """Find registrations of a list by name, organization, phone or email (max 20)."""
    query = validate(schemas.SearchQuery, request.args.to_dict())
    event = current_event()
    hits = search_for_checkin(event, get_list(event, query.list_id), query.q)
    return {
        "results": [
            {
                "id": hit.registration.id,
                "native_name": hit.registration.native_name,
                "latin_name": hit.registration.latin_name,
                "organization": hit.registration.organization,
                "category": hit.registration.category.name_in(_locale()),
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
    query = validate(schemas.ListQuery, request.args.to_dict())
    event = current_event()
    checkin_list = get_list(event, query.list_id)
    data = offline_data(event, checkin_list)
    locale = _locale()
    return {
        "list": _list_body(checkin_list),
        "event_id": data["event_id"],
        "key": data["key"],
        "revocations": data["revocations"],
        "people": data["people"],
        "categories": {
            str(c.id): {"name": c.name_in(locale), "color": c.color} for c in event.categories
        },
        "admitted_category_ids": data["admitted_category_ids"],
        "checked_in": data["checked_in"],
        "generated_at": iso(data["generated_at"]),
    }


def _offline_scan(item: object) -> OfflineScan:
    if not isinstance(item, dict):
        raise ApiError(422, "invalid_field", f"scans: {_('each scan must be an object')}")
    scan = validate(schemas.OfflineScan, item)
    return OfflineScan(scan.code, scan.list_id, scan.nonce, scan.scanned_at, scan.kind)


@api_view(f"{API}/sync", methods=["POST"])
def api_sync(slug: str):
    """Upload a device's offline scans; each gets its own answer (conflicts are flagged)."""
    upload = validate(schemas.SyncRequest, json_body(schemas.MAX_SYNC_BODY))
    items = upload.scans
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
                "nonce": nonce
                if isinstance(nonce, str) and len(nonce) <= schemas.MAX_NONCE
                else None,
                "error": error.code,
                "message": error.message,
            }
    for index, outcome in zip(
        positions, sync_scans(g.event_id, upload.station, scans), strict=True
    ):
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
    query = validate(schemas.ListQuery, request.args.to_dict())
    event = current_event()
    stats = list_stats(event, get_list(event, query.list_id))
    locale = _locale()
    return {
        "list_id": stats["list_id"],
        "checked_in": stats["checked_in"],
        "expected": stats["expected"],
        "per_category": [
            {
                "category_id": row["category"].id,
                "name": row["category"].name_in(locale),
                "color": row["category"].color,
                "checked_in": row["checked_in"],
                "expected": row["expected"],
            }
            for row in stats["per_category"]
        ],
    }
