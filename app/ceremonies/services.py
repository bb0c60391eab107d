"""Ceremony rules: agenda and signing items, their order and computed times, status tracking,
document uploads, the stage list and the checks run before anything is printed."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.ceremonies.models import (
    STATUS_ORDER,
    AgendaSegment,
    Ceremony,
    SegmentKind,
    SigningDocument,
    SigningItem,
    SigningParty,
    SigningStatus,
    SigningStatusChange,
    Witness,
)
from app.clock import local_to_utc, utcnow
from app.contributions import ContentGap, content_gap
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.translated import LANGUAGE_CODE, Translated, content_language, translated

MAX_DURATION_MINUTES = 600
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PARTIES = 8
MAX_WITNESSES = 8
PDF_MAGIC = b"%PDF-"


class CeremonyError(DomainError):
    """Input a ceremony service refuses; `message` is shown to the user (next to `field_name`)."""


# --- translated texts -----------------------------------------------------------------------


def _merged(old: Translated | None, new: object, languages: tuple[str, ...] | None) -> Translated:
    """`new`, plus `old`'s texts in languages `new` was not written in (a form shows the event's
    current content languages: removing one from the event loses nothing already written)."""
    new = translated(new)
    if languages is None:
        return new
    kept = {k: text for k, text in translated(old).items() if k not in languages}
    return Translated({**kept, **new})


# --- ceremonies -------------------------------------------------------------------------


@dataclass
class CeremonyData:
    """A ceremony as the organizer enters it; `starts_local` is wall-clock in the event's zone.
    `title` and `venue` are one text per content language; `languages` are those the form
    showed (texts in other languages are kept; None: the data speaks for every language)."""

    title: Translated
    starts_local: datetime
    venue: Translated = field(default_factory=Translated)
    host_name: str = ""
    host_language: str = "zh"
    slot_minutes: int = 60
    languages: tuple[str, ...] | None = None


def _apply_ceremony_data(ceremony: Ceremony, event: Event, data: CeremonyData) -> None:
    title = _merged(ceremony.title, data.title, data.languages)
    if not title:
        raise CeremonyError(_l("Give the ceremony a title."), "title")
    if not 1 <= data.slot_minutes <= MAX_DURATION_MINUTES:
        raise CeremonyError(
            _l("The time slot must be between 1 and %(n)d minutes.", n=MAX_DURATION_MINUTES),
            "slot_minutes",
        )
    host_language = content_language(data.host_language)
    if not LANGUAGE_CODE.match(host_language):
        raise CeremonyError(_l("Choose the host's language."), "host_language")
    ceremony.title = title
    ceremony.starts_at = local_to_utc(data.starts_local.replace(tzinfo=None), event.timezone)
    ceremony.venue = _merged(ceremony.venue, data.venue, data.languages)
    ceremony.host_name = data.host_name.strip()
    ceremony.host_language = host_language
    ceremony.slot_minutes = data.slot_minutes


def create_ceremony(event: Event, data: CeremonyData) -> Ceremony:
    """Create a ceremony of `event`; raises CeremonyError for a missing title or a bad slot."""
    ceremony = Ceremony(event_id=event.id, event=event)
    _apply_ceremony_data(ceremony, event, data)
    db.session.add(ceremony)
    db.session.flush()
    return ceremony


def update_ceremony(ceremony: Ceremony, data: CeremonyData) -> None:
    """Change a ceremony's details; raises CeremonyError like create_ceremony."""
    _apply_ceremony_data(ceremony, ceremony.event, data)
    db.session.flush()


def list_ceremonies(event: Event) -> list[Ceremony]:
    """The event's ceremonies by start time."""
    return list(
        db.session.scalars(
            select(Ceremony)
            .where(Ceremony.event_id == event.id)
            .order_by(Ceremony.starts_at, Ceremony.id)
        )
    )


def get_ceremony(event: Event, ceremony_id: int) -> Ceremony | None:
    """The ceremony with this id if it belongs to `event`."""
    ceremony = db.session.get(Ceremony, ceremony_id)
    if ceremony is None or ceremony.event_id != event.id:
        return None
    return ceremony


