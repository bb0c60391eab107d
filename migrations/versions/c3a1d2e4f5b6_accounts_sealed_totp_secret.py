"""accounts: room for sealed TOTP secrets (user.totp_secret 64 → 128 characters)

Secrets are now stored sealed with AES-GCM (`v1:` + base64url of nonce and ciphertext, 83
characters); a secret stored in clear before is still read and sealed at its next use.

Revision ID: c3a1d2e4f5b6
Revises: bfe9b45ce7d6
Create Date: 2026-11-27 03:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3a1d2e4f5b6"
down_revision = "bfe9b45ce7d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=128),
            existing_nullable=True,
        )


def downgrade():
    # A sealed secret does not fit the old column: those accounts lose their second factor.
    user = sa.table("user", sa.column("totp_secret", sa.String), sa.column("totp_enabled_at"))
    op.execute(
        user.update()
        .where(sa.func.length(user.c.totp_secret) > 64)
        .values(totp_secret=None, totp_enabled_at=None)
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=128),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
