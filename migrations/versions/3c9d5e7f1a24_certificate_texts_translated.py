"""certificates: the issuer (settings) and an issued certificate's award name become translated
values (a JSON map language → text); the certificate's active key becomes the kind and a
digest of the award's texts in every language

Revision ID: 3c9d5e7f1a24
Revises: c4d2a7e9f315
Create Date: 2026-12-08 00:15:00

"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9d5e7f1a24'
down_revision = 'c4d2a7e9f315'
branch_labels = None
depends_on = None


def _texts(value):
    texts = value if isinstance(value, dict) else json.loads(value or "{}")
    return {k: v for k, v in texts.items() if v}


def _new_key(kind, award):
    # The same as app.certificates.services.active_key (frozen here: a migration does not
    # change when the app does).
    texts = {k: v.casefold() for k, v in sorted(award.items())}
    digest = hashlib.sha256(
        json.dumps(texts, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"{kind.lower()}|{digest}"


def _two(texts, length=200):
    """(Chinese, English) of a translated text for the old columns; a missing one takes the
    other, or any language there is (a Russian-only text is kept rather than dropped)."""
    anything = next(iter(texts.values()), "")
    zh = texts.get("zh") or texts.get("en") or anything
    en = texts.get("en") or texts.get("zh") or anything
    return zh[:length], en[:length]


def _tables():
    settings = sa.table(
        'certificate_settings', sa.column('event_id', sa.Integer),
        sa.column('issuer_zh', sa.String), sa.column('issuer_en', sa.String),
        sa.column('issuer', sa.JSON),
    )
    certificate = sa.table(
        'certificate', sa.column('id', sa.Integer), sa.column('kind', sa.String),
        sa.column('award_name_zh', sa.String), sa.column('award_name_en', sa.String),
        sa.column('award_name', sa.JSON), sa.column('active_key', sa.String),
    )
    return settings, certificate


def upgrade():
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer', sa.JSON(), nullable=True))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('award_name', sa.JSON(), nullable=True))
    conn = op.get_bind()
    settings, certificate = _tables()
    for row in conn.execute(
        sa.select(settings.c.event_id, settings.c.issuer_zh, settings.c.issuer_en)
    ).all():
        issuer = {k: v.strip() for k, v in (("zh", row.issuer_zh), ("en", row.issuer_en))
                  if v and v.strip()}
        conn.execute(settings.update().where(settings.c.event_id == row.event_id)
                     .values(issuer=issuer))
    for row in conn.execute(sa.select(
        certificate.c.id, certificate.c.kind, certificate.c.award_name_zh,
        certificate.c.award_name_en, certificate.c.active_key,
    )).all():
        award = {k: v.strip() for k, v in (("zh", row.award_name_zh), ("en", row.award_name_en))
                 if v and v.strip()}
        key = _new_key(row.kind, award) if row.active_key is not None else None
        conn.execute(certificate.update().where(certificate.c.id == row.id)
                     .values(award_name=award, active_key=key))
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.alter_column('issuer', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('issuer_zh')
        batch_op.drop_column('issuer_en')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('award_name', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('award_name_zh')
        batch_op.drop_column('award_name_en')


def downgrade():
    # Texts go back to their Chinese and English columns (see _two); the active key to the
    # old "kind|chinese|english" form, casefolded.
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('issuer_en', sa.String(length=200), nullable=True))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('award_name_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('award_name_en', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    settings, certificate = _tables()
    for row in conn.execute(sa.select(settings.c.event_id, settings.c.issuer)).all():
        texts = _texts(row.issuer)
        # The old form let either issuer be empty; an issuer in neither language is kept in
        # the Chinese column rather than lost.
        zh = texts.get("zh") or ("" if texts.get("en") else next(iter(texts.values()), ""))
        conn.execute(settings.update().where(settings.c.event_id == row.event_id)
                     .values(issuer_zh=zh[:200], issuer_en=texts.get("en", "")[:200]))
    for row in conn.execute(sa.select(
        certificate.c.id, certificate.c.kind, certificate.c.award_name, certificate.c.active_key,
    )).all():
        zh, en = _two(_texts(row.award_name))
        key = (f"{row.kind.lower()}|{zh.casefold()}|{en.casefold()}"
               if row.active_key is not None else None)
        conn.execute(certificate.update().where(certificate.c.id == row.id)
                     .values(award_name_zh=zh, award_name_en=en, active_key=key))
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.alter_column('issuer_zh', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('issuer_en', existing_type=sa.String(length=200), nullable=False)
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('award_name_zh', existing_type=sa.String(length=200),
                              nullable=False)
        batch_op.alter_column('award_name_en', existing_type=sa.String(length=200),
                              nullable=False)
        batch_op.drop_column('award_name')
