"""The command line as other systems use it: JSON shapes, exit statuses, messages without tracebacks."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.support.cli import cli


@pytest.mark.parametrize("args, expected", [
    (["--amount", "100000", "--due", "2021-04-30", "--paid", "2021-10-31", "--band-months", "3"], 2_800),
    (["--amount", "65000", "--due", "2021-05-31", "--paid", "2022-01-31"], 3_400),
    (["--amount", "64300", "--due", "2022-08-01", "--paid", "2022-11-01"], 1_000),
])
def test_late_fee_published_examples(args, expected):
    done = cli("late-fee", *args, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["late_fee"] == expected
    assert sum(s["amount"] for s in data["segments"]) >= expected
    assert set(data["segments"][0]) == {"from", "to", "days", "rate", "amount"}


def test_late_fee_text_and_refusal():
    assert "3,400" in cli("late-fee", "--amount", "65000", "--due", "2021-05-31", "--paid", "2022-01-31").stdout
    bad = cli("late-fee", "--amount", "65000", "--due", "2021-05-31", "--paid", "2021-01-31", "--json")
    assert bad.returncode == 2 and "before" in bad.stderr and "Traceback" not in bad.stderr


def test_late_fee_with_a_partial_payment():
    """300,000 yen due 2023-05-31 (1-month band 6/1–6/30; 2023: 2.4 % / 8.7 %), 100,000 paid on 6/15, the rest
    on 9/30. By hand (地方税法20条の4の2②: the base falls the day after the payment):
      6/1–6/15   300,000 × 2.4 % × 15/365 = 295.89 →   295
      6/16–6/30  200,000 × 2.4 % × 15/365 = 197.26 →   197
      7/1–9/30   200,000 × 8.7 % × 92/365 = 4,385.75 → 4,385   total 4,877 → 4,800
    (without the partial payment it would be 591 + 6,578 = 7,169 → 7,100)."""
    done = cli("late-fee", "--amount", "300000", "--due", "2023-05-31", "--paid", "2023-09-30",
               "--payment", "2023-06-15:100000", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["late_fee"] == 4_800
    assert [(s["from"], s["days"], s["amount"]) for s in data["segments"]] == [
        ("2023-06-01", 15, 295), ("2023-06-16", 15, 197), ("2023-07-01", 92, 4_385)]
    for bad in ("2023-10-01:1000", "2023-06-15", "2023-06-15:-5", "2023-06-15:300000"):
        refused = cli("late-fee", "--amount", "300000", "--due", "2023-05-31", "--paid", "2023-09-30",
                      "--payment", bad)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, (bad, refused.stderr)
        assert "--payment" in refused.stderr or "partial payments" in refused.stderr, (bad, refused.stderr)


@pytest.mark.parametrize("paid_part_on", ["2021-05-31", "2021-05-20"])
def test_late_fee_a_partial_payment_on_or_before_the_due_date_was_never_late(paid_part_on):
    """豊橋市's case (65,000 due 2021-05-31, the rest paid 2022-01-31) with 20,000 paid on the due date (or before
    it): that part was paid in time, so from the first late day 6/1 the base is 45,000 (地方税法20条の4の2②):
      6/1–6/30    45,000 × 2.5 % × 30/365  =   92.47 →    92
      7/1–12/31   45,000 × 8.8 % × 184/365 = 1,996.27 → 1,996
      2022 1/1–1/31 45,000 × 8.7 % × 31/365 =  332.50 →   332   total 2,420 → 2,400 (without it: 3,400)."""
    done = cli("late-fee", "--amount", "65000", "--due", "2021-05-31", "--paid", "2022-01-31",
               "--payment", f"{paid_part_on}:20000", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["late_fee"] == 2_400
    assert [(s["from"], s["days"], s["amount"]) for s in data["segments"]] == [
        ("2021-06-01", 30, 92), ("2021-07-01", 184, 1_996), ("2022-01-01", 31, 332)]


@pytest.mark.parametrize("paid_part_on, refused", [("2022-01-30", False), ("2022-01-31", True), ("2022-02-01", True)])
def test_late_fee_a_partial_payment_must_come_before_the_paid_in_full_date(paid_part_on, refused):
    """--paid is the day the rest is paid: a partial payment that day or after it is no partial payment before
    it (exit 2, naming --payment). The day before is one: the base falls for the last day only, 2022-01-31:
    45,000 × 8.7 % × 1/365 = 10.72 → 10; 133 + 2,883 + 65,000 × 8.7 % × 30/365 (464.79 → 464) + 10 = 3,490 → 3,400."""
    done = cli("late-fee", "--amount", "65000", "--due", "2021-05-31", "--paid", "2022-01-31",
               "--payment", f"{paid_part_on}:20000", "--json")
    if refused:
        assert done.returncode == 2 and "--payment" in done.stderr and "Traceback" not in done.stderr
        return
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(s["from"], s["to"], s["amount"]) for s in data["segments"]][-2:] == [
        ("2022-01-01", "2022-01-30", 464), ("2022-01-31", "2022-01-31", 10)]
    assert data["late_fee"] == 3_400


def test_seizable_published_example():
    done = cli("seizable", "--wage", "300000", "--income-tax", "8000", "--resident-tax", "12000",
               "--social-insurance", "30000", "--relatives", "3", "--json")
    assert json.loads(done.stdout) == {"wage": 300_000, "protected": 288_000, "seizable": 12_000}


def test_import_rejection_exits_2_lists_lines_and_stores_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    bad = tmp_path / "h.csv"
    bad.write_text("household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district\n"
                   "H1,A,ア,1970-13-01,551-0031,大正区,泉尾\nH2,B,イ,1970-01-01,55,大正区,泉尾\n", encoding="utf-8")
    done = cli("import", "households", str(bad), "--json", db=db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "h.csv" in done.stderr and "line 2" in done.stderr
    report = json.loads(done.stdout)
    assert report["inserted"] == 0 and [r["line"] for r in report["rejected"]] == [2, 3]
    good = tmp_path / "g.csv"
    good.write_text("household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district\n"
                    "H1,A,ア,1970-12-01,551-0031,大正区,泉尾\n", encoding="utf-8")
    assert json.loads(cli("import", "households", str(good), "--json", db=db).stdout)["inserted"] == 1


def test_missing_file_and_unknown_household_exit_2(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert cli("import", "payments", str(tmp_path / "nope.csv"), db=db).returncode == 2
    shown = cli("household", "show", "H404", "--json", db=db)
    assert shown.returncode == 2 and "unknown household H404" in shown.stderr


def test_generate_import_and_household_show(tmp_path):
    db = f"sqlite:///{tmp_path / 'w.db'}"
    ward = tmp_path / "ward"
    assert cli("generate", "--households", "30", "--fiscal-years", "2022-2023", "--seed", "3", "--out",
               str(ward)).returncode == 0
    for kind in ("households", "assessments", "adjustments", "payments"):
        done = cli("import", kind, str(ward / f"{kind}.csv"), "--json", db=db)
        assert done.returncode == 0, done.stderr
    first = ward.joinpath("households.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    data = json.loads(cli("household", "show", first, "--as-of", "2024-05-31", "--json", db=db).stdout)
    assert set(data) >= {"household_no", "head_name", "head_name_kana", "address", "whereabouts_unknown", "stage",
                         "balance", "installments", "letters", "history"}
    assert data["stage"] == "clear" and set(data["balance"]) == {"current_year", "arrears", "credit"}
    assert len(data["installments"]) == 20
    for i in data["installments"]:
        assert i["paid"] + i["unpaid"] == i["amount"] or i["unpaid"] == 0
        assert set(i) == {"fiscal_year", "installment", "due_date", "legal_due_date", "amount", "paid", "unpaid",
                          "demand_issued_on", "limitation_date", "limitation_events", "late_fee", "written_off_on",
                          "write_off_ground"}  # late_fee {accrued, booked, paid}: contract.md's additions
        assert set(i["late_fee"]) == {"accrued", "booked", "paid"}
        assert i["legal_due_date"] >= i["due_date"]  # the generator's due dates are office days already
        assert i["written_off_on"] is None and i["write_off_ground"] is None  # nothing written off


def test_run_json_dry_run_and_letters(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    ward = tmp_path / "ward"
    cli("generate", "--households", "60", "--fiscal-years", "2023-2023", "--seed", "4", "--out", str(ward))
    for kind in ("households", "assessments"):
        assert cli("import", kind, str(ward / f"{kind}.csv"), db=db).returncode == 0
    out = tmp_path / "out"
    dry = json.loads(cli("--out", str(out), "run", "--date", "2023-08-21", "--dry-run", "--json", db=db).stdout)
    assert dry["dry_run"] and any(j["letters"] for j in dry["jobs"])
    assert json.loads(cli("letters", "list", "--date", "2023-08-21", "--json", db=db).stdout) == []
    done = json.loads(cli("--out", str(out), "run", "--date", "2023-08-21", "--json", db=db).stdout)
    assert done["date"] == "2023-08-21"
    assert {"name", "status", "transitions", "letters"} <= set(done["jobs"][0])
    demand = next(j for j in done["jobs"] if j["name"] == "demand_notices")
    assert demand["transitions"]["clear->demanded"] > 0
    listed = json.loads(cli("letters", "list", "--date", "2023-08-21", "--json", db=db).stdout)
    # the date's letters: the mailed demand notices and the public notices (公示送達) of whereabouts-unknown households
    posted = next(j for j in done["jobs"] if j["name"] == "public_notices")
    dry_demand = next(j for j in dry["jobs"] if j["name"] == "demand_notices")  # by name: the jobs run in order
    assert len([x for x in listed if x["type"] == "demand_notice"]) == demand["letters"] == dry_demand["letters"]
    credit = next(j for j in done["jobs"] if j["name"] == "appropriation")  # 充当・還付 notices come first
    assert len(listed) == demand["letters"] + posted["letters"] + credit["letters"]
    assert (out / "letters" / "2023-08-21" / "demand_notice.pdf").exists()
    folder = out / "letters" / "2023-08-21"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = json.loads(cli("--out", str(out), "run", "--date", "2023-08-21", "--json", db=db).stdout)
    assert all(j["status"] == "skipped" for j in again["jobs"])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files  # a finished date's files left alone
    (folder / "demand_notice.pdf").write_bytes(b"damaged")
    # a damaged file is seen by `letters status` and mended by `letters print` (a finished date is not
    # rewritten by `run`: the vendor may have taken its files)
    cli("--out", str(out), "letters", "print", "--date", "2023-08-21", db=db)
    assert (folder / "demand_notice.pdf").read_bytes().startswith(b"%PDF")
    assert len(json.loads(cli("letters", "list", "--date", "2023-08-21", "--json", db=db).stdout)) == len(listed)


def test_report_monthly_json(tmp_path):
    db = f"sqlite:///{tmp_path / 'm.db'}"
    ward = tmp_path / "ward"
    cli("generate", "--households", "80", "--fiscal-years", "2022-2023", "--seed", "8", "--out", str(ward))
    for kind in ("households", "assessments", "adjustments", "payments"):
        assert cli("import", kind, str(ward / f"{kind}.csv"), db=db).returncode == 0
    data = json.loads(cli("report", "monthly", "--fiscal-year", "2023", "--as-of", "2024-05-31", "--json", db=db).stdout)
    assert set(data["current_year"]) == {"assessed", "whereabouts_unknown", "collected", "rate"}
    assert set(data["arrears"]) >= {"carried_over", "collected", "written_off", "rate"}  # extended: refunds beside
    c = data["current_year"]
    expected = round(c["collected"] * 100 / (c["assessed"] - c["whereabouts_unknown"]), 2)
    assert abs(float(c["rate"]) - expected) < 0.006 and len(c["rate"].split(".")[1]) == 2


def test_demo_runs_the_year_prints_every_letter_and_writes_the_reports(tmp_path):
    # on a database of its own, with no staff registered first: the demo refuses any other (issue 15)
    done = cli("--db", f"sqlite:///{tmp_path / 'demo.db'}", "--out", str(tmp_path / "out"), "demo", "--households", "100")
    assert done.returncode == 0, done.stderr
    assert "target 92.13 %" in done.stdout and "target 27.78 %" in done.stdout and "printed" in done.stdout
    assert "late fees (延滞金, in neither rate)  collected" in done.stdout  # beside the two rates (issue 14)
    days = sorted((tmp_path / "out" / "letters").iterdir())
    assert days and all((d / "manifest.csv").exists() and (d / "SHA256SUMS").exists() for d in days)
    printed = sum(len((d / "manifest.csv").read_text("utf-8").splitlines()) - 1 for d in days)
    with sqlite3.connect(tmp_path / "demo.db") as db:
        issued = db.execute("SELECT count(*) FROM letters").fetchone()[0]
    assert printed == issued > 0  # every letter of the year, none skipped or sampled
    with sqlite3.connect(tmp_path / "demo.db") as db:  # the supervisor's inbox holds the clerks' open drafts
        drafts = db.execute("SELECT proposed_by, count(*) FROM decision_proposals WHERE status = 'open' "
                            "GROUP BY proposed_by").fetchall()
    assert {who for who, _n in drafts} <= {"demo-tanaka", "demo-sato"} and drafts
    assert f"left open on the last day for the staff app: {sum(n for _who, n in drafts)} proposals" in done.stdout
    with sqlite3.connect(tmp_path / "demo.db") as db:  # and the desk applications on time and past their period
        desk = db.execute("SELECT due_on < '2024-05-31', count(*) FROM applications WHERE status = 'open' "
                          "GROUP BY due_on < '2024-05-31'").fetchall()
    assert dict(desk) == {0: 3, 1: 3} and "6 applications open (申請, some past their period)" in done.stdout
    reports = tmp_path / "out" / "reports"
    assert (reports / "collection-rates-FY2023-2024-05-31.xlsx").exists()
    assert len(list(reports.glob("*.html"))) == 14  # April 2023 to May 2024
