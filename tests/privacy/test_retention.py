"""Anonymizing an event's registrations after the retention period: CLI and organizer page."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.events.models import BackgroundJob, JobState
from app.extensions import db
from app.registration.models import Registration
from app.registration.queries import category_counts
from tests.privacy.conftest import check_in, end_event


def anonymized_count() -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(Registration.anonymized_at.is_not(None))
    )


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["privacy", "anonymize", *args])
    db.session.expire_all()
    return result


def test_cli_refuses_before_the_end_of_the_event_and_of_the_retention_period(
    app, privacy_event, register
):
    event, category = privacy_event
    register(event, category)
    result = run(app, "--event", event.slug)
    assert result.exit_code != 0
    assert "Not yet" in result.output
    end_event(event, days_ago=10)
    result = run(app, "--event", event.slug, "--older-than", "30")
    assert result.exit_code != 0 and "retention period of 30 days" in result.output
    assert anonymized_count() == 0


def test_cli_dry_run_counts_and_changes_nothing(app, privacy_event, register):
    event, category = privacy_event
    register(event, category)
    register(event, category)
    end_event(event, days_ago=40)
    result = run(app, "--event", event.slug, "--older-than", "30", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would anonymize 2 registrations" in result.output
    assert anonymized_count() == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_cli_anonymizes_every_registration_once_and_the_figures_stay(app, privacy_event, register):
    event, category = privacy_event
    first, _ = register(event, category)
    register(event, category)
    check_in(event, first)
    job = BackgroundJob(event_id=event.id, kind="badge_sheet", state=JobState.DONE)
    sheet = app.config["INSTANCE_DIR"] / "jobs" / "sheet.pdf"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_bytes(b"%PDF- names")
    job.result_path = "jobs/sheet.pdf"
    db.session.add(job)
    db.session.commit()
    end_event(event, days_ago=200)
    before = [row["states"] for row in category_counts(event)]

    result = run(app, "--event", event.slug, "--older-than", "180")
    assert result.exit_code == 0, result.output
    assert "anonymized 2 registrations" in result.output
    assert anonymized_count() == 2
    assert [row["states"] for row in category_counts(event)] == before
    assert not sheet.exists()

    again = run(app, "--event", event.slug, "--older-than", "180")
    assert "anonymized 0 registrations" in again.output and "2 already anonymized" in again.output
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.anonymize_event")
    ).all()
    assert [(e.actor, e.details["anonymized"]) for e in entries] == [("cli", 2), ("cli", 0)]


def test_cli_names_an_unknown_event(app):
    result = run(app, "--event", "no-such-event")
    assert result.exit_code != 0 and "no event with slug no-such-event" in result.output


def test_organizer_previews_then_confirms_by_typing_the_address(
    client, privacy_event, register, organizer
):
    event, category = privacy_event
    register(event, category)
    register(event, category)
    organizer(event)
    page = client.get(f"/manage/{event.slug}/privacy/anonymize?days=0&lang=en")
    assert 'id="anonymize-refused"' in page.get_data(as_text=True)
    end_event(event, days_ago=3)

    page = client.get(f"/manage/{event.slug}/privacy/anonymize?days=0&lang=en").get_data(
        as_text=True
    )
    assert "2 registrations will be anonymized." in page
    url = f"/manage/{event.slug}/privacy/anonymize"
    client.post(url, data={"days": "0", "confirm_slug": "wrong"})
    assert anonymized_count() == 0
    client.post(url, data={"days": "7", "confirm_slug": event.slug})  # period not over yet
    assert anonymized_count() == 0
    response = client.post(url, data={"days": "0", "confirm_slug": event.slug})
    assert response.status_code == 302
    assert anonymized_count() == 2
    log = client.get(f"/manage/{event.slug}/privacy?lang=en").get_data(as_text=True)
    assert "privacy.anonymize_event" in log


def test_bad_retention_input_is_a_message_not_an_error(client, privacy_event, organizer):
    event, _category = privacy_event
    organizer(event)
    for days in ("-1", "abc", "²", "99999999"):
        response = client.get(f"/manage/{event.slug}/privacy/anonymize?days={days}&lang=en")
        assert response.status_code == 302
    response = client.post(
        f"/manage/{event.slug}/privacy/anonymize", data={"days": "x", "confirm_slug": event.slug}
    )
    assert response.status_code == 302
    assert anonymized_count() == 0
