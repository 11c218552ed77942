"""Finding a household: by number, name or reading (any kana, any width, variant kanji), phone, address,
district. Each search is a prefix of a folded key (domain/search_keys.py) stored on the household and
indexed, so it is an index range scan whatever the ward's size; listing the results shows names, so each
listed household is access-logged (seed 窓3).

The keys are kept by the household import (services/imports.py) and were backfilled by migration 0009.
On PostgreSQL they are in the "C" collation: a prefix is then the byte range [prefix, next) of the index,
as in SQLite's default BINARY collation, whatever the database's own collation (ja_JP would order kana
by reading, not by code point).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, and_, func, select, update

from ..adapters.bulk import bulk_insert
from ..adapters.tables import UNPAID, assessments, households
from ..domain.search_keys import fold_address, fold_name, fold_phone, keys_of
from ..workflow.definition import Workflow
from .identity import authorize
from .staff import log_shown

LIMIT = 50  # a page of results; more means the clerk types more
CHUNK = 20_000
KEYS = ("name_key", "kana_key", "phone_key", "address_key")
_PHONE_LIKE = re.compile(r"[\d\-()\s]+")
_NUMBER_LIKE = re.compile(r"[A-Z]\d*|\d+")


def refresh_search_keys(conn: Connection, where) -> int:
    """Recompute the keys of the households `where` selects, CHUNK rows at a time (the fold is Python:
    NFKC and the variant table are not SQL). PostgreSQL: COPY into a temporary table, then one UPDATE."""
    source = (households.c.id, households.c.head_name, households.c.head_name_kana, households.c.phone,
              households.c.address)
    fresh = Table("search_keys_fresh", MetaData(), Column("id", BigInteger),
                  *(Column(k, String) for k in KEYS), prefixes=["TEMPORARY"])
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        fresh.create(conn)
    last, count = 0, 0
    while rows := conn.execute(select(*source).where(where, households.c.id > last)
                               .order_by(households.c.id).limit(CHUNK)).all():
        last, count = rows[-1].id, count + len(rows)
        keyed = [(r.id, *keys_of(r.head_name, r.head_name_kana, r.phone, r.address).values()) for r in rows]
        if postgres:
            bulk_insert(conn, fresh, ["id", *KEYS], keyed)
        else:
            conn.exec_driver_sql(f"UPDATE households SET {', '.join(f'{k} = ?' for k in KEYS)} WHERE id = ?",
                                 [(*keys, hid) for hid, *keys in keyed])
    if postgres:
        conn.execute(update(households).where(households.c.id == fresh.c.id)
                     .values({k: fresh.c[k] for k in KEYS}))
        fresh.drop(conn)
    return count


def _after(prefix: str) -> str:
    """The least string above every string that starts with `prefix` (code-point order)."""
    following = ord(prefix[-1]) + 1
    return prefix[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)  # no surrogates


def _starting(column, prefix: str):
    return and_(column >= prefix, column < _after(prefix))


def _probes(text: str) -> list[tuple]:
    """(column, folded prefix) to look up for what was typed: a number or a phone, else name, reading
    and address. Household numbers are [A-Z]?digits (services/csv_input.py), ordered alike in any
    collation, so the household_no unique index serves their prefix."""
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not plain:
        return []
    probes = [(households.c.household_no, plain)] if _NUMBER_LIKE.fullmatch(plain) else []
    if _PHONE_LIKE.fullmatch(plain):
        return probes + [(households.c.phone_key, fold_phone(plain))]
    return probes + [(households.c.name_key, fold_name(text)), (households.c.kana_key, fold_name(text)),
                     (households.c.address_key, fold_address(text))]


def find(conn: Connection, text: str, district: str | None = None) -> tuple[list[int], bool]:
    """The ids of up to LIMIT households whose number, name, reading, phone or address starts with
    `text` (folded), within `district` if given; and whether there were more. One query per key, each
    an index range scan stopping after LIMIT + 1 rows."""
    probes = [(column, prefix) for column, prefix in _probes(text or "") if prefix]
    if not probes and not district:
        return [], False
    if not probes:  # a district alone: its households by reading (index on district, kana_key)
        probes = [(households.c.kana_key, None)]
    found: dict[int, None] = {}
    more = False
    for column, prefix in probes:
        query = select(households.c.id).order_by(column).limit(LIMIT + 1)
        if prefix is not None:
            query = query.where(_starting(column, prefix))
        if district:
            query = query.where(households.c.district == district)
        ids = conn.execute(query).scalars().all()
        more = more or len(ids) > LIMIT
        found.update(dict.fromkeys(ids))
    return list(found)[:LIMIT], more or len(found) > LIMIT


def results(conn: Connection, workflow: Workflow, ids: list[int], on: date) -> list[dict]:
    """The listed households: number, name, reading, address, stage and what is overdue on `on`."""
    if not ids:
        return []
    overdue = dict(conn.execute(select(assessments.c.household_id, func.sum(UNPAID))
                                .where(assessments.c.household_id.in_(ids), assessments.c.due_date < on)
                                .group_by(assessments.c.household_id)).all())
    rows = conn.execute(select(households).where(households.c.id.in_(ids))
                        .order_by(households.c.kana_key, households.c.household_no)).all()
    return [{"household_no": r.household_no, "head_name": r.head_name, "head_name_kana": r.head_name_kana,
             "address": r.address, "district": r.district, "stage": r.stage,
             "stage_label": workflow.stages.get(r.stage, r.stage),
             "overdue": max(int(overdue.get(r.id) or 0), 0)} for r in rows]


def search_households(conn: Connection, workflow: Workflow, text: str, district: str | None, on: date,
                      user: str) -> dict:
    """The search a person runs (screen or command line): their duty checked, every listed household
    access-logged with what was searched."""
    authorize(conn, workflow, user, "read_household")
    text, district = (text or "").strip()[:100], (district or "").strip()[:40] or None
    ids, more = find(conn, text, district)
    listed = results(conn, workflow, ids, on)
    log_shown(conn, user, ids, f"search: {text}" + (f" in {district}" if district else ""), "search")
    return {"query": text, "district": district, "results": listed, "more": more}


def districts(conn: Connection) -> list[str]:
    """The districts households live in, by a walk of the (district, kana_key) index (one probe per
    district, a recursive query) rather than a DISTINCT over every household."""
    walk = select(func.min(households.c.district).label("district")).cte("walk", recursive=True)
    walk = walk.union_all(select(select(func.min(households.c.district)).where(households.c.district > walk.c.district)
                                 .scalar_subquery()).where(walk.c.district.is_not(None)))
    return conn.execute(select(walk.c.district).where(walk.c.district.is_not(None))).scalars().all()
