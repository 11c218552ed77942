"""credit appropriated and refunds noticed (充当・還付, 地方税法17条・17条の2 as 地方自治法231条の3④ applies them):
appropriations (one per household and date, its allocations naming it, its 充当通知書) and refund_notices
(還付通知書, once per credit arising)

Revision ID: 0017g
Revises: 0017f
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0017g'
down_revision = '0017f'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'appropriations',
        sa.Column('id', Id, nullable=False),
        sa.Column('household_id', Id, nullable=False),
        sa.Column('appropriated_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('letter_id', Id, nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_appropriations_household_id_households')),
        sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_appropriations_letter_id_letters')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appropriations')),
        sa.UniqueConstraint('household_id', 'appropriated_on', name=op.f('uq_appropriations_household_id')),
        sa.UniqueConstraint('letter_id', name=op.f('uq_appropriations_letter_id')),
    )
    op.create_table(
        'refund_notices',
        sa.Column('id', Id, nullable=False),
        sa.Column('household_id', Id, nullable=False),
        sa.Column('noticed_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('refundable', sa.BigInteger(), nullable=False),
        sa.Column('payments_through', sa.BigInteger(), nullable=False),
        sa.Column('letter_id', Id, nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_refund_notices_household_id_households')),
        sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_refund_notices_letter_id_letters')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_notices')),
        sa.UniqueConstraint('household_id', 'noticed_on', name=op.f('uq_refund_notices_household_id')),
        sa.UniqueConstraint('letter_id', name=op.f('uq_refund_notices_letter_id')),
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appropriation_id', Id, nullable=True))
        batch_op.create_index(batch_op.f('ix_allocations_appropriation_id'), ['appropriation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_allocations_appropriation_id_appropriations'), 'appropriations',
                                    ['appropriation_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_allocations_appropriation_id_appropriations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_allocations_appropriation_id'))
        batch_op.drop_column('appropriation_id')
    op.drop_table('refund_notices')
    op.drop_table('appropriations')
