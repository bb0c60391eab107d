"""Imports every domain's models so metadata (and Alembic autogenerate) sees all tables."""

from app.accounts.models import EventRole, User
from app.checkin.models import Checkin, CheckinList, DeviceToken
from app.events.models import Event
from app.mail.models import OutboxMessage
from app.registration.models import (
    Category,
    Question,
    Registration,
    RegistrationChange,
    TicketRevocation,
)

__all__ = [
    "Category",
    "Checkin",
    "CheckinList",
    "DeviceToken",
    "Event",
    "EventRole",
    "OutboxMessage",
    "Question",
    "Registration",
    "RegistrationChange",
    "TicketRevocation",
    "User",
]
