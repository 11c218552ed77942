"""Fast bulk loading: PostgreSQL COPY, SQLite executemany. Used for staging imports and batch rows."""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Sequence

from sqlalchemy import Connection, Table

BATCH = 20_000


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert tuples (in `columns` order) into `table` without building one object per row.

    Values are what both drivers take as they are: int, str (dates as YYYY-MM-DD), bool or None.
    """
    names = ", ".join(columns)
    count = 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    iterator = iter(rows)
    while chunk := list(islice(iterator, BATCH)):
        conn.exec_driver_sql(sql, chunk)
        count += len(chunk)
    return count
