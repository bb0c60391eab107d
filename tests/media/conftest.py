"""Media fixtures: outlets and an organizer client reading English."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.accounts.models import Role
from app.extensions import db
from app.media.models import Outlet, OutletLevel, OutletType
from app.media.services import name_key
from app.translated import Translated


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English whatever the catalogs hold (the assertions read English)."""
    with force_locale("en"):
        yield


@pytest.fixture
def make_outlet(app):
    def factory(event, name_zh, name_en="", level=OutletLevel.CENTRAL, type=OutletType.TV):
        outlet = Outlet(
            event_id=event.id,
            name=Translated(zh=name_zh, en=name_en),
            name_key=name_key(name_zh),
            level=level,
            type=type,
        )
        db.session.add(outlet)
        db.session.commit()
        return outlet

    return factory


@pytest.fixture
def organizer_client(client, auth, make_user, make_event):
    """(client signed in as the event's organizer, reading English, event)."""
    event = make_event()
    auth.login(make_user(Role.ORGANIZER, event=event))
    client.get("/?lang=en")
    return client, event
