"""Imports every domain's models so metadata (and Alembic autogenerate) sees all tables."""

from app.accounts.models import EventRole, RecoveryCode, User
from app.audit.models import AuditEntry
from app.ceremonies.models import (
    AgendaSegment,
    Ceremony,
    SigningDocument,
    SigningItem,
    SigningParty,
    SigningStatusChange,
    Witness,
)
from app.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateSettings,
)
from app.checkin.models import Checkin, CheckinList, DeviceToken
from app.events.models import ConsentVersion, Event
from app.judging.models import (
    Assignment,
    Award,
    Conflict,
    Criterion,
    Entry,
    JudgeProfile,
    Round,
    RoundEntry,
    ScoreSheet,
    ScoreVersion,
    TeamMember,
)
from app.mail.models import OutboxMessage
from app.media.models import CoverageItem, Outlet, PressAccreditation
from app.privacy.models import DeletionRequest
from app.registration.models import (
    Category,
    Mailing,
    Question,
    Registration,
    RegistrationChange,
    TicketRevocation,
)

__all__ = [
    "AgendaSegment",
    "Assignment",
    "AuditEntry",
    "Award",
    "Category",
    "Ceremony",
    "Certificate",
    "CertificateBatch",
    "CertificateCounter",
    "CertificateSettings",
    "Checkin",
    "CheckinList",
    "Conflict",
    "ConsentVersion",
    "CoverageItem",
    "Criterion",
    "DeletionRequest",
    "DeviceToken",
    "Entry",
    "Event",
    "EventRole",
    "JudgeProfile",
    "Mailing",
    "OutboxMessage",
    "Outlet",
    "PressAccreditation",
    "Question",
    "RecoveryCode",
    "Registration",
    "RegistrationChange",
    "Round",
    "RoundEntry",
    "ScoreSheet",
    "ScoreVersion",
    "SigningDocument",
    "SigningItem",
    "SigningParty",
    "SigningStatusChange",
    "TeamMember",
    "TicketRevocation",
    "User",
    "Witness",
]
