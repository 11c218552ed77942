"""What the ward's files hand on is safe to open: no formula runs from a report or a manifest
(OWASP CSV injection), and the letter commands touch nothing on disk or in the queue for input
they refuse (issue 15, items 5 and 8)."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import select, update

from nhi_collect.adapters.cells import csv_cell
from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.report_files import write_all
from nhi_collect.adapters.tables import households, letters, queue_items
from nhi_collect.errors import UserError
from nhi_collect.services.letters import mark_returned, reprint, write_batches
from nhi_collect.services.report import monthly
from tests.conftest import staffed
from tests.support.letters import ON, issued  # noqa: F401 (a fixture)
from tests.support.ledger import WORKFLOW
from tests.support.report import AS_OF, ledger  # noqa: F401 (a fixture)

FORMULA = '=HYPERLINK("http://x.example","泉尾")'  # fits the district column (40)


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+81-6-6551", "'+81-6-6551"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("泉尾", "泉尾"), ("a=1", "a=1"), ("", ""),
    ("-1500", "-1500"), ("-0.50", "-0.50"), (-1500, -1500), (None, None)])
def test_a_cell_that_would_start_a_formula_is_quoted_and_numbers_stay(value, expected):
    assert csv_cell(value) == expected


def test_report_files_carry_a_formula_as_text(ledger, tmp_path):  # noqa: F811
    from openpyxl import load_workbook
    with transaction(ledger) as conn:
        # H3 owes arrears, so its district is a row of the breakdown (H1 is fully paid since refunds return credit)
        conn.execute(update(households).where(households.c.household_no == "H3").values(district=FORMULA))
    with ledger.connect() as conn:
        data = monthly(conn, 2023, AS_OF, WORKFLOW.targets)
    data["breakdowns"]["seizures"].append({"property": "@cmd|' /C calc'!A0", "seizures": 1, "amount": -1500,
                                           "collected": 0})
    paths = write_all(data, tmp_path / "reports")
    district = next(p for p in paths if p.name.endswith("-district.csv"))
    rows = list(csv.DictReader(district.open(encoding="utf-8-sig")))
    assert "'" + FORMULA in [r["district"] for r in rows]
    seized = next(p for p in paths if p.name.endswith("-seizures.csv"))
    row = list(csv.DictReader(seized.open(encoding="utf-8-sig")))[-1]
    assert (row["property"], row["amount"]) == ("'@cmd|' /C calc'!A0", "-1500")
    book_path = next(p for p in paths if p.suffix == ".xlsx")
    book = load_workbook(book_path)
    cells = [c for r in book["地区別"].iter_rows() for c in r if c.value == FORMULA]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    last = list(book["差押"].iter_rows(values_only=True))[-1]
    assert last[0] == "@cmd|' /C calc'!A0" and last[2] == -1500  # the amount is still a number
    with zipfile.ZipFile(book_path) as xlsx:
        sheets = [xlsx.read(n).decode() for n in xlsx.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in s or "<f " in s for s in sheets)  # no formula anywhere in the workbook


def test_manifest_quotes_a_household_number_that_would_start_a_formula(issued, tmp_path):  # noqa: F811
    with transaction(issued) as conn:
        conn.execute(update(households).where(households.c.household_no == "H2").values(household_no="=1+1"))
    with issued.connect() as conn:
        write_batches(conn, WORKFLOW, ON, tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "letters" / ON.isoformat() / "manifest.csv").open(encoding="utf-8")))
    assert "'=1+1" in {r["household_no"] for r in rows} and "=1+1" not in {r["household_no"] for r in rows}


def test_two_letters_of_one_household_returned_on_one_day_make_one_check(issued):  # noqa: F811
    with transaction(issued) as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == "H1")).scalar_one()
        serials = conn.execute(select(letters.c.serial).where(letters.c.household_id == hid)
                               .order_by(letters.c.serial)).scalars().all()[:2]
        for serial in serials:
            mark_returned(conn, serial, "宛所不明", ON)
    with issued.connect() as conn:
        statuses = conn.execute(select(letters.c.status).where(letters.c.serial.in_(serials))).scalars()
        assert set(statuses) == {"returned"}
        checks = conn.execute(select(queue_items.c.reason).where(queue_items.c.kind == "returned_mail")).scalars().all()
    assert len(checks) == 1 and all(s in checks[0] for s in serials)


@pytest.mark.parametrize("serial", ["../../escaped/x", "TS2023-000001/../../x", "TS2023-00001"])
def test_reprint_of_what_is_not_a_serial_is_refused_before_anything_is_written(issued, tmp_path, serial):  # noqa: F811
    target = tmp_path / "out" / "reprints" / f"{serial}.pdf"
    with issued.connect() as conn, pytest.raises(UserError, match="not a letter serial"):
        reprint(conn, WORKFLOW, serial)(target)
    assert not (tmp_path / "out").exists() and not (tmp_path / "escaped").exists()


def test_cli_reprint_with_a_path_for_a_serial_creates_no_folder(tmp_path):
    db = staffed(f"sqlite:///{tmp_path / 'x.db'}", {"clerk": "clerk"})
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", db, "--as", "clerk",
                           "--out", str(tmp_path / "work" / "out"), "letters", "reprint", "../../escaped/x"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "not a letter serial" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]
