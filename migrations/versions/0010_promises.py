"""promises to pay as objects, who was spoken to in a contact, seizure proposals awaiting a decision

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('with_whom', sa.String(length=100), nullable=True))
    op.create_table('promises',
    sa.Column('id', Id, nullable=False),
    sa.Column('household_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('promised_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('made_by', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=8), server_default='open', nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_promises_contact_id_contacts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_promises_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promises'))
    )
    with op.batch_alter_table('promises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promises_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promises_status'), ['status'], unique=False)
    op.create_table('seizure_proposals',
    sa.Column('id', Id, nullable=False),
    sa.Column('household_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', sa.String(length=60), nullable=False),
    sa.Column('property_kind', sa.String(length=20), nullable=False),
    sa.Column('third_party', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('decided_by', sa.String(length=60), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                            name=op.f('fk_seizure_proposals_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seizure_proposals'))
    )
    with op.batch_alter_table('seizure_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizure_proposals_household_id'), ['household_id'], unique=False)


def downgrade() -> None:
    op.drop_table('seizure_proposals')
    op.drop_table('promises')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('with_whom')
