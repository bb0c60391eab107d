"""Rate limits (Flask-Limiter) on the pages that invite guessing: sign-in, public registration
forms and the link pages whose URL is the credential (/r/<token>…, /c/…, /j/…); on link pages only
refused requests (a made-up link: 404) count, so people opening their own pages are never
turned away.

Which routes are limited is decided from the URL map, not by a decorator on each view, so a
new self-service link page under /r/ or a new public form is covered without anyone having to
remember it (tests/security/test_rate_limits.py checks the selection).

Counters live in Redis when REDIS_URL (or RATELIMIT_STORAGE_URI) is set, so every gunicorn
worker and machine shares them; otherwise in process memory (development, tests, a single
process). The production config refuses to start without shared storage (config.py). If Redis
fails, each process counts in its own memory until Redis answers again (Flask-Limiter logs
"Rate limit storage unreachable"): limits stay on, only as loose as the number of processes,
rather than every sign-in being refused while Redis is down. Limits are strings such as
"10 per minute;60 per hour", read from the configuration on every request (so tests and
operators can change them).

The per-account sign-in limit skips attempts that a check registered with
`exempt_from_account_limit` vouches for: the accounts package registers the trusted-device
cookie (app/accounts/trusted_devices.py), so a stranger's failed attempts cannot lock the
account's owner out of their own browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address


@dataclass(frozen=True)
class LimitGroup:
    """One shared limit: its config key, scope name, methods, how requests are keyed, and
    whether only refused requests count."""

    config_key: str
    scope: str
    methods: tuple[str, ...] | None
    by_account: bool = False
    refusals_only: bool = False


def _refused(response) -> bool:
    return response.status_code >= 400


LOGIN = LimitGroup("RATELIMIT_LOGIN", "login", ("POST",))
LOGIN_ACCOUNT = LimitGroup("RATELIMIT_LOGIN_ACCOUNT", "login-account", ("POST",), by_account=True)
REGISTRATION = LimitGroup("RATELIMIT_REGISTRATION", "registration", ("POST",))
# Link pages count only what they refuse (a made-up or revoked link, a bad form): a signed
# link cannot be guessed, so the limit is there for guessing, and a whole venue opening its
# personal pages through one Wi-Fi address at the door must not be turned away.
LINKS = LimitGroup("RATELIMIT_LINKS", "links", None, refusals_only=True)

# Sign-in steps: the password form and the second-factor form.
SIGN_IN_ENDPOINTS = frozenset({"accounts.login", "accounts.login_second_factor"})
LINK_PREFIXES = ("/r/", "/c/", "/j/")


def groups_for(app: Flask, rule) -> list[LimitGroup]:
    """The limits that apply to one URL rule."""
    if rule.endpoint in SIGN_IN_ENDPOINTS:
        return [LOGIN, LOGIN_ACCOUNT]
    if rule.rule.startswith(LINK_PREFIXES):
        return [LINKS]
    permission = getattr(app.view_functions.get(rule.endpoint), "permission", None)
    if permission is not None and permission.name == "public_event" and "POST" in rule.methods:
        return [REGISTRATION]
    return []


def limited_endpoints(app: Flask) -> dict[str, list[str]]:
    """endpoint → scope names, for every rate-limited route of the app."""
    found: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        for group in groups_for(app, rule):
            found.setdefault(rule.endpoint, []).append(group.scope)
    return found


def _account_key() -> str:
    """Counts sign-in attempts per account, whatever address they come from: by the email
    typed on the password form, by the account waiting for its second-factor code (an `email`
    field added to the code form must not give each guess a fresh counter)."""
    if request.endpoint == "accounts.login_second_factor":
        pending = session.get("second_factor_pending")
        if isinstance(pending, dict) and pending.get("user"):
            return f"account-id:{str(pending['user']).partition(':')[0]}"
        return f"address:{get_remote_address()}"
    email = (request.form.get("email") or "").strip().lower()[:254]
    if email:
        return f"account:{email}"
    return f"address:{get_remote_address()}"


def exempt_from_account_limit(app: Flask, check: Callable[[], bool]) -> None:
    """Let `check()` (called during a sign-in request) exempt that attempt from the per-account
    limit; the per-address limit still counts it."""
    app.extensions.setdefault("huiwu_account_limit_exemptions", []).append(check)


def _exempt_from_account_limit() -> bool:
    checks = current_app.extensions.get("huiwu_account_limit_exemptions", [])
    return any(check() for check in checks)


def _limit_value(config_key: str):
    return lambda: current_app.config[config_key]


def _too_many_requests(error: RateLimitExceeded):
    """A page (or JSON) in the visitor's language saying to wait; Retry-After is set by the
    limiter's headers."""
    message = _("Too many attempts. Please wait a few minutes and try again.")
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return {"error": "rate_limited", "message": message}, 429
    return render_template("errors/error.html", code=429, message=message), 429


def init_rate_limits(app: Flask) -> None:
    """Create this app's limiter and wrap the routes that `groups_for` selects."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage,
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        key_prefix="huiwu-limits",
        enabled=app.config.get("RATELIMIT_ENABLED", True),
    )
    app.extensions["huiwu_limiter"] = limiter
    decorators = {
        group: limiter.shared_limit(
            _limit_value(group.config_key),
            scope=group.scope,
            key_func=_account_key if group.by_account else None,
            exempt_when=_exempt_from_account_limit if group.by_account else None,
            deduct_when=_refused if group.refusals_only else None,
            methods=list(group.methods) if group.methods else None,
        )
        for group in (LOGIN, LOGIN_ACCOUNT, REGISTRATION, LINKS)
    }
    for endpoint, scopes in limited_endpoints(app).items():
        view = app.view_functions[endpoint]
        for group in (LOGIN, LOGIN_ACCOUNT, REGISTRATION, LINKS):
            if group.scope in scopes:
                view = decorators[group](view)
        app.view_functions[endpoint] = view
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
