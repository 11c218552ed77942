"""dated report inputs: whereabouts-unknown periods (backfilled from the households' flag and change
history), prior-year refunds marked on allocations

Revision ID: 0015c
Revises: 0014e
Create Date: 2026-12-02 13:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0015c'
down_revision = '0014e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'whereabouts_periods',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('household_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_whereabouts_periods_household_id_households')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_whereabouts_periods')))
    with op.batch_alter_table('whereabouts_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whereabouts_periods_household_id'), ['household_id'], unique=False)
    # A flagged household's open period starts on the day of the last change that set the flag (the office's
    # Tokyo day of the clock's stamp, as the import dates a change), or, without one, before its first record.
    set_at = ("(SELECT MAX(c.changed_at) FROM household_changes c WHERE c.household_id = h.id"
              " AND c.field = 'whereabouts_unknown' AND c.new_value IN ('1', 'true', 't'))")
    # SQLite keeps the stamp as UTC text (YYYY-MM-DD HH:MM:SS...); Tokyo is UTC+9 all year (no summer time)
    day = (f"date({set_at}, '+9 hours')" if op.get_bind().dialect.name == "sqlite"
           else f"CAST(({set_at}) AT TIME ZONE 'Asia/Tokyo' AS DATE)")
    op.execute(f"INSERT INTO whereabouts_periods (household_id, started_on) SELECT h.id, {day}"
               " FROM households h WHERE h.whereabouts_unknown")
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_year_refund', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_column('prior_year_refund')
    op.drop_table('whereabouts_periods')
