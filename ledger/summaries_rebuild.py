"""The pledge totals computed from scratch (`manage.py rebuild_totals`, generate_ledger, migration 0009).

One GROUP BY in the database folds the ledger into groups of pledges alike in everything a cell
depends on; pandas then adds those up per slice and group, one vectorised sum for each of the 7
slice dimensions x 8 groups. This is written apart from ledger/summaries.cells(), which maintains
the table one write at a time: tests/test_summaries.py compares the two after random writes, so a
mistake in either shows."""

from __future__ import annotations

import pandas as pd
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Q, Sum

from ledger.models import Pledge, PledgeTotal, counted_in_totals_condition
from ledger.summaries import CENT, MEASURES, MILLI, QUALIFIER_FLAGS, SEP, _scaled, year_value

KEYS = ["donor_id", "recipient_id", "kind", "status", "currency", "amount_qualifier", "commodity", "unit"]
CELL = ["filter_dim", "filter_value", "group_dim", "key"]


def _fine(using: str) -> pd.DataFrame:
    """The live pledges grouped by every key a cell reads, with their counts and integer sums."""
    from ledger.selectors import Year

    rows = (
        Pledge.objects.using(using)
        .annotate(counted=counted_in_totals_condition())
        .values(*KEYS, "usd_missing_reason", "counted", year=Year("date"))
        .annotate(
            n=Count("id"),
            usd_n=Count("amount_usd"),
            amount_n=Count("amount"),
            goods_n=Count("quantity"),
            goods_usd_n=Count("amount_usd", filter=Q(quantity__isnull=False)),
            usd=Sum("amount_usd"),
            amount_sum=Sum("amount"),
            unconverted=Sum("amount", filter=Q(amount_usd__isnull=True)),
            quantity_sum=Sum("quantity"),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows.iterator(chunk_size=20_000)))
    if frame.empty:
        return frame
    for column, step, target in (
        ("usd", CENT, "usd_cents"),
        ("amount_sum", CENT, "amount_cents"),
        ("unconverted", CENT, "unconverted_cents"),
        ("quantity_sum", MILLI, "quantity_milli"),
    ):
        frame[target] = [_scaled(None if pd.isna(v) else v, step) for v in frame[column]]
    frame["year_key"] = [("" if pd.isna(y) else str(int(y))) for y in frame["year"]]
    return frame


def _measures(c: pd.DataFrame) -> pd.DataFrame:
    """What each group of counted pledges adds to the cells of the `total` group."""
    m = pd.DataFrame(index=c.index)
    m["entries"] = c["n"]
    m["usd_entries"] = c["usd_n"]
    m["usd_cents"] = c["usd_cents"]
    for qualifier, flag in QUALIFIER_FLAGS.items():
        m[flag] = c["usd_n"].where(c["amount_qualifier"] == qualifier, 0)
    m["amount_entries"] = c["amount_n"]
    m["amount_cents"] = c["amount_cents"]
    m["unconverted_entries"] = c["amount_n"] - c["usd_n"]
    m["unconverted_cents"] = c["unconverted_cents"]
    m["goods_entries"] = c["goods_n"]
    m["goods_usd_entries"] = c["goods_usd_n"]
    m["quantity_milli"] = c["quantity_milli"]
    return m


def computed_frame(using: str = DEFAULT_DB_ALIAS) -> pd.DataFrame:
    """Every non-empty cell (CELL columns + MEASURES), computed from the live rows."""
    fine = _fine(using)
    if fine.empty:
        return pd.DataFrame(columns=[*CELL, *MEASURES])
    dated = fine["year_key"] != ""
    slices = {
        "": (pd.Series("", index=fine.index), None),
        "donor": (fine["donor_id"].astype(str), None),
        "recipient": (fine["recipient_id"].astype(str), None),
        "year": (fine["year"].map(lambda y: "" if pd.isna(y) else year_value(int(y))), dated),
        "kind": (fine["kind"], None),
        "status": (fine["status"], None),
        "currency": (fine["currency"], None),
    }
    counted = fine["counted"].astype(bool)
    m = _measures(fine)
    money = ["entries", "usd_entries", "usd_cents", *QUALIFIER_FLAGS.values()]
    everything = [c for c in MEASURES if c != "uncounted"]
    unconverted = m[["unconverted_entries", "unconverted_cents"]].assign(entries=m["unconverted_entries"])
    goods = m[["goods_entries", "goods_usd_entries", "quantity_milli"]].assign(entries=m["goods_entries"])
    groups = [
        ("total", pd.Series("", index=fine.index), counted, m[everything]),
        ("donor", fine["donor_id"].astype(str), counted, m[money]),
        ("recipient", fine["recipient_id"].astype(str), counted, m[money]),
        ("year", fine["year_key"], counted, m[money]),
        ("kind", fine["kind"], counted, m[money]),
        ("currency", fine["currency"], counted & (fine["amount_n"] > 0), m[everything]),
        (
            "donor_year",
            fine["donor_id"].astype(str) + SEP + fine["year_key"],
            counted & (fine["usd_n"] > 0) & dated,
            pd.DataFrame({"usd_cents": m["usd_cents"], "entries": m["usd_entries"]}),
        ),
        ("goods", fine["commodity"] + SEP + fine["unit"], counted & (fine["goods_n"] > 0), goods),
        (
            "unconverted",
            fine["currency"] + SEP + fine["usd_missing_reason"],
            counted & (fine["amount_n"] > fine["usd_n"]),
            unconverted,
        ),
        # Packages counted through their parts: only their number, in the total.
        ("total", pd.Series("", index=fine.index), ~counted, pd.DataFrame({"uncounted": fine["n"]})),
    ]
    parts = []
    for dim, (values, slice_mask) in slices.items():
        for group, keys, group_mask, measures in groups:
            mask = group_mask if slice_mask is None else group_mask & slice_mask
            if not mask.any():
                continue
            part = measures[mask].assign(filter_value=values[mask], key=keys[mask])
            summed = part.groupby(["filter_value", "key"], sort=False).sum().reset_index()
            parts.append(summed.assign(filter_dim=dim, group_dim=group))
    frame = pd.concat(parts, ignore_index=True)
    for column in MEASURES:
        frame[column] = frame[column].fillna(0).astype("int64") if column in frame else 0
    frame = frame.groupby(CELL, sort=False)[MEASURES].sum().reset_index()
    return frame[(frame["entries"] != 0) | (frame["uncounted"] != 0)][[*CELL, *MEASURES]]


def computed_totals(using: str = DEFAULT_DB_ALIAS) -> dict[tuple, dict]:
    """computed_frame as {cell: {measure: value}}, zero measures left out (as stored_totals)."""
    return {
        tuple(row[:4]): {m: int(v) for m, v in zip(MEASURES, row[4:]) if v}
        for row in computed_frame(using).itertuples(index=False, name=None)
    }


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Replace the table with the computed cells, in one transaction; returns how many."""
    frame = computed_frame(using)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(PledgeTotal._meta.db_table)
    columns = ", ".join(quote(c) for c in (*CELL, *MEASURES))
    placeholders = ", ".join(["%s"] * (len(CELL) + len(MEASURES)))
    rows = [(*row[:4], *(int(v) for v in row[4:])) for row in frame.itertuples(index=False, name=None)]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        for start in range(0, len(rows), 10_000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows[start : start + 10_000])
    return len(rows)