def delete_ceremony(ceremony: Ceremony) -> None:
    """Delete a ceremony with its agenda, items and uploaded documents."""
    paths = [document_path(d) for item in ceremony.items for d in item.documents]
    db.session.delete(ceremony)
    db.session.flush()
    _remove_files_after_commit(paths)


# --- ordering -----------------------------------------------------------------------------


def _renumber(rows: Iterable) -> None:
    for position, row in enumerate(rows):
        row.position = position


def _move(rows: list, row, offset: int) -> None:
    """Move `row` by `offset` places within `rows` (clamped) and renumber."""
    index = rows.index(row)
    target = max(0, min(len(rows) - 1, index + offset))
    rows.insert(target, rows.pop(index))
    _renumber(rows)


def _reorder(rows: list, ids: list[int]) -> None:
    by_id = {row.id: row for row in rows}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise CeremonyError(
            _l("The list has changed in the meantime. Reload the page and try again.")
        )
    _renumber(by_id[i] for i in ids)


def move_segment(segment: AgendaSegment, offset: int) -> None:
    """Move an agenda segment up (negative offset) or down; times follow automatically."""
    ceremony = segment.ceremony
    _move(list(ceremony.segments), segment, offset)
    db.session.flush()
    db.session.expire(ceremony, ["segments"])


def reorder_segments(ceremony: Ceremony, ids: list[int]) -> None:
    """Put the agenda in the order of `ids`; raises CeremonyError unless they are its ids."""
    _reorder(list(ceremony.segments), ids)
    db.session.flush()
    db.session.expire(ceremony, ["segments"])


def move_signing_item(item: SigningItem, offset: int) -> None:
    """Move a signing item up (negative offset) or down in the signing order."""
    ceremony = item.ceremony
    _move(list(ceremony.items), item, offset)
    db.session.flush()
    db.session.expire(ceremony, ["items"])


def reorder_signing_items(ceremony: Ceremony, ids: list[int]) -> None:
    """Put the signing items in the order of `ids`; raises CeremonyError unless they match."""
    _reorder(list(ceremony.items), ids)
    db.session.flush()
    db.session.expire(ceremony, ["items"])


