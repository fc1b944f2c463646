"""Keeps the pledge totals (models.PledgeTotal) current, and rebuilds them from scratch.

How: every save or delete of a pledge sends Django's signals inside the service's transaction
(ledger/models/summaries.py connects them). Before the write, the stored row is read back; after it,
the row as stored now. Each state is turned into its cells (`cells()`: the slices it belongs to and
the groups it adds to, with what it adds) and the difference, new minus old, is added to the table in
one upsert. When a pledge joins or leaves a package, the package itself may start or stop being
counted (a package with parts is counted through them): its cells move too.

Why differences rather than recomputing the touched groups from the live rows: a group such as "all
grants" holds a large share of the ledger, so recomputing it would cost as much as the overview did;
a difference costs the same whatever the ledger's size. Sums are integers (cents, thousandths), so a
difference applied a million times is as exact as a rebuild; the Hypothesis test in
tests/test_summaries.py compares the two after random sequences of writes.

What bypasses the signals: QuerySet.update(), bulk_create() and raw SQL. The ledger writes pledges
only through the services (and loaddata, which sends the signals); generate_ledger bulk-inserts and
calls rebuild() at its end; `manage.py rebuild_totals` repairs anything else."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count

from ledger.models import Pledge, PledgeTotal, counted_in_totals_condition

MEASURES = [
    "entries",
    "uncounted",
    "usd_entries",
    "usd_cents",
    "q_exact",
    "q_approximately",
    "q_up_to",
    "q_at_least",
    "amount_entries",
    "amount_cents",
    "unconverted_entries",
    "unconverted_cents",
    "goods_entries",
    "goods_usd_entries",
    "quantity_milli",
]
QUALIFIER_FLAGS = {"exact": "q_exact", "approximately": "q_approximately", "up_to": "q_up_to", "at_least": "q_at_least"}
# The filter dimensions a slice can be cut along, as they appear in the pledges table's filters.
FILTER_DIMS = ["donor", "recipient", "year", "kind", "status", "currency"]
SEP = "\x1f"  # between the parts of a two-part group key (no commodity or reason contains it)
FIELDS = [
    "donor_id",
    "recipient_id",
    "date",
    "kind",
    "status",
    "currency",
    "amount_qualifier",
    "amount",
    "amount_usd",
    "usd_missing_reason",
    "quantity",
    "commodity",
    "unit",
    "package_id",
]
CENT, MILLI = Decimal("0.01"), Decimal("0.001")
TOTALS_LOCK = 0x1ED6E7  # the PostgreSQL advisory lock key of the totals' writers


def _scaled(value: Decimal | float | None, step: Decimal) -> int:
    return 0 if value is None else int((Decimal(str(value)) / step).to_integral_value())


def year_value(year: int) -> str:
    """A year slice's filter_value: four digits, so a range of years is a range of strings."""
    return f"{year:04d}"


def _year(row: dict) -> int | None:
    if row.get("year") is not None:
        return int(row["year"])
    return row["date"].year if row.get("date") is not None else None


def cells(row: dict, *, counted: bool, n: int = 1, sums: dict | None = None) -> Iterator[tuple[tuple, dict]]:
    """The cells a pledge (or `n` pledges sharing `row`'s keys, with `sums` of their values) adds to,
    and what it adds to each. Keys: (filter_dim, filter_value, group_dim, key)."""
    year = _year(row)
    slices = [("", ""), ("donor", str(row["donor_id"])), ("recipient", str(row["recipient_id"]))]
    if year is not None:
        slices.append(("year", year_value(year)))
    slices += [("kind", row["kind"]), ("status", row["status"]), ("currency", row["currency"])]
    if not counted:
        for dim, value in slices:
            yield (dim, value, "total", ""), {"uncounted": n}
        return
    sums = sums or _row_sums(row)
    usd_n, amount_n, goods_n, goods_usd_n = (sums[k] for k in ("usd_n", "amount_n", "goods_n", "goods_usd_n"))
    money = {"entries": n, "usd_entries": usd_n, "usd_cents": sums["usd_cents"]}
    if usd_n and row["amount_qualifier"] in QUALIFIER_FLAGS:
        money[QUALIFIER_FLAGS[row["amount_qualifier"]]] = usd_n
    everything = {
        **money,
        "amount_entries": amount_n,
        "amount_cents": sums["amount_cents"],
        "unconverted_entries": amount_n - usd_n,
        "unconverted_cents": sums["unconverted_cents"],
        "goods_entries": goods_n,
        "goods_usd_entries": goods_usd_n,
        "quantity_milli": sums["quantity_milli"],
    }
    groups = [
        ("total", "", everything),
        ("donor", str(row["donor_id"]), money),
        ("recipient", str(row["recipient_id"]), money),
        ("year", "" if year is None else str(year), money),
        ("kind", row["kind"], money),
    ]
    if amount_n:
        groups.append(("currency", row["currency"], everything))
    if usd_n and year is not None:
        groups.append(
            ("donor_year", f"{row['donor_id']}{SEP}{year}", {"usd_cents": sums["usd_cents"], "entries": usd_n})
        )
    if goods_n:
        goods = {k: everything[k] for k in ("goods_entries", "goods_usd_entries", "quantity_milli")}
        groups.append(("goods", f"{row['commodity']}{SEP}{row['unit']}", {**goods, "entries": goods_n}))
    if amount_n > usd_n:
        unconverted = {k: everything[k] for k in ("unconverted_entries", "unconverted_cents")}
        groups.append(
            (
                "unconverted",
                f"{row['currency']}{SEP}{row['usd_missing_reason']}",
                {**unconverted, "entries": amount_n - usd_n},
            )
        )
    for dim, value in slices:
        for group, key, measures in groups:
            yield (dim, value, group, key), measures


