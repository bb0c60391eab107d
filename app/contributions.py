"""What the domains contribute to the core: registries filled by each domain's `init_app`.

The core asks "who contributes?" and never names a domain, the way Indico modules extend
menus through signals:
- navigation: the staff pages of an event (`add_manage_section`; events.manage_sections
  keeps those the user may open);
- page context: values a domain adds to a page the core renders (`add_page_context`);
- export columns: columns a domain adds to the registration export (`add_export_columns`);
- demo loaders: the part of `flask demo load` a domain fills in (`add_demo_loader`).
Each registry lives on the app (`app.extensions`), so every app built has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app


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
