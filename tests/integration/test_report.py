"""The monthly report on a ledger small enough to compute on paper (domain.md §5), its series, breakdowns
and files."""

from __future__ import annotations

from datetime import date

import pytest

from nhi_collect.adapters.report_files import write_all
from nhi_collect.adapters.tables import assessments, write_offs
from nhi_collect.services.rates import collection_rates
from nhi_collect.services.report import monthly
from nhi_collect.services.series import month_ends
from nhi_collect.workflow.definition import load
from tests.support.report import AS_OF, ledger  # noqa: F401 (fixtures)


def test_the_rates_computed_on_paper(ledger):
    with ledger.connect() as conn:
        data = monthly(conn, 2023, AS_OF, load().targets)
    assert data["current_year"] == {"assessed": 23_000, "whereabouts_unknown": 5_000, "collected": 18_000,
                                    "rate": "100.00"}
    assert data["arrears"] == {"carried_over": 9_000, "collected": 2_000, "written_off": 4_000, "rate": "22.22",
                               "prior_year_refunds": 0, "prior_year_refunds_paid": 0}
    assert data["targets"] == {"current_year": "92.13", "arrears": "27.78"}
    points = {p["month_end"]: p for p in data["series"]}
    assert (points["2023-07-31"]["current_year"], points["2023-07-31"]["arrears"]) == ("50.00", "0.00")
    assert (points["2023-08-31"]["arrears"], points["2023-09-30"]["current_year"]) == ("22.22", "55.56")
    assert points["2024-04-30"]["current_year"] == "100.00" and points["2024-05-31"]["current_year"] == "100.00"


def test_every_point_of_the_series_is_the_rate_on_that_day(ledger):
    with ledger.connect() as conn:
        data = monthly(conn, 2023, date(2023, 12, 31))
        for point, end in zip(data["series"], month_ends(2023)):
            r = collection_rates(conn, 2023, end)
            assert (point["current_year"], point["arrears"]) == (r.current_year.rate, r.arrears.rate), end
            last = collection_rates(conn, 2022, date(end.year - 1, end.month, end.day if end.month != 2 else 28))
            assert point["last_year_arrears"] == last.arrears.rate
        assert [p["reached"] for p in data["series"]] == [end <= date(2023, 12, 31) for end in month_ends(2023)]


def test_breakdowns_add_up(ledger):
    with ledger.connect() as conn:
        b = monthly(conn, 2023, AS_OF)["breakdowns"]
        overdue = conn.execute(assessments.select()).all()
        extinguished = set(conn.execute(write_offs.select().with_only_columns(write_offs.c.assessment_id)).scalars())
    # overdue on 2024-05-31: H2 5,000, H3 3,000 (H1 is paid: its refund returned credit); H3's 4,000 written off
    # is extinguished (国保法110条), no longer owed: it shows among the write-offs, not as overdue
    expected = sum(a.amount + a.adjusted - a.paid for a in overdue
                   if a.amount + a.adjusted - a.paid > 0 and a.id not in extinguished)
    for key in ("stage", "district", "arrears_age"):
        assert sum(r["overdue"] for r in b[key]) == expected == 8_000
        assert sum(r["households"] for r in b[key]) == 2
    # H3's oldest open debt is FY2022 (one year): its FY2021 installment is written off
    assert {r["years"]: r["households"] for r in b["arrears_age"]} == {0: 1, 1: 1}
    assert b["write_offs"] == [{"ground": "limitation", "installments": 1, "amount": 4_000}]


def test_the_files(ledger, tmp_path):
    from openpyxl import load_workbook
    with ledger.connect() as conn:
        data = monthly(conn, 2023, AS_OF, load().targets)
    paths = write_all(data, tmp_path / "reports")
    csv_summary = next(p for p in paths if p.name.endswith("-summary.csv"))
    assert csv_summary.read_bytes().startswith(b"\xef\xbb\xbf") and "現年度分" in csv_summary.read_text("utf-8-sig")
    book = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    assert book.sheetnames == ["収納率", "月別推移", "段階別", "地区別", "滞納年数別", "通知書", "差押", "分納", "不納欠損"]
    summary = book["収納率"]
    assert summary["F2"].value == pytest.approx(1.0) and summary["F2"].number_format == "0.00%"
    assert summary["B2"].value == 23_000 and summary["B2"].number_format == '#,##0"円"'
    assert len(book["月別推移"]._charts) == 1
    page = next(p for p in paths if p.suffix == ".html").read_text("utf-8")
    assert '<img alt="収納率の推移" src="data:image/png;base64,' in page and "22.22" in page
