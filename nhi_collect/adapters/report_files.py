"""The monthly report as files for the section: CSV (UTF-8 with BOM, so Excel reads the kanji), an XLSX
workbook (Japanese sheet names, yen and percent formats, a native line chart of the series) and an HTML
page with the series drawn by matplotlib (Agg, a Japanese font)."""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path

from .cells import csv_row, xlsx_cell

SHEETS = {"stage": "段階別", "district": "地区別", "arrears_age": "滞納年数別", "letters": "通知書",
          "seizures": "差押", "plans": "分納", "write_offs": "不納欠損"}
SERIES_HEADERS = {"month_end": "月末", "current_year": "現年度分", "last_year_current_year": "現年度分(前年)",
                  "arrears": "滞納繰越分", "last_year_arrears": "滞納繰越分(前年)"}
YEN = '#,##0"円"'
PERCENT = "0.00%"
FONT = ["Noto Sans CJK JP", "IPAexGothic", "IPAexMincho", "sans-serif"]


def write_all(report: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"collection-rates-FY{report['fiscal_year']}-{report['as_of']}"
    return [*write_csv(report, folder, stem), write_xlsx(report, folder / f"{stem}.xlsx"),
            write_html(report, folder / f"{stem}.html")]


def _summary_rows(report: dict) -> list[dict]:
    c, a, t = report["current_year"], report["arrears"], report.get("targets", {})
    return [{"区分": "現年度分", "調定額": c["assessed"], "居所不明除外": c["whereabouts_unknown"], "収納額": c["collected"],
             "不納欠損": 0, "収納率": c["rate"], "目標": t.get("current_year"),
             "年度末見込": report["projection"]["current_year"]},
            {"区分": "滞納繰越分", "調定額": a["carried_over"], "居所不明除外": 0, "収納額": a["collected"],
             "不納欠損": a["written_off"], "収納率": a["rate"], "目標": t.get("arrears"),
             "年度末見込": report["projection"]["arrears"]},
            # 過年度還付: repaid from expenditure, outside both rates (domain/refunds.py)
            {"区分": "過年度還付（歳出）", "調定額": None, "居所不明除外": None, "収納額": a["prior_year_refunds"],
             "不納欠損": None, "収納率": None, "目標": None, "年度末見込": None},
            {"区分": "還付金（過年度分）", "調定額": None, "居所不明除外": None, "収納額": a["prior_year_refunds_paid"],
             "不納欠損": None, "収納率": None, "目標": None, "年度末見込": None}]


def _series_rows(report: dict) -> list[dict]:
    return [{SERIES_HEADERS[k]: (p[k] if k == "month_end" or p["reached"] or k.startswith("last") else None)
             for k in SERIES_HEADERS} for p in report["series"]]


def write_csv(report: dict, folder: Path, stem: str) -> list[Path]:
    tables = {"summary": _summary_rows(report), "series": _series_rows(report), **report["breakdowns"]}
    paths = []
    for name, rows in tables.items():
        path = folder / f"{stem}-{name}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            if rows:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(csv_row(row) for row in rows)
        paths.append(path)
    return paths


def write_xlsx(report: dict, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    book = Workbook()
    summary = book.active
    summary.title = "収納率"
    _sheet(summary, _summary_rows(report), percent={"収納率", "目標", "年度末見込"})
    series = book.create_sheet("月別推移")
    _sheet(series, _series_rows(report), percent=set(SERIES_HEADERS.values()) - {"月末"})
    chart = LineChart()
    chart.title = f"収納率の推移 FY{report['fiscal_year']}"
    chart.y_axis.title, chart.y_axis.number_format = "収納率", "0%"
    rows = len(report["series"]) + 1
    chart.add_data(Reference(series, min_col=2, max_col=5, min_row=1, max_row=rows), titles_from_data=True)
    chart.set_categories(Reference(series, min_col=1, min_row=2, max_row=rows))
    chart.width, chart.height = 24, 12
    series.add_chart(chart, "H2")
    for key, title in SHEETS.items():
        _sheet(book.create_sheet(title), report["breakdowns"][key], percent=set())
    book.save(path)
    return path


def _sheet(sheet, rows: list[dict], percent: set[str]) -> None:
    if not rows:
        sheet.append(["(なし)"])
        return
    headers = list(rows[0])
    sheet.append(headers)
    for row in rows:
        sheet.append([float(v) / 100 if k in percent and v is not None else v for k, v in row.items()])
        for cell in sheet[sheet.max_row]:
            xlsx_cell(cell)
    for col, header in enumerate(headers, 1):
        fmt = PERCENT if header in percent else YEN if _is_money(header) else None
        for cell in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
            if fmt:
                cell[0].number_format = fmt
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = max(12, len(str(header)) * 2 + 2)


def _is_money(header: str) -> bool:
    return header in {"調定額", "居所不明除外", "収納額", "不納欠損", "overdue", "amount", "collected"}


def chart_png(report: dict) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in FONT if f in installed] or ["sans-serif"]
    months = [p["month_end"][:7] for p in report["series"]]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    t = report.get("targets", {})
    for key, label, color in (("current_year", "現年度分", "#1f5fa8"), ("arrears", "滞納繰越分", "#c0392b")):
        ax.plot(months, [float(p[f"last_year_{key}"] or 0) for p in report["series"]], color=color, alpha=0.35,
                linestyle="--", label=f"{label}（前年度）")
        reached = [(m, float(p[key] or 0)) for m, p in zip(months, report["series"]) if p["reached"]]
        if reached:
            ax.plot(*zip(*reached), color=color, marker="o", label=f"{label}（今年度）")
        if t.get(key):
            ax.axhline(float(t[key]), color=color, linewidth=0.8, linestyle=":", label=f"{label} 目標 {t[key]}%")
    ax.set_ylim(0, 100)
    ax.set_ylabel("収納率 (%)")
    ax.set_title(f"国民健康保険料 収納率の推移 FY{report['fiscal_year']}（{report['as_of']}現在）")
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_html(report: dict, path: Path) -> Path:
    png = base64.b64encode(chart_png(report)).decode("ascii")

    def table(rows: list[dict]) -> str:
        if not rows:
            return "<p>なし</p>"
        head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    parts = [f"<h2>収納率</h2>{table(_summary_rows(report))}",
             f'<h2>月別推移</h2><img alt="収納率の推移" src="data:image/png;base64,{png}">',
             table(_series_rows(report))]
    parts += [f"<h2>{title}</h2>{table(report['breakdowns'][key])}" for key, title in SHEETS.items()]
    page = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>収納率 FY{report["fiscal_year"]} '
            f'{report["as_of"]}</title><style>body{{font-family:"Noto Sans CJK JP",sans-serif;margin:2em;}}'
            "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #999;padding:2px 8px}"
            "td{text-align:right}</style></head><body>"
            f"<h1>国民健康保険料 収納率報告 FY{report['fiscal_year']}（{report['as_of']}現在）</h1>"
            + "".join(parts) + "</body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def _cell(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape("" if value is None else str(value))
