"""privacy: consent versions, deletion requests, anonymization; audit log

- consent_version: every version of an event's privacy notice (zh/en/ru), never edited; the
  event's privacy_text_* columns hold the current text and gain a Russian one.
- Existing data: every event with a privacy notice gets version 1 holding its current text, so
  new registrations record it. Existing registrations keep their consent_at and get NO version
  (consent_version_id NULL): the text may have been edited since they registered, and pointing
  them at today's text would claim evidence of consent to a text they may never have seen.
- registration.anonymized_at; question.sensitive (ID-like answers kept out of exports);
  deletion_request (a participant's request, decided by an organizer); audit_entry.

Revision ID: 38d082561e94
Revises: 1d8dbca5ac68
Create Date: 2026-11-26 22:50:01.826667

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "38d082561e94"
down_revision = "1d8dbca5ac68"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user.id"],
            name=op.f("fk_audit_entry_actor_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_audit_entry_event_id_event"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_action_created", ["action", "created_at"], unique=False)
        batch_op.create_index("ix_audit_entry_event_created", ["event_id", "created_at"], unique=False)

    consent_version = op.create_table(
        "consent_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_consent_version_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_consent_version_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_version")),
        sa.UniqueConstraint("event_id", "number", name=op.f("uq_consent_version_event_id_number")),
    )
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("OPEN", "DONE", "DECLINED", name="deletionstate", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["user.id"],
            name=op.f("fk_deletion_request_decided_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_deletion_request_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_deletion_request_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_request")),
    )
    with op.batch_alter_table("deletion_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deletion_request_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deletion_request_registration_id"), ["registration_id"], unique=False
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_text_ru", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("privacy_text_ru", server_default=None)

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.alter_column("sensitive", server_default=None)

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("anonymized_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_registration_consent_version_id_consent_version"),
            "consent_version",
            ["consent_version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Version 1 of every existing notice (registrations stay without a version: see above).
    connection = op.get_bind()
    event = sa.table(
        "event",
        sa.column("id", sa.Integer),
        sa.column("privacy_text_zh", sa.Text),
        sa.column("privacy_text_en", sa.Text),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = connection.execute(
        sa.select(event.c.id, event.c.privacy_text_zh, event.c.privacy_text_en)
    ).all()
    versions = [
        {
            "event_id": event_id,
            "number": 1,
            "text_zh": text_zh or "",
            "text_en": text_en or "",
            "text_ru": "",
            "created_at": now,
            "created_by_user_id": None,
        }
        for event_id, text_zh, text_en in rows
        if (text_zh or "").strip() or (text_en or "").strip()
    ]
    if versions:
        op.bulk_insert(consent_version, versions)


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_registration_consent_version_id_consent_version"), type_="foreignkey"
        )
        batch_op.drop_column("anonymized_at")
        batch_op.drop_column("consent_version_id")

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("sensitive")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("privacy_text_ru")

    with op.batch_alter_table("deletion_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deletion_request_registration_id"))
        batch_op.drop_index(batch_op.f("ix_deletion_request_event_id"))

    op.drop_table("deletion_request")
    op.drop_table("consent_version")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_event_created")
        batch_op.drop_index("ix_audit_entry_action_created")

    op.drop_table("audit_entry")
