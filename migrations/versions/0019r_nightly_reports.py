"""the monthly report as each business date's run computed it (services/business_date.py): the report page reads
it instead of recomputing the whole ledger per request

Revision ID: 0019r
Revises: 0018m
Create Date: 2026-12-03 14:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0019r'
down_revision = '0018m'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('nightly_reports',
    sa.Column('id', Id, nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nightly_reports')),
    sa.UniqueConstraint('fiscal_year', 'as_of', name=op.f('uq_nightly_reports_fiscal_year'))
    )


def downgrade() -> None:
    op.drop_table('nightly_reports')
