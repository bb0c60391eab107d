"""Media rules: outlets, coverage items with duplicate detection, the dashboard numbers, the
summary paragraph's inputs, and press accreditation (journalists linked to their outlet)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.ceremonies.models import Ceremony
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.media.models import (
    CoverageItem,
    CoverageKind,
    Outlet,
    OutletLevel,
    OutletType,
    PressAccreditation,
)
from app.media.summary import NamedOutlet, SummaryInput, summary_en, summary_zh
from app.registration.models import ACTIVE_STATES, Category, Registration
from app.templating import translate
from app.translated import Translated, translated

MEDIA_CATEGORY_PREFIX = "media"
ONLINE_TYPES = (OutletType.NEWS_WEBSITE, OutletType.NEW_MEDIA, OutletType.VIDEO_PLATFORM)
BROADCAST_TYPES = (OutletType.TV, OutletType.NEWSPAPER)


class MediaError(DomainError):
    """Input a media service refuses; `message` is shown to the user (next to `field_name`)."""


def name_key(name: str) -> str:
    """An outlet name as compared: NFKC, case-folded, without spaces, quotes and 《》."""
    name = unicodedata.normalize("NFKC", name or "").casefold()
    return re.sub(r"[\s《》〈〉<>\"'“”‘’「」『』]", "", name)


def title_key(title: str) -> str:
    """A report title as compared for duplicates: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", title or "").casefold().split())


def is_valid_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no spaces."""
    if not url or any(c.isspace() for c in url) or len(url) > 1000:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "." in parts.hostname


# --- outlets ------------------------------------------------------------------------------


@dataclass
class OutletData:
    """An outlet as entered: its name per language (at least one), level, type, website."""

    name: Mapping[str, str]
    level: OutletLevel
    type: OutletType
    website: str = ""


def list_outlets(event: Event) -> list[Outlet]:
    """The event's outlets by level then Chinese name."""
    order = {level: n for n, level in enumerate(OutletLevel)}
    outlets = db.session.scalars(select(Outlet).where(Outlet.event_id == event.id)).all()
    return sorted(outlets, key=lambda o: (order[o.level], o.sort_name))


def outlet_index(event: Event) -> dict[str, Outlet]:
    """The event's outlets by name_key of their names in every language."""
    index: dict[str, Outlet] = {}
    for outlet in db.session.scalars(select(Outlet).where(Outlet.event_id == event.id)):
        for name in outlet.name.values():
            index.setdefault(name_key(name), outlet)
    return index


def get_outlet(event: Event, outlet_id: int) -> Outlet | None:
    """The outlet with this id if it belongs to `event`."""
    outlet = db.session.get(Outlet, outlet_id)
    return outlet if outlet is not None and outlet.event_id == event.id else None


def _apply_outlet_data(event: Event, outlet: Outlet, data: OutletData) -> None:
    names = Translated({k: str(v or "")[:200] for k, v in translated(data.name).items()})
    if not names:
        raise MediaError(_l("Enter the outlet's name."), "name")
    if data.website.strip() and not is_valid_url(data.website.strip()):
        raise MediaError(_l("Enter a web address starting with http:// or https://."), "website")
    index = outlet_index(event)
    for name in names.values():
        other = index.get(name_key(name))
        if other is not None and other is not outlet:
            raise MediaError(
                _l("An outlet with the name %(name)s already exists.", name=name), "name"
            )
    outlet.name = names
    outlet.name_key = name_key(names.text("zh"))[:200]
    outlet.level = OutletLevel(data.level)
    outlet.type = OutletType(data.type)
    outlet.website = data.website.strip()


def create_outlet(event: Event, data: OutletData) -> Outlet:
    """Add an outlet; raises MediaError for a missing or taken name or a bad website."""
    outlet = Outlet(event_id=event.id)
    _apply_outlet_data(event, outlet, data)
    db.session.add(outlet)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MediaError(
            _l("An outlet with the name %(name)s already exists.", name=outlet.name.text("zh")),
            "name",
        ) from None
    return outlet


def update_outlet(outlet: Outlet, data: OutletData) -> None:
    """Change an outlet; raises MediaError like create_outlet."""
    _apply_outlet_data(outlet.event, outlet, data)
    db.session.flush()


def delete_outlet(outlet: Outlet) -> None:
    """Delete an outlet without coverage; raises MediaError when it has coverage items."""
    count = db.session.scalar(
        select(func.count(CoverageItem.id)).where(CoverageItem.outlet_id == outlet.id)
    )
    if count:
        raise MediaError(_l("This outlet has %(n)d coverage items; delete them first.", n=count))
    db.session.delete(outlet)
    db.session.flush()


