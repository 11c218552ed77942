"""Every crafted bad file of the hostile test (issue 15, items 6 and 7) is refused as bad input,
naming every bad line, and leaves the database byte-identical; none is an internal error."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from nhi_collect.domain.calendar import TOKYO
from nhi_collect.errors import ImportRejected
from nhi_collect.tools.fuzz import fingerprint
from nhi_collect.services.identity import login_name
from tests.conftest import staffed
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write
from nhi_collect.adapters.tables import households

NOW = datetime(2024, 6, 1, 10, 0, tzinfo=timezone.utc)  # the import's clock: Tokyo day 2024-06-01
H_HEAD = HOUSEHOLDS.split("\n", 1)[0] + "\n"
H_ROW = HOUSEHOLDS.split("\n")[1]  # H1's row
A_HEAD = "household_no,fiscal_year,installment,due_date,amount\n"
P_HEAD = "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
J_HEAD = "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"


def h_row(**changes) -> str:
    names = H_HEAD.strip().split(",")
    values = dict(zip(names, H_ROW.split(",")))
    values.update(changes)
    return ",".join(values[n] for n in names) + "\n"


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def refused(engine, kind, path) -> dict[int, str]:
    """The refusal's errors by line; the database must be exactly as it was."""
    url = engine.url.render_as_string(hide_password=False)
    before = fingerprint(url)
    with pytest.raises(ImportRejected) as rejected:
        run(engine, kind, path, now=NOW)
    assert fingerprint(url) == before
    return {e.line: e.error for e in rejected.value.errors}


def file_bytes(tmp_path, name, data: bytes) -> str:
    (tmp_path / name).write_bytes(data)
    return str(tmp_path / name)


