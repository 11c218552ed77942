"""Finding a household: by number, name or reading (any kana, any width, variant kanji), phone, address,
district. Each search is a prefix of a folded key (domain/search_keys.py) stored on the household and
indexed, so it is an index range scan whatever the ward's size; listing the results shows names, so each
listed household is access-logged (seed 窓3).

The keys are kept by the household import (services/imports.py) and were backfilled by migration 0009.
On PostgreSQL they are in the "C" collation, whatever the database's own collation (ja_JP would order kana
by reading, not by code point): the lookups are adapters/household_search.py's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import Connection

from ..adapters import household_search as stored
from ..domain.search_keys import fold_address, fold_name, fold_phone, keys_of
from ..workflow.definition import Workflow
from .identity import authorize
from .staff import log_shown

LIMIT = 50  # a page of results; more means the clerk types more
_PHONE_LIKE = re.compile(r"[\d\-()\s]+")
_NUMBER_LIKE = re.compile(r"[A-Z]\d*|\d+")


def refresh_search_keys(conn: Connection, where) -> int:
    """Recompute the keys of the households `where` selects (the fold is Python: NFKC and the variant table
    are not SQL)."""
    return stored.rewrite_search_keys(
        conn, where, lambda r: keys_of(r.head_name, r.head_name_kana, r.phone, r.address).values())


def _probes(text: str) -> list[tuple]:
    """(search-key column, folded prefix) to look up for what was typed: a number or a phone, else name, reading
    and address. Household numbers are [A-Z]?digits (services/csv_input.py), ordered alike in any
    collation, so the household_no unique index serves their prefix."""
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not plain:
        return []
    probes = [("household_no", plain)] if _NUMBER_LIKE.fullmatch(plain) else []
    if _PHONE_LIKE.fullmatch(plain):
        return probes + [("phone_key", fold_phone(plain))]
    return probes + [("name_key", fold_name(text)), ("kana_key", fold_name(text)),
                     ("address_key", fold_address(text))]


def find(conn: Connection, text: str, district: str | None = None) -> tuple[list[int], bool]:
    """The ids of up to LIMIT households whose number, name, reading, phone or address starts with
    `text` (folded), within `district` if given; and whether there were more. One query per key, each
    an index range scan stopping after LIMIT + 1 rows."""
    probes = [(column, prefix) for column, prefix in _probes(text or "") if prefix]
    if not probes and not district:
        return [], False
    if not probes:  # a district alone: its households by reading (index on district, kana_key)
        probes = [("kana_key", None)]
    found: dict[int, None] = {}
    more = False
    for column, prefix in probes:
        ids = stored.ids_by_prefix(conn, column, prefix, district, LIMIT + 1)
        more = more or len(ids) > LIMIT
        found.update(dict.fromkeys(ids))
    return list(found)[:LIMIT], more or len(found) > LIMIT


def results(conn: Connection, workflow: Workflow, ids: list[int], on: date) -> list[dict]:
    """The listed households: number, name, reading, address, stage and what is overdue on `on`."""
    if not ids:
        return []
    overdue = stored.overdue_of(conn, ids, on)
    rows = stored.households_by_reading(conn, ids)
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
    """The districts households live in (the search form's choice)."""
    return stored.districts(conn)