# --- coverage -----------------------------------------------------------------------------


@dataclass
class CoverageData:
    """A coverage item as entered."""

    outlet_id: int
    published_on: date
    title: str
    url: str = ""
    kind: CoverageKind = CoverageKind.ORIGINAL
    plays: int | None = None
    notes: str = ""
    ceremony_id: int | None = None


@dataclass
class DuplicateIndex:
    """What the log already holds, to tell duplicates: URLs and (outlet, date, title) keys."""

    urls: dict[str, int] = field(default_factory=dict)
    keys: dict[tuple[int, date, str], int] = field(default_factory=dict)

    def find(self, outlet_id: int, published_on: date, title: str, url: str) -> int | None:
        """The id (or negative row number) of an existing entry this one duplicates."""
        if url and url in self.urls:
            return self.urls[url]
        return self.keys.get((outlet_id, published_on, title_key(title)))

    def add(self, marker: int, outlet_id: int, published_on: date, title: str, url: str) -> None:
        """Remember an entry (an item id, or a negative row number of a file being read)."""
        if url:
            self.urls.setdefault(url, marker)
        self.keys.setdefault((outlet_id, published_on, title_key(title)), marker)


def duplicate_index(event: Event, exclude_id: int | None = None) -> DuplicateIndex:
    """Index of the event's coverage for duplicate checks."""
    index = DuplicateIndex()
    rows = db.session.execute(
        select(
            CoverageItem.id,
            CoverageItem.outlet_id,
            CoverageItem.published_on,
            CoverageItem.title,
            CoverageItem.url,
        ).where(CoverageItem.event_id == event.id)
    )
    for item_id, outlet_id, published_on, title, url in rows:
        if item_id != exclude_id:
            index.add(item_id, outlet_id, published_on, title, url or "")
    return index


def _validate_coverage(event: Event, data: CoverageData, exclude_id: int | None = None) -> None:
    if get_outlet(event, data.outlet_id) is None:
        raise MediaError(_l("Choose an outlet."), "outlet_id")
    if not data.title.strip():
        raise MediaError(_l("Enter the title."), "title")
    if data.url.strip() and not is_valid_url(data.url.strip()):
        raise MediaError(_l("Enter a web address starting with http:// or https://."), "url")
    if data.plays is not None and data.plays < 0:
        raise MediaError(_l("Plays cannot be negative."), "plays")
    if data.ceremony_id is not None:
        ceremony = db.session.get(Ceremony, data.ceremony_id)
        if ceremony is None or ceremony.event_id != event.id:
            raise MediaError(_l("Choose a ceremony of this event."), "ceremony_id")
    duplicate = duplicate_index(event, exclude_id).find(
        data.outlet_id, data.published_on, data.title.strip(), data.url.strip()
    )
    if duplicate is not None:
        raise MediaError(
            _l("This report is already in the log (same URL, or same outlet, title and date)."),
            "title",
        )


def _apply_coverage(item: CoverageItem, data: CoverageData) -> None:
    item.outlet_id = data.outlet_id
    item.published_on = data.published_on
    item.title = data.title.strip()
    item.url = data.url.strip() or None
    item.kind = CoverageKind(data.kind)
    item.plays = data.plays
    item.notes = data.notes.strip()
    item.ceremony_id = data.ceremony_id


def add_coverage(event: Event, data: CoverageData, user: User | None = None) -> CoverageItem:
    """Log one coverage item; raises MediaError for an unknown outlet, a bad URL, negative
    plays, a foreign ceremony or a duplicate."""
    _validate_coverage(event, data)
    item = CoverageItem(event_id=event.id, created_by_id=user.id if user else None)
    _apply_coverage(item, data)
    db.session.add(item)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MediaError(_l("This report is already in the log."), "title") from None
    return item


def update_coverage(item: CoverageItem, data: CoverageData) -> None:
    """Change a coverage item; raises MediaError like add_coverage."""
    _validate_coverage(item.outlet.event, data, exclude_id=item.id)
    _apply_coverage(item, data)
    db.session.flush()


def delete_coverage(item: CoverageItem) -> None:
    """Remove a coverage item."""
    db.session.delete(item)
    db.session.flush()


def get_coverage(event: Event, item_id: int) -> CoverageItem | None:
    """The coverage item with this id if it belongs to `event`."""
    item = db.session.get(CoverageItem, item_id)
    return item if item is not None and item.event_id == event.id else None


@dataclass(frozen=True)
class CoverageFilter:
    """Date range (inclusive, either end optional) and an optional outlet."""

    date_from: date | None = None
    date_to: date | None = None
    outlet_id: int | None = None

    def where(self, event: Event) -> list:
        """SQL conditions for this filter."""
        conditions = [CoverageItem.event_id == event.id]
        if self.date_from:
            conditions.append(CoverageItem.published_on >= self.date_from)
        if self.date_to:
            conditions.append(CoverageItem.published_on <= self.date_to)
        if self.outlet_id:
            conditions.append(CoverageItem.outlet_id == self.outlet_id)
        return conditions


def list_coverage(event: Event, filters: CoverageFilter, limit: int | None = None) -> list:
    """Coverage items matching the filter, newest first."""
    query = (
        select(CoverageItem)
        .join(Outlet, Outlet.id == CoverageItem.outlet_id)
        .where(*filters.where(event))
        .order_by(CoverageItem.published_on.desc(), Outlet.name_key, CoverageItem.id)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_coverage(event: Event, filters: CoverageFilter) -> int:
    """How many coverage items match the filter."""
    return db.session.scalar(select(func.count(CoverageItem.id)).where(*filters.where(event)))


# --- dashboard ----------------------------------------------------------------------------


@dataclass
class Dashboard:
    """The numbers of the coverage dashboard for one filter."""

    reports: int
    outlets: int
    plays: int
    by_level: list[tuple[str, int, int]]  # level, reports, outlets
    by_type: list[tuple[str, int, int]]  # type, reports, outlets
    per_day: list[tuple[date, int, int]]  # day, reports, plays
    top_outlets: list[tuple[Outlet, int, int]]  # outlet, reports, plays


def dashboard(event: Event, filters: CoverageFilter, top: int = 10) -> Dashboard:
    """Totals (reports, distinct outlets, plays), by level and type, per day, top outlets."""
    where = filters.where(event)
    reports, outlets, plays = db.session.execute(
        select(
            func.count(CoverageItem.id),
            func.count(func.distinct(CoverageItem.outlet_id)),
            func.coalesce(func.sum(CoverageItem.plays), 0),
        ).where(*where)
    ).one()

    def grouped(column, values):
        rows = db.session.execute(
            select(
                column,
                func.count(CoverageItem.id),
                func.count(func.distinct(CoverageItem.outlet_id)),
            )
            .join(Outlet, Outlet.id == CoverageItem.outlet_id)
            .where(*where)
            .group_by(column)
        ).all()
        found = {value: (count, distinct) for value, count, distinct in rows}
        return [(v.value, *found.get(v, (0, 0))) for v in values]

    per_day = [
        (day, count, int(day_plays or 0))
        for day, count, day_plays in db.session.execute(
            select(
                CoverageItem.published_on,
                func.count(CoverageItem.id),
                func.coalesce(func.sum(CoverageItem.plays), 0),
            )
            .where(*where)
            .group_by(CoverageItem.published_on)
            .order_by(CoverageItem.published_on)
        )
    ]
    top_rows = db.session.execute(
        select(
            CoverageItem.outlet_id,
            func.count(CoverageItem.id).label("n"),
            func.coalesce(func.sum(CoverageItem.plays), 0),
        )
        .where(*where)
        .group_by(CoverageItem.outlet_id)
        .order_by(func.count(CoverageItem.id).desc(), CoverageItem.outlet_id)
        .limit(top)
    ).all()
    return Dashboard(
        reports=reports,
        outlets=outlets,
        plays=int(plays or 0),
        by_level=grouped(Outlet.level, list(OutletLevel)),
        by_type=grouped(Outlet.type, list(OutletType)),
        per_day=per_day,
        top_outlets=[(db.session.get(Outlet, oid), n, int(p or 0)) for oid, n, p in top_rows],
    )


def _named(outlet: Outlet) -> NamedOutlet:
    return NamedOutlet(outlet.name.text("zh"), outlet.name.text("en"), outlet.level, outlet.type)


def summary_input(event: Event, filters: CoverageFilter, per_group: int = 3) -> SummaryInput:
    """Pick the outlets the paragraph names — central first (TV before print before web), then
    provincial and municipal TV and newspapers, then online media — each by reports."""
    where = filters.where(event)
    rows = db.session.execute(
        select(Outlet, func.count(CoverageItem.id))
        .join(CoverageItem, CoverageItem.outlet_id == Outlet.id)
        .where(*where)
        .group_by(Outlet.id)
    ).all()

    # Television first (as the seed names CCTV first), then by number of reports.
    def rank(row):
        outlet, reports = row
        return (outlet.type != OutletType.TV, -reports, outlet.sort_name)

    ranked = sorted(rows, key=rank)
    central = [o for o, _ in ranked if o.level == OutletLevel.CENTRAL][:per_group]
    provincial = [
        o for o, _ in ranked if o.level == OutletLevel.PROVINCIAL and o.type in BROADCAST_TYPES
    ]
    municipal = [
        o
        for o, _ in sorted(rows, key=lambda r: (-r[1], r[0].sort_name))
        if o.level == OutletLevel.MUNICIPAL and o.type in BROADCAST_TYPES
    ]
    # Provincial before municipal, but a municipal outlet gets a place when there is one.
    regional = provincial[: per_group - 1] + municipal[:1]
    regional += [o for o in provincial + municipal if o not in regional]
    regional = regional[:per_group]
    named = {o.id for o in central + regional}
    by_reports = sorted(rows, key=lambda r: (-r[1], r[0].sort_name))
    online = [
        o
        for o, _ in by_reports
        if o.type in ONLINE_TYPES and o.level != OutletLevel.CENTRAL and o.id not in named
    ][:2]
    totals = dashboard(event, filters, top=0)
    has_video = bool(
        db.session.scalar(
            select(func.count(CoverageItem.id)).where(
                *where,
                CoverageItem.kind.in_([CoverageKind.VIDEO, CoverageKind.LIVE_STREAM]),
            )
        )
    )
    return SummaryInput(
        central=[_named(o) for o in central],
        regional=[_named(o) for o in regional],
        online=[_named(o) for o in online],
        outlets=totals.outlets,
        reports=totals.reports,
        plays=totals.plays,
        has_video=has_video,
    )


def coverage_summary(event: Event, filters: CoverageFilter) -> dict[str, str]:
    """The summary paragraph in Chinese ("zh") and English ("en")."""
    data = summary_input(event, filters)
    return {"zh": summary_zh(data), "en": summary_en(data)}


# --- press accreditation --------------------------------------------------------------------


def media_registrations(event: Event) -> list[Registration]:
    """Active registrations in the event's media categories (code starting with "media")
    that are not linked to an outlet yet."""
    linked = select(PressAccreditation.registration_id)
    return list(
        db.session.scalars(
            select(Registration)
            .join(Category, Category.id == Registration.category_id)
            .where(
                Registration.event_id == event.id,
                Category.code.startswith(MEDIA_CATEGORY_PREFIX),
                Registration.state.in_(ACTIVE_STATES),
                Registration.id.not_in(linked),
            )
            .order_by(Registration.organization, Registration.native_name)
        )
    )


def link_journalist(outlet: Outlet, registration_id: int, user: User | None) -> PressAccreditation:
    """Link a journalist's registration to an outlet; raises MediaError unless it is an
    active registration of the same event in a media category, not linked yet."""
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.event_id != outlet.event_id
        or not registration.category.code.startswith(MEDIA_CATEGORY_PREFIX)
        or registration.state not in ACTIVE_STATES
    ):
        raise MediaError(_l("Choose a journalist registered in the media category."))
    existing = db.session.scalar(
        select(PressAccreditation).where(PressAccreditation.registration_id == registration_id)
    )
    if existing is not None:
        raise MediaError(
            _l(
                "This journalist is already linked to %(outlet)s.",
                outlet=translate(existing.outlet.name),
            )
        )
    accreditation = PressAccreditation(
        outlet_id=outlet.id, registration_id=registration.id, linked_by_id=user.id if user else None
    )
    db.session.add(accreditation)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MediaError(_l("This journalist is already linked to an outlet.")) from None
    return accreditation


def unlink_journalist(outlet: Outlet, accreditation_id: int) -> None:
    """Remove a journalist's link to an outlet; raises MediaError when there is no such link."""
    accreditation = db.session.get(PressAccreditation, accreditation_id)
    if accreditation is None or accreditation.outlet_id != outlet.id:
        raise MediaError(_l("This journalist is not linked to this outlet."))
    db.session.delete(accreditation)
    db.session.flush()


def suggest_outlet(event: Event, registration: Registration) -> Outlet | None:
    """The outlet whose name matches the journalist's organization, if any."""
    return outlet_index(event).get(name_key(registration.organization))
