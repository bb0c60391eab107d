"""Shared fixtures: a real database (SQLite file or the PostgreSQL in TEST_DATABASE_URL),
emptied after every test, and factories that return callables."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from flask import g, request_started
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from app import create_app
from app.accounts import models as accounts_models
from app.accounts.models import Role
from app.accounts.services import create_user, grant_role
from app.clock import utcnow
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.registration.models import AttendanceRule, Category
from app.translated import Translated
from config import TestConfig

TEST_PASSWORD = "correct-horse-battery"


def database_url_from_env() -> str | None:
    """The database the suite runs against when one is configured (PostgreSQL in CI)."""
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")


def xdist_worker_index() -> int:
    """0 in a plain run, n for pytest-xdist's worker `gw<n>` (each worker gets its own stores)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else 0


def _postgres_maintenance(url: str, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) on the server of `url`, outside a transaction."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    maintenance = create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with maintenance.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    maintenance.dispose()


def fresh_postgres_database(url: str, name: str) -> str:
    """Create (again, empty) the database `name` beside `url`'s; returns its URL."""
    from sqlalchemy.engine import make_url

    # synchronous_commit off: a commit returns before its WAL reaches the disk (0.2 ms instead
    # of 3 ms here). A test database needs no crash durability, and what the tests prove —
    # transactions, locks, isolation, constraints — is the same.
    _postgres_maintenance(
        url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
        f'ALTER DATABASE "{name}" SET synchronous_commit = off',
    )
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str, name: str) -> None:
    _postgres_maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_for_this_worker(url: str) -> str:
    """The configured PostgreSQL URL, or for xdist worker n a fresh sibling `<name>_gw<n>`."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy.engine import make_url

    return fresh_postgres_database(url, f"{make_url(url).database}_{worker}")


@contextmanager
def scratch_database(database_url: str, name: str, sqlite_dir: Path) -> Iterator[str]:
    """An empty database of the suite's kind, dropped afterwards: a new SQLite file in
    `sqlite_dir`, or a new PostgreSQL database `<name>_<pid>` beside the suite's."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{sqlite_dir / (name + '.sqlite3')}"
        return
    database = f"{name}_{os.getpid()}"
    try:
        yield fresh_postgres_database(database_url, database)
    finally:
        drop_postgres_database(database_url, database)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The suite's database; an xdist worker's own `<name>_gw<n>` is dropped at the end."""
    url = database_url_from_env()
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    worker_url = _database_for_this_worker(url)
    yield worker_url
    if worker_url != url:
        from sqlalchemy.engine import make_url

        drop_postgres_database(url, make_url(worker_url).database)


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def config_class(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")

    class SuiteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_DIR = instance
        OUTBOX_DIR = instance / "outbox"
        REDIS_URL = ""

    return SuiteConfig


def _forget_signed_in_user(sender, **extra) -> None:
    # Test requests reuse the test's app context (and its `g`), so Flask-Login's cached user
    # would leak from one client into the next client's request; so would Flask-Babel's locale.
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


@pytest.fixture(scope="session")
def _app(config_class):
    app = create_app(config_class)
    request_started.connect(_forget_signed_in_user, app)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def empty_database() -> None:
    """Delete every row, and restart every sequence a test used (ids start at 1 again).

    Only the tables that hold rows are emptied, with DELETE: a test touches a few of the ~50
    tables, and PostgreSQL's TRUNCATE gives every table it names (CASCADE names nearly all)
    new files, ~1 s per test. A sequence also moves on for an insert that was rolled back
    and left no row, so PostgreSQL's sequences are restarted by what they record (used ones
    have a last_value), not by which tables hold rows.
    """
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]  # children before parents
    with db.engine.begin() as conn:
        holding_rows = set(
            conn.scalars(
                text(
                    " UNION ALL ".join(
                        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")"  # noqa: S608 - names from metadata
                        for name in tables
                    )
                )
            )
        )
        for name in tables:
            if name in holding_rows:
                conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 - names from metadata
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)"
                    " FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )


def instance_files(app) -> set[Path]:
    """Every file under the (test) instance folder: uploads, decks, sheets, mails …"""
    return {path for path in Path(app.config["INSTANCE_DIR"]).rglob("*") if path.is_file()}


def remove_files_added_since(app, before: set[Path]) -> None:
    """Delete what tests wrote to the shared instance folder (event ids restart per test, so a
    leftover file would turn up in another test's event folder)."""
    for path in instance_files(app) - before:
        path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _no_value_reached_the_database_unchecked(request):
    """Fails a test during which the database itself refused a value (app/security/input.py's
    last net turned it into a 400): the input guards must have refused it first."""
    if "_app" not in request.fixturenames:
        yield
        return
    misses = request.getfixturevalue("_app").extensions["huiwu_input_misses"]
    misses.clear()
    yield
    found = list(misses)
    misses.clear()
    assert found == [], f"values refused only by the database: {found}"


@pytest.fixture
def app(_app):
    files_before = instance_files(_app)
    with _app.app_context():
        yield _app
        empty_database()
    remove_files_added_since(_app, files_before)


@pytest.fixture
def client(app):
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_event(app):
    def factory(**overrides) -> Event:
        n = next(_counter)
        values = dict(
            slug=f"event-{n}",
            title=Translated(zh=f"测试大会{n}", en=f"Test conference {n}"),
            starts_at=utcnow() + timedelta(days=30),
            ends_at=utcnow() + timedelta(days=31),
            status=EventStatus.OPEN,
            kind=EventKind.CONFERENCE,
            privacy_text=Translated(zh="隐私说明", en="Privacy notice"),
        )
        values.update(overrides)
        event = Event(**values)
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_category(app):
    def factory(event: Event, **overrides) -> Category:
        n = next(_counter)
        values = dict(
            event_id=event.id,
            code=f"cat-{n}",
            name=Translated(zh=f"类别{n}", en=f"Category {n}", ru=f"Категория {n}"),
            capacity=10,
            attendance_rule=AttendanceRule.EITHER,
        )
        values.update(overrides)
        category = Category(**values)
        db.session.add(category)
        db.session.commit()
        return category

    return factory


# Passwords set during the tests (test users, the demo's accounts, a changed password) are
# hashed with scrypt at a work factor of 2**10 instead of werkzeug's 2**15: every sign-in still
# runs scrypt through the same code, in ~2 ms instead of ~0.1 s, and the suite signs in a few
# thousand times. tests/accounts/test_sign_in_timing.py gives its accounts the real cost.
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


def cheap_password_hash(password: str, method: str | None = None, salt_length: int = 16) -> str:
    return generate_password_hash(password, TEST_PASSWORD_HASH_METHOD, salt_length)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_models, "generate_password_hash", cheap_password_hash)
        yield


