"""Imports (contract.md): good files, cp932, every kind of bad input with nothing stored, idempotence."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from nhi_collect.adapters.tables import (allocations, assessments, audit_log, household_changes, households,
                                         payments)
from nhi_collect.errors import ImportRejected
from tests.support.ledger import HOUSEHOLDS, ASSESSMENTS, write, run, count


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def test_households_import_then_reimport_is_a_no_op(engine, tmp_path):
    path = write(tmp_path, "h.csv", HOUSEHOLDS)
    first = run(engine, "households", path)
    assert (first.inserted, first.unchanged) == (2, 0)
    again = run(engine, "households", path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    with engine.connect() as conn:
        h2 = conn.execute(select(households).where(households.c.household_no == "H2")).one()
    assert h2.postal_code == "551-0002" and h2.whereabouts_unknown and h2.language == "en"
    assert h2.head_name == "山﨑　花子"  # the compatibility kanji is kept, not folded to 崎


def test_changed_household_is_updated_with_history(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    moved = HOUSEHOLDS.replace("大阪市大正区泉尾1丁目1-1", "大阪市大正区鶴町3丁目3-3")
    result = run(engine, "households", write(tmp_path, "h2.csv", moved), actor="clerk1")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        change = conn.execute(select(household_changes)).one()
    assert (change.field, change.old_value, change.new_value, change.actor) == (
        "address", "大阪市大正区泉尾1丁目1-1", "大阪市大正区鶴町3丁目3-3", "clerk1")


def test_cp932_file_with_half_width_kana(engine, tmp_path):
    body = HOUSEHOLDS.replace("タカハシ　タロウ", "ﾀｶﾊｼ ﾀﾛｳ")
    path = write(tmp_path, "sjis.csv", body, encoding="cp932")
    run(engine, "households", path, encoding="cp932")
    with engine.connect() as conn:
        h1 = conn.execute(select(households).where(households.c.household_no == "H1")).one()
    assert h1.head_name == "髙橋　太郎"
    assert h1.head_name_kana == "タカハシ タロウ"


def test_utf8_with_bom(engine, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HOUSEHOLDS.encode())
    assert run(engine, "households", str(path)).inserted == 2


def test_cp932_file_read_as_utf8_is_refused_with_a_hint(engine, tmp_path):
    path = write(tmp_path, "sjis.csv", HOUSEHOLDS, encoding="cp932")
    with pytest.raises(ImportRejected) as rejected:
        run(engine, "households", path)
    assert "cp932" in str(rejected.value)
    assert count(engine, households) == 0


def rejected_lines(engine, kind, path):
    """The refusal's errors by line; each line is reported once (a repeated error would be hidden by the dict)."""
    with pytest.raises(ImportRejected) as rejected:
        run(engine, kind, path)
    lines = [e.line for e in rejected.value.errors]
    assert len(lines) == len(set(lines)), rejected.value.errors
    return {e.line: e.error for e in rejected.value.errors}


def test_wrong_header(engine, tmp_path):
    errors = rejected_lines(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace("head_name,", "name,", 1)))
    assert list(errors) == [1] and "missing column(s) head_name" in errors[1]
    assert count(engine, households) == 0


def test_every_bad_payment_row_is_listed_and_nothing_is_stored(ledger, tmp_path):
    body = """payment_id,household_no,fiscal_year,installment,paid_on,amount,channel
P1,H1,2023,1,2023-06-30,10000,bank_transfer
P2,H1,2023,1,2023-02-30,10000,counter
P3,H1,,,2023-07-01,-500,counter
P4,H9,,,2023-07-01,500,counter
P5,H1,,,2023-07-01,500,counter
P5,H1,,,2023-07-02,600,counter
P6,H1,2023,,2023-07-01,500,counter
P7,H1,,,2023-07-01,12.5,counter
P8,H1,,,2023-07-01
"""
    errors = rejected_lines(ledger, "payments", write(tmp_path, "p.csv", body))
    assert "not a real date" in errors[3]
    assert "only allowed on a refund" in errors[4]
    assert "whole number of yen" in errors[9]
    assert "truncated" in errors[10]
    assert "given together" in errors[8]
    assert count(ledger, payments) == 0 and count(ledger, allocations) == 0


def test_set_based_errors_unknown_household_and_duplicates(ledger, tmp_path):
    body = """payment_id,household_no,fiscal_year,installment,paid_on,amount,channel
P4,H9,,,2023-07-01,500,counter
P5,H1,,,2023-07-01,500,counter
P5,H1,,,2023-07-02,600,counter
"""
    errors = rejected_lines(ledger, "payments", write(tmp_path, "p.csv", body))
    assert set(errors) == {3, 4}  # duplicates are reported first, for every line that repeats the key
    body = body.replace("P5,H1,,,2023-07-02", "P6,H1,,,2023-07-02")
    errors = rejected_lines(ledger, "payments", write(tmp_path, "p2.csv", body))
    assert list(errors) == [2] and "unknown household H9" in errors[2]
    assert count(ledger, payments) == 0


