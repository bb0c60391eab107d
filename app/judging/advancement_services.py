"""Advancement: which entries a round's rule sends through, and sending them into the next
round. Flushes, never commits; refusals raise JudgingError.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from app.clock import utcnow
from app.extensions import db
from app.judging.errors import JudgingError
from app.judging.models import (
    AdvancementRule,
    Entry,
    Round,
)
from app.judging.ranking_services import result_lines
from app.judging.round_services import add_entries_to_round, next_round


def advancement_preview(round_: Round) -> list[Entry]:
    """The entries the round's rule would send through, best first (nothing is changed)."""
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
    return [r.entry for r in chosen]


def advance_round(round_: Round) -> tuple[Round, int]:
    """Send the previewed entries into the next round; returns it and how many were added.

    Raises JudgingError when there is no next round or nobody would go through.
    """
    target = next_round(round_)
    if target is None:
        raise JudgingError(_l("There is no next round to advance to."), status=409)
    chosen = advancement_preview(round_)
    if not chosen:
        raise JudgingError(_l("No entry meets the advancement rule yet."), status=409)
    ids = {e.id for e in chosen}
    for round_entry in round_.round_entries:
        round_entry.advanced = round_entry.entry_id in ids
    added = add_entries_to_round(target, [e.id for e in chosen])
    round_.advanced_at = utcnow()
    db.session.flush()
    return target, added
