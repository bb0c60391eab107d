"""Rate limits on sign-in, public registration and link pages (Flask-Limiter), in memory and in
a real Redis shared by several app processes; off in the rest of the test suite."""

from __future__ import annotations

import pytest
from redis import Redis

from app import create_app
from app.extensions import db
from app.security.ratelimit import limited_endpoints
from tests.conftest import TEST_PASSWORD, form_data, manage_token_from, redis_url_for_tests

SMALL_LIMITS = dict(
    RATELIMIT_ENABLED=True,
    RATELIMIT_LOGIN="3 per minute",
    RATELIMIT_LOGIN_ACCOUNT="5 per hour",
    RATELIMIT_REGISTRATION="2 per minute",
    RATELIMIT_LINKS="4 per minute",
)


def limited_config(config_class, storage: str):
    return type(
        "LimitedConfig", (config_class,), {**SMALL_LIMITS, "RATELIMIT_STORAGE_URI": storage}
    )


@pytest.fixture(scope="module")
def memory_app(config_class):
    return create_app(limited_config(config_class, "memory://"))


@pytest.fixture
def limited(app, memory_app):
    """The app with small limits in memory; counters reset for each test (`app` empties the
    shared database afterwards)."""
    memory_app.extensions["huiwu_limiter"].reset()
    return memory_app


@pytest.fixture
def redis_storage():
    url = redis_url_for_tests()
    if url is None:
        import os

        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI but not reachable")
        pytest.skip("no Redis server reachable (set TEST_REDIS_URL)")
    connection = Redis.from_url(url)
    for key in connection.scan_iter("*huiwu-limits*"):
        connection.delete(key)
    yield url
    for key in connection.scan_iter("*huiwu-limits*"):
        connection.delete(key)


