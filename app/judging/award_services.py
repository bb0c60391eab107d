"""Awards given down a round's ranking and their certificates. Flushes, never commits;
refusals raise JudgingError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.judging.errors import JudgingError
from app.judging.models import (
    Award,
    AwardLevel,
    Round,
)
from app.judging.ranking_services import require_complete_ranking, result_lines
from app.registration.models import RegistrationState
from app.translated import Translated

# The names printed on award certificates, per content language (an event in another
# language falls back along its content languages).
AWARD_NAMES = {
    AwardLevel.GOLD: Translated(zh="金奖", ru="Золотая награда", en="Gold Award"),
    AwardLevel.SILVER: Translated(zh="银奖", ru="Серебряная награда", en="Silver Award"),
    AwardLevel.BRONZE: Translated(zh="铜奖", ru="Бронзовая награда", en="Bronze Award"),
    AwardLevel.EXCELLENCE: Translated(
        zh="优秀奖", ru="Награда за высокие достижения", en="Award of Excellence"
    ),
}


def assign_awards(
    round_: Round,
    counts: dict[AwardLevel, int],
    override_reason: str = "",
    actor: User | None = None,
) -> list[Award]:
    """Give awards down the ranking (e.g. 1 gold, 2 silver, 3 bronze, 5 excellence).

    Replaces the round's awards whose certificates are not issued yet; raises JudgingError
    when counts are negative, there are fewer scored entries than awards, or an entry of the
    ranking is incomplete and no reason to go ahead is given (see require_complete_ranking).
    """
    if any(n < 0 for n in counts.values()):
        raise JudgingError(_l("Award counts cannot be negative."))
    lines = [r for r in result_lines(round_) if r.line.score is not None]
    wanted = sum(counts.values())
    if wanted > len(lines):
        raise JudgingError(
            _l("Only %(n)d entries have scores; that is fewer than the awards.", n=len(lines))
        )
    issued = db.session.scalar(
        select(Award.id).where(
            Award.round_id == round_.id, Award.certificates_issued_at.is_not(None)
        )
    )
    if issued:
        raise JudgingError(
            _l("Certificates have been issued for this round's awards; awards are fixed."),
            status=409,
        )
    require_complete_ranking(round_, "awards", override_reason, actor)
    db.session.execute(delete(Award).where(Award.round_id == round_.id))
    awards = []
    position = 0
    for level in AwardLevel:
        for _ in range(counts.get(level, 0)):
            line = lines[position]
            award = Award(
                round_id=round_.id, entry_id=line.entry.id, level=level, rank=line.line.rank
            )
            db.session.add(award)
            awards.append(award)
            position += 1
    db.session.flush()
    return awards


def round_awards(round_: Round) -> list[Award]:
    """The round's awards, best level first."""
    order = {level: i for i, level in enumerate(AwardLevel)}
    awards = db.session.scalars(select(Award).where(Award.round_id == round_.id)).all()
    return sorted(awards, key=lambda a: (order[a.level], a.rank or 0))


@dataclass
class CertificateRun:
    """What issuing award certificates did."""

    issued: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)  # members not confirmed


def issue_award_certificates(round_: Round, actor: User | None) -> CertificateRun:
    """Issue (idempotently) and mail an award certificate to every confirmed team member.

    Raises JudgingError when the round has no awards.
    """
    from app.certificates.models import CertificateKind
    from app.certificates.services import issue_certificate

    awards = round_awards(round_)
    if not awards:
        raise JudgingError(_l("Assign the awards first."), status=409)
    run = CertificateRun()
    for award in awards:
        entry = award.entry
        for member in entry.members:
            registration = member.registration
            if registration.state != RegistrationState.CONFIRMED:
                run.skipped.append(registration.latin_name or registration.native_name)
                continue
            result = issue_certificate(
                registration,
                CertificateKind.AWARD,
                award_name=AWARD_NAMES[award.level],
                team_name=entry.team_name or None,
                entry_title=entry.title(registration.language or "en"),
                actor=actor,
                send_mail=True,
            )
            if result.created:
                run.issued += 1
            else:
                run.existing += 1
        award.certificates_issued_at = award.certificates_issued_at or utcnow()
    db.session.flush()
    return run