@cache
def _hash_of_test_password() -> str:
    return cheap_password_hash(TEST_PASSWORD)


def _test_password_hash(password: str, *args, **kwargs) -> str:
    if password == TEST_PASSWORD and not args and not kwargs:
        return _hash_of_test_password()
    return cheap_password_hash(password, *args, **kwargs)


@pytest.fixture
def make_user(app, monkeypatch):
    def factory(*roles: Role, event: Event | None = None, admin: bool = False, email=None):
        n = next(_counter)
        # Every test user's password is TEST_PASSWORD: they share one real scrypt hash of it
        # (made once, at the tests' work factor above). Signing in still checks it with scrypt.
        with monkeypatch.context() as patch:
            patch.setattr(accounts_models, "generate_password_hash", _test_password_hash)
            user = create_user(
                email or f"user{n}@example.org", f"User {n}", TEST_PASSWORD, is_admin=admin
            )
        for role in roles:
            grant_role(user, event, role)
        db.session.commit()
        return user

    return factory


def signed_in_id(user) -> str:
    """A Flask-Login id for `user` with a session begun on the server (committed), as the
    sign-in page makes one: for tests that put a user straight into a client's session."""
    from app.accounts.sessions import begin_session

    begin_session(user)
    db.session.commit()
    return user.get_id()


class AuthActions:
    """Log a test client in and out, like Flask's tutorial does."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = TEST_PASSWORD):
        return self.client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def form_data(category: Category, **overrides) -> dict:
    """A valid registration form submission for `category`."""
    n = next(_counter)
    data = {
        "category_id": str(category.id),
        "native_name": "张伟",
        "latin_name": "",
        "email": f"guest{n}@example.org",
        "phone": "+86 138 0013 8000",
        "organization": "青岛大学",
        "job_title": "教授",
        "country": "CN",
        "attendance": "onsite",
        "language": "zh_CN",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def manage_token_from(response) -> str:
    """The signed token of a redirect to the self-service page."""
    match = re.search(r"/r/([^/?]+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def redis_url_for_tests() -> str | None:
    """A reachable Redis for tests (TEST_REDIS_URL, else the local default), or None."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    index = xdist_worker_index()
    if index:
        # Each xdist worker flushes its own database number, counting down from the given one.
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        base = int(parts.path.strip("/") or 0)
        url = parts._replace(path=f"/{(base - index) % 16}").geturl()
    try:
        from redis import Redis

        Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


@pytest.fixture
def redis_app(app):
    """The test app with jobs going to a real Redis (skipped without one, except in CI)."""
    url = redis_url_for_tests()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI but not reachable")
        pytest.skip("no Redis server reachable (set TEST_REDIS_URL)")
    from redis import Redis

    Redis.from_url(url).flushdb()
    app.config["REDIS_URL"] = url
    app.extensions.pop("huiwu_redis", None)
    yield app
    app.config["REDIS_URL"] = ""
    connection = app.extensions.pop("huiwu_redis", None)
    if connection is not None:
        connection.flushdb()
