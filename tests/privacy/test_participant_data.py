"""A participant downloads everything held about them, by their signed link."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.certificates.models import CertificateKind
from app.certificates.services import issue_certificate
from app.extensions import db
from app.judging.models import Entry, TeamMember
from app.registration.models import Question, QuestionKind
from app.registration.services import cancel_registration
from app.translated import Translated
from tests.privacy.conftest import check_in


def test_download_holds_registration_consent_answers_history_checkins_mails_certificates_team(
    client, privacy_event, register
):
    event, category = privacy_event
    question = Question(
        event_id=event.id, kind=QuestionKind.TEXT, label=Translated(zh="饮食", en="Diet", ru="")
    )
    db.session.add(question)
    db.session.commit()
    me, token = register(
        event,
        category,
        native_name="李娜",
        email="lina@example.org",
        **{f"q_{question.id}": "素食"},
    )
    teammate, _ = register(event, category, native_name="赵强", email="zhaoqiang@example.org")
    check_in(event, me, station="Gate B")
    issue_certificate(me, CertificateKind.PARTICIPATION)
    entry = Entry(
        event_id=event.id, title_zh="智慧农业", title_en="Smart farming", team_name="绿芽"
    )
    entry.members = [
        TeamMember(registration_id=me.id, is_leader=True),
        TeamMember(registration_id=teammate.id, is_leader=False),
    ]
    db.session.add(entry)
    db.session.commit()

    response = client.get(f"/r/{token}/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))

    assert data["format"] == "huiwu-participant-data/1"
    person = data["registration"]
    assert (person["native_name"], person["email"], person["state"]) == (
        "李娜",
        "lina@example.org",
        "confirmed",
    )
    assert person["consent"]["version"] == 1
    assert person["consent"]["text"]["ru"].startswith("Мы обрабатываем")
    assert data["answers"] == [
        {
            "question": {"en": "Diet", "zh": "饮食"},
            "answer": "素食",
            "answer_text": "素食",
        }
    ]
    assert [(h["from"], h["to"], h["by"]) for h in data["history"]] == [
        (None, "confirmed", "participant")
    ]
    assert [(c["checkin_point"], c["station"], c["result"]) for c in data["checkins"]] == [
        ("Main hall", "Gate B", "ok")
    ]
    assert [m["kind"] for m in data["mails"]] == ["registration.confirmed", "certificate.issued"]
    assert all(
        set(m) == {"kind", "subject", "to", "state", "created_at", "sent_at"} for m in data["mails"]
    )
    assert [c["kind"] for c in data["certificates"]] == ["participation"]
    assert data["certificates"][0]["verification_url"].startswith("http")
    assert data["competition_entries"] == [
        {
            "title_zh": "智慧农业",
            "title_en": "Smart farming",
            "team_name": "绿芽",
            "track": "",
            "team_leader": True,
        }
    ]
    # Nothing about anybody else: not the team-mate, not the staff.
    text = response.get_data(as_text=True)
    assert "赵强" not in text and "zhaoqiang" not in text

    entry_log = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.data_download")
    ).one()
    assert (entry_log.actor, entry_log.target) == ("participant", f"registration:{me.id}")


def test_a_cancelled_registration_can_still_download_its_data(client, privacy_event, register):
    event, category = privacy_event
    me, token = register(event, category)
    cancel_registration(me)
    db.session.commit()
    data = client.get(f"/r/{token}/data.json").get_json(force=True)
    assert [h["to"] for h in data["history"]] == ["confirmed", "cancelled"]


def test_a_tampered_link_downloads_nothing(client, privacy_event, register):
    event, category = privacy_event
    _me, token = register(event, category)
    response = client.get(f"/r/{token[:-2]}xx/data.json")
    assert response.status_code == 404
    assert "lina" not in response.get_data(as_text=True)


def test_self_service_page_offers_download_and_deletion(client, privacy_event, register):
    event, category = privacy_event
    _me, token = register(event, category)
    page = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert f"/r/{token}/data.json" in page
    assert f"/r/{token}/delete" in page
