"""A fuzz campaign against `nhi-collect import` (issue 15): mutated files, each imported by the command
itself in a subprocess against a given database, within a time limit.

A file *held* when the command accepted it (exit 0) or refused it as bad input (exit 2, no traceback)
leaving the database as it was; it *failed* on any other exit (an internal error, a crash, a hang) or
a refusal that changed the database. SQLite must stay byte-identical (its file is compared after a
checkpoint); PostgreSQL must keep every row of every table (sequences may move: PostgreSQL does not
roll them back, by design)."""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

KINDS = ("households", "assessments", "adjustments", "payments")
SEED = {
    "households": "household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,phone,"
                  "whereabouts_unknown,language\n"
                  "271150000001,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,06-6551-0000,0,ja\n"
                  "271150000002,山﨑　花子,ヤマサキ　ハナコ,1980-03-04,551-0002,大阪市大正区三軒家東2丁目2-2,三軒家東,,0,en\n"
                  "271150000003,NGUYEN VAN AN,グエン　ヴァン　アン,1991-11-30,551-0021,大阪市大正区南恩加島1丁目1-1,南恩加島,,0,vi\n",
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   + "".join(f"2711500000{h:02d},2023,{i},2023-{i + 5:02d}-28,{9800 + 100 * h}\n"
                             for h in (1, 2, 3) for i in range(1, 8)),
    "adjustments": "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                   "J1,271150000001,2023,2,2023-08-01,-2000,減免\nJ2,271150000002,2023,3,2023-09-01,500,更正\n",
    "payments": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                "P1,271150000001,2023,1,2023-06-30,9900,bank_transfer\nP2,271150000002,,,2023-07-10,71000,counter\n"
                "P3,271150000003,2023,1,2023-07-01,10100,convenience_store\nR1,271150000002,,,2023-08-01,-500,refund\n",
}
NASTY_FIELDS = ["", " ", "=1+1", "=HYPERLINK(\"http://x.example\",\"x\")", "@SUM(A1)", "-", "+", "\x00", "a\x00b",
                "\x07", "\u202e逆\u202c", "\u2066x\u2069", "\t", "\r", "\n", "\"", "\"\"", "'", "ﾀｶﾊｼ", "0", "-0",
                "1e3", "12.5", "１２３", "٣", str(10 ** 20), str(2 ** 63), str(2 ** 63 - 1), str(-2 ** 63),
                "9" * 5000, "100000001", "-100000001", "2999-01-01", "1800-01-01", "2023-02-30", "0000-00-00",
                "2023-1-1", "27115000000100001", "27115000000", "x" * 300, "\ufeff", "\udcff", "NULL", "None",
                "refund", "\\N", "2023", "13", "-1"]


def _mutate_field(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    row = rng.randrange(len(lines))
    fields = lines[row].split(",")
    fields[rng.randrange(len(fields))] = rng.choice(NASTY_FIELDS)
    lines[row] = ",".join(fields)
    return "\n".join(lines)


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


TEXT_MUTATIONS: list[Callable[[random.Random, str], str]] = [
    _mutate_field,
    lambda rng, t: t.replace("\n", "\r"),  # old Mac line ends
    lambda rng, t: t.replace("\n", "\r\n"),
    lambda rng, t: t.replace(",", ",\"", 1) if rng.random() < 0.5 else t.replace(",", "\",", 1),  # a stray quote
    lambda rng, t: t[:rng.randrange(len(t) + 1)],  # truncated
    lambda rng, t: t + t.split("\n", 1)[-1],  # every row twice
    lambda rng, t: t.split("\n", 1)[0] + ",extra\n" + t.split("\n", 1)[-1],  # an unknown column
    lambda rng, t: t.replace(",", ";"),
    lambda rng, t: "\n".join(line + "," for line in t.split("\n")),
    lambda rng, t: t.replace("\n", "\n" + "y" * 140_000 + "\n", 1),  # past the csv module's field limit
    lambda rng, t: "\n".join(reversed(t.split("\n"))),
]
BYTE_MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    _mutate_bytes,
    lambda rng, b: bytes(rng.randrange(256) for _ in range(rng.randint(0, 600))),  # binary garbage
    lambda rng, b: b"\xef\xbb\xbf" + b,
    lambda rng, b: b[:rng.randrange(len(b) + 1)] + b"\x00" * rng.randint(1, 4) + b[rng.randrange(len(b) + 1):],
    lambda rng, b: b.decode("utf-8").encode("utf-16"),
    lambda rng, b: b.decode("utf-8").encode("cp932", errors="replace"),
]


