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
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.checkin.models import Checkin, CheckinList, CheckinStatus, DeviceToken, ScanKind
from app.clock import utcnow
from app.documents.tickets import peek_event_id, verify_ticket_code
from app.events.models import Event
from app.extensions import db
from app.registration.models import Attendance, Category, Registration, RegistrationState
from app.registration.queries import RegistrationFilter, registration_query
from app.registration.tickets import TicketStatus, check_ticket, revocation_list, ticket_code

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


class CheckinError(Exception):
    """A check-in request that cannot be honoured; `code` is machine-readable."""

    status_code = 409

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


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
    """When and where a person was first checked in."""

    at: datetime
    station: str


@dataclass(frozen=True)
class CheckinResult:
    """The answer to one scan."""

    status: CheckinStatus
    registration: Registration | None = None
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


_LIST_WITH_CATEGORIES = (
    select(CheckinList)
    .options(joinedload(CheckinList.categories))
    .where(CheckinList.id == bindparam("list_id"))
)


def get_list(event: Event, list_id: int) -> CheckinList:
    """The check-in list `list_id` of `event`; raises CheckinNotFound."""
    checkin_list = (
        db.session.execute(_LIST_WITH_CATEGORIES, {"list_id": list_id})
        .unique()
        .scalar_one_or_none()
    )
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


def _active_entry(list_id: int, registration_id: int) -> Checkin | None:
    return db.session.scalar(
        select(Checkin).where(
            Checkin.list_id == list_id, Checkin.active_registration_id == registration_id
        )
    )


