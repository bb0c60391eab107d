"""Configuration read from the environment with safe defaults."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused by ProdConfig


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Development defaults: SQLite in instance/, no Redis, mail written to a local outbox."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'huiwu.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    INSTANCE_DIR = Path(os.environ.get("HUIWU_INSTANCE_DIR", BASE_DIR / "instance"))
    OUTBOX_DIR = Path(os.environ.get("MAIL_OUTBOX_DIR", INSTANCE_DIR / "outbox"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Huiwu <noreply@huiwu.local>")

    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_STUCK_AFTER_SECONDS = int(os.environ.get("MAIL_STUCK_AFTER_SECONDS", "600"))
    WORKER_MAINTENANCE_SECONDS = int(os.environ.get("WORKER_MAINTENANCE_SECONDS", "30"))
    # /readyz: answer cached per process; "degraded" when the freshest worker heartbeat or the
    # oldest mail due for delivery is older than these.
    READYZ_CACHE_SECONDS = float(os.environ.get("READYZ_CACHE_SECONDS", "2"))
    READYZ_WORKER_MAX_AGE_SECONDS = int(os.environ.get("READYZ_WORKER_MAX_AGE_SECONDS", "120"))
    READYZ_OUTBOX_MAX_AGE_SECONDS = int(os.environ.get("READYZ_OUTBOX_MAX_AGE_SECONDS", "600"))
    # PostgreSQL: give up connecting after this many seconds (a request then gets a 503 page).
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    # Test a pooled connection before use, so the first requests after a database restart
    # succeed instead of failing once per process (PostgreSQL: see app/health/errors.py;
    # other databases: SQLAlchemy's pool_pre_ping, a round trip each time).
    DATABASE_POOL_PRE_PING = _env_bool("DATABASE_POOL_PRE_PING", True)
    # PostgreSQL: a pooled connection idle this long is pinged for real at checkout (a busier
    # one is only checked for a goodbye from the server, which costs no round trip).
    DATABASE_POOL_PING_IDLE_SECONDS = float(os.environ.get("DATABASE_POOL_PING_IDLE_SECONDS", "10"))
    # PostgreSQL: connections each process keeps open, at least one per server thread
    # (deploy/gunicorn.conf.py raises it to a worker's thread count): a request beyond the
    # pool opens and closes a connection of its own, a new server process each time.
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("zh_CN", "en", "ru")
    MANAGE_LINK_MAX_AGE_DAYS = int(os.environ.get("MANAGE_LINK_MAX_AGE_DAYS", "365"))
    # Ranking screens: the browser reconnects this long after each short event-stream answer;
    # a hold above 0 keeps an unchanged stream open that long (async workers only, see README).
    JUDGING_SSE_RETRY_MS = int(os.environ.get("JUDGING_SSE_RETRY_MS", "1000"))
    JUDGING_SSE_HOLD_SECONDS = float(os.environ.get("JUDGING_SSE_HOLD_SECONDS", "0"))
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    # Rate limits ("N per minute;M per hour"), per client address unless said otherwise;
    # counters in Redis when REDIS_URL (or RATELIMIT_STORAGE_URI) is set, else in memory
    # (one process's own counters: ProdConfig insists on shared storage).
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;60 per hour")
    # Sign-in attempts per account, from any address (slows a distributed password guess);
    # a browser that signed in to the account before is exempt (its trusted-device cookie).
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "30 per hour")
    # How long a browser stays trusted after signing in (app/accounts/trusted_devices.py).
    TRUSTED_DEVICE_DAYS = int(os.environ.get("TRUSTED_DEVICE_DAYS", "365"))
    RATELIMIT_REGISTRATION = os.environ.get("RATELIMIT_REGISTRATION", "20 per minute;200 per hour")
    # Self-service and verification link pages (/r/<token>…, /c/…): guessing protection.
    RATELIMIT_LINKS = os.environ.get("RATELIMIT_LINKS", "60 per minute;600 per hour")
    # Security headers (app/security/headers.py). HSTS only on HTTPS requests; the redirect to
    # HTTPS is normally nginx's job.
    SECURITY_HSTS = _env_bool("SECURITY_HSTS", False)
    SECURITY_HSTS_MAX_AGE = int(os.environ.get("SECURITY_HSTS_MAX_AGE", "31536000"))
    SECURITY_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURITY_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURITY_FORCE_HTTPS = _env_bool("SECURITY_FORCE_HTTPS", False)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Reverse proxies in front of the app (nginx: 1): their X-Forwarded-For/Proto are trusted.
    TRUSTED_PROXIES = int(os.environ.get("HUIWU_TRUSTED_PROXIES", "0"))
    TESTING = False


class TestConfig(Config):
    """Tests: a database given by TEST_DATABASE_URL (or DATABASE_URL), else a temporary SQLite."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "TEST_DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite://")
    )
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # on only in the limiter's own tests
    PUBLIC_BASE_URL = "http://localhost"


class ProdConfig(Config):
    """Production: secure cookies; refuses to start with the default SECRET_KEY or without
    shared storage for the rate limits."""

    # Only a loopback stack without TLS (deploy/run-stack) turns this off.
    SESSION_COOKIE_SECURE = _env_bool("HUIWU_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURITY_HSTS = _env_bool("SECURITY_HSTS", True)

    @classmethod
    def validate(cls) -> None:
        """Raise RuntimeError when a setting is unsafe for production."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEFAULT_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if not (cls.RATELIMIT_STORAGE_URI or cls.REDIS_URL):
            # Counted in each gunicorn process's memory, every limit would be as many times
            # looser as there are processes.
            raise RuntimeError(
                "Set REDIS_URL (or RATELIMIT_STORAGE_URI) in production: the rate limits must be "
                "counted in storage that every server process shares, e.g. "
                "REDIS_URL=redis://127.0.0.1:6379/0. A server that runs a single process may set "
                "RATELIMIT_STORAGE_URI=memory:// instead."
            )


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProdConfig}
