"""What staff type is screened as imported files are (issue 15, defect 7): control and bidirectional-override
characters in a contact summary, a promise, a note, a reason or a name are refused with exit 2 naming the
field, before anything is written; a line feed in a note is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.tables import audit_log, contacts, metadata
from nhi_collect.bootstrap import bootstrap
from nhi_collect.services.actions import record_contact
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write

TYPED = [  # (command, the field the refusal names, the character)
    (["--as", "tanaka", "action", "contact", "H1", "--channel", "phone", "--summary", "払うと\u202e言った"],
     "summary", "U+202E"),
    (["--as", "tanaka", "action", "contact", "H1", "--channel", "phone", "--summary", "電話", "--promise",
      "10月末\x1b[2J"], "promise", "U+001B"),
    (["--as", "admin", "staff", "add", "mallory", "--name", "悪\x07", "--role", "clerk"], "full_name", "U+0007"),
    (["--as", "admin", "staff", "add", "mallory", "--name", "丸井", "--role", "clerk", "--district", "泉尾\u2066"],
     "districts", "U+2066"),
    (["--as", "tanaka", "household", "show", "H1", "--reason", "照会\r"], "reason", "U+000D"),
    (["--as", "tanaka", "letters", "mark-returned", "X", "--reason", "宛所不明\u200f\u202b"], "reason", "U+202B"),
    (["--as", "tanaka", "queue", "close", "999", "--note", "済\x9b"], "note", "U+009B"),
    (["--as", "tanaka", "action", "open-investigation", "H1", "--inquiry", "employer:大正\u202d工業"], "inquiries", "U+202D"),
]


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    register_staff(engine, {"tanaka": "clerk"})
    return engine


def rows(engine) -> tuple[int, ...]:
    """Rows of contacts, then of every other table but the audit log (which records each --as)."""
    tables = [contacts] + [t for t in metadata.sorted_tables if t not in (contacts, audit_log)]
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


def cli(engine, args):
    env = os.environ | {"NHI_COLLECT_ALLOW_AS": "1"}
    return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", engine.url.render_as_string(hide_password=False),
                           *args], capture_output=True, text=True, env=env)


def test_typed_control_and_bidi_characters_are_refused_naming_the_field(ledger):
    for args, field, char in TYPED:
        before = rows(ledger)
        done = cli(ledger, args)
        assert done.returncode == 2 and f"{field} holds {char}" in done.stderr, (args, done.stderr[-600:])
        assert "Traceback" not in done.stderr
        after = rows(ledger)
        assert after == before, args  # nothing written (the audit log records only the --as)


def test_a_line_feed_in_a_note_is_kept(ledger):
    done = cli(ledger, ["--as", "tanaka", "action", "contact", "H1", "--channel", "visit",
                        "--summary", "不在\n置き手紙"])
    assert done.returncode == 0, done.stderr[-600:]
    with ledger.connect() as conn:
        assert conn.execute(select(contacts.c.summary)).scalar_one() == "不在\n置き手紙"


def test_the_web_apps_door_refuses_the_same(ledger):
    """Services is every entry point's door: a use case called through it is screened, whatever calls it."""
    services = bootstrap(ledger.url.render_as_string(hide_password=False), environ={})
    with pytest.raises(Refused, match="summary holds U\\+2067"):
        services.transact(record_contact, services.workflow, "H1", date(2023, 9, 22), "counter",
                          summary="窓口\u2067", promise=None, actor="tanaka")
    with pytest.raises(Refused, match="summary holds"):  # a CR alone is no line break
        services.transact(record_contact, services.workflow, "H1", date(2023, 9, 22), "counter",
                          summary="窓口\r相談", promise=None, actor="tanaka")
    assert rows(ledger)[0] == 0
    # a text area's lines as an HTML form sends them (CR LF) are kept
    services.transact(record_contact, services.workflow, "H1", date(2023, 9, 22), "counter",
                      summary="窓口\r\n相談", promise=None, actor="tanaka")
    services.dispose()
    assert rows(ledger)[0] == 1