def mutated(rng: random.Random, kind: str) -> bytes:
    """One to three mutations of the kind's seed file."""
    text = SEED[kind]
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(TEXT_MUTATIONS)(rng, text)
    data = text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.3:
        data = rng.choice(BYTE_MUTATIONS)(rng, data)
    return data


def fingerprint(url: str) -> str:
    """A digest of the database: the SQLite file's bytes after a checkpoint, or every row of every
    PostgreSQL table in a stable order (one digest per table, computed by the server)."""
    from sqlalchemy import make_url
    if url.startswith("sqlite"):
        import sqlite3
        path = make_url(url).database
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    import psycopg
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                             "ORDER BY tablename")]
        query = " UNION ALL ".join(f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
                                   f'FROM "{t}" x' for t in tables)
        digests = conn.execute(query).fetchall() if tables else []
    return hashlib.sha256(repr(digests).encode()).hexdigest()


@dataclass
class Campaign:
    tried: int = 0
    held: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"fuzz: tried {self.tried}, held {self.held}, failed {self.failed}"


def register_importer(url: str) -> None:
    """On a scratch database with no staff yet, the person running the campaign is registered as a clerk (by
    a first administrator) so that the imports run as the login, as a clerk's would: no --as."""
    from ..adapters.db import make_engine, transaction, upgrade
    from ..services import staff
    from ..services.identity import login_name
    from ..workflow.definition import load
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as conn:
        if not staff.listing(conn):
            workflow, admin = load(), "fuzz-admin"
            staff.add(conn, workflow, admin, admin, "fuzz campaign", "administrator")
            staff.add(conn, workflow, admin, login_name(), login_name(), "clerk")
    engine.dispose()


def campaign(url: str, files: int, seconds: float, seed: int = 0, command: list[str] | None = None,
             env: dict[str, str] | None = None, keep: Path | None = None) -> Campaign:
    """Import up to `files` mutated files (or as many as `seconds` allow) into the database at `url`.
    The seed files are imported first and must be accepted, so that a refusal for another reason (the
    command cannot reach the database, the user may not import) is not counted as a held file.
    `command` and `env` say how to run nhi-collect; a failing file is copied into `keep` when given."""
    command = command or [sys.executable, "-m", "nhi_collect"]
    environment = {**os.environ, **(env or {})}
    register_importer(url)
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    result = Campaign()
    with tempfile.TemporaryDirectory() as work:
        def run(kind: str, path: Path) -> subprocess.CompletedProcess:
            return subprocess.run([*command, "--db", url, "import", kind, str(path)], capture_output=True, text=True,
                                  errors="replace", env=environment, timeout=max(30.0, deadline - time.monotonic()))
        for kind in KINDS:
            path = Path(work) / f"seed-{kind}.csv"
            path.write_text(SEED[kind], encoding="utf-8")
            done = run(kind, path)
            if done.returncode != 0:
                raise RuntimeError(f"the seed {kind} file was not accepted (exit {done.returncode}): {done.stderr}")
        while result.tried < files and time.monotonic() < deadline:
            kind = rng.choice(KINDS)
            path = Path(work) / f"{result.tried:05d}-{kind}.csv"
            path.write_bytes(mutated(rng, kind))
            before = fingerprint(url)
            result.tried += 1
            try:
                done = run(kind, path)
            except subprocess.TimeoutExpired:
                result.failed += 1
                result.failures.append(f"{path.name}: no answer within the campaign's time")
                break
            problem = None
            if done.returncode not in (0, 2) or "Traceback" in done.stderr:
                cause = [x for x in done.stderr.strip().splitlines() if not x.startswith("nhi-collect: internal")]
                problem = f"exit {done.returncode}: {cause[-1] if cause else 'no message'}"
            elif done.returncode == 2 and fingerprint(url) != before:
                problem = "refused, but the database changed"
            if problem:
                result.failed += 1
                if keep:
                    (keep / f"fuzz-failure-{path.name}").write_bytes(path.read_bytes())
                result.failures.append(f"{path.name}: {problem}")
            else:
                result.held += 1
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz `nhi-collect import` with mutated files.")
    parser.add_argument("--db", required=True, help="database URL (it receives the seed files; use a scratch one)")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="folder to copy the failing files into")
    args = parser.parse_args(argv)
    result = campaign(args.db, args.files, args.seconds, args.seed, keep=args.keep)
    print(result.line())
    for failure in result.failures:
        print("  " + failure)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
