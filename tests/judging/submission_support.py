"""Helpers for the team entry tests: a real small PDF, the public form's fields, service
inputs, and what a refused submission must not leave behind (the `call_for_entries` fixture
is in conftest.py)."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pypdfium2 as pdfium
from sqlalchemy import func, select

from app.extensions import db
from app.judging import entry_services
from app.judging.models import Entry, TeamMember
from app.judging.submission_services import MemberData, TeamEntryData
from app.mail.models import OutboxMessage
from app.registration.models import Attendance, Registration
from app.registration.services import ParticipantData

_serial = itertools.count(1)


def tiny_pdf(pages: int = 1) -> bytes:
    """A real PDF (pdfium writes it) of blank A6 pages."""
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(298, 420)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def leader_data(**overrides) -> ParticipantData:
    n = next(_serial)
    values = dict(
        native_name="张伟",
        latin_name="",
        email=f"leader{n}@example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN",
        organization="青岛大学",
    )
    values.update(overrides)
    return ParticipantData(**values)


def member_data(row: int = 0, **overrides) -> MemberData:
    n = next(_serial)
    values = dict(
        native_name="Алия Сейткали",
        latin_name="Aliya Seitkali",
        email=f"member{n}@example.org",
        country="KZ",
        language="ru",
        row=row,
    )
    values.update(overrides)
    return MemberData(**values)


def project_data(**overrides) -> TeamEntryData:
    values = dict(
        title_zh="高原光伏微电网",
        title_en="Highland solar micro-grids",
        team_name="SunPeak",
        track="Green energy",
        summary="Containerised solar + battery micro-grids for mountain villages.",
        video_url="https://video.example.org/sunpeak",
    )
    values.update(overrides)
    return TeamEntryData(**values)


def entry_form(members: int = 1, deck: bytes | None = None, **overrides) -> dict:
    """A valid public entry form submission (the leader and `members` more people)."""
    n = next(_serial)
    data = {
        "title_zh": "高原光伏微电网",
        "title_en": "Highland solar micro-grids",
        "team_name": "SunPeak",
        "track": "Green energy",
        "summary": "Containerised solar + battery micro-grids for mountain villages.",
        "video_url": "https://video.example.org/sunpeak",
        "native_name": "张伟",
        "latin_name": "",
        "email": f"leader{n}@example.org",
        "phone": "",
        "organization": "青岛大学",
        "job_title": "",
        "country": "CN",
        "attendance": "onsite",
        "language": "zh_CN",
        "consent": "y",
        "team_consent": "y",
        "deck": (io.BytesIO(tiny_pdf() if deck is None else deck), "deck.pdf"),
    }
    people = [
        ("Алия Сейткали", "Aliya Seitkali", "KZ", "ru"),
        ("Ananya Rao", "Ananya Rao", "IN", "en"),
        ("Тимур Ахмедов", "Timur Akhmedov", "UZ", "ru"),
        ("Ali Raza", "Ali Raza", "PK", "en"),
    ]
    for i in range(members):
        native, latin, country, language = people[i % len(people)]
        data.update(
            {
                f"members-{i}-native_name": native,
                f"members-{i}-latin_name": latin,
                f"members-{i}-email": f"m{n}-{i}@example.org",
                f"members-{i}-country": country,
                f"members-{i}-organization": "",
                f"members-{i}-language": language,
            }
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def born(age: int, on: date) -> date:
    """A date of birth that makes a person exactly `age` years old on `on`."""
    return date(on.year - age, 1, 1)


def counts() -> dict[str, int]:
    """How many registrations, entries, team members and outbox mails exist."""
    result = {
        "registrations": db.session.scalar(select(func.count(Registration.id))),
        "entries": db.session.scalar(select(func.count(Entry.id))),
        "members": db.session.scalar(select(func.count(TeamMember.id))),
        "mails": db.session.scalar(select(func.count(OutboxMessage.id))),
    }
    db.session.commit()
    return result


def deck_files(app, event_id: int) -> list[str]:
    """The deck files stored for an event."""
    directory = entry_services.deck_dir(event_id)
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []
