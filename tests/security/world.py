"""A fully furnished event for walking every route: one object of every kind the URL map names.

`build_event_world` goes through the services (as an organizer would) so the ids it returns
are real: a registration with its self-service token, a category, a question, an outbox
message, a finished badge sheet, a check-in list and device token, a competition round with
an entry, a judge assigned to it and a submitted score sheet, a conflict, a ceremony with a
segment, a signing item and a document, a media outlet with coverage, a journalist and a
staged import, and a certificate.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PIL import Image
from sqlalchemy import select

import app.models  # noqa: F401  (every model mapped before services configure the mappers)
from app.accounts.models import Role, User
from app.accounts.services import create_user, grant_role
from app.ceremonies.models import SegmentKind
from app.ceremonies.services import (
    CeremonyData,
    PartyData,
    SegmentData,
    SigningItemData,
    add_segment,
    add_signing_document,
    add_signing_item,
    create_ceremony,
)
from app.certificates.models import CertificateKind
from app.certificates.services import issue_certificate
from app.checkin.online_services import join_token
from app.checkin.services import ListData, create_device_token, create_list
from app.clock import utcnow
from app.events.models import BackgroundJob, Event, EventKind, EventStatus, JobState
from app.extensions import db
from app.judging import (
    assignment_services,
    entry_services,
    judge_services,
    round_services,
    scoring_services,
)
from app.judging.models import ConflictSource, Eligibility, RoundKind
from app.mail.models import OutboxMessage
from app.media.importing import stage_import
from app.media.models import OutletLevel, OutletType
from app.media.services import (
    CoverageData,
    OutletData,
    add_coverage,
    create_outlet,
    link_journalist,
)
from app.privacy.services import request_deletion
from app.registration.badge_services import (
    BADGE_SHEET_KIND,
    BadgeSettings,
    finish_job,
    update_badge_settings,
)
from app.registration.models import Attendance, AttendanceRule, Category, QuestionKind
from app.registration.organizer_services import QuestionData, create_question
from app.registration.services import ParticipantData, manage_token, register_participant
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.conftest import instance_files, remove_files_added_since  # noqa: F401 (re-exported)

PASSWORD = "correct-horse-battery-staple"
_serial = itertools.count(1)

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class EventWorld:
    """The ids of one furnished event (ids only: requests end the test's session)."""

    slug: str
    event_id: int
    organizer_id: int
    values: dict[str, object] = field(default_factory=dict)


def png_bytes(size=(40, 20), color=(31, 78, 156)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def new_user(label: str, *, admin: bool = False, password: str = PASSWORD) -> User:
    n = next(_serial)
    return create_user(f"{label}{n}@example.org", f"{label.title()} {n}", password, is_admin=admin)


def participant_data(event: Event, category: Category, name: str, **extra) -> ParticipantData:
    n = next(_serial)
    values = dict(
        native_name=name,
        latin_name=f"Guest {n}",
        email=f"guest{n}-{event.slug}@example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="en",
        organization=f"Org {n}",
        job_title="Engineer",
        phone="+86 138 0013 8000",
    )
    values.update(extra)
    return ParticipantData(**values)


def build_event_world(
    *, organizer: User | None = None, judge: User | None = None, staff: User | None = None
) -> EventWorld:
    """Create one event with every kind of object; commit; return their ids by URL argument."""
    n = next(_serial)
    event = Event(
        slug=f"world-{n}",
        title=Translated(zh=f"安全测试大会{n}", en=f"Security test {n}"),
        starts_at=utcnow() + timedelta(days=30),
        ends_at=utcnow() + timedelta(days=31),
        status=EventStatus.OPEN,
        kind=EventKind.BOTH,
        privacy_text=Translated(zh="隐私说明", en="Privacy notice"),
        online_url="https://live.example.org/world",
    )
    db.session.add(event)
    db.session.flush()
    organizer = organizer or new_user("organizer")
    judge = judge or new_user("judge")
    staff = staff or new_user("staff")
    grant_role(organizer, event, Role.ORGANIZER)
    grant_role(judge, event, Role.JUDGE)
    grant_role(staff, event, Role.CHECKIN_STAFF)

    guests = Category(
        event_id=event.id,
        code="guest",
        name=Translated(zh="嘉宾", en="Guest", ru="Гость"),
        capacity=50,
        attendance_rule=AttendanceRule.EITHER,
    )
    media_category = Category(
        event_id=event.id,
        code="media",
        name=Translated(zh="媒体", en="Media", ru="СМИ"),
        capacity=None,
        attendance_rule=AttendanceRule.EITHER,
    )
    db.session.add_all([guests, media_category])
    db.session.flush()
    question = create_question(
        event, QuestionData(kind=QuestionKind.TEXT, label=Translated(zh="饮食", en="Diet"))
    )
    participant = register_participant(event, guests, participant_data(event, guests, "张伟"))
    members = [
        register_participant(
            event, guests, participant_data(event, guests, f"队员{i}"), notify=False
        )
        for i in range(2)
    ]
    leaver = register_participant(
        event, guests, participant_data(event, guests, "请求删除"), notify=False
    )
    online_guest = register_participant(
        event,
        guests,
        participant_data(event, guests, "线上", attendance=Attendance.ONLINE),
        notify=False,
    )
    journalist = register_participant(
        event, media_category, participant_data(event, media_category, "记者"), notify=False
    )
    db.session.flush()

    # Badges: a logo and a finished sheet.
    update_badge_settings(event, BadgeSettings(size="A6", accent_color="#1F4E9C", logo=png_bytes()))
    from flask import current_app

    sheet_name = f"sheets/world-{event.id}.pdf"
    sheet_path = current_app.config["INSTANCE_DIR"] / sheet_name
    sheet_path.parent.mkdir(parents=True, exist_ok=True)
    sheet_path.write_bytes(MINIMAL_PDF)
    job = BackgroundJob(
        event_id=event.id,
        kind=BADGE_SHEET_KIND,
        state=JobState.QUEUED,
        parameters={"size": "A6", "language": "en"},
        progress_total=1,
        created_by=organizer.id,
    )
    db.session.add(job)
    db.session.flush()
    finish_job(job, sheet_name)

    # Check-in.
    checkin_list = create_list(event, ListData(name="Main hall"))
    device, device_secret = create_device_token(event, "Tablet 1")

    # Judging: an entry of two members, a round, the judge assigned, one submitted sheet.
    entry = entry_services.create_entry(
        event,
        entry_services.EntryData(
            title_zh="项目",
            title_en="Project",
            team_name="Team",
            member_ids=[participant.id, members[0].id],
            leader_id=participant.id,
        ),
    )
    entry.eligibility = Eligibility.ELIGIBLE
    entry_services.save_deck(entry, io.BytesIO(MINIMAL_PDF))
    round_ = round_services.create_round(
        event,
        round_services.RoundData(
            name=Translated(zh="初赛", en="Preliminary"),
            kind=RoundKind.PRELIMINARY,
            judges_per_entry=1,
            criteria=[
                round_services.CriterionData(Translated(zh="创新性", en="Innovation"), 60),
                round_services.CriterionData(Translated(zh="团队", en="Team"), 40),
            ],
        ),
    )
    round_services.add_entries_to_round(round_, [entry.id])
    assignment_services.add_assignment(round_, entry.id, judge.id)
    values = {str(c.id): 8.0 for c in round_.criteria}
    saved = scoring_services.save_sheet(
        round_, entry.id, judge, values=values, submit=True, client_id=f"world-{n}-sheet"
    )
    other_entry = entry_services.create_entry(
        event,
        entry_services.EntryData(
            title_zh="另一个项目",
            title_en="Other project",
            member_ids=[members[1].id],
            leader_id=members[1].id,
        ),
    )
    conflict = judge_services.record_conflict(event, judge, other_entry, ConflictSource.DECLARED)

    # Ceremony.
    ceremony = create_ceremony(
        event,
        CeremonyData(
            Translated(zh="签约仪式", en="Signing ceremony"), datetime(2026, 12, 16, 9, 30)
        ),
    )
    segment = add_segment(
        ceremony, SegmentData(SegmentKind.SIGNING, 20, Translated(zh="签约", en="Signing"))
    )
    item = add_signing_item(
        ceremony,
        SigningItemData(
            title=Translated(zh="合作协议", en="Cooperation agreement"),
            parties=[
                PartyData(Translated(zh="甲方", en="Party A"), "CN", "李明", Translated(zh="院长")),
                PartyData(
                    Translated(zh="乙方", en="Party B"), "KZ", "Aidos", Translated(en="Director")
                ),
            ],
        ),
    )
    document = add_signing_document(item, "agreement.pdf", io.BytesIO(MINIMAL_PDF), organizer)

    # Media.
    outlet = create_outlet(
        event, OutletData({"zh": "青岛电视台"}, OutletLevel.MUNICIPAL, OutletType.TV)
    )
    coverage = add_coverage(
        event,
        CoverageData(outlet_id=outlet.id, published_on=date(2020, 11, 26), title="开幕报道"),
        organizer,
    )
    accreditation = link_journalist(outlet, journalist.id, organizer)
    import_token = stage_import(
        event, "媒体,日期,标题\n青岛电视台,2020-11-27,闭幕报道\n".encode(), "log.csv", organizer
    )

    # Privacy: a deletion request waiting for the organizer.
    deletion = request_deletion(leaver)

    # Certificates.
    certificate = issue_certificate(
        participant, CertificateKind.PARTICIPATION, actor=organizer, send_mail=False
    ).certificate
    db.session.flush()
    message_id = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.event_id == event.id).limit(1)
    )
    token = manage_token(participant)
    world = EventWorld(
        slug=event.slug,
        event_id=event.id,
        organizer_id=organizer.id,
        values={
            "registration_id": members[1].id,
            "participant_id": participant.id,
            "category_id": guests.id,
            "question_id": question.id,
            "job_id": job.id,
            "list_id": checkin_list.id,
            "token_id": device.id,
            "round_id": round_.id,
            "criterion_id": round_.criteria[0].id,
            "entry_id": entry.id,
            "sheet_id": saved.sheet.id,
            "conflict_id": conflict.id,
            "judge_id": judge.id,
            "ceremony_id": ceremony.id,
            "segment_id": segment.id,
            "ceremony_item_id": item.id,
            "document_id": document.id,
            "outlet_id": outlet.id,
            "coverage_item_id": coverage.id,
            "accreditation_id": accreditation.id,
            "import_token": import_token,
            "certificate_id": certificate.id,
            "certificate_token": certificate.verification_token,
            "manage_token": token,
            "join_token": join_token(online_guest),
            "message_id": message_id,
            "request_id": deletion.id,
            "number": 1,  # the event's first consent text version
            # Not URL arguments: a scanner's credential and a guest's current ticket code.
            "device_secret": device_secret,
            "ticket_code": ticket_code(participant),
        },
    )
    db.session.commit()
    return world
