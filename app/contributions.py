"""What the domains contribute to the core: registries filled by each domain's `init_app`.

The core asks "who contributes?" and never names a domain, the way Indico modules extend
menus through signals:
- navigation: the staff pages of an event (`add_manage_section`; events.manage_sections
  keeps those the user may open);
- page context: values a domain adds to a page the core renders (`add_page_context`);
- demo loaders: the part of `flask demo load` a domain fills in (`add_demo_loader`);
- content gaps: texts an organizer wrote that lack one of the event's content languages
  (`add_content_gaps`; the event dashboard lists them before the event opens);
- personal data: a domain's section of a participant's data download (`add_personal_data`)
  and what it strips when a registration is anonymized (`add_anonymizer`);
- maintenance tasks: what the worker runs every WORKER_MAINTENANCE_SECONDS (the outbox
  sweep, due reminder mails …) (`add_maintenance_task`);
- export columns: columns a domain adds to the registration export (`add_export_columns`).
Each registry lives on the app (`app.extensions`), so every app built has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from app.accounts.models import User


def _add(app: Flask, point: str, item: object, order: int) -> None:
    items: list[tuple[int, object]] = app.extensions.setdefault(f"huiwu.{point}", [])
    items.append((order, item))
    items.sort(key=lambda pair: pair[0])


def _items(point: str, app: Flask | None = None) -> list[Any]:
    app = app or current_app
    return [item for _, item in app.extensions.get(f"huiwu.{point}", ())]


@dataclass(frozen=True)
class NavEntry:
    """A staff page of an event: shown to holders of `role` (the organizers' set, or a role's)."""

    endpoint: str
    label: object  # a lazy translatable string, rendered when the navigation is built
    role: Hashable


def add_manage_section(app: Flask, endpoint: str, label: object, *, role: Hashable, order: int):
    """Contribute one entry to the event navigation of `app`, placed by `order`."""
    _add(app, "navigation", NavEntry(endpoint, label, role), order)


def manage_entries(app: Flask | None = None) -> list[NavEntry]:
    """The entries contributed to the navigation, in order."""
    return _items("navigation", app)


def add_page_context(app: Flask, page: str, provider: Callable[..., dict]) -> None:
    """Contribute template values to `page`: `provider(*args)` returns a dict."""
    _add(app, f"page.{page}", provider, 0)


def page_context(page: str, *args: object) -> dict:
    """The template values every contributor adds to `page` for these arguments."""
    context: dict = {}
    for provider in _items(f"page.{page}"):
        context.update(provider(*args))
    return context


@dataclass(frozen=True)
class ExportColumn:
    """One column a domain adds to the registration export: its header and a value per
    registration id (missing ids: an empty cell)."""

    header: str
    values: dict[int, object]


def add_export_columns(app: Flask, provider: Callable[..., list[ExportColumn]], *, order: int):
    """Contribute columns to the registration export: `provider(event, registration_ids)`
    returns ExportColumns, placed after the fixed columns by `order`."""
    _add(app, "export_columns", provider, order)


def export_columns(event: object, registration_ids: list[int]) -> list[ExportColumn]:
    """Every contributed export column for these registrations of `event`, in order."""
    return [
        column
        for provider in _items("export_columns")
        for column in provider(event, registration_ids)
    ]


def add_demo_loader(app: Flask, loader: Callable[..., None], *, order: int) -> None:
    """Contribute `loader(event, summary)` to `flask demo load`, run by `order`."""
    _add(app, "demo", loader, order)


def demo_loaders() -> list[Callable[..., None]]:
    """The demo loaders of the current app, in order."""
    return _items("demo")


def add_sign_in_landing(app: Flask, provider: Callable[..., str | None], *, order: int) -> None:
    """Contribute where a user lands after signing in: `provider(user)` returns a URL for a
    user it knows what to do with (a judge: their scoring page), or None."""
    _add(app, "sign_in_landing", provider, order)


def sign_in_landing(user: object) -> str | None:
    """The first contributed landing page for `user`, or None (the staff home)."""
    for provider in _items("sign_in_landing"):
        url = provider(user)
        if url:
            return url
    return None


def add_personal_data(
    app: Flask, key: str, exporter: Callable[[Any], object], *, order: int
) -> None:
    """Contribute the section `key` of a participant's data download: `exporter(registration)`
    returns it as JSON-ready data (None for "nothing held"). Sections appear by `order`."""
    if any(existing == key for existing, _ in _items("personal_data", app)):
        raise ValueError(f"a personal data section {key!r} is already contributed")
    _add(app, "personal_data", (key, exporter), order)


def personal_data(registration: object) -> dict[str, object]:
    """Every contributed section of a participant's data download, in order."""
    return {key: exporter(registration) for key, exporter in _items("personal_data")}


@dataclass(frozen=True)
class Anonymization:
    """What an anonymizer is told. The registration already carries the placeholders
    (`email`, `native_name`, `latin_name`) instead of the person's data; `old_email` is the
    address it had, in comparison form (trimmed, lower case)."""

    old_email: str
    email: str
    native_name: str
    latin_name: str
    actor: User | None
    reason: str  # why: "deletion_request", "retention", "organizer"
    now: datetime

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor is not None else None


def add_anonymizer(
    app: Flask,
    anonymizer: Callable[[Any, Anonymization], Mapping[str, int] | None],
    *,
    order: int,
) -> None:
    """Contribute `anonymizer(registration, anonymization)`, run by `order` when a registration
    is anonymized (the caller commits): it strips what the domain holds about the person and
    returns counts for the audit entry (e.g. {"mails_purged": 2}), or None."""
    _add(app, "anonymizers", anonymizer, order)


def anonymize_contributions(registration: object, anonymization: Anonymization) -> dict[str, int]:
    """Run every contributed anonymizer on `registration`; their counts, merged."""
    counts: dict[str, int] = {}
    for anonymizer in _items("anonymizers"):
        counts.update(anonymizer(registration, anonymization) or {})
    return counts


@dataclass(frozen=True)
class ContentGap:
    """A text an organizer wrote that lacks some of the event's content languages."""

    what: object  # what the text is, for the organizer ("Round 1: criterion names"); lazy ok
    missing: tuple[str, ...]  # language codes, in the event's order
    url: str | None = None  # where to write it


def content_gap(
    what: object, texts: Iterable[Any], languages: Iterable[str], url: str | None = None
):
    """A ContentGap for `texts` (Translated values; empty ones are not counted: an optional
    text nobody wrote lacks nothing) missing some of `languages`, or None when complete."""
    written = [text for text in texts if text]
    missing = tuple(
        language for language in languages if any(language not in text for text in written)
    )
    return ContentGap(what, missing, url) if missing else None


def add_content_gaps(app: Flask, provider: Callable[[Any], Iterable[ContentGap]], *, order: int):
    """Contribute `provider(event)`: the event's texts of the domain missing a language."""
    _add(app, "content_gaps", provider, order)


def content_gaps(event: object) -> list[ContentGap]:
    """Every contributed gap of `event`, in the contributors' order."""
    return [gap for provider in _items("content_gaps") for gap in provider(event) if gap]


def add_maintenance_task(app: Flask, task: Callable[[], object], *, order: int) -> None:
    """Contribute `task()` to what the worker runs periodically (idempotent, catches up on
    work whose job was lost or that has no job without Redis), run by `order`."""
    _add(app, "maintenance", task, order)


def maintenance_tasks(app: Flask | None = None) -> list[Callable[[], object]]:
    """The maintenance tasks of the app, in order."""
    return _items("maintenance", app)
