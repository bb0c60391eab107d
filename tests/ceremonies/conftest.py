"""Ceremony fixtures: a ceremony built through the services, with an organizer signed in."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import force_locale

from app.accounts.models import Role
from app.ceremonies.models import SegmentKind
from app.ceremonies.services import (
    CeremonyData,
    PartyData,
    SegmentData,
    SigningItemData,
    WitnessData,
    add_segment,
    add_signing_item,
    create_ceremony,
)
from app.extensions import db
from app.translated import Translated

START = datetime(2026, 12, 16, 9, 30)  # wall clock, Asia/Shanghai


def party(org: str, country: str = "CN", name: str = "", title: str = "") -> PartyData:
    return PartyData(
        organization=Translated(zh=org, en=org),
        country=country,
        signatory_name=name,
        signatory_title=Translated(zh=title, en=title),
    )


def item_data(title: str, parties, witnesses=(), **extra) -> SigningItemData:
    return SigningItemData(
        title=Translated(zh=title, en=title),
        parties=list(parties),
        witnesses=[
            WitnessData(name, Translated(zh=title, en=title), Translated(zh=org, en=org))
            for name, title, org in witnesses
        ],
        **extra,
    )


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English whatever the catalogs hold (the assertions read English)."""
    with force_locale("en"):
        yield


@pytest.fixture
def make_ceremony(app, make_event):
    """Factory: a ceremony (09:30 Shanghai) with opening 5, speech 10, signing 20, closing 5."""

    def factory(event=None, items=(), slot_minutes: int = 60):
        event = event or make_event()
        ceremony = create_ceremony(
            event,
            CeremonyData(
                Translated(zh="签约仪式", en="Signing ceremony"),
                START,
                host_name="林晓雯",
                slot_minutes=slot_minutes,
            ),
        )
        for kind, minutes, title in (
            (SegmentKind.OPENING, 5, "开场"),
            (SegmentKind.SPEECH, 10, "致辞"),
            (SegmentKind.SIGNING, 20, "签约"),
            (SegmentKind.CLOSING, 5, "结束"),
        ):
            add_segment(ceremony, SegmentData(kind, minutes, Translated(zh=title, en=title)))
        for data in items:
            add_signing_item(ceremony, data)
        db.session.commit()
        return ceremony

    return factory


@pytest.fixture
def organizer_client(client, auth, make_user, make_event):
    """(client signed in as the event's organizer, event)."""
    event = make_event()
    user = make_user(Role.ORGANIZER, event=event)
    auth.login(user)
    client.get("/?lang=en")
    return client, event
