"""和暦: Japanese era dates as printed on letters (元号法; 令和 from 2019-05-01)."""

from __future__ import annotations

from datetime import date

ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"),
        (date(1912, 7, 30), "大正"), (date(1868, 1, 25), "明治"))


def wareki(day: date) -> str:
    """2023-07-20 → 令和5年7月20日; the first year of an era is 元年."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def wareki_fiscal_year(year: int) -> str:
    """Fiscal year N as on letters: 2023 → 令和5年度."""
    return wareki(date(year, 4, 1)).split("年")[0] + "年度"
