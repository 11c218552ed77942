"""the supervisor's monthly sign-off of the access-log review (seed 窓3): one row a month, with the counts seen

Revision ID: 0016d
Revises: 0015d
Create Date: 2026-12-02 13:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0016d'
down_revision = '0015d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_reviews',
        sa.Column('month', sa.String(7), nullable=False),  # YYYY-MM, a Tokyo month
        sa.Column('signed_by', sa.String(60), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('outside_own', sa.Integer(), nullable=False),
        sa.Column('after_hours', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['signed_by'], ['staff.user_name'], name=op.f('fk_access_reviews_signed_by_staff')),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_access_reviews')),
    )


def downgrade() -> None:
    op.drop_table('access_reviews')
