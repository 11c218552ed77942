"""a seizure proposal may be returned (差戻し) with the supervisor's comment, which the clerk reads in the case file

Revision ID: 0015d
Revises: 0015c
Create Date: 2026-12-02 13:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0015d'
down_revision = '0015c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('seizure_proposals') as batch:
        batch.add_column(sa.Column('decision_comment', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('seizure_proposals') as batch:
        batch.drop_column('decision_comment')
