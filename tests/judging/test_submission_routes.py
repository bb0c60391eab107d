"""Team entries through the pages: the public form, its refusals (4xx, a clear message next
to the field, nothing stored), the leader's entry page and edit form by the signed link, the
organizers' settings and review, and who may download a pitch deck."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import g
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.judging import assignment_services, entry_services, round_services, submission_services
from app.judging.models import Eligibility, Entry, RoundKind
from app.judging.round_services import RoundData
from app.mail.models import OutboxMessage
from app.mail.services import message_bodies
from app.registration.models import Registration, RegistrationState
from app.registration.services import manage_token
from app.security.sensitive import mask_email
from app.translated import Translated
from tests.judging.conftest import criteria_rows
from tests.judging.submission_support import (
    born,
    counts,
    deck_files,
    entry_form,
    tiny_pdf,
)


def post_entry(client, slug: str, data: dict, lang: str = "en"):
    return client.post(f"/e/{slug}/entry?lang={lang}", data=data)


def token_from(response) -> str:
    match = re.search(r"/r/([^/?]+)/entry", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def only_entry() -> Entry:
    entry = db.session.scalars(select(Entry)).one()
    return entry


# --- the public form ---------------------------------------------------------------------------


def test_event_page_invites_teams_while_submissions_are_open(client, call_for_entries):
    call = call_for_entries()
    page = client.get(f"/e/{call.event.slug}/?lang=en").get_data(as_text=True)
    assert f'href="/e/{call.event.slug}/entry"' in page
    assert "Teams register together when they submit their entry." in page
    call.settings.submissions_open = False
    db.session.commit()
    page = client.get(f"/e/{call.event.slug}/?lang=en").get_data(as_text=True)
    assert f'href="/e/{call.event.slug}/entry"' not in page


def test_form_asks_for_dates_of_birth_only_with_an_age_limit(client, call_for_entries):
    plain = call_for_entries()
    page = client.get(f"/e/{plain.event.slug}/entry?lang=en").get_data(as_text=True)
    assert 'name="date_of_birth"' not in page and "date_of_birth" not in page
    assert 'name="members-0-email"' in page and 'name="members-2-email"' in page
    assert 'name="members-3-email"' not in page  # teams of at most 4: three more rows
    assert 'type="file"' in page and 'accept=".pdf,application/pdf"' in page
    youth = call_for_entries(age_limit=35)
    page = client.get(f"/e/{youth.event.slug}/entry?lang=en").get_data(as_text=True)
    assert 'name="date_of_birth"' in page and 'name="members-0-date_of_birth"' in page
    for forbidden in ("passport", "id_number", "national_id"):
        assert f'name="{forbidden}' not in page


def test_a_team_submits_its_entry_and_lands_on_its_entry_page(client, call_for_entries):
    call = call_for_entries()
    data = entry_form(members=2)
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    token = token_from(response)
    entry = only_entry()
    assert [m.registration.country for m in entry.members] == ["CN", "KZ", "IN"]
    assert entry.leader.registration.email == data["email"]
    assert entry.deck_file and entry_services.deck_path(entry).read_bytes().startswith(b"%PDF-")
    page = client.get(f"/r/{token}/entry?created=1&lang=en").get_data(as_text=True)
    assert "the entry has been submitted" in page
    assert "Highland solar micro-grids" in page and "Aliya Seitkali" in page
    assert "deck.pdf" not in page and "/deck.pdf" not in page  # the team cannot download it
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds.count("registration.confirmed") == 3
    assert kinds.count("judging.entry_received") == 1


def test_each_members_mail_names_the_team_the_entry_and_the_leader(client, call_for_entries):
    call = call_for_entries()
    data = entry_form(members=2, language="en")
    for i in range(2):
        data[f"members-{i}-language"] = "en"
    assert post_entry(client, call.event.slug, data).status_code == 302
    entry = only_entry()
    leader = entry.leader.registration
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "registration.confirmed")
        .order_by(OutboxMessage.id)
    ).all()
    g.pop("event", None)
    texts = {m.registration_id: message_bodies(m) for m in mails}
    assert len(texts) == 3
    for member in entry.members:
        text, html = texts[member.registration_id]
        if member.is_leader:
            expected = f"You lead the team {entry.team_name}, entry “{entry.title_en}”."
        else:
            expected = (
                f"You are on the team {entry.team_name}, entry “{entry.title_en}”; "
                f"the team leader is {leader.native_name}."
            )
        assert expected in text, text
        assert expected.replace("“", "&#8220;")[:20] in html or expected[:20] in html


def test_blank_member_rows_are_ignored(client, call_for_entries):
    call = call_for_entries()
    data = entry_form(members=1)
    data.update({"members-1-country": "RU", "members-1-language": "ru", "members-2-email": " "})
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 302
    assert len(only_entry().members) == 2


@pytest.mark.parametrize(
    ("deck", "status", "message"),
    [
        (b"MZ\x90\x00 not a pdf at all", 415, "The pitch deck must be a PDF file."),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n", 413, "larger than 10 MB"),
    ],
    ids=["not-a-pdf", "too-large"],
)
def test_a_bad_deck_is_refused_with_a_message_and_nothing_stored(
    app, client, call_for_entries, deck, status, message
):
    call = call_for_entries()
    before = counts()
    response = post_entry(client, call.event.slug, entry_form(deck=deck))
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="deck-help" class="field-error"' in page
    assert counts() == before
    assert deck_files(app, call.event.id) == []


def test_a_missing_deck_is_refused(client, call_for_entries):
    call = call_for_entries()
    data = entry_form()
    data.pop("deck")
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 422
    assert "Upload the pitch deck" in response.get_data(as_text=True)
    assert counts()["entries"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"video_url": "javascript:alert(1)"}, "must be a web address starting with http"),
        ({"video_url": "ftp://files.example.org/pitch.mp4"}, "starting with http"),
        (
            dict.fromkeys(
                [
                    f"members-{r}-{f}"
                    for r in (0, 1)
                    for f in ("native_name", "latin_name", "email")
                ],
                "",
            ),
            "at least 2 members",
        ),
        (
            {"members-1-email": "SAME@example.org", "members-0-email": "same@example.org"},
            "appears twice in the team",
        ),
        ({"members-0-native_name": ""}, "This field is required."),
        ({"members-0-email": "not-an-email"}, "Invalid email address."),
        ({"members-0-latin_name": "Алия"}, "Latin letters"),
        ({"track": "Space mining"}, "Not a valid choice"),
        ({"summary": ""}, "This field is required."),
        ({"team_consent": None}, "agreement is needed"),
    ],
    ids=[
        "javascript-url",
        "ftp-url",
        "missing-members",
        "duplicate-emails",
        "member-without-name",
        "bad-member-email",
        "cyrillic-latin-name",
        "unknown-track",
        "no-summary",
        "no-team-consent",
    ],
)
def test_bad_input_gets_a_4xx_with_a_clear_message_and_nothing_stored(
    app, client, call_for_entries, change, message
):
    call = call_for_entries()
    before = counts()
    data = entry_form(members=2)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = post_entry(client, call.event.slug, data)
    assert response.status_code in (400, 409, 413, 415, 422)
    assert message in response.get_data(as_text=True)
    assert counts() == before
    assert deck_files(app, call.event.id) == []


@pytest.mark.parametrize("name", ["summary", "email", "members-0-email"])
def test_a_file_sent_as_a_text_field_is_refused_without_a_server_error(
    app, client, call_for_entries, name
):
    call = call_for_entries()
    before = counts()
    data = entry_form(members=1)
    data[name] = (io.BytesIO(b"not a text value"), "field.txt")
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert counts() == before
    assert deck_files(app, call.event.id) == []


@pytest.mark.parametrize(("lang", "message"), [("en", "larger than 10 MB"), ("zh", "超过 10 MB")])
def test_a_request_over_the_size_limit_names_the_deck_limit_in_the_page_language(
    app, client, call_for_entries, lang, message
):
    call = call_for_entries()
    before = counts()
    response = post_entry(client, call.event.slug, entry_form(deck=too_big_deck(app)), lang=lang)
    assert response.status_code == 413
    assert message in response.get_data(as_text=True)
    assert counts() == before
    assert deck_files(app, call.event.id) == []


def test_too_many_members_are_refused(client, call_for_entries):
    call = call_for_entries()  # at most 4, the leader included
    response = post_entry(client, call.event.slug, entry_form(members=4))
    assert response.status_code == 422
    assert "at most 4 members" in response.get_data(as_text=True)
    assert counts()["registrations"] == 0


def test_a_member_already_registered_is_refused_next_to_their_email(client, call_for_entries):
    call = call_for_entries()
    first = entry_form(members=1)
    assert post_entry(client, call.event.slug, first).status_code == 302
    before = counts()
    data = entry_form(members=2)
    data["members-1-email"] = first["members-0-email"]
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"{first['members-0-email']} is already registered for this event" in page
    assert 'id="members-1-email-help" class="field-error"' in page
    assert counts() == before


def test_closed_submissions_show_why(client, call_for_entries):
    call = call_for_entries(submissions_open=False)
    page = client.get(f"/e/{call.event.slug}/entry?lang=en")
    assert page.status_code == 200
    assert "not taking entries" in page.get_data(as_text=True)
    assert post_entry(client, call.event.slug, entry_form()).status_code == 409
    assert counts()["registrations"] == 0


def test_with_an_age_limit_the_dates_of_birth_are_stored(client, call_for_entries):
    day = date(2030, 10, 28)
    call = call_for_entries(age_limit=35, age_reference_date=day)
    data = entry_form(members=1)
    response = post_entry(client, call.event.slug, data)
    assert response.status_code == 422
    assert "give the date of birth" in response.get_data(as_text=True)
    data = entry_form(members=1)
    data["date_of_birth"] = born(30, day).isoformat()
    data["members-0-date_of_birth"] = born(40, day).isoformat()
    assert post_entry(client, call.event.slug, data).status_code == 302
    entry = only_entry()
    assert [m.date_of_birth for m in entry.members] == [born(30, day), born(40, day)]


# --- the leader's pages ------------------------------------------------------------------------


def too_big_deck(app) -> bytes:
    """A PDF larger than the whole request may be."""
    return b"%PDF-1.4\n" + b"0" * app.config["MAX_CONTENT_LENGTH"] + b"\n%%EOF\n"


def post_too_big_deck(app, client, url: str, **fields):
    """Post `fields` with a deck larger than the whole request may be."""
    deck = (io.BytesIO(too_big_deck(app)), "big.pdf")
    return client.post(url, data={**fields, "deck": deck})


def submitted(client, call, members: int = 2) -> tuple[str, int]:
    response = post_entry(client, call.event.slug, entry_form(members=members))
    assert response.status_code == 302
    token = token_from(response)
    entry_id = only_entry().id
    db.session.commit()
    # Test requests share the test's app context; services called next run outside a request.
    g.pop("event", None)
    return token, entry_id


def test_leader_edits_the_entry_by_the_signed_link(client, call_for_entries):
    call = call_for_entries()
    token, entry_id = submitted(client, call)
    form = client.get(f"/r/{token}/entry/edit?lang=en")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'name="current-0-registration_id"' in page and 'name="current-2-remove"' in page
    assert 'name="current-0-remove"' not in page  # the leader cannot be removed
    entry = db.session.get(Entry, entry_id)
    for row, member in enumerate(entry.members):
        hidden = re.search(rf'<input[^>]*name="current-{row}-registration_id"[^>]*>', page)
        assert f'value="{member.registration_id}"' in hidden.group(0)
        assert 'type="hidden"' in hidden.group(0)
    leaving = entry.members[2].registration_id
    db.session.commit()
    data = {
        "title_zh": "高原光伏微电网",
        "title_en": "Highland solar micro-grids 2.0",
        "team_name": "SunPeak",
        "track": "AI",
        "summary": "Now with batteries.",
        "video_url": "https://video.example.org/sunpeak-v2",
        "current-0-registration_id": str(entry.members[0].registration_id),
        "current-1-registration_id": str(entry.members[1].registration_id),
        "current-2-registration_id": str(leaving),
        "current-2-remove": "y",
        "members-0-native_name": "Ali Raza",
        "members-0-latin_name": "Ali Raza",
        "members-0-email": "ali.raza@example.org",
        "members-0-country": "PK",
        "members-0-language": "en",
        "deck": (io.BytesIO(tiny_pdf(2)), "v2.pdf"),
    }
    response = client.post(f"/r/{token}/entry/edit?lang=en", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert entry.title_en == "Highland solar micro-grids 2.0" and entry.track == "AI"
    assert [m.registration.latin_name for m in entry.members][-1] == "Ali Raza"
    assert db.session.get(Registration, leaving).state == RegistrationState.CANCELLED
    page = client.get(f"/r/{token}/entry?lang=en").get_data(as_text=True)
    assert "Highland solar micro-grids 2.0" in page


def test_the_leader_sees_the_other_members_emails_masked(client, call_for_entries):
    call = call_for_entries()
    token, entry_id = submitted(client, call)
    page = client.get(f"/r/{token}/entry/edit?lang=en").get_data(as_text=True)
    members = db.session.get(Entry, entry_id).members
    assert any(member.is_leader for member in members) and len(members) == 3
    for member in members:
        email = member.registration.email
        if member.is_leader:
            assert email in page
        else:
            assert email not in page
            assert mask_email(email) in page
    assert mask_email("li.wei@example.org") == "l•••@example.org"
    assert mask_email("no-at-sign") == "••••"


def test_edit_with_bad_input_is_refused_and_changes_nothing(client, call_for_entries):
    call = call_for_entries()
    token, entry_id = submitted(client, call, members=1)
    entry = db.session.get(Entry, entry_id)
    ids = [m.registration_id for m in entry.members]
    db.session.commit()
    data = {
        "title_en": "Changed",
        "summary": "x",
        "track": "AI",
        "video_url": "javascript:alert(1)",
        "current-0-registration_id": str(ids[0]),
        "current-1-registration_id": str(ids[1]),
    }
    response = client.post(f"/r/{token}/entry/edit?lang=en", data=data)
    assert response.status_code == 422
    assert "starting with http" in response.get_data(as_text=True)
    data["video_url"] = ""
    data["current-1-remove"] = "y"  # would leave a team of one; teams need two
    response = client.post(f"/r/{token}/entry/edit?lang=en", data=data)
    assert response.status_code == 422
    assert "at least 2 members" in response.get_data(as_text=True)
    data.pop("current-1-remove")
    data["current-1-registration_id"] = "999999"  # someone else's registration
    assert client.post(f"/r/{token}/entry/edit?lang=en", data=data).status_code == 400
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert entry.title_en == "Highland solar micro-grids" and len(entry.members) == 2


@pytest.mark.parametrize("name", ["summary", "members-0-email"])
def test_a_file_sent_as_a_text_field_of_the_edit_form_is_refused_without_a_server_error(
    client, call_for_entries, name
):
    call = call_for_entries()
    token, entry_id = submitted(client, call, members=1)
    ids = [m.registration_id for m in db.session.get(Entry, entry_id).members]
    db.session.commit()
    data = {
        "title_en": "Changed",
        "summary": "Changed",
        "track": "AI",
        "current-0-registration_id": str(ids[0]),
        "current-1-registration_id": str(ids[1]),
        "members-0-native_name": "Ali Raza",
        "members-0-email": "ali.raza@example.org",
        "members-0-country": "PK",
        "members-0-language": "en",
    }
    data[name] = (io.BytesIO(b"not a text value"), "field.txt")
    before = counts()
    response = client.post(f"/r/{token}/entry/edit?lang=en", data=data)
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Entry, entry_id).title_en == "Highland solar micro-grids"


def test_an_edit_over_the_size_limit_names_the_deck_limit(app, client, call_for_entries):
    call = call_for_entries()
    token, _entry_id = submitted(client, call, members=1)
    response = post_too_big_deck(app, client, f"/r/{token}/entry/edit?lang=en", summary="x")
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_accepted_entry_can_no_longer_be_edited(client, call_for_entries):
    call = call_for_entries()
    token, entry_id = submitted(client, call)
    submission_services.decide_entry(db.session.get(Entry, entry_id), Eligibility.ELIGIBLE, "")
    db.session.commit()
    page = client.get(f"/r/{token}/entry?lang=en").get_data(as_text=True)
    assert "it can no longer be changed" in page and 'id="edit-entry"' not in page
    assert client.get(f"/r/{token}/entry/edit?lang=en").status_code == 302
    response = client.post(f"/r/{token}/entry/edit?lang=en", data={"title_en": "x"})
    assert response.status_code == 409


def test_only_the_leaders_link_opens_the_entry(client, call_for_entries):
    call = call_for_entries()
    token, entry_id = submitted(client, call)
    member = db.session.get(Entry, entry_id).members[1].registration
    member_token = manage_token(member)
    db.session.commit()
    assert client.get(f"/r/{member_token}/entry").status_code == 404
    assert client.get(f"/r/{member_token}/entry/edit").status_code == 404
    assert client.get(f"/r/{token}x/entry").status_code == 404
    assert client.get(f"/r/{token}x/entry/edit", follow_redirects=False).status_code == 404


# --- organizers ---------------------------------------------------------------------------------


def test_organizer_sets_up_submissions(client, auth, make_event, make_category, make_user):
    event = make_event()
    category = make_category(event, code="team", capacity=None)
    organizer = make_user(Role.ORGANIZER, event=event)
    slug, category_id = event.slug, category.id
    db.session.commit()
    auth.login(organizer)
    url = f"/manage/{slug}/judging/settings?lang=en"
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        data={
            "team_category": "0",
            "submissions_open": "y",
            "min_team_size": "1",
            "max_team_size": "5",
        },
    )
    assert bad.status_code == 422
    assert "Choose the registration category" in bad.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "team_category": str(category_id),
            "submissions_open": "y",
            "submission_deadline": "2030-10-20T18:00",
            "min_team_size": "2",
            "max_team_size": "5",
            "tracks": "AI\n\nGreen energy\nAI\n",
            "age_limit": "35",
            "age_reference_date": "2030-10-28",
        },
    )
    assert response.status_code == 302
    settings = submission_services.competition_settings(db.session.get(type(event), event.id))
    assert settings.tracks == ["AI", "Green energy"]
    assert settings.age_limit == 35 and settings.age_reference_date == date(2030, 10, 28)
    # 18:00 in Shanghai is 10:00 UTC.
    assert settings.submission_deadline.hour == 10


def test_an_organizer_deck_upload_over_the_size_limit_names_the_deck_limit(
    app, client, auth, call_for_entries, make_user
):
    call = call_for_entries()
    organizer = make_user(Role.ORGANIZER, event=call.event)
    slug = call.event.slug
    db.session.commit()
    auth.login(organizer)
    response = post_too_big_deck(
        app, client, f"/manage/{slug}/judging/entries/new?lang=en", title_en="x"
    )
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_data(as_text=True)
    assert counts()["entries"] == 0


def test_organizer_reviews_and_rejects_with_a_reason_mailed_to_the_leader(
    client, auth, call_for_entries, make_user
):
    day = date(2030, 10, 28)
    call = call_for_entries(age_limit=35, age_reference_date=day)
    organizer = make_user(Role.ORGANIZER, event=call.event)
    data = entry_form(members=1)
    data["language"] = "ru"
    data["date_of_birth"] = born(38, day).isoformat()
    data["members-0-date_of_birth"] = born(25, day).isoformat()
    assert post_entry(client, call.event.slug, data).status_code == 302
    entry_id, slug = only_entry().id, call.event.slug
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/manage/{slug}/judging/entries/{entry_id}/?lang=en").get_data(as_text=True)
    assert "Automatic check found:" in page and "above the age limit of 35" in page
    assert "Submitted by the team on" in page
    response = client.post(
        f"/manage/{slug}/judging/entries/{entry_id}/eligibility?lang=en",
        data={"status": "ineligible", "reason": "The leader is 38 on 2030-10-28."},
        follow_redirects=True,
    )
    assert "The decision has been emailed to the team leader." in response.get_data(as_text=True)
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "judging.entry_rejected")
    ).one()
    assert mail.to_address == data["email"] and mail.language == "ru"
    assert "The leader is 38 on 2030-10-28." in mail.body_text


def test_pitch_deck_only_for_organizers_and_assigned_judges(
    client, auth, call_for_entries, make_user
):
    call = call_for_entries()
    organizer = make_user(Role.ORGANIZER, event=call.event)
    judges = [make_user(Role.JUDGE, event=call.event) for _ in range(2)]
    assert post_entry(client, call.event.slug, entry_form(members=1)).status_code == 302
    g.pop("event", None)  # the request's event; the decision mail renders outside a request
    entry = only_entry()
    submission_services.decide_entry(entry, Eligibility.ELIGIBLE, "")
    round_ = round_services.create_round(
        call.event,
        RoundData(
            Translated(zh="初赛", en="Preliminary"),
            RoundKind.PRELIMINARY,
            judges_per_entry=1,
            criteria=criteria_rows(),
        ),
    )
    round_services.add_eligible_entries(round_)
    assignment_services.add_assignment(round_, entry.id, judges[0].id)
    slug, entry_id, round_id = call.event.slug, entry.id, round_.id
    db.session.commit()
    organizer_url = f"/manage/{slug}/judging/entries/{entry_id}/deck.pdf"
    judge_url = f"/judge/{slug}/rounds/{round_id}/entries/{entry_id}/deck.pdf"

    assert client.get(organizer_url).status_code == 302  # anonymous: to the login page
    assert client.get(judge_url).status_code == 302
    auth.login(organizer)
    response = client.get(organizer_url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF-")
    auth.logout()
    auth.login(judges[0])
    response = client.get(judge_url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(organizer_url).status_code == 403
    auth.logout()
    auth.login(judges[1])
    assert client.get(judge_url).status_code == 403


def test_the_team_is_registered_under_the_privacy_notice_the_leader_read(client, call_for_entries):
    call = call_for_entries()
    slug = call.event.slug
    page = client.get(f"/e/{slug}/entry?lang=en").get_data(as_text=True)
    version = re.search(r'name="consent_version" type="hidden" value="(\d+)"', page).group(1)
    data = entry_form(members=1)
    data["consent_version"] = version
    assert post_entry(client, slug, data).status_code == 302
    registrations = [m.registration for m in only_entry().members]
    assert len({r.consent_version_id for r in registrations}) == 1
    assert registrations[0].consent_version_id is not None
    # The notice changes while the next team fills in the form: asked again, nothing stored.
    call.event.privacy_text = call.event.privacy_text.with_text(
        "en", "Privacy notice, second edition"
    )
    db.session.commit()
    before = counts()
    late = entry_form(members=1)
    late["consent_version"] = version
    response = post_entry(client, slug, late)
    assert response.status_code == 409
    answer = response.get_data(as_text=True)
    assert "The privacy notice was changed while you were filling in the form." in answer
    assert "second edition" in answer
    assert counts() == before
