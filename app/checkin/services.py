"""Check-in rules: redeeming codes on lists, undo, exits, offline sync, search, numbers.

Correctness under concurrency rests on one unique key: the valid entry of a person on a list
is the only row whose `active_registration_id` is set, and UNIQUE(list_id,
active_registration_id) refuses a second one. Two stations redeeming the same code at the
same moment both try to insert; the database lets exactly one through and the other gets an
IntegrityError inside its SAVEPOINT and answers already_checked_in with the first one's time
and station. Idempotency rests on UNIQUE(nonce): a scan is recorded once per client nonce and
a replay returns the recorded answer.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.checkin.models import (
    Checkin,
    CheckinList,
    CheckinStatus,
    DeviceToken,
    OnlineAttendance,
    ScanKind,
    checkin_list_category,
    window_includes,
)
from app.clock import to_local, utcnow
from app.documents.tickets import peek_claims, verify_ticket_code
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.registration.models import Attendance, Category, Registration, RegistrationState
from app.registration.queries import RegistrationFilter, registration_query
from app.registration.tickets import (
    TicketStatus,
    foreign_code_status,
    revocation_list,
    ticket_code,
    ticket_status,
)
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated

UNDO_WINDOW = timedelta(minutes=5)
SEARCH_LIMIT = 20
ARRIVAL_BUCKET = timedelta(minutes=5)
DEVICE_TOKEN_PREFIX = "hwd_"  # noqa: S105 - a visible prefix, not a secret
_TICKET_STATUS = {
    TicketStatus.INVALID: CheckinStatus.INVALID,
    TicketStatus.WRONG_EVENT: CheckinStatus.WRONG_EVENT,
    TicketStatus.REVOKED: CheckinStatus.REVOKED,
    TicketStatus.NOT_CONFIRMED: CheckinStatus.NOT_CONFIRMED,
}


class CheckinError(DomainError):
    """A check-in request that cannot be honoured; `code` is machine-readable."""

    status_code = 409

    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code


class NonceReused(CheckinError):
    """The client nonce was already used for another code or list."""

    def __init__(self):
        super().__init__(
            "nonce_reused", _l("This scan id was already used for another code. Scan again.")
        )


class UndoRefused(CheckinError):
    """An undo that the rules forbid (too late, other station, already undone …)."""


class CheckinNotFound(CheckinError):
    """No such check-in list or check-in on this event."""

    status_code = 404


class ExitsNotTracked(CheckinError):
    """An exit scan on a list that does not track exits."""

    status_code = 422

    def __init__(self):
        super().__init__("exits_not_tracked", _l("This check-in list does not track exits."))


@dataclass(frozen=True)
class FirstCheckin:
    """When and where a person was first checked in; `at` is UTC, `timezone` the event's."""

    at: datetime
    station: str
    timezone: str

    @property
    def local_at(self) -> datetime:
        """The time in the event's timezone."""
        return to_local(self.at, self.timezone)


@dataclass(frozen=True)
class CheckinResult:
    """The answer to one scan; `person` is None when the code names nobody of the event."""

    status: CheckinStatus
    person: Person | None = None
    first_checkin: FirstCheckin | None = None
    checkin_id: int | None = None
    conflict: bool = False


@dataclass(frozen=True)
class ListData:
    """What an organizer enters for a check-in list (times already in UTC)."""

    name: str
    category_ids: list[int] = field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    track_exits: bool = False


# --------------------------------------------------------------------------- lists


def list_to_offer(lists: list[CheckinList], moment: datetime) -> CheckinList | None:
    """The list a scanner chooser selects when none was asked for: the first one open at
    `moment`, else the first one (the only one, when there is one); None without lists."""
    return next((item for item in lists if item.is_open_at(moment)), lists[0] if lists else None)


def lists_of_event(event: Event) -> list[CheckinList]:
    """The event's check-in lists, oldest first, with their categories loaded."""
    return list(
        db.session.scalars(
            select(CheckinList)
            .where(CheckinList.event_id == event.id)
            .options(selectinload(CheckinList.categories))
            .order_by(CheckinList.id)
        ).all()
    )


def get_list(event: Event, list_id: int) -> CheckinList:
    """The check-in list `list_id` of `event`; raises CheckinNotFound."""
    checkin_list = db.session.get(CheckinList, list_id)
    if checkin_list is None or checkin_list.event_id != event.id:
        raise CheckinNotFound("list_not_found", _l("There is no such check-in list."))
    return checkin_list


