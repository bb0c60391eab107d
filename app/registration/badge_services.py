"""Badge rules: an event's badge settings and logo, and badge-sheet jobs for organizers.

Rendering itself is in app.documents (infrastructure) and app.registration.tickets (what a
registration's badge shows); the sheet is made by the RQ job in app.registration.tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.clock import utcnow
from app.documents.badges import BADGE_SIZES
from app.documents.images import ImageRejected, clean_uploaded_image
from app.errors import DomainError
from app.events.models import BackgroundJob, Event, JobState
from app.extensions import db
from app.jobs import queue
from app.registration.models import Category, Registration, RegistrationState

BADGE_SHEET_KIND = "badge_sheet"
LOGO_MAX_BYTES = 2 * 1024 * 1024
# Logos are printed at most 10 × 24 mm: 800 × 400 px is over 300 dpi and keeps PDFs small.
LOGO_MAX_SIZE = (800, 400)
# Refuse images that would decode to more pixels than this (decompression bombs).
LOGO_MAX_PIXELS = 40_000_000
LOGO_FILE = "badge-logo.png"
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")


class BadgeError(DomainError):
    """Badge input that cannot be used; `message` is shown to the user (next to `field_name`)."""


@dataclass
class BadgeSettings:
    """An event's badge settings as an organizer enters them."""

    size: str
    accent_color: str
    logo: bytes | None = None  # a new upload, still unchecked
    remove_logo: bool = False


def uploads_dir(event: Event) -> Path:
    """Where an event's uploads live: <instance>/uploads/<event id>/ (never under static)."""
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads" / str(event.id)


def checked_logo_png(data: bytes) -> bytes:
    """Decode an uploaded PNG/JPEG logo and return it re-encoded as a clean PNG; BadgeError
    (on the logo field) for anything app/documents/images.py refuses."""
    try:
        return clean_uploaded_image(
            data,
            formats=("PNG", "JPEG"),
            max_bytes=LOGO_MAX_BYTES,
            max_pixels=LOGO_MAX_PIXELS,
            fit_within=LOGO_MAX_SIZE,
        )
    except ImageRejected as exc:
        raise BadgeError(exc.message, "logo") from None


def event_logo_png(event: Event) -> bytes | None:
    """The event's badge logo (a PNG we re-encoded), or None."""
    if not event.badge_logo:
        return None
    try:
        return (uploads_dir(event) / event.badge_logo).read_bytes()
    except OSError:
        return None


def update_badge_settings(event: Event, settings: BadgeSettings) -> None:
    """Save an event's badge size, accent colour and logo; raises BadgeError on bad input."""
    if settings.size not in BADGE_SIZES:
        raise BadgeError(_l("Choose a badge size."), "badge_size")
    if not _COLOR_RE.fullmatch(settings.accent_color or ""):
        raise BadgeError(_l("Enter a colour like #1F4E9C."), "accent_color")
    png = checked_logo_png(settings.logo) if settings.logo else None
    event.badge_size = settings.size
    event.badge_accent_color = settings.accent_color.upper()
    if png is not None:
        directory = uploads_dir(event)
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{LOGO_FILE}.tmp"
        temporary.write_bytes(png)
        temporary.replace(directory / LOGO_FILE)
        event.badge_logo = LOGO_FILE
    elif settings.remove_logo:
        event.badge_logo = ""


def sheet_registrations(
    event: Event, *, category_id: int | None = None, registration_ids: list[int] | None = None
) -> list[Registration]:
    """Confirmed registrations of an event for a sheet: all, one category, or given ids."""
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED
    )
    if category_id is not None:
        query = query.where(Registration.category_id == category_id)
    if registration_ids is not None:
        query = query.where(Registration.id.in_(registration_ids))
    return list(db.session.scalars(query.order_by(Registration.category_id, Registration.id)))


def request_badge_sheet(
    event: Event,
    user: User,
    *,
    size: str,
    language: str,
    category_id: int | None = None,
    registration_ids: list[int] | None = None,
) -> BackgroundJob:
    """Create a badge-sheet job and enqueue it after commit; raises BadgeError if empty."""
    if size not in BADGE_SIZES:
        raise BadgeError(_l("Choose a badge size."), "size")
    if category_id is not None:
        category = db.session.get(Category, category_id)
        if category is None or category.event_id != event.id:
            raise BadgeError(_l("Choose a category of this event."), "category_id")
    if registration_ids is not None and not registration_ids:
        raise BadgeError(_l("Select at least one registration."))
    count = len(
        sheet_registrations(event, category_id=category_id, registration_ids=registration_ids)
    )
    if count == 0:
        raise BadgeError(_l("No confirmed registrations match: there is no badge to print."))
    job = BackgroundJob(
        event_id=event.id,
        kind=BADGE_SHEET_KIND,
        state=JobState.QUEUED,
        parameters={
            "size": size,
            "language": language,
            "category_id": category_id,
            "registration_ids": registration_ids,
        },
        progress_total=count,
        created_by=user.id,
    )
    db.session.add(job)
    db.session.flush()
    from app.registration.tasks import render_badge_sheet  # tasks import this module

    queue.enqueue_after_commit(render_badge_sheet, job.id, queue="documents")
    return job


def badge_sheet_jobs(event: Event, limit: int = 20) -> list[BackgroundJob]:
    """The event's latest badge-sheet jobs, newest first."""
    return list(
        db.session.scalars(
            select(BackgroundJob)
            .where(BackgroundJob.event_id == event.id, BackgroundJob.kind == BADGE_SHEET_KIND)
            .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
            .limit(limit)
        )
    )


def sheet_result_path(job: BackgroundJob) -> Path | None:
    """The finished sheet's file, or None when the job is not done or the file is gone."""
    if job.state != JobState.DONE or not job.result_path:
        return None
    path = Path(current_app.config["INSTANCE_DIR"]) / job.result_path
    return path if path.is_file() else None


def finish_job(job: BackgroundJob, result_path: str) -> None:
    """Mark a job done with its result file (relative to the instance folder)."""
    job.state = JobState.DONE
    job.progress_done = job.progress_total
    job.result_path = result_path
    job.error = ""
    job.finished_at = utcnow()


def fail_job(job: BackgroundJob, message: str) -> None:
    """Mark a job failed with a short message."""
    job.state = JobState.FAILED
    job.error = message[:500]
    job.finished_at = utcnow()
