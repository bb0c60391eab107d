"""The one permission check: every view declares who may use it.

    @bp.route("/manage/<slug>/registrations")
    @requires(event_role(Role.ORGANIZER))
    def registrations(slug): ...

`requires` stores the rule on the view (`view.permission`) so a test can assert that every
route in the URL map declares one. Anonymous users are sent to the login page; signed-in
users without the right get 403. Event rules load the event from the `slug` URL argument
into `g.event` (404 when it does not exist), through the loader app.events registers
(`register_event_loader`): accounts sits below events and never imports it. Site
administrators pass every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from flask import Flask, abort, current_app, g
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import EventRole, Role, User
from app.accounts.sessions import user_for_session
from app.extensions import db, login_manager

if TYPE_CHECKING:
    from app.events.models import Event

_EVENT_LOADER = "huiwu.event_loader"


@dataclass(frozen=True)
class Rule:
    """A named access rule; `check(user, event)` says whether the user passes."""

    name: str
    needs_login: bool
    check: Callable[[User | None, Event | None], bool]
    needs_event: bool = False
    # The status for a user who does not pass: 403, or 404 where even the page's existence
    # is not to be revealed (a draft event's public pages).
    refusal_status: int = 403
    # False: `check` gets no user and loads the signed-in one itself only when it needs one
    # (a JSON API authenticated by a device token must not load a session user per call).
    needs_user: bool = True


PUBLIC = Rule("public", False, lambda user, event: True)
LOGGED_IN = Rule("logged_in", True, lambda user, event: True)
SITE_ADMIN = Rule("site_admin", True, lambda user, event: bool(user and user.is_admin))


def user_has_role(user: User | None, event: Event | None, roles: frozenset[Role]) -> bool:
    """True when the user is a site admin or holds one of `roles` on `event`."""
    if user is None or event is None:
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(EventRole.id).where(
                EventRole.user_id == user.id,
                EventRole.event_id == event.id,
                EventRole.role.in_(roles),
            )
        )
        is not None
    )


def event_role(*roles: Role) -> Rule:
    """Rule: signed in with one of `roles` on the event named by the URL's `slug`."""
    wanted = frozenset(roles)
    name = "event:" + "|".join(sorted(r.value for r in wanted))
    return Rule(name, True, lambda user, event: user_has_role(user, event, wanted), True)


def _published_or_organizer(user: User | None, event: Event | None) -> bool:
    if event is not None and not event.is_draft:
        return True
    return user_has_role(user, event, frozenset({Role.ORGANIZER}))


def public_event() -> Rule:
    """Rule: anyone, on the public pages of the event named by `slug`; while the event is a
    draft only its organizers (and site admins) see them, everyone else gets 404."""
    return Rule("public_event", False, _published_or_organizer, True, refusal_status=404)


def register_event_loader(app: Flask, loader: Callable[[str], Event | None]) -> None:
    """Tell the event rules how to find the event of a slug (app.events does, in init_app)."""
    app.extensions[_EVENT_LOADER] = loader


def load_event(slug: str) -> Event:
    """The event with this slug or 404."""
    event = current_app.extensions[_EVENT_LOADER](slug)
    if event is None:
        abort(404)
    return event


def requires(rule: Rule):
    """Decorate a view with an explicit access rule."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            event = None
            if rule.needs_event:
                event = load_event(kwargs.get("slug", ""))
                g.event = event
            if rule.needs_login and not current_user.is_authenticated:
                return login_manager.unauthorized()
            user = None
            if rule.needs_user and current_user.is_authenticated:
                user = current_user
            if not rule.check(user, event):
                g.pop("event", None)  # the error page must not show the event it refuses
                abort(rule.refusal_status)
            return view(*args, **kwargs)

        wrapped.permission = rule
        return wrapped

    return decorator


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return user_for_session(user_id)
