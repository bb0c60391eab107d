"""What the benchmark scripts share: a scratch PostgreSQL database and an app bound to it."""

from __future__ import annotations

from pathlib import Path

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def drop_database(name: str) -> None:
    """Drop a benchmark database, closing its connections."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_app(database_url: str, instance_dir: Path):
    """The app configured for one benchmark's database, with mail in a scratch folder."""
    from app import create_app
    from config import Config

    class SetupConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_DIR = instance_dir
        OUTBOX_DIR = instance_dir / "outbox"
        REDIS_URL = ""

    return create_app(SetupConfig)
