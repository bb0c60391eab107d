"""/healthz (the process answers) and /readyz (it can serve: database, Redis, workers, outbox).

Both are public and cheap: /healthz touches nothing; /readyz runs a handful of small queries
and caches its answer for READYZ_CACHE_SECONDS per process, so probing it often (or an
anonymous flood) costs the database at most one round of checks per interval.
"""

from __future__ import annotations

import threading
import time

from flask import Blueprint, current_app, jsonify

from app.accounts.permissions import PUBLIC, requires
from app.health.services import check_readiness

bp = Blueprint("health", __name__)

_cache_lock = threading.Lock()
_cached: dict = {}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@requires(PUBLIC)
def healthz():
    """Liveness: the process is up and answering; checks nothing else."""
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
@requires(PUBLIC)
def readyz():
    """Readiness as JSON: 200 (ok or degraded) or 503 (database or Redis unreachable)."""
    ttl = current_app.config["READYZ_CACHE_SECONDS"]
    now = time.monotonic()
    with _cache_lock:
        cached = _cached.get(id(current_app._get_current_object()))
        if cached is None or ttl <= 0 or now - cached[0] >= ttl:
            result = check_readiness()
            cached = (now, {"status": result.status, "checks": result.checks}, result.http_status)
            _cached[id(current_app._get_current_object())] = cached
    _, body, status = cached
    return _no_store(jsonify(body)), status
