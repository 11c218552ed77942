"""A ward of PROCESSES households, one installment each, for tests of many writers at once."""

from __future__ import annotations

PROCESSES = 8


HOUSEHOLDS = "household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district\n" + "".join(
    f"H{n},世帯主{n},セタイヌシ,1970-01-02,551-0031,大阪市大正区泉尾1丁目{n}-1,泉尾\n" for n in range(1, PROCESSES + 1))


ASSESSMENTS = "household_no,fiscal_year,installment,due_date,amount\n" + "".join(
    f"H{n},2023,1,2023-06-30,10000\n" for n in range(1, PROCESSES + 1))
