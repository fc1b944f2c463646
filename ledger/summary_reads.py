"""Reads of the maintained totals (models.PledgeTotal, kept by ledger/summaries.py) in the shapes the
selectors' live aggregates have, so the overview, the actor pages and the table counts draw the same
figures whichever answered.

A filter on one dimension the totals are cut along (donor, recipient, kind, status, currency: one
value or several; or a range of years) is answered by adding that dimension's slices: every pledge
has exactly one donor, one year..., so the slices of one dimension never overlap. A filter on two of
them, one of which the slices are also grouped by (donor, recipient, kind), is answered by the other's
slices, cut to that one's groups (`summary_pair`); the groups hold the counted pledges only, so the
packages counted through their parts are counted live by the caller. Any other filter (text, source,
dates inside a year, money value, three dimensions) returns None: the caller counts the live rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Q, QuerySet

from ledger.models import PledgeTotal
from ledger.summaries import MEASURES, QUALIFIER_FLAGS, as_money, as_quantity, split_key, year_value

SUMMARY_FILTERS = {"donor", "recipient", "kind", "status", "currency", "year"}
RAW_COLUMNS = ["amount_qualifier", "entries", "usd_entries", "usd", "usd_qualifier"]


def _given(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, slice):
        return value.start is not None or value.stop is not None
    if isinstance(value, (list, tuple, set, QuerySet)):
        return len(value) > 0
    return True


def _values(name: str, value: Any) -> list:
    items = list(value) if isinstance(value, (list, tuple, set, QuerySet)) else [value]
    if name in ("donor", "recipient"):
        return [str(getattr(item, "pk", item)) for item in items]
    return [str(item) for item in items]


def summary_slice(filters: Mapping[str, Any] | None) -> Q | None:
    """The PledgeTotal rows that answer `filters` (a valid PledgeFilterSet's cleaned_data; {} when
    unfiltered), or None when only the live rows can."""
    if filters is None:
        return None
    active = {name: value for name, value in filters.items() if _given(value)}
    if not active:
        return Q(filter_dim="", filter_value="")
    if len(active) > 1 or not set(active) <= SUMMARY_FILTERS:
        return None
    ((name, value),) = active.items()
    if name == "year":
        condition = Q(filter_dim="year")
        if value.start is not None:
            condition &= Q(filter_value__gte=year_value(int(value.start)))
        if value.stop is not None:
            condition &= Q(filter_value__lte=year_value(int(value.stop)))
        return condition
    return Q(filter_dim=name, filter_value__in=_values(name, value))


# The filter dimensions the slices are also grouped by (ledger/summaries.py cells(): every counted
# pledge adds to its donor's, its recipient's and its kind's group in each slice it belongs to).
# Years are grouped too, but by unpadded keys, so a range of years is answered as a slice only.
GROUPED_FILTERS = ("kind", "donor", "recipient")


def summary_pair(filters: Mapping[str, Any] | None) -> tuple[Q, str, list[str]] | None:
    """For a filter on exactly two dimensions of the totals, one of them grouped: the slices of the
    other (a PledgeTotal condition), the grouped dimension, and its keys. None otherwise."""
    if filters is None:
        return None
    active = {name: value for name, value in filters.items() if _given(value)}
    if len(active) != 2 or not set(active) <= SUMMARY_FILTERS:
        return None
    for grouped in GROUPED_FILTERS:
        if grouped in active:
            (sliced,) = (name for name in active if name != grouped)
            return summary_slice({sliced: active[sliced]}), grouped, _values(grouped, active[grouped])
    return None


def counted_in_groups(where: Q, group: str, keys: list[str]) -> tuple[int, pd.DataFrame]:
    """The counted pledges in the slice's cells of `group` with these keys, and their total rows."""
    cells = _cells(where & Q(key__in=keys), [group])
    counted = int(cells["entries"].sum()) if not cells.empty else 0
    return counted, _raw_rows(cells, group, "key")


def _cells(where: Q, groups: list[str]) -> pd.DataFrame:
    """The slice's cells of `groups`, the slices of one dimension added up: one row per group and key."""
    query = PledgeTotal.objects.filter(where, group_dim__in=groups).values_list("group_dim", "key", *MEASURES)
    # Integers and strings need no conversion: read the cursor directly (the ORM's converters would
    # cost more than the query, which the unique index of the cells answers).
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=["group_dim", "key", *MEASURES])
    if frame.duplicated(["group_dim", "key"]).any():  # several slices of one dimension
        frame = frame.groupby(["group_dim", "key"], sort=False, as_index=False)[MEASURES].sum()
    return frame


def _qualifier(cell: dict) -> str:
    """The qualifier of a cell's USD sum: combine_qualifiers over its entries with a USD value."""
    found = [q for q, flag in QUALIFIER_FLAGS.items() if cell[flag]]
    if not found:
        return ""
    for single in ("exact", "at_least", "up_to"):
        if set(found) <= {"exact", single}:
            return single
    return "approximately"


