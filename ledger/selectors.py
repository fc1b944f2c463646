"""Reads for the public pages, one selector per page, named after it. Selectors return data
(querysets, model instances, dicts and DataFrames of numbers and codes); how a value reads is
ledger/formatting.py's, and how a page draws it (charts, summed tails) is ledger/views/'s.

Tables take their rows from the `*_for_table` querysets filtered by the page's FilterSet; the
overview's totals are aggregated in the database (values()/annotate) and combined with pandas, never
computed by loading every row. What a total counts is PledgeQuerySet.counted_in_totals()."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django_filters import FilterSet

from ledger import formatting, summary_reads
from ledger.history import entry_history
from ledger.models import Actor, Citation, Pledge, Source, Statement, TradeFigure, counted_in_totals_condition
from ledger.timeline import first_rows

# How many rows an entry, actor or source page lists before pointing to the filtered table.
PAGE_LIST_LIMIT = 50
LATEST_LIMIT = 8


# --- Table pages -------------------------------------------------------------------------------


# The actors of a table page are prefetched (one query per side for the page's rows), not joined:
# with the join, SQLite's planner starts from the actors and sorts the whole ledger for every page
# (seconds at a million rows); without it, it walks the (date, id) index and stops after one page.
def pledges_for_table() -> QuerySet[Pledge]:
    return Pledge.objects.prefetch_related("donor", "recipient").order_by("-date", "-id")


def trade_for_table() -> QuerySet[TradeFigure]:
    return TradeFigure.objects.prefetch_related("reporter", "partner").order_by("-year", "-id")


def actors_for_table() -> QuerySet[Actor]:
    return Actor.objects.select_related("parent").order_by("name", "id")


def sources_for_table() -> QuerySet[Source]:
    return Source.objects.order_by("-published_on", "-id")


# --- Totals ------------------------------------------------------------------------------------

TOTAL_COLUMNS = ["currency", "amount", "qualifier", "entries", "entries_in_total", "entries_without_usd"]


def combine_qualifiers(qualifiers: Iterable) -> str:
    """The qualifier of a sum: exact only if every term is; 'at least' if every term is exact or a
    lower bound; 'up to' likewise; otherwise approximate."""
    found = {q for q in qualifiers if isinstance(q, str) and q}
    if not found:
        return ""
    for single in ("exact", "at_least", "up_to"):
        if found <= {"exact", single}:
            return single
    return "approximately"


CENT = Decimal("0.01")


def decimal_sum(values: Iterable) -> Decimal | None:
    """Exact sum of the Decimals present, to the cent (SQLite hands SUM() back through a float);
    None when there is none, so an unknown total never reads as 0."""
    present = [v for v in values if isinstance(v, Decimal)]
    return sum(present, Decimal(0)).quantize(CENT) if present else None


@dataclass
class OverviewTotals:
    """Totals pledged in USD, each a DataFrame with explicit columns.

    by_donor / by_recipient: actor_code, actor_name + TOTAL_COLUMNS; by_year: year (None when the
    date is not stated) + TOTAL_COLUMNS; by_kind: kind, kind_label + TOTAL_COLUMNS. `amount` is a
    Decimal (None when no entry of the group has a USD value), `qualifier` is how precise the sum is.
    goods: commodity, unit, quantity, entries, entries_with_usd_value.
    unconverted: currency, reason, amount, entries (money stated in a currency with no USD value, by the
        reason there is none, e.g. "no ECB rate for CUP"; left out).
    left_out: reason, entries, detail (what no USD total includes; detail is formatting.LEFT_OUT_REASONS').
    by_donor_year: actor_code, year, amount: USD per donor and year, dated entries with a USD value
    only (what the overview's chart draws)."""

    by_donor: pd.DataFrame
    by_recipient: pd.DataFrame
    by_year: pd.DataFrame
    by_kind: pd.DataFrame
    goods: pd.DataFrame
    unconverted: pd.DataFrame
    left_out: pd.DataFrame
    by_donor_year: pd.DataFrame
    grand_total: dict = field(default_factory=dict)


class Year(Func):
    """The calendar year of a date, computed by the database itself (Django's ExtractYear calls a
    Python function for every row on SQLite, which dominates an aggregate over the whole ledger)."""

    template = "EXTRACT(YEAR FROM %(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores a date as 'YYYY-MM-DD' text.
        return super().as_sql(
            compiler, connection, template="CAST(substr(%(expressions)s, 1, 4) AS INTEGER)", **extra_context
        )


AGGREGATES = {"entries": Count("id"), "usd_entries": Count("amount_usd"), "usd": Sum("amount_usd")}


def _aggregate(counted: QuerySet[Pledge], *keys: str, **expressions: Func) -> pd.DataFrame:
    """One GROUP BY over the counted pledges: entries, entries with a USD value and their USD sum
    per key and amount qualifier (the qualifier says how precise each sum is)."""
    rows = list(counted.values(*keys, "amount_qualifier", **expressions).annotate(**AGGREGATES).order_by())
    frame = pd.DataFrame.from_records(rows, columns=[*keys, *expressions, "amount_qualifier", *AGGREGATES])
    frame["usd_qualifier"] = frame["amount_qualifier"].where(frame["usd_entries"] > 0, "")
    return frame


def _combined(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of the same key added up: USD exactly, qualifiers combined, entries counted."""
    if not frame.duplicated(keys).any():
        # One row per key (the maintained totals): the same figures without a Python call per group.
        return pd.DataFrame(
            {
                **{key: frame[key].to_numpy() for key in keys},
                "amount": [decimal_sum([usd]) for usd in frame["usd"]],
                "qualifier": [combine_qualifiers([q]) for q in frame["usd_qualifier"]],
                "entries": frame["entries"].to_numpy(),
                "entries_in_total": frame["usd_entries"].to_numpy(),
            }
        )
    return (
        frame.groupby(keys, dropna=False, sort=False)
        .agg(
            amount=("usd", decimal_sum),
            qualifier=("usd_qualifier", combine_qualifiers),
            entries=("entries", "sum"),
            entries_in_total=("usd_entries", "sum"),
        )
        .reset_index()
    )


def _group_totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *TOTAL_COLUMNS])
    grouped = _combined(frame, keys)
    grouped["entries_without_usd"] = grouped["entries"] - grouped["entries_in_total"]
    grouped["currency"] = "USD"
    grouped["_sort"] = grouped["amount"].map(lambda a: -a if isinstance(a, Decimal) else Decimal("Infinity"))
    grouped = grouped.sort_values(["_sort", *keys], kind="stable").drop(columns="_sort")
    for column in ("entries", "entries_in_total", "entries_without_usd"):
        grouped[column] = grouped[column].astype(int)
    return grouped[[*keys, *TOTAL_COLUMNS]].reset_index(drop=True)


def _grand_total(frame: pd.DataFrame) -> dict:
    if frame.empty:
        return {
            "currency": "USD",
            "amount": None,
            "qualifier": "",
            "entries": 0,
            "entries_in_total": 0,
            "entries_without_usd": 0,
        }
    entries, in_total = int(frame["entries"].sum()), int(frame["usd_entries"].sum())
    return {
        "currency": "USD",
        "amount": decimal_sum(frame["usd"]),
        "qualifier": combine_qualifiers(frame["usd_qualifier"]),
        "entries": entries,
        "entries_in_total": in_total,
        "entries_without_usd": entries - in_total,
    }


def _actor_totals(frame: pd.DataFrame, key: str, actors: dict[int, dict]) -> pd.DataFrame:
    frame = frame.assign(
        actor_code=frame[key].map(lambda pk: actors[pk]["code"]),
        actor_name=frame[key].map(lambda pk: actors[pk]["name"]),
    )
    return _group_totals(frame, ["actor_code", "actor_name"])


def _year(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def bound_filters(filterset: FilterSet) -> dict[str, Any]:
    """A valid filter set's cleaned values ({} when the page is unfiltered), for the selectors that
    answer from the maintained totals when the filters allow (ledger/summary_reads.py)."""
    return dict(filterset.form.cleaned_data) if filterset.is_bound else {}


def _live_overview_rows(pledges: QuerySet[Pledge]) -> summary_reads.OverviewRows:
    """The overview's aggregates counted from the live rows (filters the totals cannot answer)."""
    counted = pledges.counted_in_totals().order_by()
    return summary_reads.OverviewRows(
        by_donor=_aggregate(counted, "donor_id"),
        by_recipient=_aggregate(counted, "recipient_id"),
        by_year=_aggregate(counted, year=Year("date")),
        by_kind=_aggregate(counted, "kind"),
        unconverted=pd.DataFrame.from_records(
            list(
                counted.filter(amount__isnull=False, amount_usd__isnull=True)
                .values("currency", reason=F("usd_missing_reason"))
                .annotate(amount=Sum("amount"), entries=Count("id"))
                .order_by("currency", "reason")
            ),
            columns=["currency", "reason", "amount", "entries"],
        ),
        goods=pd.DataFrame.from_records(
            list(
                counted.filter(quantity__isnull=False)
                .values("commodity", "unit")
                .annotate(quantity=Sum("quantity"), entries=Count("id"), entries_with_usd_value=Count("amount_usd"))
                .order_by("commodity", "unit")
            ),
            columns=["commodity", "unit", "quantity", "entries", "entries_with_usd_value"],
        ),
        packages=pledges.exclude(counted_in_totals_condition()).order_by().count(),
        donor_years=pd.DataFrame.from_records(
            list(
                counted.filter(amount_usd__isnull=False, date__isnull=False)
                .values("donor_id", year=Year("date"))
                .annotate(amount=Sum("amount_usd"))
                .order_by()
            ),
            columns=["donor_id", "year", "amount"],
        ),
    )


def overview_totals(
    *,
    pledges: QuerySet[Pledge],
    trade: QuerySet[TradeFigure] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> OverviewTotals:
    """Totals of `pledges` (already filtered by PledgeFilterSet), counting packages through their parts;
    the trade figures left out are `trade` (the same countries' trade), or all trade when None.

    With `filters` (bound_filters of that filter set) that the maintained totals can answer (none, or
    one dimension: donor, recipient, kind, status, currency, years), they come from models.PledgeTotal
    in one query whose size is the number of groups. Otherwise each dimension is one GROUP BY over the
    live rows. Either way pandas only combines a few rows per key."""
    where = summary_reads.summary_slice(filters)
    rows = summary_reads.overview_rows(where) if where is not None else _live_overview_rows(pledges)
    by_donor_rows, by_recipient_rows = rows.by_donor, rows.by_recipient
    by_year_rows, by_kind_rows = rows.by_year, rows.by_kind

    actor_ids = set(by_donor_rows["donor_id"]) | set(by_recipient_rows["recipient_id"])
    actors = (
        {a["id"]: a for a in Actor.objects.filter(pk__in=actor_ids).values("id", "code", "name")} if actor_ids else {}
    )

    by_donor = _actor_totals(by_donor_rows, "donor_id", actors)
    by_recipient = _actor_totals(by_recipient_rows, "recipient_id", actors)
    by_year = _group_totals(by_year_rows, ["year"])
    if not by_year.empty:
        years = [_year(y) for y in by_year["year"]]
        by_year["_sort"] = [-y if y is not None else 1 for y in years]  # latest first, undated last
        by_year["year"] = pd.Series(years, index=by_year.index, dtype=object)
        by_year = by_year.sort_values("_sort", kind="stable").drop(columns="_sort").reset_index(drop=True)
    by_kind = _group_totals(by_kind_rows, ["kind"])
    by_kind.insert(1, "kind_label", by_kind["kind"].map(dict(Pledge.Kind.choices)))

    unconverted, goods, packages = rows.unconverted, rows.goods, rows.packages
    trade_figures = (TradeFigure.objects.all() if trade is None else trade).order_by().count()
    grand_total = _grand_total(by_kind_rows)
    unconverted_entries = int(unconverted["entries"].sum()) if len(unconverted) else 0
    left_out_entries = {
        "packages_counted_through_parts": packages,
        "no_money_value": grand_total["entries_without_usd"] - unconverted_entries,
        "no_usd_conversion": unconverted_entries,
        "trade_figures": trade_figures,
    }
    left_out = pd.DataFrame.from_records(
        [(reason, entries, formatting.LEFT_OUT_REASONS[reason]) for reason, entries in left_out_entries.items()],
        columns=["reason", "entries", "detail"],
    )

    return OverviewTotals(
        by_donor=by_donor,
        by_recipient=by_recipient,
        by_year=by_year,
        by_kind=by_kind,
        goods=goods,
        unconverted=unconverted,
        left_out=left_out,
        by_donor_year=_donor_years(rows.donor_years, actors),
        grand_total=grand_total,
    )


def _donor_years(frame: pd.DataFrame, actors: dict[int, dict]) -> pd.DataFrame:
    """USD per donor and year, for dated entries with a USD value (a Decimal, exact)."""
    frame = frame.copy()
    frame.insert(0, "actor_code", frame["donor_id"].map(lambda pk: actors[pk]["code"]))
    return frame.drop(columns="donor_id").sort_values(["actor_code", "year"], kind="stable").reset_index(drop=True)


def overview_latest_pledges(*, pledges: QuerySet[Pledge], limit: int = LATEST_LIMIT) -> list[Pledge]:
    return list(pledges.prefetch_related("donor", "recipient").order_by("-id")[:limit])


def overview_latest_trade(
    *, trade: QuerySet[TradeFigure] | None = None, limit: int = LATEST_LIMIT
) -> list[TradeFigure]:
    trade = TradeFigure.objects.all() if trade is None else trade
    return list(trade.prefetch_related("reporter", "partner").order_by("-id")[:limit])


# --- Entry, actor and source pages -------------------------------------------------------------


def _citations(queryset: QuerySet[Citation]) -> list[Citation]:
    return list(queryset.select_related("source").order_by("source__published_on", "paragraph", "id"))


def pledge_detail(*, pk: int) -> dict:
    """The entry (annotated with `counted_in_totals`), its parts if it is a package, citations, history."""
    pledge = get_object_or_404(
        Pledge.objects.with_counted_in_totals().select_related("donor", "recipient", "package", "official"), pk=pk
    )
    parts = list(pledge.parts.order_by("id")) if pledge.kind == Pledge.Kind.PACKAGE else []
    return {
        "pledge": pledge,
        "citations": _citations(pledge.citations),
        "parts": parts,
        "history": entry_history(pledge),
    }


def trade_detail(*, pk: int) -> dict:
    figure = get_object_or_404(TradeFigure.objects.select_related("reporter", "partner"), pk=pk)
    return {
        "figure": figure,
        "citations": _citations(figure.citations),
        "history": entry_history(figure),
    }


def _limited(queryset: QuerySet, limit: int = PAGE_LIST_LIMIT) -> tuple[list, bool]:
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def _actor_totals_by_role(actor: Actor) -> dict[str, pd.DataFrame]:
    rows = summary_reads.actor_total_rows(actor.pk)
    return {"pledged": rows["donor"], "received": rows["recipient"]}


def actor_detail(*, code: str) -> dict:
    actor = get_object_or_404(Actor.objects.select_related("parent"), code=code.strip().upper())
    pledged, more_pledged = _limited(
        Pledge.objects.filter(donor=actor).select_related("recipient").order_by("-date", "-id")
    )
    received, more_received = _limited(
        Pledge.objects.filter(recipient=actor).select_related("donor").order_by("-date", "-id")
    )
    trade, more_trade = _limited(
        TradeFigure.objects.filter(Q(reporter=actor) | Q(partner=actor))
        .select_related("reporter", "partner")
        .order_by("-year", "-id")
    )
    # The actor's latest statements, read along each side's (speaker or subject, date, id) index: the plain
    # "speaker = X OR subject = X" sorts all of them.
    statements, more_statements = _limited(
        first_rows(
            Statement.objects.select_related("speaker", "subject", "person")
            .prefetch_related("citations__source")
            .order_by("-date", "-id"),
            fields=("speaker", "subject"),
            ids=[actor.pk],
            n=PAGE_LIST_LIMIT + 1,
        )
    )
    return {
        "actor": actor,
        "agencies": list(actor.children.order_by("name", "id")),
        "people": list(actor.people.order_by("name", "id")),
        "pledged": pledged,
        "more_pledged": more_pledged,
        "received": received,
        "more_received": more_received,
        # The maintained totals (ledger/summaries.py): one query of two rows, whatever the ledger's size.
        **{f"{name}_total": _grand_total(rows) for name, rows in _actor_totals_by_role(actor).items()},
        "trade": trade,
        "more_trade": more_trade,
        "statements": statements,
        "more_statements": more_statements,
    }


def source_detail(*, pk: int) -> dict:
    source = get_object_or_404(Source, pk=pk)
    citations, more = _limited(
        Citation.objects.filter(source=source)
        .select_related(
            "pledge__donor",
            "pledge__recipient",
            "trade_figure__reporter",
            "trade_figure__partner",
            "statement__speaker",
            "statement__subject",
        )
        .order_by("paragraph", "id"),
        limit=PAGE_LIST_LIMIT * 4,
    )
    return {
        "source": source,
        "pledge_citations": [c for c in citations if c.pledge_id],
        "trade_citations": [c for c in citations if c.trade_figure_id],
        "statement_citations": [c for c in citations if c.statement_id],
        "more_citations": more,
    }
