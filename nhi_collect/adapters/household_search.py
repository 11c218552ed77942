"""Households found by a prefix of a folded search key, the keys rewritten, the listed households and their
overdue money, the districts (services/search.py). On PostgreSQL the keys are in the "C" collation: a prefix
is then the byte range [prefix, next) of the index, as in SQLite's default BINARY collation."""

from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, and_, func, select, update

from .bulk import bulk_insert
from .tables import UNPAID, assessments, households

CHUNK = 20_000
KEYS = ("name_key", "kana_key", "phone_key", "address_key")


def rewrite_search_keys(conn: Connection, where, keys_of: Callable) -> int:
    """The keys of the households `where` selects, as `keys_of(row)` gives them (in KEYS order) for rows of
    id, head_name, head_name_kana, phone and address, CHUNK rows at a time. PostgreSQL: COPY into a temporary
    table, then one UPDATE."""
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
        keyed = [(r.id, *keys_of(r)) for r in rows]
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


def ids_by_prefix(conn: Connection, key: str, prefix: str | None, district: str | None, limit: int) -> list[int]:
    """Up to `limit` household ids in the order of column `key`, those whose `key` starts with `prefix` (all
    if None), within `district` if given: an index range scan."""
    column = households.c[key]
    query = select(households.c.id).order_by(column).limit(limit)
    if prefix is not None:
        query = query.where(_starting(column, prefix))
    if district:
        query = query.where(households.c.district == district)
    return conn.execute(query).scalars().all()


def overdue_of(conn: Connection, ids: list[int], on: date) -> dict[int, int]:
    """Per household: unpaid on its installments due before `on`."""
    return dict(conn.execute(select(assessments.c.household_id, func.sum(UNPAID))
                             .where(assessments.c.household_id.in_(ids), assessments.c.due_date < on)
                             .group_by(assessments.c.household_id)).all())


def households_by_reading(conn: Connection, ids: list[int]) -> list:
    return conn.execute(select(households).where(households.c.id.in_(ids))
                        .order_by(households.c.kana_key, households.c.household_no)).all()


def districts(conn: Connection) -> list[str]:
    """The districts households live in, by a walk of the (district, kana_key) index (one probe per
    district, a recursive query) rather than a DISTINCT over every household."""
    walk = select(func.min(households.c.district).label("district")).cte("walk", recursive=True)
    walk = walk.union_all(select(select(func.min(households.c.district)).where(households.c.district > walk.c.district)
                                 .scalar_subquery()).where(walk.c.district.is_not(None)))
    return conn.execute(select(walk.c.district).where(walk.c.district.is_not(None))).scalars().all()
