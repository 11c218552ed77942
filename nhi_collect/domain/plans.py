"""How long an installment plan (分納誓約) runs, measured as a 猶予 is.

分納 itself is the ward's practice (区の方針). Its lengths follow the statutory analogue, the 猶予 of 地方税法:
granted for up to one year (15条1項, 15条の5第1項ただし書, 15条の6第1項), extended to two years in all at
most (15条4項, applied to 換価の猶予 by 15条の5第2項). The ward's standard (the workflow file's [policy]
plan_standard_months) is what a clerk agrees alone; beyond it, up to the outer limit, a supervisor decides
(a plan exception); beyond the outer limit no plan is agreed. A period of months counts from the day after the
plan is agreed (民法140条) and ends on the day before the corresponding day, or on the last day of a month
that has none (民法143条2項): agreed on 31 January, twelve months end on the next 31 January; agreed on
29 February, on the next 28 February.
"""

from __future__ import annotations

from datetime import date
from itertools import count

from .calendar import ONE_DAY, period_end

PLAN_OUTER_MONTHS = 24  # 地方税法15条4項 (15条の5第2項で準用): a 猶予 with its extension, two years in all
OUTER_RULE = ("地方税法15条4項（15条の5第2項で準用）: a 猶予, extended, runs two years in all at most; the ward's "
              "分納 follows it (区の方針)")


def plan_end(agreed_on: date, months: int) -> date:
    """The last day a payment may fall on for a plan of `months` agreed on `agreed_on`."""
    return period_end(agreed_on + ONE_DAY, months)


def months_spanned(agreed_on: date, last_payment: date) -> int:
    """The fewest whole months, counted as plan_end counts them, that hold the last payment."""
    return next(m for m in count(1) if last_payment <= plan_end(agreed_on, m))
