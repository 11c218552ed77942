"""The monthly collection-rate report (contract.md `report monthly`), with the month-end snapshots
recorded by the calendar's month_end_rates job shown beside the recomputed figures."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, select

from ..adapters.tables import rate_snapshots
from .rates import collection_rates


def monthly(conn: Connection, fiscal_year: int, as_of: date) -> dict:
    r = collection_rates(conn, fiscal_year, as_of)
    data = {
        "fiscal_year": fiscal_year, "as_of": as_of.isoformat(),
        "current_year": {"assessed": r.current_year.assessed, "whereabouts_unknown": r.current_year.whereabouts_unknown,
                         "collected": r.current_year.collected, "rate": r.current_year.rate},
        "arrears": {"carried_over": r.arrears.carried_over, "collected": r.arrears.collected,
                    "written_off": r.arrears.written_off, "rate": r.arrears.rate},
    }
    recorded = conn.execute(select(rate_snapshots.c.figures).where(rate_snapshots.c.fiscal_year == fiscal_year,
                                                                   rate_snapshots.c.as_of == as_of)).scalar()
    if recorded is not None:
        data["recorded"] = json.loads(recorded)  # as the month-end job saw it; differs after back-dated entries
    return data


def monthly_text(d: dict) -> str:
    c, a = d["current_year"], d["arrears"]
    lines = [f"収納率 FY{d['fiscal_year']} as of {d['as_of']}",
             f"  現年度分  {c['rate'] or '—':>6} %  = collected {c['collected']:,} / (assessed {c['assessed']:,}"
             f" − whereabouts unknown {c['whereabouts_unknown']:,})   target 92.13 %",
             f"  滞納繰越分 {a['rate'] or '—':>6} %  = collected {a['collected']:,} / carried over {a['carried_over']:,}"
             f"   (written off during the year {a['written_off']:,})   target 27.78 %"]
    if "recorded" in d:
        rc, ra = d["recorded"]["current_year"], d["recorded"]["arrears"]
        lines.append(f"  recorded at month end: 現年度分 {rc['rate']} %, 滞納繰越分 {ra['rate']} %")
    return "\n".join(lines)
