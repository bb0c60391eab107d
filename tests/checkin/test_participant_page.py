"""The participant's page says when and where they were checked in (check-in contributes it)."""

from __future__ import annotations

from app.checkin.services import ListData, create_list, redeem_code
from app.extensions import db
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from tests.conftest import form_data, manage_token_from


def test_the_page_says_when_and_where_the_participant_was_checked_in(
    client, make_event, make_category
):
    event = make_event()
    category = make_category(event)
    response = client.post(f"/e/{event.slug}/register?lang=en", data=form_data(category))
    token = manage_token_from(response)
    registration = db.session.query(Registration).one()
    assert "You were checked in" not in client.get(f"/r/{token}?lang=en").text

    hall = create_list(event, ListData(name="Main hall", category_ids=[category.id]))
    db.session.commit()
    result = redeem_code(event.id, hall.id, ticket_code(registration), "Gate 2", "nonce-1", None)
    db.session.commit()
    assert result.status == "ok"
    page = client.get(f"/r/{token}?lang=en").text
    assert "You were checked in on" in page
    assert "Main hall · Gate 2" in page
