"""outbox: mails whose bodies are composed at delivery (template, template_params)

outbox_message.template: the mail template whose .txt/.html bodies are rendered when the mail
is sent ("" for mails rendered when queued, i.e. every existing row); template_params: what
the template's context builder needs besides the row ({} for existing rows).

Revision ID: bfe9b45ce7d6
Revises: e70ae1702909
Create Date: 2026-11-27 00:29:45

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bfe9b45ce7d6"
down_revision = "e70ae1702909"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("template", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("template_params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("template_params")
        batch_op.drop_column("template")
