"""The tools' commands: `generate` (a synthetic ward), `demo` (the README's year) and `bench`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...bootstrap import Services
from .common import JSON, emit, pass_services


def parse_years(_ctx, _param, value: str) -> range:
    try:
        first, _, last = value.partition("-")
        years = range(int(first), int(last or first) + 1)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a year or a range such as 2022-2024") from None
    if not years:
        raise click.BadParameter(f"{value!r} is an empty range")
    return years


@click.command()
@click.option("--households", type=click.IntRange(1), required=True)
@click.option("--fiscal-years", callback=parse_years, required=True, help="e.g. 2022-2024")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@JSON
def generate(households, fiscal_years, seed, out_dir, as_json):
    """Write a synthetic Taisho ward as the four import CSV files."""
    from ...tools.synthetic import generate_ward
    counts = generate_ward(households, fiscal_years, seed, Path(out_dir))
    emit(counts, as_json, ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" written to {out_dir}")


@click.command()
@click.option("--households", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--seed", type=int, default=2023, show_default=True)
@pass_services
def demo(obj: Services, households, seed):
    """The demo fiscal year: a synthetic Taisho ward run through FY2023 by the calendar (README)."""
    from tqdm import tqdm
    from ...tools.demo import days, run_demo
    with tqdm(total=days(), unit="day", desc="FY2023", file=sys.stderr, disable=None) as bar:
        summary = run_demo(obj.engine(), obj.workflow, obj.out, households, seed,
                           progress=lambda msg: tqdm.write(f"… {msg}", file=sys.stderr),
                           on_day=lambda _on: bar.update(), pdf_engine=obj.pdf_engine)
    click.echo(demo_text(obj, summary))


def demo_text(obj: Services, summary) -> str:
    workflow = obj.workflow
    stages, targets = list(workflow.stages), workflow.targets
    head = "month end " + "".join(f"{workflow.stages[s]:>8}" for s in stages)
    lines = [f"database: {obj.url}", "", "households per stage (段階別世帯数)", head]
    for on, counts in summary.monthly_stages.items():
        lines.append(f"{on:%Y-%m-%d}" + "".join(f"{counts.get(s, 0):>9,}" for s in stages))
    r = summary.rates
    lines += ["", f"collection rates FY{r.fiscal_year} as of {r.as_of} (収納率)",
              f"  current year (現年度分)  {r.current_year.rate or '—':>6} %   "
              f"target {targets.get('current_year', '—')} %   "
              f"collected {r.current_year.collected:,} of {r.current_year.assessed - r.current_year.whereabouts_unknown:,} yen",
              f"  arrears (滞納繰越分)     {r.arrears.rate or '—':>6} %   target {targets.get('arrears', '—')} %   "
              f"collected {r.arrears.collected:,} of {r.arrears.carried_over:,} yen",
              f"  late fees (延滞金, in neither rate)  collected {summary.late_fees['collected_in_year']:,} yen, "
              f"booked {summary.late_fees['booked_in_year']:,} yen in the year",
              "", "letters (通知書) issued in the year"]
    lines += [f"  {t:<20} {n:>8,}" for t, n in sorted(summary.letters.items())]
    lines += ["", f"seizures executed {summary.seizures:,}, collected by seizure {summary.collected_by_seizure:,} yen",
              f"printed {summary.printed_letters:,} letters on {summary.printed_pages:,} pages to {obj.out}/letters/ "
              f"while the calendar ran ({summary.run_seconds:,.0f} s in all, {summary.print_wait_seconds:,.0f} s of it "
              f"waiting for PDFs; {summary.printed_pages / max(summary.run_seconds, 1e-9):,.1f} pages/s overall)",
              f"monthly reports (CSV, XLSX, HTML) for {len(summary.monthly_stages)} month ends in {obj.out}/reports/",
              f"left open on the last day for the staff app: {summary.open_proposals} proposals (決裁待ち), "
              f"{summary.open_applications} applications open (申請, some past their period)"]
    return "\n".join(lines)


@click.command()
@click.option("--households", type=click.IntRange(100), default=10_000, show_default=True)
@click.option("--db", "url", help="An empty database (default: a new SQLite file under OUT/bench/).")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--pdf-letters", type=click.IntRange(1), default=1000, show_default=True,
              help="Letters of the July round rendered to PDF.")
@click.option("--naive-letters", type=click.IntRange(1), default=50, show_default=True,
              help="Letters rendered one WeasyPrint document each (the PDF baseline).")
@JSON
@pass_services
def bench(obj: Services, households, url, seed, pdf_letters, naive_letters, as_json):
    """Measure imports, the July round, a quiet day, letters and the report, each beside its baseline."""
    from ...tools.bench import bench_into, table
    result, path = bench_into(obj.out, url, obj.workflow, households, seed, pdf_letters, naive_letters,
                              progress=lambda msg: click.echo(f"… {msg}", err=True))
    emit(result, as_json, table(result) + f"\n(written to {path})")


@click.command()
@click.option("--households", type=click.IntRange(100), default=10_000, show_default=True,
              help="Households of the ward generated when the database is empty (an existing one is reused).")
@click.option("--db", "url", required=True, help="The database (built on first use, then reused: the pages only read).")
@click.option("--staff", type=click.IntRange(1, 500), default=50, show_default=True, help="Simulated clerks at once.")
@click.option("--supervisors", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Simulated supervisors at once, beside the clerks (decision inbox, runs, report).")
@click.option("--seconds", type=click.FloatRange(5, 600), default=60, show_default=True)
@click.option("--think", type=click.FloatRange(0.05), default=2.0, show_default=True,
              help="Seconds between one clerk's pages, on average (exponential).")
@click.option("--port", type=int, default=8765, show_default=True, help="Loopback port of the server it starts.")
@JSON
@pass_services
def webbench(obj: Services, households, url, staff, supervisors, seconds, think, port, as_json):
    """The staff app under simulated clerks and supervisors over loopback: p50/p95 of my work, search, the case
    file, the decision inbox, the runs, a date's run and the report, beside the same reads as bare SQL."""
    import json
    from ...tools.webbench import table, webbench as run
    result = run(url, obj.workflow, households, obj.out / "webbench", staff, seconds, think, port,
                 supervisors=supervisors, progress=lambda msg: click.echo(f"… {msg}", err=True))
    path = obj.out / "webbench" / f"webbench-{result['households']}-{result['database']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    emit(result, as_json, table(result) + f"\n(written to {path})")


COMMANDS = (generate, demo, bench, webbench)