def _categories_for(event: Event, category_ids: list[int]) -> list[Category]:
    """The event's categories among `category_ids`; raises CheckinError for foreign ids."""
    if not category_ids:
        return []
    found = db.session.scalars(
        select(Category).where(Category.event_id == event.id, Category.id.in_(category_ids))
    ).all()
    if len(found) != len(set(category_ids)):
        raise CheckinError("unknown_category", _l("A chosen category does not exist."))
    return list(found)


def _check_window(data: ListData) -> None:
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise CheckinError("bad_window", _l("The window must end after it starts."))


def create_list(event: Event, data: ListData) -> CheckinList:
    """Create a check-in list; raises CheckinError for a bad window or foreign categories."""
    _check_window(data)
    checkin_list = CheckinList(
        event_id=event.id,
        name=data.name,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        track_exits=data.track_exits,
        categories=_categories_for(event, data.category_ids),
    )
    db.session.add(checkin_list)
    db.session.flush()
    return checkin_list


def update_list(checkin_list: CheckinList, data: ListData) -> None:
    """Change a check-in list; raises CheckinError for a bad window or foreign categories."""
    _check_window(data)
    checkin_list.name = data.name
    checkin_list.starts_at = data.starts_at
    checkin_list.ends_at = data.ends_at
    checkin_list.track_exits = data.track_exits
    checkin_list.categories = _categories_for(checkin_list.event, data.category_ids)


def delete_list(checkin_list: CheckinList) -> None:
    """Delete a check-in list and its scans; raises CheckinError when people were checked in."""
    used = db.session.scalar(
        select(func.count(Checkin.id)).where(
            Checkin.list_id == checkin_list.id, Checkin.status == CheckinStatus.OK
        )
    )
    if used:
        raise CheckinError(
            "list_in_use", _l("This list already has check-ins and cannot be deleted.")
        )
    db.session.delete(checkin_list)


def _admitted_category_ids(checkin_list: CheckinList) -> set[int] | None:
    """Category ids the list admits, or None for all."""
    ids = {c.id for c in checkin_list.categories}
    return ids or None


# --------------------------------------------------------------------------- redeem


@dataclass(frozen=True)
class CategoryLabel:
    """A category as a scanner shows it."""

    id: int
    name: Translated
    color: str
    languages: tuple[str, ...] = ()  # the event's content languages, in fallback order

    def name_in(self, locale: object) -> str:
        """The name for a reader of `locale`, with the event's fallback order."""
        return self.name.text(locale, self.languages)


@dataclass(frozen=True)
class Person:
    """Whom a scanned code belongs to, as a scanner shows them."""

    id: int
    native_name: str
    latin_name: str
    organization: str
    category: CategoryLabel