def _row_sums(row: dict) -> dict:
    has_usd, has_amount, has_goods = (row[f] is not None for f in ("amount_usd", "amount", "quantity"))
    return {
        "usd_n": int(has_usd),
        "amount_n": int(has_amount),
        "goods_n": int(has_goods),
        "goods_usd_n": int(has_goods and has_usd),
        "usd_cents": _scaled(row["amount_usd"], CENT),
        "amount_cents": _scaled(row["amount"], CENT),
        "unconverted_cents": _scaled(row["amount"], CENT) if has_amount and not has_usd else 0,
        "quantity_milli": _scaled(row["quantity"], MILLI),
    }


def _accumulate(into: dict, contributions: Iterable[tuple[tuple, dict]], sign: int) -> None:
    for cell, measures in contributions:
        target = into[cell]
        for name, value in measures.items():
            target[name] += sign * value


# --- Maintenance on write ----------------------------------------------------------------------


def _stored(pk: int | None) -> dict | None:
    if pk is None:
        return None
    return (
        Pledge.objects.filter(pk=pk).annotate(counted=counted_in_totals_condition()).values(*FIELDS, "counted").first()
    )


def _lock() -> None:
    """One writer of the totals at a time, from before it reads what it will change until its
    transaction ends: two writes touching one package (or one cell) never both apply a difference
    computed from the same state, and concurrent upserts cannot deadlock. (SQLite has one writer.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TOTALS_LOCK])


def remember_stored(instance: Pledge) -> None:
    """pre_save / pre_delete: the row as stored before the write (None for a new pledge). Read by
    primary key, not by `_state.adding`: loaddata saves rows that may already exist."""
    _lock()
    instance._totals_before = _stored(instance.pk) if instance.pk is not None else None


def _package_flip(delta: dict, package_id: int | None, *, counted_before: bool) -> None:
    """A package whose parts changed: move its cells if it started or stopped being counted."""
    if package_id is None:
        return
    package = _stored(package_id)
    if package is None or package["counted"] == counted_before:
        return
    _accumulate(delta, cells(package, counted=counted_before), -1)
    _accumulate(delta, cells(package, counted=package["counted"]), +1)


def apply_saved(instance: Pledge) -> None:
    """post_save: add the difference between the row as stored now and as it was before."""
    before = getattr(instance, "_totals_before", None)
    after = _stored(instance.pk)
    instance._totals_before = after
    delta: dict = defaultdict(lambda: defaultdict(int))
    if before is not None:
        _accumulate(delta, cells(before, counted=before["counted"]), -1)
    _accumulate(delta, cells(after, counted=after["counted"]), +1)
    old_package = before["package_id"] if before else None
    if old_package != after["package_id"]:
        _package_flip(delta, old_package, counted_before=False)  # it had this part
        _package_flip(delta, after["package_id"], counted_before=not _has_other_parts(after["package_id"], instance.pk))
    _write(delta)


def _has_other_parts(package_id: int, part_id: int) -> bool:
    return Pledge.objects.filter(package_id=package_id).exclude(pk=part_id).exists()


def apply_deleted(instance: Pledge) -> None:
    """post_delete: take the row's cells away (a package with parts cannot be deleted: PROTECT)."""
    before = getattr(instance, "_totals_before", None)
    if before is None:
        return
    delta: dict = defaultdict(lambda: defaultdict(int))
    _accumulate(delta, cells(before, counted=before["counted"]), -1)
    _package_flip(delta, before["package_id"], counted_before=False)
    _write(delta)


