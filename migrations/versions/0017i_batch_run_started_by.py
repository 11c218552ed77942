"""who or what started each business-date job and print run: the proven person (OS login, or the signed-in
staff member) and the entry point (run, simulate, scheduler, letters print), shown on the calendar and runs screen

Revision ID: 0017i
Revises: 0016d
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0017i'
down_revision = '0016d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batch_runs') as batch:
        batch.add_column(sa.Column('started_by', sa.String(60)))  # NULL: a run recorded before 0017i
        batch.add_column(sa.Column('started_via', sa.String(30)))


def downgrade() -> None:
    with op.batch_alter_table('batch_runs') as batch:
        batch.drop_column('started_via')
        batch.drop_column('started_by')