def _raw_rows(cells: pd.DataFrame, group: str, key_column: str, convert=lambda key: key) -> pd.DataFrame:
    """A group's cells as the live _aggregate() rows that the selectors combine: per key, its counts,
    its USD sum and the qualifier of that sum (combining it again changes nothing)."""
    records = []
    for cell in cells[cells["group_dim"] == group].to_dict("records") if not cells.empty else []:
        qualifier = _qualifier(cell)
        usd = as_money(int(cell["usd_cents"])) if cell["usd_entries"] else None
        records.append(
            (convert(cell["key"]), qualifier, int(cell["entries"]), int(cell["usd_entries"]), usd, qualifier)
        )
    return pd.DataFrame.from_records(records, columns=[key_column, *RAW_COLUMNS])


@dataclass
class OverviewRows:
    """What overview_totals aggregates, before it names and sorts it."""

    by_donor: pd.DataFrame
    by_recipient: pd.DataFrame
    by_year: pd.DataFrame
    by_kind: pd.DataFrame
    unconverted: pd.DataFrame
    goods: pd.DataFrame
    packages: int
    donor_years: pd.DataFrame


OVERVIEW_GROUPS = ["total", "donor", "recipient", "year", "kind", "unconverted", "goods", "donor_year"]


def overview_rows(where: Q) -> OverviewRows:
    """The overview's aggregates from the maintained totals: one query, as many rows as groups."""
    cells = _cells(where, OVERVIEW_GROUPS)
    by_group = {g: cells[cells["group_dim"] == g] for g in OVERVIEW_GROUPS} if not cells.empty else {}

    def group(name: str) -> list[dict]:
        frame = by_group.get(name)
        return [] if frame is None else frame.to_dict("records")

    unconverted = sorted(
        (*split_key(c["key"]), as_money(int(c["unconverted_cents"])), int(c["unconverted_entries"]))
        for c in group("unconverted")
    )
    goods = sorted(
        (
            *split_key(c["key"]),
            as_quantity(int(c["quantity_milli"])),
            int(c["goods_entries"]),
            int(c["goods_usd_entries"]),
        )
        for c in group("goods")
    )
    donor_year = by_group.get("donor_year")
    donor_years = (
        []
        if donor_year is None
        else [
            (int(donor), int(year), as_money(int(cents)))
            for (donor, year), cents in zip(map(split_key, donor_year["key"]), donor_year["usd_cents"])
        ]
    )
    return OverviewRows(
        by_donor=_raw_rows(cells, "donor", "donor_id", int),
        by_recipient=_raw_rows(cells, "recipient", "recipient_id", int),
        by_year=_raw_rows(cells, "year", "year", lambda key: int(key) if key else None),
        by_kind=_raw_rows(cells, "kind", "kind"),
        unconverted=pd.DataFrame.from_records(unconverted, columns=["currency", "reason", "amount", "entries"]),
        goods=pd.DataFrame.from_records(
            goods, columns=["commodity", "unit", "quantity", "entries", "entries_with_usd_value"]
        ),
        packages=sum(int(c["uncounted"]) for c in group("total")),
        donor_years=pd.DataFrame.from_records(donor_years, columns=["donor_id", "year", "amount"]),
    )


def total_rows(where: Q) -> pd.DataFrame:
    """The slice's grand total as the live _aggregate() rows (for _grand_total); one query."""
    return _raw_rows(_cells(where, ["total"]), "total", "total")


def pledge_count(where: Q) -> tuple[int, pd.DataFrame]:
    """Entries listed (counted ones and packages counted through their parts) and the total rows."""
    cells = _cells(where, ["total"])
    listed = int(cells["entries"].sum() + cells["uncounted"].sum()) if not cells.empty else 0
    return listed, _raw_rows(cells, "total", "total")


def actor_total_rows(actor_id: int) -> dict[str, pd.DataFrame]:
    """The grand total of the pledges an actor made ("donor") and received ("recipient"), as the
    live _aggregate() rows; one query of two rows."""
    rows = list(
        PledgeTotal.objects.filter(
            Q(filter_dim="donor") | Q(filter_dim="recipient"), filter_value=str(actor_id), group_dim="total"
        ).values("filter_dim", "group_dim", "key", *MEASURES)
    )
    frame = pd.DataFrame.from_records(rows, columns=["filter_dim", "group_dim", "key", *MEASURES])
    return {role: _raw_rows(frame[frame["filter_dim"] == role], "total", "total") for role in ("donor", "recipient")}


PARTNER = {"donor": ("recipient", "recipient_id"), "recipient": ("donor", "donor_id")}


def actor_breakdown_rows(actor_id: int, role: str) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """For an actor page's breakdown (ledger/selectors_actor.py): the pledges the actor made (role
    "donor") or received ("recipient"), packages and parts both; and the live _aggregate() rows of
    those it counts, by partner (keyed by the partner's id column) and by year. One query."""
    group, column = PARTNER[role]
    cells = _cells(Q(filter_dim=role, filter_value=str(actor_id)), ["total", group, "year"])
    total = cells[cells["group_dim"] == "total"]
    listed = int(total["entries"].sum() + total["uncounted"].sum())
    by_partner = _raw_rows(cells, group, column, int)
    by_year = _raw_rows(cells, "year", "year", lambda key: int(key) if key else None)
    return listed, by_partner, by_year
