"""Session and remember-me cookies: HttpOnly and SameSite=Lax always, Secure in production."""

from __future__ import annotations

import pytest

from app import create_app
from config import ProdConfig
from tests.conftest import TEST_PASSWORD


def cookie_flags(response, name: str) -> set[str]:
    """The attributes of the Set-Cookie header for `name`, lower-cased, without values except
    SameSite's ("secure", "httponly", "samesite=lax", "path", …)."""
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    flags = set()
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        flags.add(f"samesite={value.lower()}" if key.lower() == "samesite" else key.lower())
    return flags


@pytest.fixture(scope="module")
def production_app(config_class):
    class Production(ProdConfig):
        SECRET_KEY = "a-production-secret-key-that-is-long-enough"
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI
        INSTANCE_DIR = config_class.INSTANCE_DIR
        OUTBOX_DIR = config_class.OUTBOX_DIR
        REDIS_URL = ""
        RATELIMIT_STORAGE_URI = "memory://"  # one test process (ProdConfig wants it said)
        SESSION_COOKIE_SECURE = True
        REMEMBER_COOKIE_SECURE = True
        RATELIMIT_ENABLED = False
        WTF_CSRF_ENABLED = False  # the cookies are under test here, not the form tokens

    return create_app(Production)


def sign_in(app, user):
    from app.extensions import db

    email = user.email
    db.session.commit()
    return app.test_client().post(
        "/login", data={"email": email, "password": TEST_PASSWORD, "remember": "y"}
    )


def test_production_cookies_are_secure_http_only_and_same_site(app, production_app, make_user):
    response = sign_in(production_app, make_user())
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert {"secure", "httponly", "samesite=lax"} <= flags, (name, flags)


def test_development_cookies_are_http_only_and_same_site(app, make_user):
    response = sign_in(app, make_user())
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert {"httponly", "samesite=lax"} <= flags, (name, flags)


def test_production_refuses_the_default_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(type("Unsafe", (ProdConfig,), {"SECRET_KEY": "short"}))


def test_trusted_device_cookie_is_secure_http_only_strict_and_only_for_sign_in(
    app, production_app, make_user
):
    response = sign_in(production_app, make_user())
    flags = cookie_flags(response, "huiwu_trusted_device")
    assert {"secure", "httponly", "samesite=strict", "max-age"} <= flags, flags
    (header,) = [
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("huiwu_trusted_device=")
    ]
    assert "Path=/login" in header
    assert "max-age=31536000" in header.lower()  # TRUSTED_DEVICE_DAYS: a year