CASES = {
    "household numbers by pattern": ("households", H_HEAD + h_row(household_no="2711500000010001")
                                     + h_row(household_no="=1+1") + h_row(household_no="271150000009"),
                                     {2: "not a household number", 3: "not a household number"}),
    "birth dates from 1900 to today": ("households", H_HEAD + h_row(household_no="H5", head_birth_date="2999-01-01")
                                       + h_row(household_no="H6", head_birth_date="1899-12-31")
                                       + h_row(household_no="H7", head_birth_date="2024-06-02")
                                       + h_row(household_no="H8", head_birth_date="2024-06-01"),
                                       {2: "1900-01-01 to 2024-06-01", 3: "outside", 4: "outside"}),
    "control and bidirectional characters": (
        "households", H_HEAD + h_row(household_no="H5", head_name="髙橋\x07太郎")
        + h_row(household_no="H6", address="大阪市\x00大正区") + h_row(household_no="H7", head_name="\u202e郎太　橋髙")
        + h_row(household_no="H8", district="泉尾\u2066") + h_row(household_no="H9", head_name_kana="タカハシ\u0085")
        + h_row(household_no="H10", phone="06\t6551"),
        {2: "head_name holds U+0007", 3: "address holds U+0000", 4: "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 1",
         5: "district holds U+2066", 6: "head_name_kana holds U+0085", 7: "phone holds U+0009"}),
    "amounts within the column and the ward": ("assessments", A_HEAD + f"H1,2024,1,2024-06-30,{10 ** 20}\n"
                                               f"H1,2024,2,2024-07-31,{2 ** 63}\nH1,2024,3,2024-08-31,{2 ** 63 - 1}\n"
                                               "H1,2024,4,2024-09-30,100000001\nH1,2024,5,2024-10-31,100000000\n"
                                               f"H1,2024,6,2024-11-30,{'9' * 5000}\n",
                                               {2: "digits", 3: "beyond", 4: "beyond 100,000,000 yen", 5: "beyond",
                                                7: "digits"}),
    "ledger dates up to a year ahead": ("payments", P_HEAD + "P1,H1,,,2999-01-01,100,counter\n"
                                        "P2,H1,,,2025-06-02,100,counter\nP3,H1,,,2025-06-01,100,counter\n"
                                        "P4,H1,,,1989-12-31,100,counter\nR1,H1,,,2024-01-01,-100000000000,refund\n",
                                        {2: "fiscal year 1990 to a year after today", 3: "outside", 5: "outside",
                                         6: "beyond"}),
    "adjustments: date and delta": ("adjustments", J_HEAD + "J1,H1,2023,1,2204-01-01,-100,減免\n"
                                    f"J2,H1,2023,1,2023-08-01,{-2 ** 63},減免\n",
                                    {2: "outside", 3: "beyond"}),
    "an unclosed quote is its own line's error": ("payments", P_HEAD + "P1,H1,,,2023-07-01,100,counter\n"
                                                  "P2,\"H1,,,2023-07-01,100,counter\nP3,H1,,,2023-07-01,100,counter\n"
                                                  "P4,H1,,,2023-02-30,100,counter\n",
                                                  {3: "not closed on this line", 5: "not a real date"}),
    "a field over the csv module's limit": ("payments", P_HEAD + f"P1,H1,,,2023-07-01,100,{'x' * 140_000}\n"
                                            "P2,H1,,,2023-13-01,100,counter\n",
                                            {2: "longer than 131,072 characters", 3: "not a real date"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_bad_values_are_refused_naming_every_line(ledger, tmp_path, case):
    kind, body, expected = CASES[case]
    errors = refused(ledger, kind, write(tmp_path, "bad.csv", body))
    assert set(errors) == set(expected), errors
    for line, words in expected.items():
        assert words in errors[line]


def test_bare_cr_line_ends_are_refused(ledger, tmp_path):
    errors = refused(ledger, "assessments", write(tmp_path, "cr.csv", ASSESSMENTS.replace("\n", "\r")))
    assert list(errors) == [1] and "bare CR" in errors[1]
    body = ASSESSMENTS.replace("H1,2023,2,2023-07-31,10000\n", "H1,2023,2,2023-07-31,10000\r")
    errors = refused(ledger, "assessments", write(tmp_path, "cr2.csv", body))
    assert list(errors) == [3]  # the line that holds the stray CR, and the others still checked


def test_binary_garbage_and_nul_bytes_are_refused(ledger, tmp_path):
    import random
    rng = random.Random(15)
    garbage = ASSESSMENTS.encode() + bytes(rng.randrange(256) for _ in range(2_000))
    assert refused(ledger, "assessments", file_bytes(tmp_path, "g.csv", garbage))
    nul = P_HEAD.encode() + b"P1,H1,,,2023-07-01,100,coun\x00ter\n"
    errors = refused(ledger, "payments", file_bytes(tmp_path, "nul.csv", nul))
    assert list(errors) == [2] and "channel holds U+0000" in errors[2]
    assert refused(ledger, "payments", file_bytes(tmp_path, "u16.csv", (P_HEAD + "P1,H1,,,2023-07-01,100,counter\n")
                                                  .encode("utf-16")))


def test_the_window_moves_with_the_clock(ledger, tmp_path):
    """Birth dates and ledger dates are judged against the import's own Tokyo day, not a fixed year."""
    path = write(tmp_path, "h.csv", H_HEAD + h_row(household_no="H5", head_birth_date="2024-06-02"))
    with pytest.raises(ImportRejected):
        run(ledger, "households", path, now=NOW)
    late_evening = datetime(2024, 6, 1, 15, 30, tzinfo=timezone.utc)  # already 2024-06-02 in Tokyo
    assert late_evening.astimezone(TOKYO).date().isoformat() == "2024-06-02"
    assert run(ledger, "households", path, now=late_evening).inserted == 1
    payment = write(tmp_path, "p.csv", P_HEAD + "P1,H1,,,2025-06-01,100,counter\n")
    assert run(ledger, "payments", payment, now=NOW).inserted == 1
    with ledger.connect() as conn:
        assert conn.execute(select(func.count()).select_from(households)).scalar_one() == 3


def test_the_numbers_of_the_ward_and_of_the_tests_are_household_numbers(ledger, tmp_path):
    body = H_HEAD + h_row(household_no="271150000001") + h_row(household_no="H12")
    assert run(ledger, "households", write(tmp_path, "h.csv", body), now=NOW).inserted == 2


BAD_FILES = {
    "bare CR": b"household_no,fiscal_year,installment,due_date,amount\rH1,2023,1,2023-06-30,10000\r",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    "over the field limit": (A_HEAD + "H1,2023,1,2023-06-30," + "9" * 200_000 + "\n").encode(),
    "10^20": f"{A_HEAD}H1,2023,1,2023-06-30,{10 ** 20}\n".encode(),
    "2^63": f"{A_HEAD}H1,2023,1,2023-06-30,{2 ** 63}\n".encode(),
    "NUL": f"{A_HEAD}H1,2023,1,2023-06-30,1\x00\n".encode(),
    "unclosed quote": f"{A_HEAD}\"H1,2023,1,2023-06-30,1\nH1,2023,2,2023-07-31,1\n".encode(),
}


def test_the_command_exits_2_without_a_traceback(db_url, tmp_path):
    # the login imports, as a clerk would (an --as is itself recorded, which would change the database)
    staffed(db_url, {login_name(): "clerk"})

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", db_url, *args],
                              capture_output=True,
                              text=True, errors="replace")
    assert cli("import", "households", write(tmp_path, "h.csv", HOUSEHOLDS)).returncode == 0
    before = fingerprint(db_url)
    for name, data in BAD_FILES.items():
        done = cli("import", "assessments", file_bytes(tmp_path, "bad.csv", data))
        assert done.returncode == 2 and "Traceback" not in done.stderr and "line " in done.stderr, (name, done.stderr)
        assert fingerprint(db_url) == before, name


def test_the_command_judges_dates_by_the_office_day_it_is_given(tmp_path):
    """NHI_COLLECT_TODAY (a training database, a simulation) moves the windows with the office's clock."""
    import os
    db = staffed(f"sqlite:///{tmp_path / 'x.db'}", {"clerk": "clerk"})
    path = write(tmp_path, "h.csv", H_HEAD + h_row(household_no="H5", head_birth_date="2023-07-02"))

    def cli(today):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", db, "--as", "clerk", "import",
                               "households", path],
                              capture_output=True, text=True, env={**os.environ, "NHI_COLLECT_TODAY": today})
    refused = cli("2023-07-01")
    assert refused.returncode == 2 and "line 2: head_birth_date 2023-07-02 is outside" in refused.stderr
    assert cli("2023-07-02").returncode == 0
