"""dated report inputs: whereabouts-unknown periods (backfilled from the households' flag and change
history), prior-year refunds marked on allocations

Revision ID: 0015c
Revises: 0014e
Create Date: 2026-12-02 13:10:00
"""
from datetime import date

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
    _periods_from_history(op.get_bind())
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_year_refund', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
    _mark_prior_year_refunds(op.get_bind())


def _periods_from_history(bind) -> None:
    """Every period the households' change history shows, not only the open one: a flag set and cleared before
    this migration covers the days between, and no others. A change is dated on the office's Tokyo day of its
    stamp, as the import dates a change; a household flagged at its first record (its first change clears the
    flag, or it is flagged with no change at all) is unknown from before that record (started_on NULL)."""
    # SQLite keeps the stamp as UTC text (YYYY-MM-DD HH:MM:SS...); Tokyo is UTC+9 all year (no summer time)
    day = ("date(changed_at, '+9 hours')" if bind.dialect.name == "sqlite"
           else "CAST(changed_at AT TIME ZONE 'Asia/Tokyo' AS DATE)")
    changes = bind.execute(sa.text(
        f"SELECT household_id, {day}, old_value, new_value FROM household_changes"
        " WHERE field = 'whereabouts_unknown' ORDER BY household_id, changed_at, id")).all()
    flagged = set(bind.execute(sa.text("SELECT id FROM households WHERE whereabouts_unknown")).scalars())
    periods, history = [], {}
    for household_id, on, old, new in changes:
        history.setdefault(household_id, []).append((_day(on), old in _TRUE, new in _TRUE))
    for household_id in sorted(flagged | set(history)):
        events = history.get(household_id, [])
        started, open_ = None, bool(events[0][1]) if events else household_id in flagged
        for on, _old, new in events:
            if new and not open_:
                started, open_ = on, True
            elif not new and open_:
                if started is None or on > started:  # a flag cleared on the day it was set covered no day
                    periods.append({"household_id": household_id, "started_on": started, "ended_on": on})
                open_ = False
        if household_id in flagged:  # the flag as it stands is the truth for the open period
            periods.append({"household_id": household_id, "started_on": started if open_ else None,
                            "ended_on": None})
    if periods:
        table = sa.table("whereabouts_periods", sa.column("household_id"), sa.column("started_on", sa.Date),
                         sa.column("ended_on", sa.Date))
        bind.execute(table.insert(), periods)


_TRUE = ("1", "true", "t", "True")


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _mark_prior_year_refunds(bind) -> None:
    """A reduction's surplus returned to credit after its year's closing day (May 31 of Y+1, 地方自治法235条の5)
    repays first what the installment received in the accounts of the day it is returned (戻出); the rest came
    from accounts already closed (過年度還付, 地方自治法施行令165条の7). Rows stored before this migration were
    never split: each is split here, as the import now does (domain/refunds.py)."""
    rows = bind.execute(sa.text(
        "SELECT id, assessment_id, fiscal_year, received_on, amount, adjustment_id, payment_id FROM allocations"
        " ORDER BY assessment_id, received_on, id")).all()
    money: dict[int, list[tuple[date, int]]] = {}
    for id_, assessment_id, year, received_on, amount, adjustment_id, payment_id in rows:
        on = _day(received_on)
        held = money.setdefault(assessment_id, [])
        if adjustment_id is not None and amount < 0 and on > date(year + 1, 5, 31):
            opened = date(_accounting_year(on, year), 6, 1)
            same_year = min(-amount, max(sum(a for d, a in held if opened <= d <= on), 0))
            prior = -amount - same_year
            if prior:
                bind.execute(sa.text("UPDATE allocations SET amount = :same, prior_year_refund = :flag WHERE id = :id"),
                             {"same": -same_year if same_year else -prior, "flag": not same_year, "id": id_})
                if same_year:
                    bind.execute(sa.text(
                        "INSERT INTO allocations (payment_id, adjustment_id, assessment_id, amount, fiscal_year,"
                        " received_on, prior_year_refund) VALUES (:p, :adj, :a, :amount, :y, :on, :flag)"),
                        {"p": payment_id, "adj": adjustment_id, "a": assessment_id, "amount": -prior, "y": year,
                         "on": on, "flag": True})
            held.append((on, -same_year))  # what a later return can still repay in these accounts
        else:
            held.append((on, amount))


def _accounting_year(on: date, debt_year: int) -> int:
    """The fiscal year whose accounts a day's receipt belongs to: April–May receipts for an earlier year's debt
    fall in the previous year's closing period (地方自治法235条の5, 同法施行令142条)."""
    year = on.year if on.month >= 4 else on.year - 1
    return year - 1 if on.month in (4, 5) and debt_year < year else year


def downgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_column('prior_year_refund')
    op.drop_table('whereabouts_periods')
