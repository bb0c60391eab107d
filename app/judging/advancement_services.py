"""Advancement: which entries a round's rule sends through, and sending them into the next
round. Flushes, never commits; refusals raise JudgingError.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.judging.errors import JudgingError
from app.judging.models import (
    AdvancementRule,
    Entry,
    Round,
)
from app.judging.ranking_services import ResultLine, require_complete_ranking, result_lines
from app.judging.round_services import add_entries_to_round, next_round


def advancement_preview(round_: Round) -> list[Entry]:
    """The entries the round's rule would send through, best first (nothing is changed)."""
    return [r.entry for r in advancement_preview_lines(round_)]


def advancement_preview_lines(round_: Round) -> list[ResultLine]:
    """The ranking lines the round's rule would send through, best first (with their counts of
    submitted and assigned sheets, so the preview can say which are incomplete)."""
    lines = [r for r in result_lines(round_) if r.line.score is not None]
    rule, value = round_.advancement_rule, round_.advancement_value
    if rule == AdvancementRule.THRESHOLD:
        chosen = [r for r in lines if (r.line.score or 0) >= value]
    elif rule == AdvancementRule.TOP_N_PER_TRACK:
        per_track: dict[str, int] = defaultdict(int)
        chosen = []
        for r in lines:
            if per_track[r.entry.track] < int(value):
                per_track[r.entry.track] += 1
                chosen.append(r)
    else:
        chosen = lines[: int(value)]
    return chosen


def advance_round(
    round_: Round, override_reason: str = "", actor: User | None = None
) -> tuple[Round, int]:
    """Send the previewed entries into the next round; returns it and how many were added.

    Raises JudgingError when there is no next round, nobody would go through, or an entry of
    the ranking is incomplete and no reason to go ahead is given (see require_complete_ranking).
    """
    target = next_round(round_)
    if target is None:
        raise JudgingError(_l("There is no next round to advance to."), status=409)
    chosen = advancement_preview(round_)
    if not chosen:
        raise JudgingError(_l("No entry meets the advancement rule yet."), status=409)
    require_complete_ranking(round_, "advance", override_reason, actor)
    ids = {e.id for e in chosen}
    for round_entry in round_.round_entries:
        round_entry.advanced = round_entry.entry_id in ids
    added = add_entries_to_round(target, [e.id for e in chosen])
    round_.advanced_at = utcnow()
    db.session.flush()
    return target, added