# The redeem path works on tables, not ORM objects: loading and tracking objects cost several
# times more CPU than the queries themselves, and a scan needs a handful of columns.
_LISTS = CheckinList.__table__
_EVENTS = Event.__table__
_PEOPLE = Registration.__table__
_CATEGORIES = Category.__table__
_SCANS = Checkin.__table__
_ENTRIES = _SCANS.alias("entry")
_PERSON_COLUMNS = (
    _PEOPLE.c.id.label("person_id"),
    _PEOPLE.c.native_name,
    _PEOPLE.c.latin_name,
    _PEOPLE.c.organization,
    _PEOPLE.c.ticket_serial,
    _PEOPLE.c.state,
    _CATEGORIES.c.id.label("category_id"),
    _CATEGORIES.c.name,
    _CATEGORIES.c.color,
    _EVENTS.c.content_languages,
)
_NONCE_ID = (
    select(_SCANS.c.id).where(_SCANS.c.nonce == bindparam("nonce")).correlate(None)
).scalar_subquery()
_LIST_LIMITED = exists().where(checkin_list_category.c.list_id == _LISTS.c.id)
_LIST_ADMITS = exists().where(
    checkin_list_category.c.list_id == _LISTS.c.id,
    checkin_list_category.c.category_id == _PEOPLE.c.category_id,
)
# Everything one scan is judged on, in one round trip: the event's key, the list's rules,
# whether the nonce was used, the person the code claims (unverified until the key checked
# the code) and their active entry on the list. No row: the list is not the event's.
_SCAN_CONTEXT = (
    select(
        _EVENTS.c.ticket_key,
        _EVENTS.c.timezone,
        _LISTS.c.starts_at,
        _LISTS.c.ends_at,
        _LISTS.c.track_exits,
        _NONCE_ID.label("nonce_scan_id"),
        or_(~_LIST_LIMITED, _LIST_ADMITS).label("admitted"),
        *_PERSON_COLUMNS,
        _ENTRIES.c.scanned_at.label("entry_at"),
        _ENTRIES.c.station.label("entry_station"),
    )
    .select_from(_LISTS)
    .join(_EVENTS, _EVENTS.c.id == _LISTS.c.event_id)
    .outerjoin(
        _PEOPLE,
        and_(
            _PEOPLE.c.id == bindparam("registration_id"),
            _PEOPLE.c.event_id == _LISTS.c.event_id,
        ),
    )
    .outerjoin(_CATEGORIES, _CATEGORIES.c.id == _PEOPLE.c.category_id)
    .outerjoin(
        _ENTRIES,
        and_(_ENTRIES.c.list_id == _LISTS.c.id, _ENTRIES.c.active_registration_id == _PEOPLE.c.id),
    )
    .where(_LISTS.c.id == bindparam("list_id"), _LISTS.c.event_id == bindparam("event_id"))
)
_PERSON_BY_ID = (
    select(*_PERSON_COLUMNS)
    .select_from(_PEOPLE)
    .join(_CATEGORIES, _CATEGORIES.c.id == _PEOPLE.c.category_id)
    .join(_EVENTS, _EVENTS.c.id == _PEOPLE.c.event_id)
    .where(_PEOPLE.c.id == bindparam("registration_id"))
)
_INSERTS: dict[str, object] = {}


def _person_from(row) -> Person | None:
    if row.person_id is None:
        return None
    languages = tuple(row.content_languages or DEFAULT_CONTENT_LANGUAGES)
    category = CategoryLabel(row.category_id, row.name, row.color, languages)
    return Person(row.person_id, row.native_name, row.latin_name, row.organization, category)


def _person_by_id(registration_id: int) -> Person:
    return _person_from(
        db.session.execute(_PERSON_BY_ID, {"registration_id": registration_id}).one()
    )


def _active_entry(list_id: int, registration_id: int) -> Checkin | None:
    return db.session.scalar(
        select(Checkin).where(
            Checkin.list_id == list_id, Checkin.active_registration_id == registration_id
        )
    )


def _first_checkin_for(row: Checkin, timezone: str) -> FirstCheckin | None:
    """For a recorded already_checked_in scan: the entry that was (or is) valid."""
    entry = _active_entry(row.list_id, row.registration_id) or db.session.scalar(
        select(Checkin)
        .where(
            Checkin.list_id == row.list_id,
            Checkin.registration_id == row.registration_id,
            Checkin.status == CheckinStatus.OK,
            Checkin.kind == ScanKind.ENTRY,
            Checkin.id < row.id,
        )
        .order_by(Checkin.id.desc())
        .limit(1)
    )
    return None if entry is None else FirstCheckin(entry.scanned_at, entry.station, timezone)


def _replay_or_refuse(nonce: str, list_id: int, code: str, timezone: str) -> CheckinResult:
    """The answer recorded for a nonce, given again; NonceReused when it was another code's."""
    row = db.session.scalar(select(Checkin).where(Checkin.nonce == nonce))
    if row.code != code or row.list_id != list_id:
        raise NonceReused()
    first = None
    if row.status == CheckinStatus.ALREADY_CHECKED_IN:
        first = _first_checkin_for(row, timezone)
    return CheckinResult(
        row.status, _person_by_id(row.registration_id), first, row.id, row.conflict
    )


def _insert_scan(connection: Connection, **values) -> int | None:
    """INSERT a scan; its id, or None when a unique key (nonce, active entry) refused it.

    ON CONFLICT DO NOTHING saves the SAVEPOINT round trips of the hot path; other databases
    fall back to an ORM insert inside a SAVEPOINT.
    """
    dialect = connection.dialect.name
    statement = _INSERTS.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            row = Checkin(**values)
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:
                return None
            return row.id
        statement = insert(_SCANS).on_conflict_do_nothing().returning(_SCANS.c.id)
        _INSERTS[dialect] = statement
    values.setdefault("active_registration_id", None)
    values.setdefault("conflict", False)
    return connection.execute(statement, values).scalar()