def parse_id_list(raw: str) -> list[int]:
    """ "3,1,2" → [3, 1, 2]; raises CeremonyError for anything else."""
    parts = [p.strip() for p in (raw or "").split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise CeremonyError(_l("The new order could not be read. Reload the page and try again."))
    return [int(p) for p in parts]


# --- agenda -------------------------------------------------------------------------------


@dataclass
class SegmentData:
    """An agenda segment as entered."""

    kind: SegmentKind
    duration_minutes: int
    title: Translated = field(default_factory=Translated)
    performer: Translated = field(default_factory=Translated)
    # The languages the form showed (see CeremonyData.languages).
    languages: tuple[str, ...] | None = None


def _apply_segment_data(segment: AgendaSegment, data: SegmentData) -> None:
    if not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        raise CeremonyError(
            _l("The duration must be between 1 and %(n)d minutes.", n=MAX_DURATION_MINUTES),
            "duration_minutes",
        )
    segment.kind = SegmentKind(data.kind)
    segment.duration_minutes = data.duration_minutes
    segment.title = _merged(segment.title, data.title, data.languages)
    segment.performer = _merged(segment.performer, data.performer, data.languages)


def add_segment(ceremony: Ceremony, data: SegmentData) -> AgendaSegment:
    """Append a segment to the agenda; raises CeremonyError for a bad duration."""
    segment = AgendaSegment(ceremony_id=ceremony.id, position=len(ceremony.segments))
    _apply_segment_data(segment, data)
    db.session.add(segment)
    db.session.flush()
    db.session.expire(ceremony, ["segments"])
    return segment


def update_segment(segment: AgendaSegment, data: SegmentData) -> None:
    """Change a segment (times of the following ones move with it); raises CeremonyError."""
    _apply_segment_data(segment, data)
    db.session.flush()


def delete_segment(segment: AgendaSegment) -> None:
    """Remove a segment from the agenda."""
    ceremony = segment.ceremony
    db.session.delete(segment)
    db.session.flush()
    db.session.expire(ceremony, ["segments"])
    _renumber(ceremony.segments)
    db.session.flush()


@dataclass(frozen=True)
class TimedSegment:
    """An agenda segment with its computed start and end (UTC)."""

    segment: AgendaSegment
    starts_at: datetime
    ends_at: datetime


def agenda_timeline(ceremony: Ceremony) -> list[TimedSegment]:
    """Each segment in order with start = ceremony start + the durations before it."""
    timeline = []
    moment = ceremony.starts_at
    for segment in ceremony.segments:
        end = moment + timedelta(minutes=segment.duration_minutes)
        timeline.append(TimedSegment(segment, moment, end))
        moment = end
    return timeline


def agenda_minutes(ceremony: Ceremony) -> int:
    """Total length of the agenda in minutes."""
    return sum(s.duration_minutes for s in ceremony.segments)


# --- signing items ------------------------------------------------------------------------


@dataclass
class PartyData:
    """A signing party: organization (per language), country code, signatory (may be blank for
    now)."""

    organization: Translated = field(default_factory=Translated)
    country: str = ""
    signatory_name: str = ""
    signatory_title: Translated = field(default_factory=Translated)

    def is_blank(self) -> bool:
        """True when nothing was entered on this row."""
        return not (
            translated(self.organization)
            or self.signatory_name.strip()
            or translated(self.signatory_title)
        )


@dataclass
class WitnessData:
    """A witness: name (as the person writes it), title and organization (per language)."""

    name: str = ""
    title: Translated = field(default_factory=Translated)
    organization: Translated = field(default_factory=Translated)

    def is_blank(self) -> bool:
        """True when nothing was entered on this row."""
        return not (self.name.strip() or translated(self.title) or translated(self.organization))


@dataclass
class SigningItemData:
    """A signing item with its parties and witnesses, in order; `languages` as in
    CeremonyData (party rows are matched by position for the languages the form did not show)."""

    title: Translated
    parties: list[PartyData] = field(default_factory=list)
    witnesses: list[WitnessData] = field(default_factory=list)
    duration_minutes: int = 3
    with_previous: bool = False
    notes: str = ""
    languages: tuple[str, ...] | None = None


def _known_country(code: str) -> bool:
    return len(code) == 2 and code.upper() in Locale.parse("en").territories


def _validated_item_data(data: SigningItemData) -> tuple[list[PartyData], list[WitnessData]]:
    if not translated(data.title):
        raise CeremonyError(_l("Give the project a title."), "title")
    if not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        raise CeremonyError(
            _l("The duration must be between 1 and %(n)d minutes.", n=MAX_DURATION_MINUTES),
            "duration_minutes",
        )
    parties = [p for p in data.parties if not p.is_blank()]
    witnesses = [w for w in data.witnesses if not w.is_blank()]
    if len(parties) < 2:
        raise CeremonyError(
            _l("A signing needs at least two parties; this item has %(n)d.", n=len(parties)),
            "parties",
        )
    if len(parties) > MAX_PARTIES:
        raise CeremonyError(_l("At most %(n)d parties per item.", n=MAX_PARTIES), "parties")
    if len(witnesses) > MAX_WITNESSES:
        raise CeremonyError(_l("At most %(n)d witnesses per item.", n=MAX_WITNESSES), "witnesses")
    for number, party in enumerate(parties, start=1):
        if not translated(party.organization):
            raise CeremonyError(_l("Party %(n)d has no organization name.", n=number), "parties")
        if not _known_country(party.country.strip()):
            raise CeremonyError(_l("Party %(n)d has no valid country.", n=number), "parties")
        if translated(party.signatory_title) and not party.signatory_name.strip():
            raise CeremonyError(
                _l("Party %(n)d has a signatory title but no name.", n=number), "parties"
            )
    for number, witness in enumerate(witnesses, start=1):
        if not witness.name.strip():
            raise CeremonyError(_l("Witness %(n)d has no name.", n=number), "witnesses")
    return parties, witnesses


def _apply_item_data(item: SigningItem, data: SigningItemData) -> None:
    parties, witnesses = _validated_item_data(data)
    # Rows are matched by position for the texts of languages the form did not show.
    old_parties = list(item.parties)
    old_witnesses = list(item.witnesses)

    def kept(rows: list, i: int, name: str, new: object) -> Translated:
        old = getattr(rows[i], name) if i < len(rows) else None
        return _merged(old, new, data.languages)

    item.title = _merged(item.title, data.title, data.languages)
    item.duration_minutes = data.duration_minutes
    item.with_previous = data.with_previous
    item.notes = data.notes.strip()
    item.parties = [
        SigningParty(
            position=i,
            organization=kept(old_parties, i, "organization", p.organization),
            country=p.country.strip().upper(),
            signatory_name=p.signatory_name.strip(),
            signatory_title=kept(old_parties, i, "signatory_title", p.signatory_title),
        )
        for i, p in enumerate(parties)
    ]
    item.witnesses = [
        Witness(
            position=i,
            name=w.name.strip(),
            title=kept(old_witnesses, i, "title", w.title),
            organization=kept(old_witnesses, i, "organization", w.organization),
        )
        for i, w in enumerate(witnesses)
    ]


def add_signing_item(
    ceremony: Ceremony, data: SigningItemData, user: User | None = None
) -> SigningItem:
    """Add a proposed signing item at the end; raises CeremonyError for fewer than two parties,
    a missing title, organization or country, or a bad duration."""
    item = SigningItem(ceremony_id=ceremony.id, position=len(ceremony.items))
    _apply_item_data(item, data)
    item.status = SigningStatus.PROPOSED
    item.status_changes = [
        SigningStatusChange(
            from_status=None,
            to_status=SigningStatus.PROPOSED,
            changed_by_id=user.id if user else None,
            changed_at=utcnow(),
        )
    ]
    db.session.add(item)
    db.session.flush()
    db.session.expire(ceremony, ["items"])
    return item


def update_signing_item(item: SigningItem, data: SigningItemData) -> None:
    """Replace an item's titles, parties and witnesses; raises CeremonyError like add."""
    _apply_item_data(item, data)
    db.session.flush()


def delete_signing_item(item: SigningItem) -> None:
    """Remove a signing item (and its uploaded documents)."""
    ceremony = item.ceremony
    paths = [document_path(d) for d in item.documents]
    db.session.delete(item)
    db.session.flush()
    db.session.expire(ceremony, ["items"])
    _renumber(ceremony.items)
    db.session.flush()
    _remove_files_after_commit(paths)


def get_signing_item(ceremony: Ceremony, item_id: int) -> SigningItem | None:
    """The item with this id if it belongs to `ceremony`."""
    item = db.session.get(SigningItem, item_id)
    return item if item is not None and item.ceremony_id == ceremony.id else None


def get_segment(ceremony: Ceremony, segment_id: int) -> AgendaSegment | None:
    """The segment with this id if it belongs to `ceremony`."""
    segment = db.session.get(AgendaSegment, segment_id)
    return segment if segment is not None and segment.ceremony_id == ceremony.id else None


def allowed_statuses(item: SigningItem) -> list[SigningStatus]:
    """Statuses an item may move to: the next one, or back to any earlier one."""
    index = STATUS_ORDER.index(item.status)
    forward = STATUS_ORDER[index + 1 : index + 2]
    return [*STATUS_ORDER[:index], *forward]


def change_signing_status(item: SigningItem, status: SigningStatus, user: User | None) -> None:
    """Move an item to `status` and record who and when; raises CeremonyError when the move
    skips a step forward (proposed → signed) or does not change anything."""
    status = SigningStatus(status)
    if status not in allowed_statuses(item):
        raise CeremonyError(
            _l(
                "A signing item moves one step at a time: proposed, confirmed, documents "
                "ready, signed."
            )
        )
    item.status_changes.append(
        SigningStatusChange(
            from_status=item.status,
            to_status=status,
            changed_by_id=user.id if user else None,
            changed_at=utcnow(),
        )
    )
    item.status = status
    db.session.flush()


# --- documents ----------------------------------------------------------------------------


def upload_dir() -> Path:
    """Where signing documents are stored: <instance>/uploads/ceremonies/."""
    from flask import current_app

    return Path(current_app.config["INSTANCE_DIR"]) / "uploads" / "ceremonies"


def document_path(document: SigningDocument) -> Path:
    """The file of an uploaded document."""
    return upload_dir() / document.stored_name


def _safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", Path(name or "").name).strip()
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "", name)[:200]
    if not name.lower().endswith(".pdf"):
        name = (name or "document") + ".pdf"
    return name


