"""Media's part of a participant's data: their press accreditation in the download.
Anonymization keeps it (an outlet, not a person)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.extensions import db
from app.media.models import Outlet, PressAccreditation

if TYPE_CHECKING:
    from app.registration.models import Registration


def export_press_accreditation(registration: Registration) -> dict[str, Any] | None:
    """The outlet the registration is accredited for, or None."""
    accreditation = db.session.execute(
        select(PressAccreditation, Outlet)
        .join(Outlet, Outlet.id == PressAccreditation.outlet_id)
        .where(PressAccreditation.registration_id == registration.id)
    ).first()
    if accreditation is None:
        return None
    _, outlet = accreditation
    # "outlet_zh"/"outlet_en" as before (a stable download format; "" when the outlet has no
    # name in that language); "outlet" has its name in every language it is known in.
    return {
        "outlet_zh": outlet.name.get("zh", ""),
        "outlet_en": outlet.name.get("en", ""),
        "outlet": outlet.name.as_dict(),
    }
