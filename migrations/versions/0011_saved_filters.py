"""saved filters of the work queue per person; indexes of a person's open items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_table('saved_filters',
    sa.Column('id', Id, nullable=False),
    sa.Column('user_name', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_name'], ['staff.user_name'], name=op.f('fk_saved_filters_user_name_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
    sa.UniqueConstraint('user_name', 'name', name=op.f('uq_saved_filters_user_name'))
    )
    # my work: a person's open items (assigned or held), not a scan of the queue's closed history
    with op.batch_alter_table('queue_items', schema=None) as batch_op:
        batch_op.create_index('ix_queue_items_open_assigned', ['assigned_to'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_queue_items_open_claimed', ['claimed_by'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table('queue_items', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_items_open_claimed')
        batch_op.drop_index('ix_queue_items_open_assigned')
    op.drop_table('saved_filters')
