"""Team entries from the public site, at the service level: registration of every member
through the registration services, refusals that store nothing, the leader's edits, the
eligibility check and the decision mailed to the leader."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.judging import entry_services, submission_services
from app.judging.errors import JudgingError
from app.judging.models import Eligibility
from app.judging.submission_services import SettingsData, TeamEdit, TeamSubmission
from app.mail.models import OutboxMessage
from app.registration.models import Registration, RegistrationState
from app.registration.services import registration_from_token
from tests.judging.submission_support import (
    born,
    counts,
    deck_files,
    leader_data,
    member_data,
    project_data,
    tiny_pdf,
)


def submission(members=None, deck=None, **overrides) -> TeamSubmission:
    values = dict(
        leader=leader_data(),
        project=project_data(),
        members=[member_data(0)] if members is None else members,
        deck=tiny_pdf() if deck is None else deck,
    )
    values.update(overrides)
    return TeamSubmission(**values)


def mails_to(address: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    ).all()


# --- submitting ---------------------------------------------------------------------------------


def test_submission_registers_every_member_in_the_team_category_with_their_country(
    app, call_for_entries
):
    call = call_for_entries()
    sent = submission(members=[member_data(0), member_data(1, country="IN", language="en")])
    entry = submission_services.submit_team_entry(call.event, sent)
    db.session.commit()

    assert entry.submitted_at is not None
    assert entry.track == "Green energy" and entry.title_en == "Highland solar micro-grids"
    registrations = [m.registration for m in entry.members]
    assert [r.email for r in registrations] == [
        sent.leader.email,
        sent.members[0].email,
        sent.members[1].email,
    ]
    assert {r.category_id for r in registrations} == {call.category.id}
    assert [r.country for r in registrations] == ["CN", "KZ", "IN"]
    assert all(r.state == RegistrationState.CONFIRMED for r in registrations)
    assert entry.leader.registration.email == sent.leader.email
    assert registrations[0].latin_name == "Zhang Wei"  # the registration rules applied
    assert registrations[1].organization == "青岛大学"  # a member's defaults to the leader's
    assert entry_services.deck_path(entry).read_bytes() == sent.deck
    assert entry.deck_size == len(sent.deck)


def test_every_member_gets_the_normal_confirmation_and_the_leader_the_entry_link(
    app, call_for_entries
):
    call = call_for_entries()
    sent = submission(members=[member_data(0)])
    entry = submission_services.submit_team_entry(call.event, sent)
    db.session.commit()
    leader_mails = mails_to(sent.leader.email)
    assert [m.kind for m in leader_mails] == ["registration.confirmed", "judging.entry_received"]
    leader_id = entry.leader.registration_id
    assert leader_mails[0].attachments == [
        {"kind": "badge", "ref": leader_id},
        {"kind": "calendar", "ref": leader_id},
    ]
    link = re.search(r"http://localhost/r/([^/\s]+)/entry", leader_mails[1].body_text)
    assert registration_from_token(link.group(1)) == entry.leader.registration
    assert "高原光伏微电网" in leader_mails[1].subject  # in the leader's language (Chinese)
    member_mails = mails_to(sent.members[0].email)
    assert [m.kind for m in member_mails] == ["registration.confirmed"]
    assert member_mails[0].language == "ru"


def test_members_of_an_approval_category_are_pending_and_told_so(app, call_for_entries):
    call = call_for_entries()
    call.category.requires_approval = True
    db.session.commit()
    entry = submission_services.submit_team_entry(call.event, submission())
    db.session.commit()
    assert {m.registration.state for m in entry.members} == {RegistrationState.PENDING}
    assert mails_to(entry.members[1].registration.email)[0].kind == "registration.pending"


@pytest.mark.parametrize(
    ("deck", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", 415, "not_pdf"),
        (b"GIF89a" + b"\0" * 100, 415, "not_pdf"),
        (b"%PDF-1.7\n" + b"truncated, no end marker", 415, "not_pdf"),
        (
            b"%PDF-1.4\n" + b"0" * (entry_services.MAX_DECK_BYTES + 1) + b"\n%%EOF\n",
            413,
            "too_large",
        ),
    ],
    ids=["html", "gif", "truncated-pdf", "too-large"],
)
def test_a_deck_that_is_not_a_pdf_or_too_large_is_refused(
    app, call_for_entries, deck, status, code
):
    import io

    call = call_for_entries()
    with pytest.raises(JudgingError) as refused:
        entry_services.read_deck(io.BytesIO(deck))
    assert (refused.value.status, refused.value.code) == (status, code)
    assert refused.value.field_name == "deck"
    assert deck_files(app, call.event.id) == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.org/pitch.mp4",
        "http://",
        "https://exa mple.org/x",
        "//video.example.org/x",
        "video.example.org/pitch",
        "https://video.example.org/\u2028x",
        "https://[::1/",
        "https://example.org:0/",
        "https://" + "a" * 500 + ".org",
    ],
)
def test_a_video_link_that_is_not_an_http_url_is_refused_and_nothing_stored(
    app, call_for_entries, url
):
    call = call_for_entries()
    before = counts()
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event, submission(project=project_data(video_url=url))
        )
    db.session.rollback()
    assert refused.value.field_name == "video_url" and refused.value.status == 422
    assert counts() == before
    assert deck_files(app, call.event.id) == []


def test_http_and_https_video_links_are_kept(app, call_for_entries):
    assert submission_services.check_video_url(" https://v.example.org/a?b=1 ") == (
        "https://v.example.org/a?b=1"
    )
    assert submission_services.check_video_url("HTTP://v.example.org:8080/x") == (
        "HTTP://v.example.org:8080/x"
    )
    assert submission_services.check_video_url("") == ""


@pytest.mark.parametrize(
    ("members", "code", "field"),
    [
        ([], "too_few_members", "members"),
        ([member_data(i) for i in range(4)], "too_many_members", "members"),
        (
            [member_data(0, email="same@example.org"), member_data(1, email="SAME@example.org ")],
            "duplicate_email",
            "members-1-email",
        ),
        ([member_data(0, native_name=" ")], "member_incomplete", "members-0-native_name"),
        ([member_data(0, country="")], "member_incomplete", "members-0-country"),
    ],
    ids=["missing-members", "too-many", "duplicate-emails", "no-name", "no-country"],
)
def test_team_problems_are_refused_before_anything_is_stored(
    app, call_for_entries, members, code, field
):
    call = call_for_entries()  # teams of 2 to 4
    before = counts()
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(call.event, submission(members=members))
    db.session.rollback()
    assert (refused.value.code, refused.value.field_name) == (code, field)
    assert refused.value.status == 422
    assert counts() == before
    assert deck_files(app, call.event.id) == []


def test_a_member_with_the_leaders_email_is_a_duplicate(app, call_for_entries):
    call = call_for_entries()
    sent = submission()
    sent.members[0].email = sent.leader.email.upper()
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(call.event, sent)
    assert refused.value.code == "duplicate_email"


def test_a_member_already_registered_for_the_event_rolls_everything_back(app, call_for_entries):
    call = call_for_entries()
    first = submission_services.submit_team_entry(call.event, submission())
    db.session.commit()
    taken = first.members[1].registration.email
    before = counts()
    files_before = deck_files(app, call.event.id)
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event, submission(members=[member_data(0), member_data(1, email=taken)])
        )
    db.session.rollback()
    assert refused.value.status == 409 and refused.value.field_name == "members-1-email"
    assert taken in str(refused.value.message)
    assert counts() == before
    assert deck_files(app, call.event.id) == files_before


@pytest.fixture
def english(app):
    """Messages rendered outside a request come in the default locale (Chinese): ask English."""
    with force_locale("en"):
        yield


def test_no_entries_when_submissions_are_closed_or_the_deadline_has_passed(
    app, call_for_entries, english
):
    closed = call_for_entries(submissions_open=False)
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(closed.event, submission())
    assert refused.value.status == 409
    late = call_for_entries(submission_deadline=utcnow() - timedelta(minutes=1))
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(late.event, submission())
    assert refused.value.status == 409 and "deadline" in str(refused.value.message)
    category_closed = call_for_entries()
    category_closed.category.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(category_closed.event, submission())
    assert refused.value.status == 409 and "not open now" in str(refused.value.message)
    assert counts()["registrations"] == 0


def test_a_track_outside_the_list_is_refused(app, call_for_entries):
    call = call_for_entries()
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event, submission(project=project_data(track="Space mining"))
        )
    assert refused.value.field_name == "track"


def test_settings_refuse_impossible_team_sizes_and_open_submissions_without_a_category(
    app, call_for_entries
):
    call = call_for_entries()
    for data in (
        SettingsData(team_category_id=call.category.id, min_team_size=5, max_team_size=3),
        SettingsData(team_category_id=call.category.id, max_team_size=21),
        SettingsData(team_category_id=None, submissions_open=True),
        SettingsData(team_category_id=call.category.id, age_limit=7),
    ):
        with pytest.raises(JudgingError):
            submission_services.save_competition_settings(call.event, data)


# --- age limit and eligibility -------------------------------------------------------------------


def test_with_an_age_limit_every_date_of_birth_is_required(app, call_for_entries):
    day = date(2030, 10, 28)
    call = call_for_entries(age_limit=35, age_reference_date=day)
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event, submission(leader_birth_date=born(30, day))
        )
    assert refused.value.field_name == "members-0-date_of_birth"
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event, submission(members=[member_data(0, date_of_birth=born(20, day))])
        )
    assert refused.value.field_name == "date_of_birth"
    with pytest.raises(JudgingError) as refused:
        submission_services.submit_team_entry(
            call.event,
            submission(
                leader_birth_date=utcnow().date() + timedelta(days=1),
                members=[member_data(0, date_of_birth=born(20, day))],
            ),
        )
    assert refused.value.field_name == "date_of_birth"


def test_without_an_age_limit_no_date_of_birth_is_stored(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(
        call.event,
        submission(
            leader_birth_date=date(1990, 5, 1),
            members=[member_data(0, date_of_birth=date(1999, 1, 1))],
        ),
    )
    assert [m.date_of_birth for m in entry.members] == [None, None]


def test_eligibility_check_flags_a_member_over_the_age_limit(app, call_for_entries):
    day = date(2030, 10, 28)
    call = call_for_entries(age_limit=35, age_reference_date=day)
    entry = submission_services.submit_team_entry(
        call.event,
        submission(
            leader_birth_date=born(35, day),
            members=[member_data(0, date_of_birth=born(36, day), latin_name="Timur Akhmedov")],
        ),
    )
    db.session.commit()
    report = submission_services.eligibility_report(entry)
    assert [(c.age, c.over_age) for c in report.members] == [(35, False), (36, True)]
    assert not report.ok
    assert any("Timur Akhmedov" in p and "35" in p for p in report.problems)
    # The organizer decides; the submission itself was accepted for review.
    assert entry.eligibility == Eligibility.PENDING


def test_eligibility_check_is_clean_for_a_complete_young_team(app, call_for_entries):
    day = date(2030, 10, 28)
    call = call_for_entries(age_limit=35, age_reference_date=day)
    entry = submission_services.submit_team_entry(
        call.event,
        submission(
            leader_birth_date=born(28, day),
            members=[member_data(0, date_of_birth=born(22, day))],
        ),
    )
    report = submission_services.eligibility_report(entry)
    assert report.ok and report.problems == []


# --- decision ---------------------------------------------------------------------------------


def test_rejection_is_mailed_to_the_leader_in_their_language_with_the_reason(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(
        call.event,
        submission(
            leader=leader_data(language="ru", native_name="Ирина", latin_name="Irina Sokolova")
        ),
    )
    db.session.commit()
    with pytest.raises(JudgingError):
        submission_services.decide_entry(entry, Eligibility.INELIGIBLE, "  ")
    mailed = submission_services.decide_entry(
        entry, Eligibility.INELIGIBLE, "Team leader is over the age limit (35)."
    )
    db.session.commit()
    assert mailed and entry.decided_at is not None
    mail = mails_to(entry.leader.registration.email)[-1]
    assert mail.kind == "judging.entry_rejected" and mail.language == "ru"
    assert "Team leader is over the age limit (35)." in mail.body_text
    assert "Ирина" in mail.body_text
    # Saving the same decision again mails nothing new.
    assert not submission_services.decide_entry(
        entry, Eligibility.INELIGIBLE, "Team leader is over the age limit (35)."
    )


def test_acceptance_is_mailed_and_locks_the_entry_for_the_team(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(call.event, submission())
    db.session.commit()
    assert submission_services.decide_entry(entry, Eligibility.ELIGIBLE, "")
    db.session.commit()
    leader = entry.leader.registration
    assert mails_to(leader.email)[-1].kind == "judging.entry_accepted"
    assert submission_services.team_edit_refusal(entry, leader, utcnow()) is not None
    with pytest.raises(JudgingError) as refused:
        submission_services.update_team_entry(entry, leader, TeamEdit(project=project_data()))
    assert refused.value.status == 409


# --- the leader's edits -----------------------------------------------------------------------


def test_leader_changes_the_project_adds_and_removes_members_and_replaces_the_deck(
    app, call_for_entries
):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(
        call.event, submission(members=[member_data(0), member_data(1)])
    )
    db.session.commit()
    leader = entry.leader.registration
    leaving = entry.members[2].registration
    old_deck = entry_services.deck_path(entry)
    newcomer = member_data(0, email="newcomer@example.org", native_name="Ali Raza")
    new_deck = tiny_pdf(pages=2)
    submission_services.update_team_entry(
        entry,
        leader,
        TeamEdit(
            project=project_data(title_en="Highland solar, second try", track="AI"),
            remove={leaving.id},
            new_members=[newcomer],
            deck=new_deck,
        ),
    )
    db.session.commit()
    assert entry.title_en == "Highland solar, second try" and entry.track == "AI"
    emails = [m.registration.email for m in entry.members]
    assert leaving.email not in emails and "newcomer@example.org" in emails
    assert db.session.get(Registration, leaving.id).state == RegistrationState.CANCELLED
    assert mails_to("newcomer@example.org")[0].kind == "registration.confirmed"
    assert not old_deck.exists() and entry_services.deck_path(entry).read_bytes() == new_deck
    assert entry.team_updated_at > entry.submitted_at


def test_a_refused_edit_changes_nothing(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(call.event, submission())
    db.session.commit()
    leader = entry.leader.registration
    before = counts()
    for edit in (
        TeamEdit(project=project_data(video_url="javascript:alert(1)")),
        TeamEdit(project=project_data(), remove={leader.id}),
        TeamEdit(project=project_data(), remove={entry.members[1].registration_id}),
        TeamEdit(project=project_data(), new_members=[member_data(0, email=leader.email)]),
    ):
        with pytest.raises(JudgingError):
            submission_services.update_team_entry(entry, leader, edit)
        db.session.rollback()
    assert counts() == before
    assert entry.title_en == "Highland solar micro-grids"
    assert all(m.registration.state == RegistrationState.CONFIRMED for m in entry.members)


def test_a_rejected_entry_changed_by_the_team_goes_back_to_review(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(call.event, submission())
    submission_services.decide_entry(entry, Eligibility.INELIGIBLE, "No pitch video.")
    db.session.commit()
    submission_services.update_team_entry(
        entry, entry.leader.registration, TeamEdit(project=project_data())
    )
    db.session.commit()
    assert entry.eligibility == Eligibility.PENDING and entry.decided_at is None


def test_no_edits_after_the_deadline(app, call_for_entries, english):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(call.event, submission())
    call.settings.submission_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refusal = submission_services.team_edit_refusal(entry, entry.leader.registration, utcnow())
    assert refusal is not None and "deadline" in refusal


def test_led_entry_finds_the_entry_only_for_its_leader(app, call_for_entries):
    call = call_for_entries()
    entry = submission_services.submit_team_entry(call.event, submission())
    assert submission_services.led_entry(entry.members[0].registration) is entry
    assert submission_services.led_entry(entry.members[1].registration) is None