def apply_created(pks: list[int]) -> None:
    """After pledges were inserted in bulk (no signals fire: ledger/services/batch.py), add what
    `apply_saved` would have added for each of them, as one difference in one upsert: each new row's
    cells, and the cells of an existing package that stops being counted now that it has its first
    parts (a package that is itself new is read with its parts, so it is counted as it is now)."""
    if not pks:
        return
    _lock()
    new = set(pks)
    delta: dict = defaultdict(lambda: defaultdict(int))
    new_parts: dict[int, int] = defaultdict(int)  # existing package -> its parts among the new rows
    ordered = sorted(new)
    for start in range(0, len(ordered), 2000):
        rows = (
            Pledge.objects.filter(pk__in=ordered[start : start + 2000])
            .annotate(counted=counted_in_totals_condition())
            .values(*FIELDS, "counted")
        )
        for row in rows:
            _accumulate(delta, cells(row, counted=row["counted"]), +1)
            if row["package_id"] is not None and row["package_id"] not in new:
                new_parts[row["package_id"]] += 1
    if new_parts:
        packages = sorted(new_parts)
        parts = dict(
            Pledge.objects.filter(package_id__in=packages)
            .order_by()
            .values("package_id")
            .annotate(n=Count("pk"))
            .values_list("package_id", "n")
        )
        stored = Pledge.objects.filter(pk__in=packages).annotate(counted=counted_in_totals_condition())
        for package in stored.values("pk", *FIELDS, "counted"):
            counted_before = parts.get(package["pk"], 0) == new_parts[package["pk"]]  # no parts before
            if package["counted"] != counted_before:
                _accumulate(delta, cells(package, counted=counted_before), -1)
                _accumulate(delta, cells(package, counted=package["counted"]), +1)
    _write(delta)


def _table() -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    return quote(PledgeTotal._meta.db_table), [quote(c) for c in ("filter_dim", "filter_value", "group_dim", "key")]


def _write(delta: dict) -> None:
    """Add `delta` ({cell: {measure: difference}}) to the table in one upsert, then drop the cells
    left empty, so the table always equals a rebuild."""
    changed = sorted(
        (cell, [measures.get(m, 0) for m in MEASURES]) for cell, measures in delta.items() if any(measures.values())
    )
    if not changed:
        return
    table, keys = _table()
    quote = connection.ops.quote_name
    columns = keys + [quote(m) for m in MEASURES]
    updates = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in MEASURES)
    row = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement whatever the number of cells (a batch of imported pledges changes tens of
            # thousands), its cells as one JSON text with the zero measures left out: psycopg need not
            # rewrite thousands of placeholders nor dump hundreds of thousands of array elements.
            names = [*("filter_dim", "filter_value", "group_dim", "key"), *MEASURES]
            payload = json.dumps(
                [
                    dict(zip(names[:4], cell)) | {m: v for m, v in zip(MEASURES, measures, strict=True) if v}
                    for cell, measures in changed
                ],
                separators=(",", ":"),
            )
            types = ", ".join(f"{c} {'varchar' if i < 4 else 'bigint'}" for i, c in enumerate(columns))
            values = ", ".join(keys + [f"coalesce(x.{quote(m)}, 0)" for m in MEASURES])
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM json_to_recordset(%s::json) "
                f"AS x({types}) ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
                [payload],
            )
        for start in range(0, len(changed), 500) if connection.vendor != "postgresql" else ():
            batch = changed[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(batch))} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
                [value for cell, measures in batch for value in (*cell, *measures)],
            )
        emptied = [cell for cell, measures in changed if any(v < 0 for v in measures)]
        if emptied:
            cursor.executemany(
                f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = %s' for k in keys)} "
                f"AND {quote('entries')} = 0 AND {quote('uncounted')} = 0",
                emptied,
            )


# --- Rebuild -----------------------------------------------------------------------------------


def computed_totals(using: str = DEFAULT_DB_ALIAS) -> dict[tuple, dict]:
    """Every cell, computed from the live rows: what the table holds when it is current."""
    from ledger import summaries_rebuild

    return summaries_rebuild.computed_totals(using)


def stored_totals() -> dict[tuple, dict]:
    """Every cell as the table holds it (for comparing with computed_totals)."""
    fields = ["filter_dim", "filter_value", "group_dim", "key"]
    return {
        tuple(row[f] for f in fields): {m: row[m] for m in MEASURES if row[m]}
        for row in PledgeTotal.objects.values(*fields, *MEASURES)
    }


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Replace the table with totals computed from the live rows, in one transaction; returns the
    number of cells (ledger/summaries_rebuild.py)."""
    from ledger import summaries_rebuild

    return summaries_rebuild.rebuild(using)


def split_key(key: str) -> list[str]:
    return key.split(SEP)


def as_money(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def as_quantity(milli: int) -> Decimal:
    return (Decimal(milli) * MILLI).quantize(MILLI)
