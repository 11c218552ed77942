"""applications with clocks (申請: reductions, late-fee reductions, plans, refund claims, seizure releases, the yearly
suspension review): received date, owner, due date from the workflow file, outcome

Revision ID: 0017h
Revises: 0017g
Create Date: 2026-12-02 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0017h'
down_revision = '0017g'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'applications',
        sa.Column('id', Id, nullable=False),
        sa.Column('household_id', Id, nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('owner', sa.String(60), nullable=False),
        sa.Column('recorded_by', sa.String(60), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('status', sa.String(12), nullable=False, server_default='open'),
        sa.Column('outcome', sa.String(12), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by', sa.String(60), nullable=True),
        sa.Column('outcome_note', sa.Text(), nullable=True),
        sa.Column('suspension_id', Id, nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_applications_household_id_households')),
        sa.ForeignKeyConstraint(['owner'], ['staff.user_name'], name=op.f('fk_applications_owner_staff')),
        sa.ForeignKeyConstraint(['suspension_id'], ['suspensions.id'], name=op.f('fk_applications_suspension_id_suspensions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
        sa.UniqueConstraint('suspension_id', 'received_on', name=op.f('uq_applications_suspension_id')),
    )
    op.create_index(op.f('ix_applications_household_id'), 'applications', ['household_id'])
    open_only = sa.text("status = 'open'")
    op.create_index('ix_applications_open_owner', 'applications', ['owner', 'due_on'],
                    sqlite_where=open_only, postgresql_where=open_only)
    op.create_index('ix_applications_open_due', 'applications', ['due_on'],
                    sqlite_where=open_only, postgresql_where=open_only)


def downgrade() -> None:
    op.drop_table('applications')
