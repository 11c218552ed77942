"""The small ledger most integration tests start from: two households, four installments, the import
helpers, and a staffed ledger (a clerk and a supervisor) with the stage helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import households
from nhi_collect.services.imports import import_file
from nhi_collect.workflow.definition import load
from tests.conftest import register_staff

HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,phone,whereabouts_unknown,language
H1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,06-6551-0000,0,ja
H2,山﨑　花子,ヤマサキ　ハナコ,1980-03-04,5510002,大阪市大正区三軒家東2丁目2-2,三軒家東,,1,en
"""


ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2023,1,2023-06-30,10000
H1,2023,2,2023-07-31,10000
H1,2023,3,2023-08-31,10000
H2,2023,1,2023-06-30,5000
"""


def write(tmp_path, name, body, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return str(path)


def run(engine, kind, path, **kw):
    with transaction(engine) as conn:
        return import_file(conn, kind, path, **kw)


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


WORKFLOW = load()


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    register_staff(engine, {"clerk": "clerk", "boss": "supervisor"})
    return engine


def stage(engine, hno):
    with engine.connect() as conn:
        return conn.execute(select(households.c.stage).where(households.c.household_no == hno)).scalar_one()


def put(engine, hno, stage_, since):
    with transaction(engine) as conn:
        conn.execute(update(households).where(households.c.household_no == hno).values(stage=stage_,
                                                                                       stage_since=since))
