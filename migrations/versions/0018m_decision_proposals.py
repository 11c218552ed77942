"""the other decisions' 起案 (執行停止, 不納欠損, 延滞金減免): a clerk's proposal decided by a supervisor who did
not draft it, beside seizure_proposals (whose seizure path stays as it was)

Revision ID: 0018m
Revises: 0017h
Create Date: 2026-12-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0018m'
down_revision = '0017h'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('decision_proposals',
    sa.Column('id', Id, nullable=False),
    sa.Column('household_id', Id, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), server_default='{}', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('decided_by', sa.String(length=60), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_comment', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                            name=op.f('fk_decision_proposals_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_proposals'))
    )
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_proposals_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_proposals_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('decision_proposals')