def client_from(app, address: str = "203.0.113.7"):
    """A test client whose requests come from `address` (only the WSGI environ says so)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def release_database() -> None:
    """End the test's read transaction: on SQLite it holds the write lock that the other app's
    requests would wait for."""
    db.session.commit()


def wrong_login(client, email: str = "nobody@example.org", lang: str = "en"):
    return client.post(f"/login?lang={lang}", data={"email": email, "password": "wrong-password"})


def test_sign_in_registration_and_link_pages_are_limited(memory_app):
    limited_routes = limited_endpoints(memory_app)
    assert limited_routes["accounts.login"] == ["login", "login-account"]
    assert limited_routes["accounts.login_second_factor"] == ["login", "login-account"]
    assert limited_routes["registration.register"] == ["registration"]
    link_rules = [
        rule.endpoint
        for rule in memory_app.url_map.iter_rules()
        if rule.rule.startswith(("/r/", "/c/", "/j/"))
    ]
    assert len(link_rules) >= 5
    assert all(limited_routes[endpoint] == ["links"] for endpoint in link_rules)


def test_organizer_and_scanner_routes_are_not_limited(memory_app):
    limited_routes = limited_endpoints(memory_app)
    staff = [e for e in limited_routes if e.startswith(("checkin.", "judging.api", "mail."))]
    assert staff == ["checkin.join_online"]  # the online attendee's link, not a staff page
    assert "registration.list_registrations" not in limited_routes


def test_fourth_failed_sign_in_in_a_minute_gets_a_clear_429(limited):
    client = client_from(limited)
    assert [wrong_login(client).status_code for _ in range(3)] == [200, 200, 200]
    response = wrong_login(client)
    assert response.status_code == 429
    assert "Too many attempts. Please wait a few minutes and try again." in response.text
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("lang", "text"), [("zh_CN", "尝试次数过多"), ("ru", "Слишком много попыток")]
)
def test_429_page_is_translated(limited, lang, text):
    client = client_from(limited)
    for _ in range(3):
        wrong_login(client, lang=lang)
    response = wrong_login(client, lang=lang)
    assert response.status_code == 429
    assert text in response.text


def test_sign_in_page_views_are_not_counted(limited):
    client = client_from(limited)
    assert {client.get("/login").status_code for _ in range(10)} == {200}
    assert wrong_login(client).status_code == 200


def test_another_address_is_not_affected(limited):
    first, second = client_from(limited, "203.0.113.7"), client_from(limited, "198.51.100.9")
    for _ in range(4):
        wrong_login(first)
    assert wrong_login(first).status_code == 429
    assert wrong_login(second).status_code == 200


def test_one_account_is_limited_across_addresses(limited, make_user):
    email = make_user().email
    release_database()
    answers = [
        wrong_login(client_from(limited, f"198.51.100.{n}"), email=email).status_code
        for n in range(6)
    ]
    assert answers == [200, 200, 200, 200, 200, 429]
    # The right password from a fresh address is refused too while the account is limited.
    response = client_from(limited, "192.0.2.1").post(
        "/login", data={"email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


def test_public_registration_is_limited_per_address(limited, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=None)
    slug, data = event.slug, form_data(category)
    release_database()
    client = client_from(limited)
    answers = [
        client.post(
            f"/e/{slug}/register", data={**data, "email": f"guest{n}@example.org"}
        ).status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]
    assert client.get(f"/e/{slug}/register").status_code == 200  # reading is not limited


def test_guessing_self_service_links_is_limited(limited):
    client = client_from(limited)
    answers = [client.get(f"/r/guess-{n}").status_code for n in range(5)]
    assert answers == [404, 404, 404, 404, 429]
    assert client.get("/c/not-a-token").status_code == 429  # one budget for every link page


def test_people_opening_their_own_links_through_one_address_are_not_limited(
    limited, client, make_event, make_category
):
    """A venue's Wi-Fi is one address: guests opening their personal pages at the door are not
    refused (only refused link requests count), and guessing still is."""
    event = make_event()
    category = make_category(event, capacity=None)
    slug, data = event.slug, form_data(category)
    release_database()
    tokens = [
        manage_token_from(
            client.post(f"/e/{slug}/register", data={**data, "email": f"guest{n}@example.org"})
        )
        for n in range(3)
    ]
    client = client_from(limited, "198.51.100.9")
    answers = {client.get(f"/r/{tokens[n % 3]}").status_code for n in range(12)}
    assert answers == {200}
    guesses = [client.get(f"/r/guess-{n}").status_code for n in range(5)]
    assert guesses == [404, 404, 404, 404, 429]


def test_the_rest_of_the_suite_runs_without_limits(app, client):
    assert app.extensions["huiwu_limiter"].enabled is False
    assert {wrong_login(client).status_code for _ in range(12)} == {200}


def test_two_app_processes_share_counters_in_redis(app, config_class, redis_storage):
    config = limited_config(config_class, redis_storage)
    first_worker, second_worker = create_app(config), create_app(config)
    answers = [
        wrong_login(client_from(worker)).status_code
        for worker in (first_worker, second_worker, first_worker, second_worker)
    ]
    assert answers == [200, 200, 200, 429]
    assert any(Redis.from_url(redis_storage).scan_iter("*huiwu-limits*"))


def test_sign_in_still_works_when_the_limit_store_is_down(app, config_class, make_user):
    # Port 1 on the loopback: nothing listens, connections are refused at once.
    unreachable = create_app(limited_config(config_class, "redis://127.0.0.1:1/0"))
    email = make_user().email
    release_database()
    response = client_from(unreachable).post(
        "/login", data={"email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


# Trusted-device cookies: a stranger's failed attempts lock unknown browsers out of an account,
# never the browser its owner signed in with before (app/accounts/trusted_devices.py).

TRUSTED_DEVICE_COOKIE = "huiwu_trusted_device"


def right_login(client, email: str):
    return client.post("/login", data={"email": email, "password": TEST_PASSWORD})


def lock_account_from_many_addresses(app, email: str, addresses: int = 40) -> list[int]:
    """What a stranger can do: wrong passwords for `email` from many addresses, as many as the
    per-address limit lets through (120 attempts from 40 addresses with the small limits)."""
    answers = []
    for n in range(addresses):
        client = client_from(app, f"198.51.100.{n + 1}")
        answers += [wrong_login(client, email=email).status_code for _ in range(3)]
    return answers


def trusted_browser(app, email: str, address: str = "192.0.2.10"):
    """The owner's browser: signed in once (and out again), keeping its trusted-device cookie."""
    browser = client_from(app, address)
    assert right_login(browser, email).status_code == 302
    assert browser.get_cookie(TRUSTED_DEVICE_COOKIE, path="/login") is not None
    browser.post("/logout")
    return browser


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_a_stranger_cannot_lock_the_owner_out_of_their_trusted_browser(
    app, config_class, make_user, storage, request
):
    url = "memory://" if storage == "memory" else request.getfixturevalue("redis_storage")
    limited_app = create_app(limited_config(config_class, url))
    email = make_user().email
    release_database()
    owner = trusted_browser(limited_app, email)

    answers = lock_account_from_many_addresses(limited_app, email)
    # The owner's own sign-in was the first of the account's 5 attempts an hour.
    assert len(answers) == 120 and answers.count(429) == 116  # the account is locked …
    # … for browsers it does not know, even with the right password from a fresh address,
    assert right_login(client_from(limited_app, "192.0.2.77"), email).status_code == 429
    # but its owner's browser still gets in, from wherever the owner is now.
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.78"
    assert right_login(owner, email).status_code == 302


def test_a_trusted_browser_still_has_the_per_address_limit(limited, make_user):
    email = make_user().email
    release_database()
    owner = trusted_browser(limited, email)
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.85"
    assert [wrong_login(owner, email=email).status_code for _ in range(3)] == [200, 200, 200]
    assert wrong_login(owner, email=email).status_code == 429


