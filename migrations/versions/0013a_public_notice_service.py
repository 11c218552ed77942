"""demand notices served by public notice (公示送達) and their service date

Revision ID: 0013a
Revises: 0012a
Create Date: 2026-12-02 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013a'
down_revision = '0012a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('demand_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_notice', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('served_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('demand_notices', schema=None) as batch_op:
        batch_op.drop_column('served_on')
        batch_op.drop_column('public_notice')
