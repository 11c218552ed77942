"""the legal due date beside the nominal one imported

Revision ID: 0012a
Revises: 0009
Create Date: 2026-12-02 12:45:00
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0012a'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominal_due_date', sa.Date(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE assessments SET nominal_due_date = due_date"))
    # due_date becomes the legal due date (地方自治法4条の2④): an imported one on a closed day moves to the next
    # office day, with the calendar the import uses (the distinct dates are few).
    from nhi_collect.domain.calendar import is_office_day, next_office_day
    for (nominal,) in conn.execute(sa.text("SELECT DISTINCT due_date FROM assessments")).all():
        day = nominal if isinstance(nominal, date) else date.fromisoformat(nominal)
        if not is_office_day(day):
            conn.execute(sa.text("UPDATE assessments SET due_date = :legal WHERE nominal_due_date = :day"),
                         {"legal": next_office_day(day), "day": day})
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.alter_column('nominal_due_date', existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    op.get_bind().execute(sa.text("UPDATE assessments SET due_date = nominal_due_date"))
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('nominal_due_date')