def add_signing_document(
    item: SigningItem, filename: str, stream: IO[bytes], user: User | None
) -> SigningDocument:
    """Store an uploaded PDF of an item; raises CeremonyError for an empty, oversized or
    non-PDF file. The file is written before the row and removed again on rollback."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        raise CeremonyError(_l("The file is empty."), "document")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CeremonyError(
            _l("The file is too large (at most %(n)d MB).", n=MAX_DOCUMENT_BYTES // 2**20),
            "document",
        )
    if not data.startswith(PDF_MAGIC):
        raise CeremonyError(_l("Only PDF files can be uploaded."), "document")
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + ".pdf"
    path = directory / stored_name
    path.write_bytes(data)
    document = SigningDocument(
        item_id=item.id,
        filename=_safe_filename(filename),
        stored_name=stored_name,
        size=len(data),
        uploaded_by_id=user.id if user else None,
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    db.session.info.setdefault("ceremony_files_on_rollback", []).append(path)
    db.session.expire(item, ["documents"])
    return document


def delete_signing_document(document: SigningDocument) -> None:
    """Remove an uploaded document (the file goes once the transaction commits)."""
    item = document.item
    path = document_path(document)
    db.session.delete(document)
    db.session.flush()
    db.session.expire(item, ["documents"])
    _remove_files_after_commit([path])


def _remove_files_after_commit(paths: list[Path]) -> None:
    db.session.info.setdefault("ceremony_files_on_commit", []).extend(paths)


def _after_commit(session) -> None:
    session.info.pop("ceremony_files_on_rollback", None)
    for path in session.info.pop("ceremony_files_on_commit", []):
        path.unlink(missing_ok=True)


def _after_rollback(session) -> None:
    session.info.pop("ceremony_files_on_commit", None)
    for path in session.info.pop("ceremony_files_on_rollback", []):
        path.unlink(missing_ok=True)


def install_file_hooks() -> None:
    """Delete uploaded files whose rows were rolled back, and files of deleted rows on commit."""
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, previous: _after_rollback(s))


install_file_hooks()


# --- signing rounds, stage list -------------------------------------------------------------


@dataclass
class SigningRound:
    """Items signed at the same time, each at its own table; times are computed."""

    number: int
    items: list[SigningItem]
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def minutes(self) -> int:
        """A round lasts as long as its longest item."""
        return max(item.duration_minutes for item in self.items)


def signing_rounds(ceremony: Ceremony) -> list[SigningRound]:
    """Group the items into rounds (an item `with_previous` joins the round before it) and time
    them from the start of the first signing segment of the agenda (None without one)."""
    rounds: list[SigningRound] = []
    for item in ceremony.items:
        if item.with_previous and rounds:
            rounds[-1].items.append(item)
        else:
            rounds.append(SigningRound(len(rounds) + 1, [item]))
    signing = next(
        (t for t in agenda_timeline(ceremony) if t.segment.kind == SegmentKind.SIGNING), None
    )
    if signing is not None:
        moment = signing.starts_at
        for signing_round in rounds:
            signing_round.starts_at = moment
            moment = moment + timedelta(minutes=signing_round.minutes)
            signing_round.ends_at = moment
    return rounds


@dataclass(frozen=True)
class Seat:
    """One place at a signing table or behind it."""

    number: int
    role: str  # "signatory" or "witness"
    name: str
    title: str
    organization: str
    country: str = ""


@dataclass
class StageTable:
    """What happens at one table in one round."""

    round_number: int
    table: int
    order: int  # the item's place in the signing order, from 1
    item: SigningItem
    seats: list[Seat]
    standing: list[Seat]
    starts_at: datetime | None


def stage_list(ceremony: Ceremony, locale: str) -> list[StageTable]:
    """Who sits where, in signing order: per round and table, the signatories seated left to
    right as seen from the audience (party order), the witnesses standing behind them; the
    organizations in `locale`'s language, else the event's fallback."""
    languages = ceremony.event.languages
    tables = []
    order = 0
    for signing_round in signing_rounds(ceremony):
        for table, item in enumerate(signing_round.items, start=1):
            order += 1
            seats = [
                Seat(
                    n,
                    "signatory",
                    party.signatory_name,
                    party.signatory_title.text(locale, languages),
                    party.organization.text(locale, languages),
                    party.country,
                )
                for n, party in enumerate(item.parties, start=1)
            ]
            standing = [
                Seat(
                    n,
                    "witness",
                    w.name,
                    w.title.text(locale, languages),
                    w.organization.text(locale, languages),
                )
                for n, w in enumerate(item.witnesses, start=1)
            ]
            tables.append(
                StageTable(
                    signing_round.number,
                    table,
                    order,
                    item,
                    seats,
                    standing,
                    signing_round.starts_at,
                )
            )
    return tables


def country_label(code: str, locale: str) -> str:
    """A country/region code's name in the given locale (any language Babel knows: "ru", "kk";
    English for one it does not)."""
    lang = "zh_Hans_CN" if content_language(locale) == "zh" else content_language(locale)
    try:
        names = Locale.parse(lang).territories
    except (ValueError, LookupError):
        names = Locale.parse("en").territories
    return names.get(code, code)


# --- checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One problem found before printing: `level` is "error" or "warning"."""

    level: str
    message: str


