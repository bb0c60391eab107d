"""A draft event's public pages exist only for its organizers: everyone else gets 404."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.events.models import EventStatus
from app.translated import Translated

PUBLIC_PAGES = ["/e/{slug}/", "/e/{slug}/register"]


@pytest.fixture
def draft(make_event, make_category):
    event = make_event(status=EventStatus.DRAFT, title=Translated(en="Secret summit"))
    make_category(event)
    return event


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_visitor_gets_404_on_a_draft_event(client, draft, path):
    response = client.get(path.format(slug=draft.slug) + "?lang=en")
    assert response.status_code == 404
    assert "Secret summit" not in response.text


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_organizer_of_another_event_gets_404_on_a_draft_event(
    client, auth, draft, make_event, make_user, path
):
    auth.login(make_user(Role.ORGANIZER, event=make_event()))
    assert client.get(path.format(slug=draft.slug)).status_code == 404


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_organizer_previews_their_draft_event(client, auth, draft, make_user, path):
    auth.login(make_user(Role.ORGANIZER, event=draft))
    assert client.get(path.format(slug=draft.slug)).status_code == 200


def test_registering_for_a_draft_event_is_refused_without_a_trace(client, draft):
    response = client.post(f"/e/{draft.slug}/register", data={"email": "x@example.org"})
    assert response.status_code == 404
