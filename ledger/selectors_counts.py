"""How many rows a table page's filters select, and for pledges the USD they add to the totals.

Exact and cheap when the maintained totals can answer (pledges filtered on one summed dimension, or
on two when one is a donor, recipient or kind: ledger/summary_reads.py). Otherwise counted from the live rows with a time limit, as
Datasette does: SQLite interrupts the query through a progress handler on the connection;
PostgreSQL through `SET LOCAL statement_timeout` inside a transaction. When the time runs out, the
rows are counted up to COUNT_CAP and the page says "more than 10,000"."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from ledger import selectors, summary_reads
from ledger.models import Pledge

COUNT_TIME_LIMIT_MS = 250
COUNT_CAP = 10_000
T = TypeVar("T")


@dataclass(frozen=True)
class TableCount:
    """`rows` selected (None when even counting up to COUNT_CAP ran out of time); `more_than`: at
    least `rows`, not exactly. For pledges, `usd` (None when no entry has a USD value) and its
    `qualifier` are what they add to the totals; `usd_known` is False when it was not computed."""

    rows: int | None
    more_than: bool = False
    usd: Decimal | None = None
    qualifier: str = ""
    usd_known: bool = False


def within_time_limit(compute: Callable[[], T], *, milliseconds: int = COUNT_TIME_LIMIT_MS) -> tuple[bool, T | None]:
    """(True, compute()) if the database answers within `milliseconds`, else (False, None)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        deadline = time.monotonic() + milliseconds / 1000
        raw = connection.connection
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 20_000)
        try:
            return True, compute()
        except OperationalError as error:
            if "interrupted" not in str(error):
                raise
            return False, None
        finally:
            raw.set_progress_handler(None, 0)
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # SET LOCAL, reading the timeout in force (a request-wide one, aidledger/limits.py)
                # to put it back for the rest of an outer transaction.
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                    [str(int(milliseconds))],
                )
                previous = cursor.fetchone()[0]
                value = compute()
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
                return True, value
        except OperationalError as error:
            if "statement timeout" not in str(error):
                raise
            return False, None
    return True, compute()


def counted_up_to(rows: QuerySet, cap: int) -> int | None:
    """`rows` counted up to one past `cap` (the database stops there); None when even that runs out of time."""
    finished, counted = within_time_limit(lambda: rows.order_by()[: cap + 1].count())
    return counted if finished else None


def more_than(rows: QuerySet, cap: int) -> bool:
    """Whether `rows` are more than `cap`, or too many to count in time: what the downloads built in
    memory are refused by."""
    counted = counted_up_to(rows, cap)
    return counted is None or counted > cap


def _capped(rows: QuerySet) -> TableCount:
    """The time ran out: count up to COUNT_CAP rows (cheap: the database stops there)."""
    counted = counted_up_to(rows, COUNT_CAP)
    if counted is None:
        return TableCount(rows=None, more_than=True)
    return TableCount(rows=min(counted, COUNT_CAP), more_than=counted > COUNT_CAP)


def table_count(*, rows: QuerySet) -> TableCount:
    """The rows of a filtered table (trade, actors, sources), exactly if the database counts them in time."""
    finished, counted = within_time_limit(lambda: rows.order_by().count())
    return TableCount(rows=counted) if finished else _capped(rows)


QUALIFIERS = ("exact", "approximately", "up_to", "at_least")


def pledges_table_count(*, pledges: QuerySet[Pledge], filters: Mapping[str, Any] | None) -> TableCount:
    """The pledges a filtered table lists (packages and parts both) and the USD they add to the
    totals (packages through their parts): from the maintained totals when the filters allow (one
    query, or two for a filter on two dimensions), else one live query with a time limit."""
    where = summary_reads.summary_slice(filters)
    if where is not None:
        listed, rows = summary_reads.pledge_count(where)
        total = selectors._grand_total(rows)
        return TableCount(rows=listed, usd=total["amount"], qualifier=total["qualifier"], usd_known=True)
    pair = summary_reads.summary_pair(filters)
    if pair is not None:
        counted_rows, rows = summary_reads.counted_in_groups(*pair)
        # The groups hold the counted pledges; the packages counted through their parts are found
        # from the parts' side (an index of a few thousand package ids, whatever the filter).
        with_parts = pledges.filter(pk__in=Pledge.objects.filter(package__isnull=False).values("package_id"))
        finished, packages = within_time_limit(lambda: with_parts.order_by().count())
        if finished:
            total = selectors._grand_total(rows)
            return TableCount(
                rows=counted_rows + packages, usd=total["amount"], qualifier=total["qualifier"], usd_known=True
            )
    counted = Q(counted_in_totals=True, amount_usd__isnull=False)
    aggregates = {
        "rows": Count("id"),
        "usd": Sum("amount_usd", filter=counted),
        **{q: Count("id", filter=counted & Q(amount_qualifier=q)) for q in QUALIFIERS},
    }
    finished, result = within_time_limit(lambda: pledges.with_counted_in_totals().order_by().aggregate(**aggregates))
    if not finished:
        return _capped(pledges)
    return TableCount(
        rows=result["rows"],
        usd=selectors.decimal_sum([result["usd"]]),
        qualifier=selectors.combine_qualifiers(q for q in QUALIFIERS if result[q]),
        usd_known=True,
    )
