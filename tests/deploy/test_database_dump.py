"""The whole-database backup the production guide documents: `pg_dump -Fc` of a migrated
database with the demo in it, `pg_restore` into a new database, and the app on the restored
copy serves the same people with the same links and ticket codes (PostgreSQL only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.demo import DEMO_SLUG, load_demo
from app.events.models import Event
from app.extensions import db
from app.registration.models import Registration, RegistrationState
from app.registration.services import manage_token
from app.registration.tickets import TicketStatus, check_ticket, ticket_code
from tests.conftest import scratch_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture
def postgres_tools(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump/pg_restore back up PostgreSQL (the suite runs on SQLite)")
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    if not all(tools.values()):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    return tools


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def app_on(config_class, url: str, instance: Path, monkeypatch):
    class DumpConfig(config_class):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_DIR = instance
        OUTBOX_DIR = instance / "outbox"

    # env.py calls logging.config.fileConfig, which would silence every logger of the suite.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    return create_app(DumpConfig)


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_pg_dump_and_pg_restore_give_back_a_working_database(
    config_class, database_url, postgres_tools, tmp_path, monkeypatch
):
    dump = tmp_path / "huiwu.dump"
    with (
        scratch_database(database_url, "huiwu_dump_source", tmp_path) as source_url,
        scratch_database(database_url, "huiwu_dump_target", tmp_path) as target_url,
    ):
        source = app_on(config_class, source_url, tmp_path / "source", monkeypatch)
        with source.app_context():
            flask_migrate.upgrade(directory=str(MIGRATIONS))
            load_demo()
            guest = db.session.scalars(
                select(Registration)
                .join(Event)
                .where(Event.slug == DEMO_SLUG, Registration.state == RegistrationState.CONFIRMED)
                .order_by(Registration.id)
                .limit(1)
            ).one()
            guest_id, name, code = guest.id, guest.native_name, ticket_code(guest)
            token = manage_token(guest)
            counts = table_counts()
            version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
            db.session.remove()
            db.engine.dispose()

        # The commands of the production guide (deploy/README.md), as an operator runs them.
        subprocess.run(
            [postgres_tools["pg_dump"], "-Fc", "-f", str(dump), libpq_url(source_url)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [postgres_tools["pg_restore"], "--no-owner", "-d", libpq_url(target_url), str(dump)],
            check=True,
            capture_output=True,
        )

        target = app_on(config_class, target_url, tmp_path / "target", monkeypatch)
        with target.app_context():
            try:
                assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == version
                assert table_counts() == counts
                restored = db.session.get(Registration, guest_id)
                assert check_ticket(restored.event, code).status == TicketStatus.VALID
                page = target.test_client().get(f"/r/{token}?lang=en")
                assert page.status_code == 200 and name in page.text
                # New rows get new ids: the sequences came back with the data.
                assert db.session.execute(
                    text("SELECT nextval(pg_get_serial_sequence('registration', 'id'))")
                ).scalar() > max(counts["registration"], guest_id)
            finally:
                db.session.remove()
                db.engine.dispose()
