"""The process's cache of computed rankings (CTFd style), keyed by round, score version and
method, of judge calibrations and of the submitted score rows both are computed from, keyed by
round and score version. Every write that changes
a ranking bumps the round's score version, which every process sees; a process also drops its
own entries at once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import update

from app.extensions import db
from app.judging import aggregation
from app.judging.models import Round

if TYPE_CHECKING:
    from app.judging.calibration_services import Calibration
    from app.judging.ranking_services import ScoreRows

_ranking_cache: dict[tuple[int, int, str], aggregation.Ranking] = {}
_calibration_cache: dict[tuple[int, int], Calibration] = {}
_rows_cache: dict[tuple[int, int], ScoreRows] = {}
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


def cached_calibration(round_id: int, version: int) -> Calibration | None:
    """The judge calibration computed for this score version, if this process has it."""
    with _ranking_lock:
        return _calibration_cache.get((round_id, version))


def store_calibration(round_id: int, version: int, calibration: Calibration) -> None:
    """Keep a computed calibration, dropping the round's calibrations of other versions."""
    with _ranking_lock:
        for old in [k for k in _calibration_cache if k[0] == round_id and k[1] != version]:
            del _calibration_cache[old]
        _calibration_cache[(round_id, version)] = calibration


def cached_score_rows(round_id: int, version: int) -> ScoreRows | None:
    """The submitted score rows read for this score version, if this process has them."""
    with _ranking_lock:
        return _rows_cache.get((round_id, version))


def store_score_rows(round_id: int, version: int, rows: ScoreRows) -> None:
    """Keep a round's score rows (read-only) for the rankings and the calibration of a score
    version: after a submit the round page needs both, and the database is read once."""
    for array in (rows.entry_ids, rows.judge_ids, rows.values):
        array.flags.writeable = False
    with _ranking_lock:
        for old in [k for k in _rows_cache if k[0] == round_id]:
            del _rows_cache[old]
        _rows_cache[(round_id, version)] = rows


def bump_score_version(round_: Round) -> None:
    """Invalidate a round's cached ranking: an atomic increment every process sees."""
    db.session.execute(
        update(Round).where(Round.id == round_.id).values(score_version=Round.score_version + 1)
    )
    invalidate_ranking(round_)


def invalidate_ranking(round_: Round) -> None:
    """Drop this process's cached rankings and calibration of a round."""
    with _ranking_lock:
        for key in [k for k in _ranking_cache if k[0] == round_.id]:
            del _ranking_cache[key]
        for key in [k for k in _calibration_cache if k[0] == round_.id]:
            del _calibration_cache[key]
        for key in [k for k in _rows_cache if k[0] == round_.id]:
            del _rows_cache[key]
