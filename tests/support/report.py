"""The on-paper report ledger: rates computed by hand in tests/integration/test_report.py."""

from __future__ import annotations

from datetime import date

import pytest

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import assessments, write_offs
from tests.support.ledger import run, write

HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,whereabouts_unknown
H1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,0
H2,山﨑　花子,ヤマサキ　ハナコ,1980-03-04,551-0002,大阪市大正区三軒家東2丁目2-2,三軒家東,1
H3,鈴木　一郎,スズキ　イチロウ,1960-05-06,551-0021,大阪市大正区南恩加島1丁目1-1,南恩加島,0
"""


ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2023,1,2023-06-30,10000
H1,2023,2,2023-07-31,10000
H2,2023,1,2023-06-30,5000
H3,2022,10,2023-03-31,8000
H3,2021,10,2022-03-31,4000
"""


ADJUSTMENTS = """adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason
A1,H1,2023,2,2023-09-15,-2000,減額
"""


PAYMENTS = """payment_id,household_no,fiscal_year,installment,paid_on,amount,channel
P1,H1,2023,1,2023-07-03,10000,bank_transfer
P2,H1,2023,2,2024-04-20,9000,counter
R1,H1,2023,1,2024-05-10,-1000,refund
P3,H3,2022,10,2023-05-20,3000,counter
P4,H3,2022,10,2023-08-10,2000,counter
"""


# On paper, fiscal year 2023 as of 2024-05-31:
# current year: assessed 10,000 + 10,000 − 2,000 (A1) + 5,000 (H2) = 23,000, of which H2's 5,000 is excluded
#   (whereabouts unknown): denominator 18,000. Collected: P1 10,000 + P2 8,000 (received in the closing
#   period, still FY2023; its other 1,000 is credit, not collected) = 18,000; R1 refunds that 1,000 of credit
#   (naming installment 1, where it never was: a refund returns credit and never reopens a paid installment,
#   domain.md §9; this test expected 17,000 and 94.44 while R1 reopened installment 1). Rate 18,000 / 18,000
#   = 100.00.
# arrears: carried into FY2023 = balance of years < 2023 on 2023-05-31 = (8,000 − P3 3,000) + 4,000 = 9,000
#   (P3 arrived in FY2022's closing period). Collected from June 2023: P4 2,000. The 4,000 written off on
#   2023-10-01 stays in the denominator. Rate 2,000 / 9,000 = 22.222… → 22.22.
# series: 2023-07-31: 10,000 / 20,000 (A1 not yet) = 50.00; 2023-09-30: 10,000 / 18,000 = 55.56;
#   2024-04-30 and 2024-05-31: 18,000 / 18,000 = 100.00; arrears 0.00 until P4, 22.22 from 2023-08-31.
AS_OF = date(2024, 5, 31)


@pytest.fixture
def ledger(engine, tmp_path):
    for kind, body in (("households", HOUSEHOLDS), ("assessments", ASSESSMENTS), ("adjustments", ADJUSTMENTS),
                       ("payments", PAYMENTS)):
        run(engine, kind, write(tmp_path, f"{kind}.csv", body))
    with transaction(engine) as conn:
        old = conn.execute(assessments.select().where(assessments.c.fiscal_year == 2021)).one()
        conn.execute(write_offs.insert().values(assessment_id=old.id, written_off_on=date(2023, 10, 1), amount=4000,
                                                ground="limitation", decided_by="boss"))
    return engine
