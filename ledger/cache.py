"""A cache for the reads that add up the whole ledger: the overview's totals and an actor's totals.

Every write to the ledger leaves a history record (the services save through django-simple-history,
deletes included; generate_ledger writes its creation records itself). The newest history ids of
the tables those totals read therefore make a stamp that changes with every write, that every
process sees at once, and that moves only when the write commits. Values are cached under the
stamp, so a write invalidates them all and no signal can be missed. Writes that bypass the history
(`QuerySet.update()`, raw SQL, `loaddata`) would not: the ledger's code makes none to the fields the
totals read, and after loading fixtures into a live database, restart the app."""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from ledger.models import Actor, Pledge, TradeFigure

STAMP_MODELS = (Pledge, Actor, TradeFigure)
TIMEOUT = 24 * 3600

T = TypeVar("T")


def ledger_stamp() -> str:
    """The newest history id of each table the totals read, in one query of index lookups."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT MAX({quote('history_id')}) FROM {quote(model.history.model._meta.db_table)})"
        for model in STAMP_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return "-".join(str(value or 0) for value in cursor.fetchone())


def cached(name: str, params: object, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the cache when nothing was written since it was computed."""
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    key = f"ledger:{name}:{ledger_stamp()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
