"""Certificates' part of a participant's data: their certificates in the download; on
anonymization the printed names are replaced and valid certificates revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.certificates.models import Certificate
from app.certificates.services import verification_url
from app.clock import isoformat
from app.contributions import Anonymization
from app.extensions import db

if TYPE_CHECKING:
    from app.registration.models import Registration

REVOKE_REASON = "个人信息已删除 / Personal data deleted"


def export_certificates(registration: Registration) -> list[dict[str, Any]]:
    """The registration's certificates: number, kind, names, award, dates, verification link."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.registration_id == registration.id)
        .order_by(Certificate.id)
    ).all()
    return [
        {
            "number": certificate.number,
            "kind": certificate.kind.value,
            "name": certificate.native_name,
            "latin_name": certificate.latin_name,
            # "award_zh"/"award_en" kept as they were (a stable download format); "award"
            # has the name in every language it was given in.
            "award_zh": certificate.award_name.get("zh"),
            "award_en": certificate.award_name.get("en"),
            "award": certificate.award_name.as_dict() or None,
            "issued_at": isoformat(certificate.issued_at),
            "revoked_at": isoformat(certificate.revoked_at),
            "verification_url": verification_url(certificate),
        }
        for certificate in certificates
    ]


def anonymize_certificates(registration: Registration, anonymization: Anonymization) -> None:
    """Replace the names on the registration's certificates and revoke the valid ones."""
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.registration_id == registration.id)
    ):
        certificate.native_name = anonymization.native_name
        certificate.latin_name = anonymization.latin_name
        if certificate.revoked_at is None:
            # The verification page can no longer say whose certificate it is.
            certificate.revoked_at = anonymization.now
            certificate.revoke_reason = REVOKE_REASON
            certificate.revoked_by_user_id = anonymization.actor_id
            certificate.active_key = None