def test_trust_in_a_browser_is_per_account(limited, make_user):
    owner_email, other_email = make_user().email, make_user().email
    release_database()
    owner = trusted_browser(limited, owner_email)
    lock_account_from_many_addresses(limited, other_email, addresses=2)
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.79"
    assert right_login(owner, other_email).status_code == 429


def test_a_forged_or_foreign_trusted_device_cookie_is_not_trusted(limited, make_user):
    email = make_user().email
    release_database()
    owner = trusted_browser(limited, email)
    value = owner.get_cookie(TRUSTED_DEVICE_COOKIE, path="/login").value
    lock_account_from_many_addresses(limited, email, addresses=2)
    for forged in (value[:-2] + ("AA" if not value.endswith("AA") else "BB"), "garbage"):
        stranger = client_from(limited, "192.0.2.80")
        stranger.set_cookie(TRUSTED_DEVICE_COOKIE, forged, path="/login")
        assert right_login(stranger, email).status_code == 429


def test_sign_out_everywhere_ends_the_trust_in_every_browser(limited, make_user):
    email = make_user().email
    release_database()
    owner = trusted_browser(limited, email)
    elsewhere = client_from(limited, "192.0.2.81")
    assert right_login(elsewhere, email).status_code == 302
    assert elsewhere.post("/account/sign-out-everywhere").status_code == 302
    lock_account_from_many_addresses(limited, email, addresses=2)
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.82"
    assert right_login(owner, email).status_code == 429


def test_a_trusted_browser_passes_the_second_factor_while_the_account_is_locked(limited, make_user):
    import pyotp

    from app.accounts.two_factor import seal_secret
    from app.clock import utcnow

    user = make_user()
    secret = pyotp.random_base32()
    user.totp_secret, user.totp_enabled_at = seal_secret(user, secret), utcnow()
    email = user.email
    release_database()
    totp = pyotp.TOTP(secret)

    owner = client_from(limited, "192.0.2.10")
    assert right_login(owner, email).status_code == 302
    assert owner.post("/login/code", data={"code": totp.now()}).status_code == 302
    owner.post("/logout")

    # Someone with the password guesses codes from many addresses; an `email` field of their
    # own on the code form does not give each guess a fresh counter.
    attacker = client_from(limited, "198.51.100.1")
    assert right_login(attacker, email).status_code == 302
    answers = []
    for n in range(6):
        attacker.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 2}"
        wrong = {"code": "000000", "email": f"decoy{n}@example.org"}
        answers.append(attacker.post("/login/code", data=wrong).status_code)
    # The owner's code was the first of the account's 5 attempts an hour.
    assert answers == [400, 400, 400, 400, 429, 429]

    stranger = client_from(limited, "192.0.2.83")
    assert right_login(stranger, email).status_code == 302
    code = totp.at(utcnow().timestamp() + 30)
    assert stranger.post("/login/code", data={"code": code}).status_code == 429
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.84"
    assert right_login(owner, email).status_code == 302
    assert owner.post("/login/code", data={"code": code}).status_code == 302


# Production: every gunicorn process must count in the same place.


def production_config(**settings):
    from config import ProdConfig

    values = {
        "SECRET_KEY": "a-production-secret-key-that-is-long-enough",
        "REDIS_URL": "",
        "RATELIMIT_STORAGE_URI": "",
        **settings,
    }
    return type("Production", (ProdConfig,), values)


def test_production_refuses_to_start_with_limits_counted_per_process(config_class):
    with pytest.raises(RuntimeError, match=r"Set REDIS_URL \(or RATELIMIT_STORAGE_URI\)"):
        create_app(production_config(SQLALCHEMY_DATABASE_URI=config_class.SQLALCHEMY_DATABASE_URI))


@pytest.mark.parametrize(
    ("settings", "storage"),
    [
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "RedisStorage"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/3"}, "RedisStorage"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "MemoryStorage"),  # said on purpose
    ],
)
def test_production_counts_where_it_is_told(config_class, settings, storage):
    production = create_app(
        production_config(
            SQLALCHEMY_DATABASE_URI=config_class.SQLALCHEMY_DATABASE_URI,
            INSTANCE_DIR=config_class.INSTANCE_DIR,
            **settings,
        )
    )
    assert type(production.extensions["huiwu_limiter"].storage).__name__ == storage


def test_the_deployment_example_sets_a_shared_store():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "deploy" / "huiwu.env.example"
    settings = dict(
        line.split("=", 1) for line in example.read_text().splitlines() if line[:1].isalpha()
    )
    assert settings["HUIWU_CONFIG"] == "production"
    assert settings["REDIS_URL"].startswith("redis://")
