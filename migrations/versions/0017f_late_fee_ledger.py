"""the late-fee ledger (domain.md §9, 延滞金): each installment's booked final late fee (確定延滞金) and what paid,
reduced or wrote it off; allocations name the part of the debt they pay; reductions of late fee are decisions

Revision ID: 0017f
Revises: 0017i
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0017f'
down_revision = '0017i'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fee_booked', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('late_fee_booked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('late_fee_paid', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('late_fee_reduced', sa.BigInteger(), server_default='0', nullable=False))
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part', sa.String(10), server_default='principal', nullable=False))
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fee', sa.BigInteger(), server_default='0', nullable=False))
    with op.batch_alter_table('letter_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fee', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table(
        'late_fee_reductions',
        sa.Column('id', Id, nullable=False),
        sa.Column('assessment_id', Id, nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_by', sa.String(60), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                                name=op.f('fk_late_fee_reductions_assessment_id_assessments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_late_fee_reductions')))
    with op.batch_alter_table('late_fee_reductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_fee_reductions_assessment_id'), ['assessment_id'], unique=False)


def downgrade() -> None:
    op.drop_table('late_fee_reductions')
    with op.batch_alter_table('letter_items', schema=None) as batch_op:
        batch_op.drop_column('late_fee')
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.drop_column('late_fee')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_column('part')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('late_fee_reduced')
        batch_op.drop_column('late_fee_paid')
        batch_op.drop_column('late_fee_booked_on')
        batch_op.drop_column('late_fee_booked')
