"""Household rows for the dated report inputs' scenarios."""

from __future__ import annotations

HEAD = "household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,whereabouts_unknown\n"


def person(no: str, unknown: int = 0) -> str:
    return f"{no},大正　{no},タイショウ　{no},1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,{unknown}\n"
