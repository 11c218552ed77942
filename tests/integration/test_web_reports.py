"""収納率の報告 (web/routes/reports.py) with FastAPI's test client on SQLite and PostgreSQL: the two rates against
the workflow file's targets, the chart as inline SVG with a title and description and the same numbers in a
table, the breakdowns, any further figures of the report rendered as they come, and the CSV and XLSX files of
the CLI's writer; a name that is no report file refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from nhi_collect.services import report as report_service
from tests.support.signin import signed_in
from tests.support.webapp import seed_ward

FILES = "/reports/2023/2023-09-20"


@pytest.fixture
def url(db_url, tmp_path):
    return seed_ward(db_url, tmp_path)


def test_the_rates_against_the_targets_as_chart_and_table(app):
    page = signed_in(app, "boss").get("/reports", params={"fiscal_year": 2023, "as_of": "2023-09-20"})
    assert page.status_code == 200
    text = page.text
    # nothing paid yet: 0.00 % of 50,000 yen assessed (H1 2 × 10,000, H2 30,000); targets from taisho.toml
    assert '<th scope="row">現年度分</th><td class="num">50,000円（居所不明 0円）</td><td class="num">0円</td>' in text
    assert '<td class="num">0.00%</td><td class="num">92.13%</td>' in text and "27.78%" in text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text and 'role="img" aria-labelledby="rates-title rates-desc"' in text
    assert '<title id="rates-title">2023年度 収納率の推移（2023-09-20 現在）</title>' in text
    assert "<desc id=\"rates-desc\">8月末の現年度分 0.00%" in text  # the last month end reached: 08-31
    assert "目標 92.13%" in text and "<script" not in text.split("</head>")[1]
    # the table has a row per month end (14: April to the closing period's May), the reached ones with a rate
    assert text.count('<tr><th scope="row" class="nw">') == 14
    assert "令和5年8月31日（2023-08-31）</th>\n      <td class=\"num\">0.00%</td>" in text
    assert "令和5年9月30日（2023-09-30）</th>\n      <td class=\"num\">—</td>" in text
    assert "<caption>段階</caption>" in text and "<caption>地区</caption>" in text


def test_late_fees_and_applications_in_words_and_their_units(app, monkeypatch):
    """The late fees in yen and the applications in counts, each under its own heading (never a count shown as yen,
    never a key's code); a figure added to the report later still shows, under その他の集計, by its own name."""
    real = report_service.monthly

    def more(*args, **kwargs):
        return {**real(*args, **kwargs), "late_fees": {"collected_in_month": 1_200, "collected_in_year": 12_345,
                                                         "booked_in_year": 20_000},
                "applications": {"open": 3, "overdue": 1, "closed": 1_204, "closed_late": 2},
                "applications_overdue": [{"kind": "late_fee_reduction", "count": 2}]}
    monkeypatch.setattr(report_service, "monthly", more)
    text = signed_in(app, "kansa").get("/reports", params={"as_of": "2023-09-20"}).text
    assert "<h2>延滞金（収納率には含めません）</h2>" in text and "<dd>1,200円</dd>" in text
    assert "<dd>12,345円</dd>" in text and "<dd>20,000円</dd>" in text
    assert "<dd>3件（うち処理期限超過 1件）</dd>" in text and "<dd>1,204件（うち処理期限後 2件）</dd>" in text
    assert "collected_in" not in text and "closed_late" not in text
    assert "<h2>その他の集計</h2>" in text and "<caption>処理期限を過ぎた申請</caption>" in text
    assert '<td>late_fee_reduction</td><td class="num">2</td>' in text


def test_the_breakdowns_codes_in_words(app, monkeypatch):
    real = report_service.monthly

    def coded(*args, **kwargs):
        data = real(*args, **kwargs)
        return {**data, "breakdowns": {**data["breakdowns"],
                                       "seizures": [{"property": "deposit", "seizures": 1, "amount": 10, "collected": 0}],
                                       "plans": [{"status": "broken", "plans": 2}]}}
    monkeypatch.setattr(report_service, "monthly", coded)
    text = signed_in(app, "kansa").get("/reports", params={"as_of": "2023-09-20"}).text
    assert "<td>預貯金</td>" in text and "<td>不履行</td>" in text and "<td>deposit</td>" not in text
    assert '<th scope="col" class="num">金額</th>' in text  # a number's heading over its column


def test_the_files_of_the_cli_writer(app):
    tanaka = signed_in(app, "tanaka")  # a clerk reads the report, as on the command line (report: reader)
    book = tanaka.get(f"{FILES}/collection-rates.xlsx")
    assert book.status_code == 200 and "collection-rates-FY2023-2023-09-20.xlsx" in book.headers["content-disposition"]
    sheets = load_workbook(io.BytesIO(book.content)).sheetnames
    assert sheets[:2] == ["収納率", "月別推移"] and "段階別" in sheets
    summary = tanaka.get(f"{FILES}/summary.csv")
    assert summary.status_code == 200 and summary.content.startswith("\ufeff区分,調定額".encode("utf-8"))
    assert tanaka.get(f"{FILES}/stage.csv").text.startswith("\ufeffstage,households,overdue")


@pytest.mark.parametrize("name", ["..%2F..%2Fnhi.db", "report.xlsx", "summary", "nope.csv", "%2e%2e.csv"])
def test_no_other_file(app, name):
    got = signed_in(app, "boss").get(f"{FILES}/{name}")
    assert got.status_code in (400, 404) and "attachment" not in got.headers.get("content-disposition", "")


def test_a_role_without_the_duty_is_refused(app):
    refused = signed_in(app, "unyo").get("/reports")  # an operator runs dates; the report is the readers'
    assert refused.status_code == 403 and "report is the reader&#39;s duty" in refused.text
    assert signed_in(app, "unyo").get(f"{FILES}/summary.csv").status_code == 403


def test_the_page_shows_the_nights_report_until_asked_to_recompute(app, url, tmp_path):
    """The page reads the report the business date's run computed (services/business_date.report_night), says
    so, and recomputes it on request; its downloads carry the figures the page showed."""
    from nhi_collect.adapters.db import make_engine
    from nhi_collect.services.business_date import run_date
    from nhi_collect.workflow.definition import load
    from tests.support.ledger import run, write
    from tests.support.webapp import ON
    engine = make_engine(url)
    run_date(engine, load(), ON)  # the night's run of 2023-09-20: nothing paid yet
    run(engine, "payments", write(tmp_path, "p.csv", "payment_id,household_no,fiscal_year,installment,paid_on,"
                                  "amount,channel\nP1,H2,2023,1,2023-09-20,30000,bank_transfer\n"))  # entered after the run
    engine.dispose()
    boss = signed_in(app, "boss")
    nightly = boss.get("/reports").text  # opened without a date: the morning's report
    assert "令和5年9月20日（2023-09-20）の夜間処理が集計した数字です" in nightly
    assert '<td class="num">50,000円（居所不明 0円）</td><td class="num">0円</td>' in nightly
    assert f'href="{FILES}/summary.csv"' in nightly and "now=1" in nightly
    assert boss.get(f"{FILES}/summary.csv").text.splitlines()[1].split(",")[:4] == ["現年度分", "50000", "0", "0"]
    now = boss.get("/reports", params={"fiscal_year": 2023, "as_of": "2023-09-20", "now": 1}).text
    assert "今の台帳で集計した数字です" in now and "夜間処理" not in now
    assert '<td class="num">50,000円（居所不明 0円）</td><td class="num">30,000円</td>' in now
    assert f'href="{FILES}/summary.csv?now=1"' in now
    assert boss.get(f"{FILES}/summary.csv", params={"now": 1}).text.splitlines()[1].split(",")[:4] == [
        "現年度分", "50000", "0", "30000"]


def test_a_date_without_a_nights_report_is_computed_now(app):
    text = signed_in(app, "boss").get("/reports", params={"as_of": "2023-09-20"}).text
    assert "今の台帳で集計した数字です" in text and "夜間処理が集計" not in text