def person_key(name: str) -> str:
    """A name compared the way people read it: NFKC, case-folded, without spaces and dots."""
    name = unicodedata.normalize("NFKC", name or "").casefold()
    return re.sub(r"[\s.·•・‧]", "", name)


def _role_label(role: str, order: int):
    if role == "signatory":
        return _l("signatory of item %(n)d", n=order)
    return _l("witness of item %(n)d", n=order)


def pre_print_checks(ceremony: Ceremony) -> list[CheckResult]:
    """Problems to fix before printing: a confirmed item without a signatory for each party
    (error), a person in two places at once in a signing round (error), an agenda longer than
    its slot, signing rounds longer than the signing segment, a missing signing segment, items
    marked ready without documents (warnings)."""
    results: list[CheckResult] = []
    locale, languages = str(get_locale() or "zh_CN"), ceremony.event.languages
    orders = {item.id: n for n, item in enumerate(ceremony.items, start=1)}
    confirmed_or_later = set(STATUS_ORDER[STATUS_ORDER.index(SigningStatus.CONFIRMED) :])
    for item in ceremony.items:
        if item.status not in confirmed_or_later:
            continue
        for number, party in enumerate(item.parties, start=1):
            if not party.signatory_name.strip():
                results.append(
                    CheckResult(
                        "error",
                        str(
                            _l(
                                "Item %(n)d (%(title)s) is confirmed but party %(party)d "
                                "(%(organization)s) has no signatory.",
                                n=orders[item.id],
                                title=item.title.text(locale, languages),
                                party=number,
                                organization=party.organization.text(locale, languages),
                            )
                        ),
                    )
                )
    for signing_round in signing_rounds(ceremony):
        places: dict[str, list[tuple[str, str, int]]] = {}
        for item in signing_round.items:
            order = orders[item.id]
            for party in item.parties:
                if party.signatory_name.strip():
                    places.setdefault(person_key(party.signatory_name), []).append(
                        (party.signatory_name.strip(), "signatory", order)
                    )
            for witness in item.witnesses:
                places.setdefault(person_key(witness.name), []).append(
                    (witness.name.strip(), "witness", order)
                )
        for entries in places.values():
            if len(entries) < 2:
                continue
            roles = ", ".join(str(_role_label(role, order)) for _, role, order in entries)
            results.append(
                CheckResult(
                    "error",
                    str(
                        _l(
                            "%(name)s is scheduled in two places at once: %(roles)s.",
                            name=entries[0][0],
                            roles=roles,
                        )
                    ),
                )
            )
    total = agenda_minutes(ceremony)
    if total > ceremony.slot_minutes:
        results.append(
            CheckResult(
                "warning",
                str(
                    _l(
                        "The agenda takes %(total)d minutes, %(over)d more than the "
                        "%(slot)d-minute slot.",
                        total=total,
                        over=total - ceremony.slot_minutes,
                        slot=ceremony.slot_minutes,
                    )
                ),
            )
        )
    signing_segments = [s for s in ceremony.segments if s.kind == SegmentKind.SIGNING]
    rounds = signing_rounds(ceremony)
    if ceremony.items and not signing_segments:
        results.append(
            CheckResult(
                "warning",
                str(_l("There are signing items but no signing segment in the agenda.")),
            )
        )
    elif signing_segments:
        needed = sum(r.minutes for r in rounds)
        available = signing_segments[0].duration_minutes
        if needed > available:
            results.append(
                CheckResult(
                    "warning",
                    str(
                        _l(
                            "The signing items need %(needed)d minutes but the signing "
                            "segment is %(available)d minutes long.",
                            needed=needed,
                            available=available,
                        )
                    ),
                )
            )
    for item in ceremony.items:
        if item.status in (SigningStatus.DOCUMENTS_READY, SigningStatus.SIGNED) and not (
            item.documents
        ):
            results.append(
                CheckResult(
                    "warning",
                    str(
                        _l(
                            "Item %(n)d (%(title)s) is marked documents ready but has no "
                            "document uploaded.",
                            n=orders[item.id],
                            title=item.title.text(locale, languages),
                        )
                    ),
                )
            )
    return results


