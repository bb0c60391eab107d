"""Health and readiness probes for load balancers, process managers and monitoring."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the health and readiness probes."""
    from app.health.routes import bp

    app.register_blueprint(bp)
