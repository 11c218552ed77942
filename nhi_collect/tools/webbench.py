"""`nhi-collect webbench`: the staff app at city scale, measured from outside over loopback: clerks' pages
(my work, search, the case file) and supervisors' (the decision inbox, the calendar and a date's run, the report).

The database is a generated ward imported as it stood on the morning of the quiet day after the July
round (the bench's ledger), with the calendar's dates run, so the nightly run has computed the queue.
Built once and reused: building 450,000 households takes minutes, and the pages only read. Its decision inbox
is filled once, by the bench's clerks (tools/inbox.py), as a ward's holds a few hundred open proposals on a morning.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, func, select

from ..adapters.db import transaction, upgrade
from ..adapters.tables import households
from ..services.business_date import report_night, run_date
from ..services.imports import import_file
from ..workflow.definition import Workflow
from .bench import CATCH_UP, DATED, FISCAL_YEARS, JULY_ROUND, KINDS, QUIET_DAY, before
from .inbox import file_open_proposals
from .synthetic import generate_ward


def build(engine: Engine, workflow: Workflow, n: int, work: Path, seed: int = 7,
          progress: Callable[[str], None] = lambda _m: None) -> bool:
    """The ledger of `n` households as of QUIET_DAY's morning, its dates run; False if already built."""
    upgrade(engine)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(households)).scalar_one():
            return False
    ward, arrived = work / "ward", work / "arrived"
    arrived.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    progress(f"generating {n:,} households")
    generate_ward(n, FISCAL_YEARS, seed, ward)
    for kind in KINDS:
        path = ward / f"{kind}.csv" if kind not in DATED else before(ward, arrived, kind, QUIET_DAY)
        progress(f"importing {kind}")
        with transaction(engine) as conn:
            import_file(conn, kind, str(path), actor="webbench")
    for on in (CATCH_UP, JULY_ROUND, QUIET_DAY):
        progress(f"running {on}")
        run_date(engine, workflow, on, allow_backward=True)
    progress(f"built in {time.perf_counter() - started:,.0f} s")
    return True


# --- the staff and the server ------------------------------------------------------------------

ADMIN = "webbench_admin"
PASSWORD = "webbench password"  # a training database's accounts only


def register_staff(engine: Engine, workflow: Workflow, count: int, supervisors: int = 0) -> list[str]:
    """`count` clerks (web01, web02, …), each with two or three of the ward's towns, and `supervisors`
    supervisors (websup01, …, no towns: they decide, the queue is the clerks'), and their passwords; the queue
    recomputed once if any clerk was new, as the next night's run would assign them their items."""
    from ..adapters.tables import staff
    from ..services import queue
    from ..services.signin import set_password
    from ..services.staff import add
    from .synthetic import TOWNS
    users = [f"web{i:02d}" for i in range(1, count + 1)]
    bosses = [f"websup{i:02d}" for i in range(1, supervisors + 1)]
    with transaction(engine) as conn:
        known = set(conn.execute(select(staff.c.user_name)).scalars())
        if ADMIN not in known:
            add(conn, workflow, ADMIN, ADMIN, "ベンチ管理者", "administrator")
        new = [u for u in users if u not in known]
        for i, user in enumerate(new):
            towns = [TOWNS[(i + k) % len(TOWNS)][0] for k in range(3)]
            add(conn, workflow, ADMIN, user, f"職員{user[3:]}", "clerk", towns)
            set_password(conn, workflow, ADMIN, user, PASSWORD)
        for boss in (b for b in bosses if b not in known):
            add(conn, workflow, ADMIN, boss, f"係長{boss[6:]}", "supervisor")
            set_password(conn, workflow, ADMIN, boss, PASSWORD)
        if new:
            queue.refresh(conn, workflow, QUIET_DAY)
    return users + bosses