def test_truncated_file(ledger, tmp_path):
    body = ASSESSMENTS.replace("H2,2023,1,2023-06-30,5000\n", "H2,2023,1,2023-0")
    errors = rejected_lines(ledger, "assessments", write(tmp_path, "a.csv", body + "\n"))
    assert list(errors) == [5]


def test_empty_file(engine, tmp_path):
    errors = rejected_lines(engine, "households", write(tmp_path, "h.csv", ""))
    assert list(errors) == [1] and "empty" in errors[1]


def test_assessment_changed_amount_is_refused(ledger, tmp_path):
    errors = rejected_lines(ledger, "assessments",
                            write(tmp_path, "a.csv", ASSESSMENTS.replace("H2,2023,1,2023-06-30,5000", "H2,2023,1,2023-06-30,6000")))
    assert list(errors) == [5] and "adjustment" in errors[5]


def test_reimport_of_assessments_and_payments_changes_nothing(ledger, tmp_path):
    assert run(ledger, "assessments", write(tmp_path, "a.csv", ASSESSMENTS)).unchanged == 4
    body = "payment_id,household_no,paid_on,amount,channel\nP1,H1,2023-07-10,15000,counter\n"
    path = write(tmp_path, "p.csv", body)
    assert run(ledger, "payments", path).inserted == 1
    again = run(ledger, "payments", path)
    assert (again.inserted, again.unchanged) == (0, 1)
    assert count(ledger, allocations) == 2
    with ledger.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 5  # every import, even a no-op, is audited


def unpaid(engine, household_no):
    with engine.connect() as conn:
        rows = conn.execute(select(assessments.c.installment, assessments.c.amount + assessments.c.adjusted
                                   - assessments.c.paid).join(households)
                            .where(households.c.household_no == household_no)
                            .order_by(assessments.c.installment)).all()
    return [u for _, u in rows]


def credit(engine, household_no):
    """Credit (過誤納金) from the running totals: money received less money applied to installments."""
    with engine.connect() as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == household_no)).scalar_one()
        received = conn.execute(select(func.coalesce(func.sum(payments.c.amount), 0))
                                .where(payments.c.household_id == hid)).scalar_one()
        applied = conn.execute(select(func.coalesce(func.sum(assessments.c.paid), 0))
                               .where(assessments.c.household_id == hid)).scalar_one()
        return int(received) - int(applied)


def test_undesignated_payment_goes_oldest_first_and_overpayment_is_credit(ledger, tmp_path):
    body = "payment_id,household_no,paid_on,amount,channel\nP1,H1,2023-09-10,25000,counter\nP2,H1,2023-09-11,7000,counter\n"
    run(ledger, "payments", write(tmp_path, "p.csv", body))
    assert unpaid(ledger, "H1") == [0, 0, 0]
    assert credit(ledger, "H1") == 2_000


def test_designated_payment_and_refunds(ledger, tmp_path):
    body = """payment_id,household_no,fiscal_year,installment,paid_on,amount,channel
P1,H1,2023,3,2023-09-10,12000,counter
R1,H1,,,2023-09-20,-1500,refund
R2,H1,2023,3,2023-09-21,-500,refund
"""
    run(ledger, "payments", write(tmp_path, "p.csv", body))
    # R2 names installment 3 and returns its overpayment's last 500 yen of credit; the installment stays paid (it
    # expected [10,000, 10,000, 4,000] with a refund of 4,000 taken back from the paid installment, domain.md §9)
    assert unpaid(ledger, "H1") == [10_000, 10_000, 0]
    assert credit(ledger, "H1") == 0


def test_refund_beyond_credit_is_refused(ledger, tmp_path):
    body = "payment_id,household_no,paid_on,amount,channel\nR1,H1,2023-09-20,-1500,refund\n"
    errors = rejected_lines(ledger, "payments", write(tmp_path, "p.csv", body))
    assert "exceeds the household's credit" in errors[2]
    assert count(ledger, payments) == 0


