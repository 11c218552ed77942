"""The monthly collection rates as an inline SVG drawn on the server (no script, no chart library; a ward office
network has no internet): this year's two rates, last year's, the targets and the projection to the year end.
Each line differs by dash as well as colour (WCAG 1.4.1), each colour has 3:1 against white (1.4.11), and the
SVG has a title and a description; the page shows the same numbers as a table."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 44
# (key in a series point, label, colour, dash): solid for this year, dashed for last year
LINES = (("current_year", "現年度分", "#0b4f8a", ""), ("last_year_current_year", "現年度分（前年度）", "#4f7fb3", "7 5"),
         ("arrears", "滞納繰越分", "#9a4400", ""), ("last_year_arrears", "滞納繰越分（前年度）", "#b86a2c", "7 5"))
TARGET_DASH, PROJECTION_DASH = "2 4", "1 5"


def _x(i: int, n: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * i / max(n - 1, 1)


def _y(percent: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100)


def month_label(month_end: str) -> str:
    return f"{int(month_end[5:7])}月"


def _path(points: list[tuple[float, float]], colour: str, dash: str, width: float = 2.5) -> str:
    if not points:
        return ""
    d = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}"{dashed}/>'


def _reached(point: dict, key: str) -> bool:
    return point[key] is not None and (point["reached"] or key.startswith("last_year"))


def rates_svg(report: dict) -> Markup:
    series, targets, projection = report["series"], report.get("targets", {}), report["projection"]
    n = len(series)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="rates-title rates-desc" font-size="13">',
             f'<title id="rates-title">{report["fiscal_year"]}年度 収納率の推移（{escape(report["as_of"])} 現在）</title>',
             f'<desc id="rates-desc">{escape(describe(report))}</desc>']
    for tick in range(0, 101, 20):  # the axis: 0–100 %
        y = _y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>'
                     f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{tick}%</text>')
    for i, p in enumerate(series):
        parts.append(f'<text x="{_x(i, n):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'fill="#1a1a1a">{month_label(p["month_end"])}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#1a1a1a">'
                 '月末（翌年4・5月は出納整理期間）</text>')
    for key, label, colour, dash in LINES:
        points = [(_x(i, n), _y(float(p[key]))) for i, p in enumerate(series) if _reached(p, key)]
        parts.append(_path(points, colour, dash))
    for key, colour in (("current_year", "#0b4f8a"), ("arrears", "#9a4400")):
        if targets.get(key):
            y = _y(float(targets[key]))
            parts.append(_path([(LEFT, y), (WIDTH - RIGHT, y)], colour, TARGET_DASH, 1.5)
                         + f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" fill="{colour}">目標 {escape(targets[key])}%</text>')
        last = [i for i, p in enumerate(series) if _reached(p, key)]
        if projection.get(key) and last:  # from the latest month end reached to the projected year end
            start = (_x(last[-1], n), _y(float(series[last[-1]][key])))
            end = (_x(n - 1, n), _y(float(projection[key])))
            parts.append(_path([start, end], colour, PROJECTION_DASH, 2.5)
                         + f'<circle cx="{end[0]:.1f}" cy="{end[1]:.1f}" r="4" fill="#fff" stroke="{colour}" '
                           f'stroke-width="2"/><text x="{WIDTH - RIGHT + 6}" y="{end[1] + 18:.1f}" fill="{colour}">'
                           f'見込 {escape(projection[key])}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend() -> list[dict]:
    """The legend's entries (the page draws each as a short line sample beside its label)."""
    return [*({"label": label, "colour": colour, "dash": dash} for _key, label, colour, dash in LINES),
            {"label": "目標", "colour": "#1a1a1a", "dash": TARGET_DASH},
            {"label": "年度末見込（前年度の推移に沿って）", "colour": "#1a1a1a", "dash": PROJECTION_DASH}]


def describe(report: dict) -> str:
    """The chart in words, for a screen reader (the table below gives every number)."""
    reached = [p for p in report["series"] if p["reached"]]
    t, pr = report.get("targets", {}), report["projection"]
    if not reached:
        return f"{report['fiscal_year']}年度はまだ月末を迎えていません。"
    last = reached[-1]
    return (f"{month_label(last['month_end'])}末の現年度分 {last['current_year'] or '—'}%（前年度同月 "
            f"{last['last_year_current_year'] or '—'}%、目標 {t.get('current_year', '—')}%、年度末見込 "
            f"{pr.get('current_year') or '—'}%）、滞納繰越分 {last['arrears'] or '—'}%（前年度同月 "
            f"{last['last_year_arrears'] or '—'}%、目標 {t.get('arrears', '—')}%、年度末見込 {pr.get('arrears') or '—'}%）。")