# --- content languages ----------------------------------------------------------------------


def ceremony_content_gaps(event: Event) -> Iterator[ContentGap | None]:
    """The texts of the event's ceremonies lacking one of its content languages, each with the
    page where it is written: the ceremony's title and venue, each agenda segment's title and
    speaker, each signing item's title and its parties' organizations."""
    from flask import url_for

    from app.ceremonies.documents import kind_labels

    kinds = kind_labels()
    languages = event.languages
    locale = get_locale()
    for ceremony in list_ceremonies(event):
        ids = {"slug": event.slug, "ceremony_id": ceremony.id}
        name = ceremony.title.text(locale, languages)
        yield content_gap(
            _l("Ceremony “%(ceremony)s”: title and venue", ceremony=name),
            [ceremony.title, ceremony.venue],
            languages,
            url_for("ceremonies.edit", **ids),
        )
        for segment in ceremony.segments:
            yield content_gap(
                _l(
                    "Ceremony “%(ceremony)s”: agenda segment “%(segment)s”",
                    ceremony=name,
                    segment=segment.title.text(locale, languages) or kinds[segment.kind],
                ),
                [segment.title, segment.performer],
                languages,
                url_for("ceremonies.edit_segment", segment_id=segment.id, **ids),
            )
        for item in ceremony.items:
            yield content_gap(
                _l(
                    "Ceremony “%(ceremony)s”: signing item “%(item)s”",
                    ceremony=name,
                    item=item.title.text(locale, languages),
                ),
                [
                    item.title,
                    *(text for p in item.parties for text in (p.organization, p.signatory_title)),
                    *(text for w in item.witnesses for text in (w.title, w.organization)),
                ],
                languages,
                url_for("ceremonies.edit_item", item_id=item.id, **ids),
            )
