"""The synthetic ward: deterministic, realistic, and its SQL rates agree with the pure arithmetic."""

from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.domain.allocation import PRINCIPAL
from nhi_collect.adapters.tables import (adjustments, allocations, appropriations, assessments, households, payments)
from nhi_collect.domain.calendar import due_date
from nhi_collect.domain.collection_rate import (AdjustmentRow, AssessmentRow, ReceiptRow, arrears_rate,
                                                current_year_rate)
from nhi_collect.services.credit import appropriate_credit
from nhi_collect.services.imports import import_file
from nhi_collect.services.rates import collection_rates
from nhi_collect.tools.synthetic import TOWNS, generate_ward
from nhi_collect.workflow.definition import load as load_workflow

WORKFLOW = load_workflow()
KINDS = ("households", "assessments", "adjustments", "payments")


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    generate_ward(200, range(2022, 2024), 5, tmp_path / "a")
    generate_ward(200, range(2022, 2024), 5, tmp_path / "b")
    generate_ward(200, range(2022, 2024), 6, tmp_path / "c")
    for kind in KINDS:
        a = (tmp_path / "a" / f"{kind}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{kind}.csv").read_bytes()
    assert (tmp_path / "a" / "households.csv").read_bytes() != (tmp_path / "c" / "households.csv").read_bytes()


def test_ward_looks_like_taisho(tmp_path):
    generate_ward(300, range(2023, 2024), 1, tmp_path)
    with open(tmp_path / "households.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    towns = {t for t, _, _ in TOWNS}
    assert all(r["district"] in towns and r["address"].startswith("大阪市大正区" + r["district"]) for r in rows)
    assert any(r["whereabouts_unknown"] == "1" for r in rows) or len(rows) < 500
    with open(tmp_path / "assessments.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            assert date.fromisoformat(r["due_date"]) == due_date(int(r["fiscal_year"]), int(r["installment"]))


def test_sql_rates_match_the_pure_definition(engine, tmp_path):
    generate_ward(400, range(2021, 2024), 11, tmp_path)
    for kind in KINDS:
        with transaction(engine) as conn:
            import_file(conn, kind, str(tmp_path / f"{kind}.csv"))
    # a second payment of FY2021 installment 1 by a household in ten: credit where it was paid already, then
    # appropriated on a day of each year's accounts (services/credit.py), counted from its own day
    with open(tmp_path / "households.csv", encoding="utf-8") as fh:
        numbers = [r["household_no"] for r in csv.DictReader(fh)][::10]
    (tmp_path / "again.csv").write_text("payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n" + "".join(
        f"X{n},{n},2021,1,2022-08-01,30000,counter\n" for n in numbers), encoding="utf-8")
    with transaction(engine) as conn:
        import_file(conn, "payments", str(tmp_path / "again.csv"))
    for on in (date(2022, 9, 1), date(2023, 10, 2), date(2024, 5, 1)):
        with transaction(engine) as conn:
            appropriate_credit(conn, WORKFLOW, on, None)
    with engine.connect() as conn:
        assert conn.execute(select(appropriations.c.id)).first() is not None  # the ledger has some to count
        hno = dict(conn.execute(select(households.c.id, households.c.household_no)).all())
        unknown = {hno[i] for i in conn.execute(select(households.c.id).where(households.c.whereabouts_unknown))
                   .scalars()}
        rows = conn.execute(select(assessments)).all()
        key = {r.id: (hno[r.household_id], r.fiscal_year, r.installment) for r in rows}
        a_rows = [AssessmentRow(*key[r.id], r.amount) for r in rows]
        j_rows = [AdjustmentRow(*key[j.assessment_id], j.adjusted_on, j.delta)
                  for j in conn.execute(select(adjustments)).all()]
        r_rows = [ReceiptRow(*key[x.assessment_id], x.paid_on or x.adjusted_on or x.appropriated_on, x.amount)
                  for x in conn.execute(
            select(allocations.c.assessment_id, allocations.c.amount, payments.c.paid_on, adjustments.c.adjusted_on,
                   appropriations.c.appropriated_on)
            .outerjoin(payments, payments.c.id == allocations.c.payment_id)
            .outerjoin(adjustments, adjustments.c.id == allocations.c.adjustment_id)
            .outerjoin(appropriations, appropriations.c.id == allocations.c.appropriation_id)
            .where(allocations.c.part == PRINCIPAL)).all()]  # the rates count premium only, not late fee (issue 14)
        for n, as_of in ((2023, date(2024, 5, 31)), (2023, date(2023, 10, 31)), (2022, date(2023, 5, 31))):
            sql = collection_rates(conn, n, as_of)
            assert sql.current_year == current_year_rate(n, as_of, a_rows, j_rows, r_rows, unknown)
            assert sql.arrears == arrears_rate(n, as_of, a_rows, j_rows, r_rows, [])
            assert sql.current_year.rate is not None
