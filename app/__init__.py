"""Huiwu (会务): the application factory."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import babel, csrf, db, install_sqlite_settings, login_manager, migrate
from app.i18n import current_language, select_locale
from app.jobs import queue


def create_app(config: object | str | None = None) -> Flask:
    """Build the Flask app; `config` is a config class, its name, or None for the environment's."""
    import os

    from config import CONFIGS

    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    if config is None:
        config = os.environ.get("HUIWU_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    app.config.from_object(config)
    if hasattr(config, "validate"):
        config.validate()
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind nginx: client address, scheme and host come from its X-Forwarded-* headers
        # (rate limits and logs need the real client address).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from app.health.errors import init_database

    init_database(app)  # db.init_app with settings that survive a database restart
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    queue.init_app(app)
    install_sqlite_settings()

    from app.security.input import install_input_guards

    install_input_guards(app)  # before the blueprints: their rules use its `int` converter

    from app import models  # noqa: F401  (every table registered for migrations)
    from app.openapi import bp as openapi_bp

    for domain in _domains():
        domain.init_app(app)
    app.register_blueprint(openapi_bp)

    from app.cli import register_cli

    register_cli(app)
    _register_template_helpers(app)
    _register_error_handlers(app)

    from app.security import init_security

    init_security(app)
    return app


def _domains() -> list:
    """The packages that register themselves on the app, in blueprint registration order."""
    from app import (
        accounts,
        ceremonies,
        certificates,
        checkin,
        events,
        health,
        judging,
        mail,
        media,
        privacy,
        registration,
    )

    return [
        accounts,
        events,
        registration,
        mail,
        certificates,
        checkin,
        ceremonies,
        judging,
        media,
        health,
        privacy,
    ]


def _register_template_helpers(app: Flask) -> None:
    from app.templating import template_globals

    app.jinja_env.globals.update(template_globals())
    app.jinja_env.filters["label"] = template_globals()["label"]
    app.jinja_env.filters["tr"] = template_globals()["translate"]
    app.jinja_env.filters["tr_lang"] = template_globals()["translate_marked"]
    app.jinja_env.filters["language_name"] = template_globals()["language_name"]

    @app.context_processor
    def inject_locale():
        from flask_login import current_user

        from app.events.services import manage_sections

        event = g.get("event")
        return {
            "current_locale": current_language(),
            "event": event,
            "manage_sections": manage_sections(current_user, event) if event else [],
        }


def _register_error_handlers(app: Flask) -> None:
    log = logging.getLogger("huiwu")

    def wants_json() -> bool:
        return request.path.startswith("/api/") or (
            request.accept_mimetypes.best == "application/json"
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        from flask_babel import gettext as _

        message = _("The form has expired or was sent from another page. Please try again.")
        if wants_json():
            return {"error": "csrf", "message": message}, 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            return {"error": error.name, "message": error.description}, error.code
        return render_template("errors/error.html", code=error.code, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        from app.health.errors import database_unavailable_response, is_database_unavailable

        if is_database_unavailable(error):
            log.warning("database unavailable: %s: %s", type(error).__name__, error)
            return database_unavailable_response(wants_json())
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error, incident %s", incident)
        db.session.rollback()
        if wants_json():
            return {"error": "internal", "incident": incident}, 500
        return render_template("errors/500.html", incident=incident), 500
