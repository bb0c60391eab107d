"""The process's cache of computed rankings (CTFd style), keyed by round, score version and
method. Every write that changes a ranking bumps the round's score version, which every
process sees; a process also drops its own entries at once.
"""

from __future__ import annotations

import threading

from sqlalchemy import update

from app.extensions import db
from app.judging import aggregation
from app.judging.models import Round

_ranking_cache: dict[tuple[int, int, str], aggregation.Ranking] = {}
_ranking_lock = threading.Lock()


def cached_ranking(round_id: int, version: int, method: str) -> aggregation.Ranking | None:
    """The ranking computed for this score version and method, if this process has it."""
    with _ranking_lock:
        return _ranking_cache.get((round_id, version, method))


def store_ranking(round_id: int, version: int, method: str, ranking: aggregation.Ranking) -> None:
    """Keep a computed ranking, dropping the round's rankings of other score versions."""
    with _ranking_lock:
        for old in [k for k in _ranking_cache if k[0] == round_id and k[1] != version]:
            del _ranking_cache[old]
        _ranking_cache[(round_id, version, method)] = ranking


def bump_score_version(round_: Round) -> None:
    """Invalidate a round's cached ranking: an atomic increment every process sees."""
    db.session.execute(
        update(Round).where(Round.id == round_.id).values(score_version=Round.score_version + 1)
    )
    invalidate_ranking(round_)


def invalidate_ranking(round_: Round) -> None:
    """Drop this process's cached rankings of a round."""
    with _ranking_lock:
        for key in [k for k in _ranking_cache if k[0] == round_.id]:
            del _ranking_cache[key]
