"""RQ jobs of the registration domain (take ids, never ORM objects; idempotent)."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, get_translations

from app.documents.badges import render_badge_sheet_pdf
from app.events.models import BackgroundJob, JobState
from app.extensions import db
from app.registration.badge_services import fail_job, finish_job, sheet_registrations
from app.registration.reminders import EARLY_TOLERANCE, send_due_reminders
from app.registration.tickets import badge_data

log = logging.getLogger(__name__)
# Write progress to the database at most every 2 % of the sheet.
PROGRESS_STEP = 0.02


def render_badge_sheet(job_id: int) -> None:
    """Render the badge sheet of a BackgroundJob to instance/documents/<event>/ and mark it done.

    A job already done is left alone; a failure is recorded on the row and re-raised so
    that RQ lists it in its failed-job registry.
    """
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.state == JobState.DONE:
        return
    job.state = JobState.RUNNING
    job.progress_done = 0
    db.session.commit()
    try:
        parameters = job.parameters or {}
        registrations = sheet_registrations(
            job.event,
            category_id=parameters.get("category_id"),
            registration_ids=parameters.get("registration_ids"),
        )
        badges = [badge_data(registration) for registration in registrations]
        job.progress_total = len(badges)
        db.session.commit()
        step = max(1, int(len(badges) * PROGRESS_STEP))
        last = {"done": 0}

        def progress(done: int, total: int) -> None:
            if done - last["done"] >= step or done == total:
                last["done"] = done
                job.progress_done = done
                db.session.commit()

        with force_locale(parameters.get("language") or "en"):
            pdf = render_badge_sheet_pdf(
                badges,
                progress,
                size=parameters.get("size") or job.event.badge_size,
                translations=get_translations(),
            )
        relative = Path("documents") / str(job.event_id) / f"badge-sheet-{job.id}.pdf"
        path = Path(current_app.config["INSTANCE_DIR"]) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pdf)
        temporary.replace(path)
        finish_job(job, str(relative))
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(BackgroundJob, job_id)
        if job is not None:
            fail_job(job, f"{type(exc).__name__}: {exc}")
            db.session.commit()
        log.exception("badge sheet job %s failed", job_id)
        raise


def send_event_reminders(event_id: int) -> int:
    """Queue an event's due reminder mails (scheduled for the due time; idempotent: a job of a
    stale schedule finds them not due yet, or already sent)."""
    return send_due_reminders(event_id, early=EARLY_TOLERANCE)
