"""search keys on households (name, reading, phone, address folded), their indexes, backfilled; the
audit log indexed by entity for the case file's timeline

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

from nhi_collect.adapters.tables import search_key

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

KEYS = (('name_key', 200), ('kana_key', 200), ('phone_key', 20), ('address_key', 200))


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        for name, length in KEYS:
            batch_op.add_column(sa.Column(name, search_key(length), nullable=True))
    # Backfilled before the indexes are built (one sort each rather than 450,000 insertions), CHUNK rows at
    # a time with the import's own code (the fold is Python: NFKC and the variant table).
    from nhi_collect.services.search import refresh_search_keys
    refresh_search_keys(op.get_bind(), sa.true())
    with op.batch_alter_table('households', schema=None) as batch_op:
        for name, _ in KEYS:
            batch_op.create_index(batch_op.f(f'ix_households_{name}'), [name], unique=False)
        batch_op.create_index('ix_households_district_kana_key', ['district', 'kana_key'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_entity_entity_key', ['entity', 'entity_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_entity_entity_key')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_district_kana_key')
        for name, _ in reversed(KEYS):
            batch_op.drop_index(batch_op.f(f'ix_households_{name}'))
            batch_op.drop_column(name)
