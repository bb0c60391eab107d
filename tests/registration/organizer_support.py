"""Helpers for the organizer desk tests: a signed-in organizer and quick registrations."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import timedelta

from app.accounts.models import Role, User
from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.registration.models import Attendance, Category, Registration
from app.registration.services import ParticipantData, register_participant

_numbers = itertools.count(1)


@dataclass
class Desk:
    """An event, its signed-in organizer and a test client."""

    event: Event
    organizer: User
    client: object

    @property
    def base(self) -> str:
        return f"/manage/{self.event.slug}"


def sign_in_organizer(client, auth, make_event, make_user) -> Desk:
    """A new event with an organizer signed in on `client` (used by each module's `desk`)."""
    event = make_event()
    organizer = make_user(Role.ORGANIZER, event=event)
    response = auth.login(organizer)
    assert response.status_code == 302
    return Desk(event=event, organizer=organizer, client=client)


def add_registration(
    event: Event,
    category: Category,
    *,
    notify: bool = False,
    minutes_ago: int | None = None,
    commit: bool = True,
    **overrides,
) -> Registration:
    """Register someone through the real service (place counting, history) and commit."""
    n = next(_numbers)
    values = dict(
        native_name="张伟",
        latin_name="Zhang Wei",
        email=f"guest{n}@example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN",
        organization="青岛大学",
        job_title="教授",
        phone="+8613800138000",
    )
    values.update(overrides)
    registration = register_participant(event, category, ParticipantData(**values), notify=notify)
    if minutes_ago is not None:
        registration.created_at = utcnow() - timedelta(minutes=minutes_ago)
    if commit:
        db.session.commit()
    return registration


def references_in(page: str) -> list[str]:
    """Registration references listed in the organizer table, in page order."""
    body = page.split('id="registrations-table"', 1)[1]
    return re.findall(r">(R\d{6})</a>", body)


def flashes(page: str) -> list[str]:
    """The flash messages shown on a page."""
    return [
        html.unescape(m.strip())
        for m in re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', page, re.S)
    ]
