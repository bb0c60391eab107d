"""Demo certificates: the organizers' issuer in Chinese, Russian and English, and a special
jury prize for a Russian-speaking competitor (whose certificate prints in Russian, then
Chinese). The ranked awards (gold, silver …) come from judging once the final is scored.
Idempotent: the settings are written once, the prize is issued idempotently.
"""

from __future__ import annotations

from sqlalchemy import select

from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import ensure_settings, issue_certificate
from app.events.models import Event
from app.extensions import db
from app.registration.models import Category, Registration, RegistrationState
from app.translated import Translated

DEMO_PREFIX = "ITTC2020"
DEMO_ISSUER = Translated(
    zh="2020青岛国际技术转移大会组委会",
    ru="Оргкомитет Международной конференции по трансферу технологий «Циндао-2020»",
    en="Organizing Committee of the 2020 Qingdao International Technology Transfer Conference",
)
DEMO_PRIZE = Translated(
    zh="国际合作特别奖",
    ru="Специальный приз жюри за международное сотрудничество",
    en="Special Jury Prize for International Cooperation",
)


def load_demo_certificates(event: Event, summary) -> None:
    """The demo loader's entry point."""
    settings = ensure_settings(event)
    if not settings.issuer:
        settings.number_prefix = DEMO_PREFIX
        settings.issuer = DEMO_ISSUER
        summary.created["certificate settings"] = 1
    winner = db.session.scalar(
        select(Registration)
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Category.code == "team",
            Registration.language == "ru",
            Registration.state == RegistrationState.CONFIRMED,
        )
        .order_by(Registration.id)
        .limit(1)
    )
    if winner is None:
        return
    before = db.session.scalar(select(Certificate.id).where(Certificate.event_id == event.id))
    result = issue_certificate(
        winner, CertificateKind.AWARD, award_name=DEMO_PRIZE, send_mail=False
    )
    if result.created and before is None:
        summary.created["certificates"] = 1
    db.session.flush()
