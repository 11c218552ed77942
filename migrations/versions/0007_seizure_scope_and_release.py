"""a seizure's installments, its letters and why it was released

Revision ID: 0007
Revises: 0011
Create Date: 2026-12-03 10:00:00
"""
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0011'
branch_labels = None
depends_on = None

SEIZURE_WAIT_DAYS = 10  # 国税徴収法47条1項 (domain/calendar.py), frozen here as the migration ran


def upgrade() -> None:
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_reason', sa.String(length=20), nullable=True))
    op.create_table(
        'seizure_items',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('seizure_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('assessment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                                name=op.f('fk_seizure_items_assessment_id_assessments')),
        sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], name=op.f('fk_seizure_items_seizure_id_seizures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_seizure_items')),
        sa.UniqueConstraint('seizure_id', 'assessment_id', name=op.f('uq_seizure_items_seizure_id')))
    op.create_index(op.f('ix_seizure_items_seizure_id'), 'seizure_items', ['seizure_id'])
    op.create_index(op.f('ix_seizure_items_assessment_id'), 'seizure_items', ['assessment_id'])
    op.create_table(
        'seizure_letters',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('seizure_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('letter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_seizure_letters_letter_id_letters')),
        sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], name=op.f('fk_seizure_letters_seizure_id_seizures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_seizure_letters')),
        sa.UniqueConstraint('letter_id', name=op.f('uq_seizure_letters_letter_id')))
    op.create_index(op.f('ix_seizure_letters_seizure_id'), 'seizure_letters', ['seizure_id'])
    conn = op.get_bind()
    # Seizures recorded before: the installments they were for are the ones ripe on their day, as the code
    # of the time inferred them; a release then came only from a collection or from a suspension.
    rows = conn.execute(sa.text("""
        SELECT s.id, a.id, s.executed_on, d.issued_on, d.deadline FROM seizures s
        JOIN assessments a ON a.household_id = s.household_id
        JOIN demand_notices d ON d.assessment_id = a.id
        WHERE s.executed_on IS NOT NULL""")).all()
    items = [{"s": s, "a": a} for s, a, executed, issued, deadline in rows
             if _day(issued) + timedelta(days=SEIZURE_WAIT_DAYS + 1) <= _day(executed) and _day(deadline) < _day(executed)]
    if items:
        conn.execute(sa.text("INSERT INTO seizure_items (seizure_id, assessment_id) VALUES (:s, :a)"), items)
    conn.execute(sa.text("UPDATE seizures SET release_reason = CASE WHEN collected > 0 THEN 'collected' "
                         "ELSE 'suspended' END WHERE released_on IS NOT NULL"))


def _day(value):
    """SQLite hands dates back as text through a raw query."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_index(op.f('ix_seizure_letters_seizure_id'), table_name='seizure_letters')
    op.drop_table('seizure_letters')
    op.drop_index(op.f('ix_seizure_items_assessment_id'), table_name='seizure_items')
    op.drop_index(op.f('ix_seizure_items_seizure_id'), table_name='seizure_items')
    op.drop_table('seizure_items')
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.drop_column('release_reason')
