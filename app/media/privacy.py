"""Media's part of a participant's data: their press accreditation in the download.
Anonymization keeps it (an outlet, not a person)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from app.extensions import db
from app.media.models import Outlet, PressAccreditation

if TYPE_CHECKING:
    from app.registration.models import Registration


def export_press_accreditation(registration: Registration) -> dict[str, str] | None:
    """The outlet the registration is accredited for, or None."""
    accreditation = db.session.execute(
        select(PressAccreditation, Outlet)
        .join(Outlet, Outlet.id == PressAccreditation.outlet_id)
        .where(PressAccreditation.registration_id == registration.id)
    ).first()
    if accreditation is None:
        return None
    _, outlet = accreditation
    return {"outlet_zh": outlet.name_zh, "outlet_en": outlet.name_en}