def redeem_code(
    event_id: int,
    list_id: int,
    code: str,
    station: str,
    nonce: str,
    scanned_at: datetime | None,
    kind: ScanKind = ScanKind.ENTRY,
    offline: bool = False,
) -> CheckinResult:
    """Check a scanned code in (or out) on a list of an event and record the scan once per
    nonce.

    Takes ids, not ORM objects: a scan reads what it needs in one SELECT and writes one row.
    Raises CheckinNotFound when the list is not the event's, NonceReused when the nonce was
    used for another code, ExitsNotTracked for an exit on a list without exits. The window is
    judged by server time online and by the scan's own time offline.
    """
    now = utcnow()
    scanned_at = scanned_at or now
    claims = peek_claims(code)
    own_code = claims is not None and claims.event_id == event_id
    # Core statements run on the session's connection (same transaction): the ORM layer of
    # session.execute has nothing to do for them but costs as much as the driver.
    connection = db.session.connection()
    context = connection.execute(
        _SCAN_CONTEXT,
        {
            "event_id": event_id,
            "list_id": list_id,
            "nonce": nonce,
            "registration_id": claims.registration_id if own_code else None,
        },
    ).first()
    if context is None:
        raise CheckinNotFound("list_not_found", _l("There is no such check-in list."))
    timezone = context.timezone
    if context.nonce_scan_id is not None:
        return _replay_or_refuse(nonce, list_id, code, timezone)
    if kind == ScanKind.EXIT and not context.track_exits:
        raise ExitsNotTracked()

    if claims is None:
        return CheckinResult(CheckinStatus.INVALID)
    if not own_code:
        return CheckinResult(_TICKET_STATUS[foreign_code_status(code)])
    claims = verify_ticket_code(context.ticket_key, code)
    person = _person_from(context)
    if claims is None or person is None:
        return CheckinResult(CheckinStatus.INVALID)

    def record(status: CheckinStatus, **values) -> int | None:
        return _insert_scan(
            connection,
            list_id=list_id,
            registration_id=person.id,
            code=code,
            status=status,
            station=station,
            nonce=nonce,
            scanned_at=scanned_at,
            created_at=now,
            kind=kind,
            offline=offline,
            **values,
        )

    def lost_race() -> CheckinResult | None:
        """After a refused insert: a concurrent request with the same nonce wins, if any."""
        if db.session.scalar(select(Checkin.id).where(Checkin.nonce == nonce)) is None:
            return None
        return _replay_or_refuse(nonce, list_id, code, timezone)

    status = _TICKET_STATUS.get(ticket_status(claims.serial, context.ticket_serial, context.state))
    if status is None:
        if not context.admitted:
            status = CheckinStatus.WRONG_LIST
        elif not window_includes(
            context.starts_at, context.ends_at, scanned_at if offline else now
        ):
            status = CheckinStatus.OUTSIDE_WINDOW
    if status is not None:
        row_id = record(status)
        if row_id is None:
            return lost_race() or CheckinResult(status, person)
        return CheckinResult(status, person, checkin_id=row_id)

    if kind == ScanKind.EXIT:
        exit_row = Checkin(
            list_id=list_id,
            registration_id=person.id,
            code=code,
            status=CheckinStatus.OK,
            station=station,
            nonce=nonce,
            scanned_at=scanned_at,
            created_at=now,
            kind=kind,
            offline=offline,
        )
        result = _redeem_exit(list_id, person, exit_row)
        return result or lost_race() or CheckinResult(CheckinStatus.NOT_CHECKED_IN, person)

    active = None
    if context.entry_at is not None:
        active = FirstCheckin(context.entry_at, context.entry_station, timezone)
    for attempt in range(3):
        if attempt:
            entry = _active_entry(list_id, person.id)
            active = (
                None if entry is None else FirstCheckin(entry.scanned_at, entry.station, timezone)
            )
        if active is None:
            row_id = record(CheckinStatus.OK, active_registration_id=person.id)
            if row_id is not None:
                return CheckinResult(CheckinStatus.OK, person, checkin_id=row_id)
            replay = lost_race()
            if replay is not None:
                return replay
            continue  # another station's entry won: answer with it
        conflict = offline and active.station != station
        row_id = record(CheckinStatus.ALREADY_CHECKED_IN, conflict=conflict)
        if row_id is None:
            replay = lost_race()
            if replay is not None:
                return replay
        return CheckinResult(CheckinStatus.ALREADY_CHECKED_IN, person, active, row_id, conflict)
    # The winning entry was undone between our insert and our look-up, three times over.
    raise CheckinError("busy", _l("The server is busy. Please scan again."))