def _try_insert(row: Checkin) -> bool:
    """Insert inside a SAVEPOINT; False (and nothing written) when a unique key refuses it."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def _first_checkin_for(row: Checkin) -> FirstCheckin | None:
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
    return None if entry is None else FirstCheckin(entry.scanned_at, entry.station)


def _replay(row: Checkin) -> CheckinResult:
    """The answer recorded for a nonce, given again."""
    first = _first_checkin_for(row) if row.status == CheckinStatus.ALREADY_CHECKED_IN else None
    return CheckinResult(row.status, row.registration, first, row.id, row.conflict)


def _by_nonce(nonce: str) -> Checkin | None:
    return db.session.scalar(select(Checkin).where(Checkin.nonce == nonce))


def _replay_or_refuse(existing: Checkin, checkin_list: CheckinList, code: str) -> CheckinResult:
    if existing.code != code or existing.list_id != checkin_list.id:
        raise NonceReused()
    return _replay(existing)


_ENTRY = aliased(Checkin)
_NONCE_ID = (
    select(Checkin.id).where(Checkin.nonce == bindparam("nonce")).correlate(None).scalar_subquery()
)
# Built once: constructing SQLAlchemy statements (and aliases) costs more CPU than running
# them on the hot path.
_NONCE_TAKEN = select(_NONCE_ID)
_PREFETCH = (
    select(Registration, _NONCE_ID, _ENTRY.scanned_at, _ENTRY.station)
    .options(joinedload(Registration.category))
    .outerjoin(
        _ENTRY,
        and_(
            _ENTRY.list_id == bindparam("list_id"),
            _ENTRY.active_registration_id == Registration.id,
        ),
    )
    .where(Registration.id == bindparam("registration_id"))
)
_INSERTS: dict[str, object] = {}


def _prefetch(
    event: Event, checkin_list: CheckinList, code: str, nonce: str
) -> tuple[bool, FirstCheckin | None, Registration | None]:
    """One round trip for the hot path: is the nonce taken, and the person's active entry.

    Also loads the registration the code claims, with its category, into the session and
    returns it, so that check_ticket and the answer find them without further queries.
    """
    claims = None
    if peek_event_id(code) == event.id:
        claims = verify_ticket_code(event.ticket_key, code)
    row = None
    if claims is not None:
        row = db.session.execute(
            _PREFETCH,
            {
                "nonce": nonce,
                "list_id": checkin_list.id,
                "registration_id": claims.registration_id,
            },
        ).first()
    if row is None:
        return db.session.scalar(_NONCE_TAKEN, {"nonce": nonce}) is not None, None, None
    registration, taken, active_at, active_station = row
    active = None if active_at is None else FirstCheckin(active_at, active_station)
    return taken is not None, active, registration


def _insert_scan(**values) -> int | None:
    """INSERT a scan; its id, or None when a unique key (nonce, active entry) refused it.

    ON CONFLICT DO NOTHING saves the SAVEPOINT round trips of the hot path; other databases
    fall back to an ORM insert inside a SAVEPOINT.
    """
    dialect = db.session.get_bind().dialect.name
    statement = _INSERTS.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            row = Checkin(**values)
            return row.id if _try_insert(row) else None
        table = Checkin.__table__
        statement = insert(table).on_conflict_do_nothing().returning(table.c.id)
        _INSERTS[dialect] = statement
    values.setdefault("active_registration_id", None)
    values.setdefault("conflict", False)
    return db.session.execute(statement, values).scalar()


def redeem_code(
    event: Event,
    checkin_list: CheckinList,
    code: str,
    station: str,
    nonce: str,
    scanned_at: datetime | None,
    kind: ScanKind = ScanKind.ENTRY,
    offline: bool = False,
) -> CheckinResult:
    """Check a scanned code in (or out) on a list and record the scan once per nonce.

    Raises NonceReused when the nonce was used for another code, ExitsNotTracked for an exit
    on a list without exits. The window is judged by server time online and by the scan's
    own time offline.
    """
    now = utcnow()
    scanned_at = scanned_at or now
    # The session keeps objects by weak reference: hold the prefetched registration so that
    # check_ticket finds it in the identity map.
    nonce_taken, active, _prefetched = _prefetch(event, checkin_list, code, nonce)
    if nonce_taken:
        return _replay_or_refuse(_by_nonce(nonce), checkin_list, code)
    if kind == ScanKind.EXIT and not checkin_list.track_exits:
        raise ExitsNotTracked()

    check = check_ticket(event, code)
    registration = check.registration
    if registration is None:
        return CheckinResult(_TICKET_STATUS.get(check.status, CheckinStatus.INVALID))

    def record(status: CheckinStatus, **values) -> int | None:
        return _insert_scan(
            list_id=checkin_list.id,
            registration_id=registration.id,
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
        other = _by_nonce(nonce)
        return None if other is None else _replay_or_refuse(other, checkin_list, code)

    status = _TICKET_STATUS.get(check.status)
    if status is None:
        admitted = _admitted_category_ids(checkin_list)
        if admitted is not None and registration.category_id not in admitted:
            status = CheckinStatus.WRONG_LIST
        elif not checkin_list.is_open_at(scanned_at if offline else now):
            status = CheckinStatus.OUTSIDE_WINDOW
    if status is not None:
        row_id = record(status)
        if row_id is None:
            return lost_race() or CheckinResult(status, registration)
        return CheckinResult(status, registration, checkin_id=row_id)

    if kind == ScanKind.EXIT:
        exit_row = Checkin(
            list_id=checkin_list.id,
            registration_id=registration.id,
            code=code,
            status=CheckinStatus.OK,
            station=station,
            nonce=nonce,
            scanned_at=scanned_at,
            created_at=now,
            kind=kind,
            offline=offline,
        )
        result = _redeem_exit(checkin_list, registration, exit_row)
        return result or lost_race() or CheckinResult(CheckinStatus.NOT_CHECKED_IN, registration)

    for attempt in range(3):
        if attempt:
            active = _active_entry(checkin_list.id, registration.id)
            active = None if active is None else FirstCheckin(active.scanned_at, active.station)
        if active is None:
            row_id = record(CheckinStatus.OK, active_registration_id=registration.id)
            if row_id is not None:
                return CheckinResult(CheckinStatus.OK, registration, checkin_id=row_id)
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
        return CheckinResult(
            CheckinStatus.ALREADY_CHECKED_IN, registration, active, row_id, conflict
        )
    # The winning entry was undone between our insert and our look-up, three times over.
    raise CheckinError("busy", _l("The server is busy. Please scan again."))


def _redeem_exit(
    checkin_list: CheckinList, registration: Registration, row: Checkin
) -> CheckinResult | None:
    """Mark a person as gone: their entry gives up its active key and `row` (the exit scan)
    is recorded, both in one SAVEPOINT; None when the nonce was taken meanwhile."""
    active = _active_entry(checkin_list.id, registration.id)
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
    return CheckinResult(row.status, registration, checkin_id=row.id)


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


def sync_scans(event: Event, station: str, scans: list[OfflineScan]) -> list[SyncOutcome]:
    """Redeem a device's queued offline scans with their own times, in order.

    A code already checked in by another station is recorded with conflict=True. Errors of
    single scans (nonce reused, unknown list) are reported per scan, never raised.
    """
    lists: dict[int, CheckinList] = {}
    outcomes = []
    for scan in scans:
        try:
            checkin_list = lists.get(scan.list_id) or get_list(event, scan.list_id)
            lists[scan.list_id] = checkin_list
            result = redeem_code(
                event,
                checkin_list,
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


def attended_registration_ids(event_id: int):
    """A subquery of the registrations of an event with a valid (not undone) entry scan."""
    return (
        select(Checkin.registration_id)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(
            CheckinList.event_id == event_id,
            Checkin.kind == ScanKind.ENTRY,
            Checkin.status == CheckinStatus.OK,
            Checkin.undone_at.is_(None),
        )
    )
