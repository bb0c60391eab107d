"""The event navigation as a registry: each domain contributes its staff pages in `init_app`.

The core asks "who contributes?" and never names a domain: `manage_sections` (app.events)
reads the entries registered here and keeps those the user may open.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask

_KEY = "huiwu.navigation"


@dataclass(frozen=True)
class NavEntry:
    """A staff page of an event: shown to holders of `role` (the organizers' set, or a role's)."""

    endpoint: str
    label: object  # a lazy translatable string, rendered when the navigation is built
    role: Hashable
    order: int


def add_manage_section(app: Flask, endpoint: str, label: object, *, role: Hashable, order: int):
    """Contribute one entry to the event navigation of `app`, placed by `order`."""
    entries: list[NavEntry] = app.extensions.setdefault(_KEY, [])
    entries.append(NavEntry(endpoint, label, role, order))
    entries.sort(key=lambda entry: entry.order)


def manage_entries(app: Flask) -> list[NavEntry]:
    """The entries contributed to `app`, in navigation order."""
    return list(app.extensions.get(_KEY, ()))
