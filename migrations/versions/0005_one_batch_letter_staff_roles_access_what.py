"""one batch letter per household, type and date; longer staff roles; what each access read

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH_LETTERS = "'demand_notice', 'reminder', 'special_reminder', 'seizure_notice'"


def upgrade() -> None:
    # Existing data could hold such duplicates only from the concurrency defect of issue 15 (the nightly
    # batch claims each job and date once): name them instead of failing on the index's error.
    duplicates = op.get_bind().execute(sa.text(f"""
        SELECT household_id, letter_type, issued_on, COUNT(*) FROM letters
        WHERE letter_type IN ({BATCH_LETTERS}) GROUP BY household_id, letter_type, issued_on HAVING COUNT(*) > 1
        ORDER BY issued_on LIMIT 5""")).all()
    if duplicates:
        raise RuntimeError("letters: a household has two batch letters of one type on one date, which the law "
                           f"allows once (first: {[tuple(map(str, d)) for d in duplicates]}); resolve them "
                           "(cancel the extra letter) before upgrading")
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index('uq_letters_batch_letter_once', ['household_id', 'letter_type', 'issued_on'],
                              unique=True, sqlite_where=sa.text(f"letter_type IN ({BATCH_LETTERS})"),
                              postgresql_where=sa.text(f"letter_type IN ({BATCH_LETTERS})"))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=12), type_=sa.String(length=20),
                              existing_nullable=False)
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('command', sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('command')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=20), type_=sa.String(length=12),
                              existing_nullable=False)
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index('uq_letters_batch_letter_once')