def start_server(url: str, port: int):
    """`nhi-collect serve` as staff start it, on loopback, its clock pinned to the quiet day."""
    import os
    import subprocess
    import sys
    import httpx
    env = {**os.environ, "NHI_COLLECT_TODAY": QUIET_DAY.isoformat()}
    server = subprocess.Popen([sys.executable, "-m", "nhi_collect", "--db", url, "serve", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
        if server.poll() is not None:
            raise RuntimeError(f"serve stopped: {server.stderr.read().decode()[-2000:]}")
    server.kill()
    raise RuntimeError("serve did not answer within 120 s")


def signed_in(base: str, user: str):
    import re
    import httpx
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    done = client.post("/signin", data={"user": user, "password": PASSWORD, "csrf_token": token, "next": "/work"})
    if done.status_code >= 400:
        raise RuntimeError(f"{user} could not sign in: {done.status_code}")
    return client


# --- the simulated staff -----------------------------------------------------------------------

CLERKS_PAGES = ("my work", "search", "case file")
SUPERVISORS_PAGES = ("decisions", "runs", "run date", "report")
PAGES = CLERKS_PAGES + SUPERVISORS_PAGES
RUN_DATES = (CATCH_UP, JULY_ROUND, QUIET_DAY)  # the dates build() ran: a supervisor opens one of them


def _targets(engine: Engine, users: list[str], seed: int) -> dict[str, tuple[list[str], list[str]]]:
    """Per clerk: the household numbers in their queue (the case files they open) and kana prefixes of
    those households' names (what they type into the search box); a supervisor needs none."""
    import random
    from ..adapters.tables import queue_items
    rng = random.Random(seed)
    targets = {}
    with engine.connect() as conn:
        for user in (u for u in users if not _supervises(u)):
            rows = conn.execute(select(households.c.household_no, households.c.head_name_kana)
                                .join(queue_items, queue_items.c.household_id == households.c.id)
                                .where(queue_items.c.assigned_to == user, queue_items.c.status == "open")
                                .limit(200)).all()
            if not rows:  # a clerk with an empty queue answers the phone: any households of the ward
                rows = conn.execute(select(households.c.household_no, households.c.head_name_kana)
                                    .order_by(households.c.id).offset(rng.randrange(100)).limit(20)).all()
            targets[user] = ([r.household_no for r in rows], [r.head_name_kana[:3] for r in rows])
    return targets


def _supervises(user: str) -> bool:
    return user.startswith("websup")


def _one_person(client, targets, deadline: float, think: float, seed: int, times: dict) -> None:
    """A clerk's morning: my work, a search, a case file from the queue, …; a supervisor's: the decision
    inbox, the calendar of runs, a date's run, the monthly report, …; pausing `think` s on average."""
    import random
    from urllib.parse import quote
    rng = random.Random(seed)
    numbers, prefixes = targets or ([], [])
    paths = {"my work": lambda: "/work",
             "search": lambda: f"/search?q={quote(rng.choice(prefixes))}",
             "case file": lambda: f"/households/{rng.choice(numbers)}?reason={quote('電話催告')}",
             "decisions": lambda: "/decisions",
             "runs": lambda: "/runs",
             "run date": lambda: f"/runs/{rng.choice(RUN_DATES).isoformat()}",
             "report": lambda: "/reports"}
    pages = CLERKS_PAGES if targets else SUPERVISORS_PAGES
    turn = rng.randrange(len(pages))
    # A morning in full swing: each person is somewhere in a pause when the clock starts (the rest of an
    # exponential pause is exponential), not all 50 clicking in the same millisecond, a burst the first
    # requests would queue behind and no ward produces.
    time.sleep(rng.expovariate(1 / think))
    try:
        while time.monotonic() < deadline:
            page = pages[turn % len(pages)]
            turn += 1
            started = time.perf_counter()
            response = client.get(paths[page]())
            elapsed = (time.perf_counter() - started) * 1000
            times.setdefault(page, []).append(elapsed if response.status_code < 400 else float("nan"))
            time.sleep(rng.expovariate(1 / think))
    finally:
        client.close()


def simulate(base: str, users: list[str], targets: dict, seconds: float, think: float, seed: int) -> dict:
    import threading
    from concurrent.futures import ThreadPoolExecutor
    times: dict[str, list[float]] = {}
    errors: list[BaseException] = []
    # Everyone signs in first (argon2 costs tens of ms of CPU each, by design): a morning's sign-ins are
    # spread over the first minutes of the day, and timed pages queued behind 50 at once would measure them.
    with ThreadPoolExecutor(4) as pool:
        clients = list(pool.map(lambda u: signed_in(base, u), users))
    deadline = time.monotonic() + seconds

    def person(*args):
        try:
            _one_person(*args)
        except Exception as exc:  # one who could not work makes the figures meaningless: reported below
            errors.append(exc)
    threads = [threading.Thread(target=person, args=(c, targets.get(u), deadline, think, seed + i, times))
               for i, (u, c) in enumerate(zip(users, clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} simulated staff failed; the first: {errors[0]!r}")
    return times


OPEN = ("SELECT 'seizure' AS kind, id, household_id, proposed_on FROM seizure_proposals WHERE status = 'open' "
        "UNION ALL SELECT kind, id, household_id, proposed_on FROM decision_proposals WHERE status = 'open'")


def bare_sql(engine: Engine, users: list[str], targets: dict, rounds: int = 200) -> dict[str, list[float]]:
    """The pages' own reads as hand-written SQL on one connection, no HTTP, no templates: the floor."""
    import random
    from sqlalchemy import text
    from ..domain.search_keys import fold_name
    from ..services.households import current_accounting_year
    from ..services.runs import fiscal_days
    rng = random.Random(1)
    clerks = [u for u in users if u in targets]
    year = current_accounting_year(QUIET_DAY)
    first, last = fiscal_days(year)
    queries = {
        "my work": ("SELECT q.*, h.household_no, h.head_name, h.district FROM queue_items q JOIN households h "
                    "ON h.id = q.household_id WHERE q.status = 'open' AND q.assigned_to = :u ORDER BY "
                    "q.limitation_on, q.amount DESC, q.oldest_due, q.id LIMIT 100",
                    lambda u: {"u": u}),
        "search": ("SELECT household_no, head_name, head_name_kana, address, stage FROM households "
                   "WHERE kana_key LIKE :p ORDER BY kana_key LIMIT 50",  # the folded key's index, as the app
                   lambda u: {"p": fold_name(rng.choice(targets[u][1])) + "%"}),
        "case file": ("SELECT h.*, a.*, (SELECT count(*) FROM letters l WHERE l.household_id = h.id) AS letters "
                      "FROM households h JOIN assessments a ON a.household_id = h.id WHERE h.household_no = :n",
                      lambda u: {"n": rng.choice(targets[u][0])}),
        # the open proposals counted per kind, the first page's (oldest first) with their households'
        # installments and seizures (the facts the inbox shows)
        "decisions": ((f"WITH o AS ({OPEN}) SELECT kind, count(*) FROM o GROUP BY kind",
                       f"WITH o AS ({OPEN}), p AS (SELECT * FROM o ORDER BY proposed_on, kind, id LIMIT 20) "
                       "SELECT p.*, h.household_no, h.head_name, h.stage, a.*, s.* FROM p JOIN households h ON "
                       "h.id = p.household_id JOIN assessments a ON a.household_id = h.id LEFT JOIN seizures s ON "
                       "s.household_id = h.id AND s.released_on IS NULL ORDER BY p.proposed_on, p.kind, p.id, "
                       "a.due_date"), lambda u: {}),
        # the year's runs beside its letters per date
        "runs": ("SELECT b.*, l.n FROM batch_runs b LEFT JOIN (SELECT issued_on, count(*) AS n FROM letters "
                 "WHERE issued_on BETWEEN :a AND :z GROUP BY issued_on) l ON l.issued_on = b.business_date "
                 "WHERE b.business_date BETWEEN :a AND :z ORDER BY b.business_date, b.id",
                 lambda u: {"a": first, "z": last}),
        # a date's moves per edge and letters per type
        "run date": ("SELECT batch_run_id, from_stage, to_stage, count(*) FROM stage_transitions WHERE on_date = :d "
                     "GROUP BY batch_run_id, from_stage, to_stage UNION ALL SELECT NULL, letter_type, NULL, "
                     "count(*) FROM letters WHERE issued_on = :d GROUP BY letter_type",
                     lambda u: {"d": rng.choice(RUN_DATES)}),
        # the two rates' sums: assessed this year, collected on it and on the arrears up to the day
        "report": ("SELECT (SELECT sum(amount) FROM assessments WHERE fiscal_year = :y), (SELECT sum(amount) FROM "
                   "assessments WHERE fiscal_year < :y), (SELECT sum(amount) FROM allocations WHERE fiscal_year = :y "
                   "AND received_on BETWEEN :a AND :d), (SELECT sum(amount) FROM allocations WHERE fiscal_year < :y "
                   "AND received_on BETWEEN :a AND :d)", lambda u: {"y": year, "a": first, "d": QUIET_DAY}),
    }
    times: dict[str, list[float]] = {}
    with engine.connect() as conn:
        for _ in range(rounds):
            for page, (sql, params) in queries.items():
                started = time.perf_counter()
                for one in (sql,) if isinstance(sql, str) else sql:  # a page of several reads: all of them
                    conn.execute(text(one), params(rng.choice(clerks))).all()
                times.setdefault(page, []).append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], p: float) -> float | None:
    ok = sorted(v for v in values if v == v)
    if not ok:
        return None
    return ok[min(len(ok) - 1, int(round(p / 100 * (len(ok) - 1))))]


def figures(web: dict, bare: dict) -> list[dict]:
    rows = []
    for page in PAGES:
        w, b = web.get(page, []), bare.get(page, [])
        rows.append({"page": page, "requests": len(w), "failed": sum(1 for v in w if v != v),
                     "p50_ms": percentile(w, 50), "p95_ms": percentile(w, 95),
                     "bare_p50_ms": percentile(b, 50), "bare_p95_ms": percentile(b, 95)})
    return rows


def webbench(url: str, workflow: Workflow, n: int, work: Path, staff: int = 50, seconds: float = 60,
             think: float = 2.0, port: int = 8765, seed: int = 7, supervisors: int = 5,
             progress: Callable[[str], None] = lambda _m: None) -> dict:
    from ..adapters.db import make_engine
    engine = make_engine(url)
    build(engine, workflow, n, work, seed, progress)
    with transaction(engine) as conn:  # a database built before the night's report was part of a run
        report_night(conn, workflow, QUIET_DAY)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(households)).scalar_one()
    users = register_staff(engine, workflow, staff, supervisors)
    clerks, bosses = [u for u in users if not _supervises(u)], [u for u in users if _supervises(u)]
    if filed := file_open_proposals(engine, workflow, QUIET_DAY, clerks, next(iter(bosses), None)):
        progress(f"{filed} proposals filed for the decision inbox")
    targets = _targets(engine, users, seed)
    progress(f"{n:,} households; {staff} clerks and {supervisors} supervisors for {seconds:.0f} s, {think} s "
             "between pages on average")
    server = start_server(url, port)
    try:
        web = simulate(f"http://127.0.0.1:{port}", users, targets, seconds, think, seed)
    finally:
        server.terminate()
        server.wait(30)
    progress("the same reads as bare SQL")
    bare = bare_sql(engine, users, targets)
    engine.dispose()
    return {"households": n, "database": make_engine(url).dialect.name, "staff": staff,
            "supervisors": supervisors, "seconds": seconds,
            "think_seconds": think, "pages": figures(web, bare)}


def table(result: dict) -> str:
    lines = [f"{result['households']:,} households on {result['database']}, {result['staff']} clerks and "
             f"{result['supervisors']} supervisors, "
             f"{result['seconds']:.0f} s, {result['think_seconds']} s think time",
             f"{'page':<10} {'requests':>8} {'failed':>6} {'p50 ms':>8} {'p95 ms':>8} {'bare p50':>9} {'bare p95':>9}"
             f" {'p95 ratio':>9}"]
    for r in result["pages"]:
        def ms(v):
            return "—" if v is None else f"{v:,.1f}"
        ratio = (r["p95_ms"] / r["bare_p95_ms"]) if r["p95_ms"] and r["bare_p95_ms"] else None
        lines.append(f"{r['page']:<10} {r['requests']:>8} {r['failed']:>6} {ms(r['p50_ms']):>8} {ms(r['p95_ms']):>8}"
                     f" {ms(r['bare_p50_ms']):>9} {ms(r['bare_p95_ms']):>9} {ms(ratio):>9}")
    return "\n".join(lines)
