"""Organizer mailings: placeholders, refusal of unknown ones, escaping, recipient filters,
one outbox row per recipient, double submit, permissions."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import Attendance, Mailing
from tests.registration.organizer_support import add_registration, sign_in_organizer
from tests.registration.support import field_error


def outbox_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def send(desk, action="send", token="form-1", **data):  # noqa: S107 - a form nonce
    values = {"subject": "Hello {name}", "body": "Dear {name}", "state": "", "client_token": token}
    values.update(data)
    values["action"] = action
    return desk.client.post(f"{desk.base}/mailings?lang=en", data=values)


def test_placeholders_are_filled_per_recipient(client, auth, make_event, make_category, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    category = make_category(desk.event)
    add_registration(
        desk.event, category, native_name="王堃", latin_name="Wang Kun", organization="青岛大学"
    )
    response = send(
        desk,
        subject="Programme for {latin_name}",
        body="Dear {name} ({latin_name}, {organization}),\nchange here: {manage_url}\n{{braces}}",
    )
    assert response.status_code == 302, response.text
    [row] = outbox_rows()
    assert row.subject == "Programme for Wang Kun"
    assert "Dear 王堃 (Wang Kun, 青岛大学)," in row.body_text
    assert "http://localhost/r/" in row.body_text
    assert "{braces}" in row.body_text
    assert '<a href="http://localhost/r/' in row.body_html
    mailing = db.session.scalar(select(Mailing))
    assert (mailing.recipient_count, mailing.sent_by_user_id) == (1, desk.organizer.id)


def test_unknown_or_unsafe_placeholders_are_refused(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    add_registration(desk.event, make_category(desk.event))
    for body in ("{email}", "{name.__class__}", "{name!r}", "{0}", "{}", "{name:>{name}}", "a { b"):
        response = send(desk, body=body, token=f"t-{body}")
        assert response.status_code == 400, body
        message = field_error(response.text, "body")
        assert message, body
        assert "{name}" in message or "brace" in message
    assert outbox_rows() == []
    assert db.session.scalar(select(func.count(Mailing.id))) == 0


def test_script_in_the_organizers_text_is_escaped_in_html(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    add_registration(desk.event, make_category(desk.event), native_name="<b>Bob</b>")
    send(desk, body="<script>alert(1)</script> for {name}")
    [row] = outbox_rows()
    assert "<script>" not in row.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row.body_html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in row.body_html
    assert "<script>alert(1)</script> for <b>Bob</b>" in row.body_text


def test_the_filter_selects_the_right_recipients(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    guests = make_category(desk.event, capacity=3)
    media = make_category(desk.event)
    wanted = add_registration(desk.event, guests, language="en", attendance=Attendance.ONSITE)
    add_registration(desk.event, guests, language="zh_CN")  # other language
    add_registration(desk.event, guests, language="en", attendance=Attendance.ONLINE)
    add_registration(desk.event, guests, language="en")  # waitlisted (capacity 3)
    add_registration(desk.event, media, language="en")  # other category
    filters = {
        "category": str(guests.id),
        "state": "confirmed",
        "attendance": "onsite",
        "language": "en",
    }
    preview = send(desk, action="preview", **filters)
    assert preview.status_code == 200
    assert "1 recipient" in preview.text
    assert outbox_rows() == []  # a preview sends nothing
    send(desk, **filters)
    assert [row.registration_id for row in outbox_rows()] == [wanted.id]
    assert db.session.scalar(select(Mailing)).filters == filters


def test_all_recipients_get_one_row_each_and_a_double_submit_sends_once(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    category = make_category(desk.event)
    for _ in range(3):
        add_registration(desk.event, category)
    assert send(desk, token="same").status_code == 302
    again = send(desk, token="same")
    assert again.status_code == 400
    assert "already been sent" in again.text
    rows = outbox_rows()
    assert len(rows) == 3 and len({r.registration_id for r in rows}) == 3
    assert db.session.scalar(select(func.count(Mailing.id))) == 1


def test_no_recipients_is_a_clear_error(client, auth, make_event, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    response = send(desk)
    assert response.status_code == 400
    assert "No registration matches" in response.text


def test_mailings_are_for_organizers_only(client, auth, make_event, make_category, make_user):
    event = make_event()
    add_registration(event, make_category(event))
    url = f"/manage/{event.slug}/mailings"
    assert client.get(url).status_code == 302
    auth.login(make_user(Role.JUDGE, event=event))
    assert client.get(url).status_code == 403
    data = {"subject": "x", "body": "y", "client_token": "t", "action": "send"}
    assert client.post(url, data=data).status_code == 403
    auth.logout()
    auth.login(make_user(Role.ORGANIZER, event=make_event()))
    assert client.post(url, data=data).status_code == 403
    assert outbox_rows() == []
