"""Imports every domain's models so metadata (and Alembic autogenerate) sees all tables."""

from app.accounts.models import EventRole, User
from app.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateSettings,
)
from app.checkin.models import Checkin, CheckinList, DeviceToken
from app.events.models import Event
from app.mail.models import OutboxMessage
from app.registration.models import (
    Category,
    Mailing,
    Question,
    Registration,
    RegistrationChange,
    TicketRevocation,
)

__all__ = [
    "Category",
    "Certificate",
    "CertificateBatch",
    "CertificateCounter",
    "CertificateSettings",
    "Checkin",
    "CheckinList",
    "DeviceToken",
    "Event",
    "EventRole",
    "Mailing",
    "OutboxMessage",
    "Question",
    "Registration",
    "RegistrationChange",
    "TicketRevocation",
    "User",
]
