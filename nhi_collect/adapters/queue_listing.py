"""Reading the work queue's open items under a filter (services/queue.py's QueueFilter, read by its fields:
whose, kind, district, overdue amount range, age of arrears): a page in priority order, a bulk action's
selection, the counts per kind, and one item with its household. Sorted, paged and filtered in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from .tables import households, queue_items


def _priority(items):
    """Nearest limitation date, then amount, then age of arrears (of `items`: the table or a page of it)."""
    return (items.c.limitation_on.asc().nulls_last(), items.c.amount.desc(), items.c.oldest_due.asc().nulls_last(),
            items.c.id.asc())


def _listed(query, on: date, where):
    """`query` kept to the items open and created by `on` that meet the filter `where`."""
    query = query.where(queue_items.c.status == "open", queue_items.c.created_on <= on)
    if where.staff_user:
        query = query.where((queue_items.c.assigned_to == where.staff_user)
                            | (queue_items.c.claimed_by == where.staff_user))
    if where.kind:
        query = query.where(queue_items.c.kind == where.kind)
    if where.district:
        query = query.where(queue_items.c.household_id.in_(
            select(households.c.id).where(households.c.district == where.district)))
    if where.min_amount is not None:
        query = query.where(queue_items.c.amount >= where.min_amount)
    if where.max_amount is not None:
        query = query.where(queue_items.c.amount <= where.max_amount)
    if where.overdue_days is not None:
        query = query.where(queue_items.c.oldest_due <= on - timedelta(days=where.overdue_days))
    return query


def page(conn: Connection, on: date, where, limit: int | None, offset: int, exclude: tuple[int, ...],
         unclaimed_or: str | None) -> list:
    """A page of the open items under the filter with their households, in priority order."""
    query = _listed(select(queue_items), on, where)
    if exclude:
        query = query.where(queue_items.c.id.not_in(exclude))
    if unclaimed_or:
        query = query.where(queue_items.c.claimed_by.is_(None) | (queue_items.c.claimed_by == unclaimed_or))
    # the page is chosen before the join, so the database sorts only for the page (top-N), not every row
    chosen = query.order_by(*_priority(queue_items)).limit(limit).offset(offset).subquery()
    return conn.execute(select(chosen, households.c.household_no, households.c.head_name, households.c.district)
                        .join(households, households.c.id == chosen.c.household_id)
                        .order_by(*_priority(chosen))).all()


def selection(conn: Connection, on: date, where, limit: int) -> list:
    """The open items under the filter with their households, in id order, at most `limit` + 1."""
    return conn.execute(_listed(select(queue_items.c.id, queue_items.c.kind, queue_items.c.reason,
                                       queue_items.c.due_on, queue_items.c.household_id, households.c.household_no,
                                       households.c.head_name, households.c.district).join(households), on, where)
                        .order_by(queue_items.c.id).limit(limit + 1)).all()


def kind_counts(conn: Connection, on: date, where) -> list:
    """(kind, a reason, number of items) per kind of the open items under the filter."""
    return conn.execute(_listed(select(queue_items.c.kind, func.min(queue_items.c.reason), func.count()), on,
                                where).group_by(queue_items.c.kind)).all()


def item_with_household(conn: Connection, item_id: int):
    """The item with its household's number, names, phone, district and stage, or None."""
    return conn.execute(select(queue_items, households.c.household_no, households.c.head_name,
                               households.c.head_name_kana, households.c.phone, households.c.district,
                               households.c.stage).join(households).where(queue_items.c.id == item_id)).first()