def _redeem_exit(list_id: int, person: Person, row: Checkin) -> CheckinResult | None:
    """Mark a person as gone: their entry gives up its active key and `row` (the exit scan)
    is recorded, both in one SAVEPOINT; None when the nonce was taken meanwhile."""
    active = _active_entry(list_id, person.id)
    try:
        with db.session.begin_nested():
            closed = 0
            if active is not None:
                closed = db.session.execute(
                    update(Checkin)
                    .where(Checkin.id == active.id, Checkin.active_registration_id.is_not(None))
                    .values(active_registration_id=None, exited_at=row.scanned_at)
                    .execution_options(synchronize_session=False)
                ).rowcount
            row.status = CheckinStatus.OK if closed else CheckinStatus.NOT_CHECKED_IN
            db.session.add(row)
    except IntegrityError:
        return None
    if active is not None:
        db.session.expire(active)
    return CheckinResult(row.status, person, checkin_id=row.id)


# --------------------------------------------------------------------------- undo


def undo_checkin(event: Event, checkin_id: int, station: str) -> Checkin:
    """Undo an entry from the station that made it within five minutes.

    Raises CheckinNotFound, or UndoRefused with code already_undone, not_undoable,
    other_station or too_late.
    """
    row = db.session.get(Checkin, checkin_id)
    if row is None or row.checkin_list.event_id != event.id:
        raise CheckinNotFound("checkin_not_found", _l("There is no such check-in."))
    if row.undone_at is not None:
        raise UndoRefused("already_undone", _l("This check-in was already undone."))
    if row.status != CheckinStatus.OK or row.kind != ScanKind.ENTRY:
        raise UndoRefused("not_undoable", _l("Only a successful entry can be undone."))
    if row.station != station:
        raise UndoRefused(
            "other_station", _l("Only the station that checked this person in can undo it.")
        )
    now = utcnow()
    if now - row.created_at > UNDO_WINDOW:
        raise UndoRefused("too_late", _l("A check-in can only be undone within 5 minutes."))
    changed = db.session.execute(
        update(Checkin)
        .where(Checkin.id == row.id, Checkin.undone_at.is_(None))
        .values(undone_at=now, undone_by_station=station, active_registration_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise UndoRefused("already_undone", _l("This check-in was already undone."))
    db.session.expire(row)
    return row


# --------------------------------------------------------------------------- sync


@dataclass(frozen=True)
class OfflineScan:
    """One scan recorded by a device while offline."""

    code: str
    list_id: int
    nonce: str
    scanned_at: datetime
    kind: ScanKind = ScanKind.ENTRY


@dataclass(frozen=True)
class SyncOutcome:
    """The answer to one uploaded scan: a result, or an error code and message."""

    nonce: str
    result: CheckinResult | None = None
    error: CheckinError | None = None


def sync_scans(event_id: int, station: str, scans: list[OfflineScan]) -> list[SyncOutcome]:
    """Redeem a device's queued offline scans with their own times, in order.

    A code already checked in by another station is recorded with conflict=True. Errors of
    single scans (nonce reused, unknown list) are reported per scan, never raised.
    """
    outcomes = []
    for scan in scans:
        try:
            result = redeem_code(
                event_id,
                scan.list_id,
                scan.code,
                station,
                scan.nonce,
                scan.scanned_at,
                scan.kind,
                offline=True,
            )
            outcomes.append(SyncOutcome(scan.nonce, result=result))
        except CheckinError as error:
            outcomes.append(SyncOutcome(scan.nonce, error=error))
    return outcomes


# --------------------------------------------------------------------------- search & offline


@dataclass(frozen=True)
class SearchHit:
    """A registration found by the manual search, with its check-in on the list."""

    registration: Registration
    checked_in_at: datetime | None
    ticket_code: str


def search_for_checkin(event: Event, checkin_list: CheckinList, q: str) -> list[SearchHit]:
    """Up to 20 registrations of the list's categories matching name, organization, phone or
    email, each with its active check-in time on the list."""
    q = q.strip()
    if not q:
        return []
    query = registration_query(event, RegistrationFilter(q=q[:100]))
    admitted = _admitted_category_ids(checkin_list)
    if admitted is not None:
        query = query.where(Registration.category_id.in_(admitted))
    found = db.session.scalars(
        query.options(selectinload(Registration.category)).limit(SEARCH_LIMIT)
    ).all()
    times = dict(
        db.session.execute(
            select(Checkin.registration_id, Checkin.scanned_at).where(
                Checkin.list_id == checkin_list.id,
                Checkin.active_registration_id.in_([r.id for r in found]),
            )
        ).all()
    )
    return [SearchHit(r, times.get(r.id), ticket_code(r)) for r in found]


def offline_data(event: Event, checkin_list: CheckinList) -> dict:
    """What a scanner needs to judge codes of this list without the network."""
    admitted = _admitted_category_ids(checkin_list)
    query = select(
        Registration.id,
        Registration.ticket_serial,
        Registration.state,
        Registration.native_name,
        Registration.latin_name,
        Registration.organization,
        Registration.category_id,
    ).where(Registration.event_id == event.id)
    people = {
        str(row.id): {
            "serial": row.ticket_serial,
            "state": row.state.value,
            "native_name": row.native_name,
            "latin_name": row.latin_name,
            "organization": row.organization,
            "category_id": row.category_id,
        }
        for row in db.session.execute(query)
    }
    checked_in = list(
        db.session.scalars(
            select(Checkin.active_registration_id)
            .where(Checkin.list_id == checkin_list.id, Checkin.active_registration_id.is_not(None))
            .order_by(Checkin.active_registration_id)
        ).all()
    )
    return {
        "key": base64.b64encode(event.ticket_key).decode("ascii"),
        "event_id": event.id,
        "revocations": [list(pair) for pair in revocation_list(event.id)],
        "people": people,
        "admitted_category_ids": None if admitted is None else sorted(admitted),
        "checked_in": checked_in,
        "generated_at": utcnow(),
    }


# --------------------------------------------------------------------------- numbers


def _expected_query(event: Event, admitted: set[int] | None):
    query = (
        select(Registration.category_id, func.count(Registration.id))
        .where(
            Registration.event_id == event.id,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.attendance == Attendance.ONSITE,
        )
        .group_by(Registration.category_id)
    )
    if admitted is not None:
        query = query.where(Registration.category_id.in_(admitted))
    return query


def list_stats(event: Event, checkin_list: CheckinList) -> dict:
    """Checked in (currently valid entries) vs expected (confirmed on-site), per category."""
    admitted = _admitted_category_ids(checkin_list)
    expected = dict(db.session.execute(_expected_query(event, admitted)).all())
    checked = dict(
        db.session.execute(
            select(Registration.category_id, func.count(Checkin.id))
            .join(Registration, Registration.id == Checkin.active_registration_id)
            .where(Checkin.list_id == checkin_list.id)
            .group_by(Registration.category_id)
        ).all()
    )
    categories = [
        c for c in event.categories if (admitted is None or c.id in admitted)
    ] or event.categories
    per_category = [
        {
            "category": c,
            "checked_in": checked.get(c.id, 0),
            "expected": expected.get(c.id, 0),
        }
        for c in categories
    ]
    return {
        "list_id": checkin_list.id,
        "checked_in": sum(checked.values()),
        "expected": sum(expected.values()),
        "per_category": per_category,
    }


def arrivals_per_bucket(event: Event, since: datetime | None = None) -> list[dict]:
    """Successful entries (not undone) per 5 minutes and list, by scan time, oldest first."""
    query = (
        select(Checkin.list_id, Checkin.scanned_at)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(
            CheckinList.event_id == event.id,
            Checkin.status == CheckinStatus.OK,
            Checkin.kind == ScanKind.ENTRY,
            Checkin.undone_at.is_(None),
        )
    )
    if since is not None:
        query = query.where(Checkin.scanned_at >= since)
    step = int(ARRIVAL_BUCKET.total_seconds())
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for list_id, scanned_at in db.session.execute(query):
        stamp = int(scanned_at.timestamp()) // step * step
        counts[(stamp, list_id)] += 1
    return [
        {"at": datetime.fromtimestamp(stamp, tz=UTC), "list_id": list_id, "count": n}
        for (stamp, list_id), n in sorted(counts.items())
    ]


def recent_scans(event: Event, limit: int = 20, conflicts_only: bool = False) -> list[Checkin]:
    """The event's latest recorded scans (optionally only offline conflicts), newest first."""
    query = (
        select(Checkin)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(CheckinList.event_id == event.id)
        .options(selectinload(Checkin.registration), selectinload(Checkin.checkin_list))
        .order_by(Checkin.id.desc())
        .limit(limit)
    )
    if conflicts_only:
        query = query.where(Checkin.conflict.is_(True))
    return list(db.session.scalars(query).all())


def conflict_details(conflicts: list[Checkin]) -> dict[int, Checkin | None]:
    """For each conflicting scan id: the entry it collided with (if still known)."""
    details = {}
    for row in conflicts:
        details[row.id] = db.session.scalar(
            select(Checkin)
            .where(
                Checkin.list_id == row.list_id,
                Checkin.registration_id == row.registration_id,
                Checkin.status == CheckinStatus.OK,
                Checkin.kind == ScanKind.ENTRY,
                and_(Checkin.id != row.id),
            )
            .order_by(Checkin.id)
            .limit(1)
        )
    return details


# --------------------------------------------------------------------------- device tokens


def hash_device_secret(secret: str) -> str:
    """The stored form of a device token's secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_device_token(event: Event, name: str) -> tuple[DeviceToken, str]:
    """Create a device token for `event`; returns it and its secret (shown only once)."""
    secret = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = DeviceToken(event_id=event.id, name=name, token_hash=hash_device_secret(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_device_token(token: DeviceToken) -> bool:
    """Revoke a device token; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def device_tokens_of_event(event: Event) -> list[DeviceToken]:
    """The event's device tokens, newest first."""
    return list(
        db.session.scalars(
            select(DeviceToken)
            .where(DeviceToken.event_id == event.id)
            .order_by(DeviceToken.id.desc())
        ).all()
    )


def dashboard_data(event: Event) -> dict:
    """Everything the live dashboard shows: per-list numbers, arrivals, recent scans and
    offline conflicts (each with the entry it collided with)."""
    conflicts = recent_scans(event, limit=100, conflicts_only=True)
    firsts = conflict_details(conflicts)
    return {
        "lists": [{"list": cl, "stats": list_stats(event, cl)} for cl in lists_of_event(event)],
        "arrivals": arrivals_per_bucket(event),
        "recent": recent_scans(event),
        "conflicts": [(row, firsts[row.id]) for row in conflicts],
    }


def first_entry(registration_id: int) -> Checkin | None:
    """The registration's first valid (not undone) entry scan, on any list."""
    return db.session.scalar(
        select(Checkin)
        .where(
            Checkin.registration_id == registration_id,
            Checkin.kind == ScanKind.ENTRY,
            Checkin.status == CheckinStatus.OK,
            Checkin.undone_at.is_(None),
        )
        .order_by(Checkin.scanned_at, Checkin.id)
        .limit(1)
    )


def first_entries_by_registration(event_id: int) -> dict[int, datetime]:
    """registration id → time of its first valid (not undone) entry scan on the event's lists."""
    return dict(
        db.session.execute(
            select(Checkin.registration_id, func.min(Checkin.scanned_at))
            .join(CheckinList, CheckinList.id == Checkin.list_id)
            .where(
                CheckinList.event_id == event_id,
                Checkin.kind == ScanKind.ENTRY,
                Checkin.status == CheckinStatus.OK,
                Checkin.undone_at.is_(None),
            )
            .group_by(Checkin.registration_id)
        ).all()
    )


def attended_registration_ids(event_id: int):
    """A subquery of the registrations of an event that attended: on site with a valid (not
    undone) entry scan, or online through their join link (OnlineAttendance)."""
    on_site = (
        select(Checkin.registration_id)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(
            CheckinList.event_id == event_id,
            Checkin.kind == ScanKind.ENTRY,
            Checkin.status == CheckinStatus.OK,
            Checkin.undone_at.is_(None),
        )
    )
    online = select(OnlineAttendance.registration_id).where(OnlineAttendance.event_id == event_id)
    return union(on_site, online)