def test_reduction_below_paid_returns_surplus_to_credit(ledger, tmp_path):
    run(ledger, "payments", write(tmp_path, "p.csv",
                                  "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                                  "P1,H2,2023,1,2023-06-30,5000,bank_transfer\n"))
    run(ledger, "adjustments", write(tmp_path, "j.csv",
                                     "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                                     "J1,H2,2023,1,2023-08-01,-2000,減免\n"))
    assert unpaid(ledger, "H2") == [0]
    assert credit(ledger, "H2") == 2_000


def test_adjustment_below_zero_and_unknown_installment_are_refused(ledger, tmp_path):
    body = """adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason
J1,H2,2023,1,2023-08-01,-6000,減免
J2,H2,2023,5,2023-08-01,-100,減免
"""
    errors = rejected_lines(ledger, "adjustments", write(tmp_path, "j.csv", body))
    assert "no assessment" in errors[3]
    errors = rejected_lines(ledger, "adjustments", write(tmp_path, "j2.csv", body.split("J2")[0]))
    assert "negative" in errors[2]


@pytest.fixture
def pg_ledger(tmp_path):
    from nhi_collect.adapters.db import make_engine, upgrade
    from tests.conftest import database_url
    engine = make_engine(database_url("postgresql", tmp_path))
    upgrade(engine)
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    yield engine
    engine.dispose()


def foreign_keys(engine):
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                                    "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2").all()


@pytest.mark.postgres
def test_bulk_load_checks_foreign_keys_once_and_puts_them_back(pg_ledger, tmp_path, monkeypatch):
    """Above BULK_LOAD_ROWS, PostgreSQL loads without per-row key checks: the ledger comes out as the
    per-row path leaves it, every foreign key is back as it was, and a refused file changes nothing."""
    import nhi_collect.services.imports as imports
    keys = foreign_keys(pg_ledger)
    assert len(keys) > 10
    monkeypatch.setattr(imports, "BULK_LOAD_ROWS", 1)
    statements = []
    event.listen(pg_ledger, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert run(pg_ledger, "assessments", write(tmp_path, "a.csv", ASSESSMENTS)).inserted == 4
    body = ("payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
            "P1,H1,,,2023-09-10,25000,counter\nP2,H1,2023,3,2023-09-11,7000,counter\n"
            "P3,H2,2023,1,2023-07-01,5000,bank_transfer\n")
    assert run(pg_ledger, "payments", write(tmp_path, "p.csv", body)).inserted == 3
    assert unpaid(pg_ledger, "H1") == [0, 0, 0] and credit(pg_ledger, "H1") == 2_000
    assert unpaid(pg_ledger, "H2") == [0] and count(pg_ledger, allocations) == 5
    assert foreign_keys(pg_ledger) == keys
    dropped = [s for s in statements if "DROP CONSTRAINT" in s]
    # assessments' key, then payments' and allocations' four (payment, adjustment, assessment, appropriation):
    # the bulk path ran
    assert len(dropped) == 6
    rejected_lines(pg_ledger, "payments", write(tmp_path, "q.csv", body.replace("P", "Q").replace("H2,", "H9,")))
    assert count(pg_ledger, payments) == 3 and foreign_keys(pg_ledger) == keys


def test_household_show_is_as_of_its_date(ledger, tmp_path):
    """Amounts, payments and credit as they stood on --as-of (files imported in the order they arrive):
    a later reduction, a later payment and the credit it leaves do not show on an earlier date."""
    from datetime import date
    from nhi_collect.services.households import show_household
    header = "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
    run(ledger, "payments", write(tmp_path, "p1.csv", header + "P1,H2,2023,1,2023-07-10,3000,counter\n"))
    run(ledger, "adjustments", write(tmp_path, "j.csv", "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                                                        "J1,H2,2023,1,2023-08-01,-1000,減免\n"))
    run(ledger, "payments", write(tmp_path, "p2.csv", header + "P2,H2,2023,1,2023-09-10,4000,counter\n"))

    def on(day):
        with ledger.connect() as conn:
            shown = show_household(conn, "H2", day)
        first = shown["installments"][0]
        return first["amount"], first["paid"], first["unpaid"], shown["balance"]["credit"]
    assert on(date(2023, 7, 9)) == (5000, 0, 5000, 0)  # the day before the payment
    assert on(date(2023, 7, 10)) == (5000, 3000, 2000, 0)  # money counts from the day it was received
    assert on(date(2023, 7, 31)) == (5000, 3000, 2000, 0)  # the day before the reduction
    assert on(date(2023, 8, 1)) == (4000, 3000, 1000, 0)  # a reduction counts from its own date
    assert on(date(2023, 9, 9)) == (4000, 3000, 1000, 0)
    assert on(date(2023, 9, 10)) == (4000, 4000, 0, 3000)  # 1,000 of P2 applied, 3,000 left as credit
    assert on(date(2024, 3, 31))[3] == credit(ledger, "H2")  # later, as-of agrees with the running totals


def test_names_are_widened_exactly_where_jaconv_would_change_them():
    """The half-width check that skips jaconv for most names misses no character jaconv converts."""
    import jaconv
    from nhi_collect.services.csv_input import name
    changed = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c <= 0xDFFF
               and jaconv.h2z(chr(c), kana=True, ascii=False, digit=False) != chr(c)]
    assert changed
    for value in changed + ["ﾀｶﾊｼ ﾀﾛｳ", "ｶﾞｯｺｳ", "髙橋　太郎", "ABC１２"]:
        assert name(value, "head_name_kana") == jaconv.h2z(value, kana=True, ascii=False, digit=False)
