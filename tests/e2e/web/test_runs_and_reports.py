"""業務日程と処理結果 and 収納率の報告 in a real browser: an operator opens the year's runs, a date's jobs and print
files, and dry-runs the next date; an auditor sees a missed date in red with what to do; a supervisor reads the
monthly rates as a chart and a table. Each screen is checked with axe-core (WCAG 2.1 AA) and kept as a screenshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import serve
from tests.support.webapp import seed_ward
from tests.support.webruns import run_as_operator
from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web test ward with 2023-09-20 run and printed by unyo (the demand notices of H1 and H2)."""
    folder = tmp_path_factory.mktemp("runs")
    url = seed_ward(f"sqlite:///{folder / 'ward.db'}", folder)
    run_as_operator(url, folder / "out")
    yield from serve(url, folder)


def test_an_operator_reads_a_date_and_dry_runs_the_next(page, check):
    sign_in_at(page, "unyo", "/runs")
    expect(page.get_by_role("table", name="業務日ごとの処理（新しい順）")).to_contain_text("unyo（run コマンド）")
    check(page, "1-year")
    page.get_by_role("link", name="令和5年9月20日（2023-09-20）").first.click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("チェックサムと一致しています")
    expect(page.get_by_role("table", name="通知書（種類ごと）")).to_contain_text("督促状")
    check(page, "2-date")
    with page.expect_download() as download:
        page.get_by_role("link", name="督促状").click()
    assert download.value.suggested_filename == "2023-09-20-demand_notice.pdf"
    page.get_by_role("link", name="業務日程と処理結果に戻る").click()
    page.get_by_label("ドライラン（何も変更せずに、その日の処理と通知書を試算します）").fill("2023-09-21")
    page.get_by_role("button", name="ドライランを実行").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2023-09-21")
    expect(page.get_by_role("table", name="ジョブと段階の移行")).to_contain_text("settle")
    check(page, "3-dry-run")


def test_an_auditor_sees_a_missed_date_in_red_and_cannot_dry_run(page, check):
    sign_in_at(page, "kansa", "/runs/2023-09-19")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("この日は完了していません")
    expect(alert).to_contain_text("nhi-collect run --date 2023-09-19 --allow-backward")
    check(page, "1-missed")
    page.get_by_role("link", name="業務日程と処理結果に戻る").click()
    expect(page.get_by_role("button", name="ドライランを実行")).to_have_count(0)


def test_a_supervisor_reads_the_monthly_rates(page, check):
    sign_in_at(page, "boss", "/reports")
    expect(page.get_by_role("img", name="2023年度 収納率の推移（2023-09-20 現在）")).to_be_visible()
    expect(page.get_by_role("table", name="月末ごとの収納率（グラフと同じ数値）")).to_contain_text("92.13%")
    check(page, "1-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel ブック（XLSX）").click()
    assert download.value.suggested_filename == "collection-rates-FY2023-2023-09-20.xlsx"
