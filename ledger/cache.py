"""A cache for the reads that add up the whole ledger: the overview's totals and an actor's totals.

Every write to the ledger leaves a history record (the services save through django-simple-history,
deletes included; generate_ledger writes its creation records itself). The newest history ids of
the tables those totals read therefore make a stamp that changes with every write, that every
process sees at once, and that moves only when the write commits. Values are cached under the
stamp, so a write invalidates them all and no signal can be missed. Writes that bypass the history
(`QuerySet.update()`, raw SQL, `loaddata`) would not: the ledger's code makes none to the fields the
totals read, and after loading fixtures into a live database, restart the app."""

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from aidledger import limits
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


def _key_value(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return str(value)
    return tuple(sorted(str(_key_value(item)) for item in value))


def filter_key(cleaned: Mapping[str, Any]) -> tuple:
    """A cache key's part for a valid filter form's cleaned values: only the filters themselves, the
    empty ones left out, so `/?x=1`, `/?donor=` and `/` share one entry."""
    values = ((name, _key_value(value)) for name, value in cleaned.items() if value is not None)
    return tuple(sorted((name, value) for name, value in values if value not in ("", ())))


def cached(name: str, params: object, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the cache when nothing was written since it was computed.

    `params` must come from validated input only (see filter_key): a key taken from the raw query
    string would let any unknown parameter force a recomputation. A miss during a public request
    spends one of the client's expensive requests (aidledger/limits.py), before the work starts."""
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    key = f"ledger:{name}:{ledger_stamp()}:{digest}"
    value = cache.get(key)
    if value is None:
        limits.spend_expensive()
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
