"""The overview page: totals pledged in USD, the goods beside them, what the totals leave out, a chart
of the largest donors over time, and the latest entries. The totals come from
selectors.overview_totals(); this module only shapes them for the page (the top rows of a table with
the rest summed, the chart's series)."""

from collections import Counter
from decimal import Decimal

import pandas as pd
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.generic import TemplateView

from ledger import cache as ledger_cache
from ledger import exports, formatting, selectors
from ledger.filters.pledges import PledgeFilterSet
from ledger.filters.trade import TradeFilterSet
from ledger.models import TradeFigure
from ledger.views.exporting import export_links, filters_refused

OVERVIEW_ROWS = 12  # rows per totals table; the rest are summed in one row
CHART_DONORS = 8  # donors drawn one series each; the rest are drawn as one
OTHER_DONORS = "all other donors"


def top_rows(frame: pd.DataFrame, limit: int) -> tuple[list[dict], dict | None]:
    """The first `limit` rows of a totals frame, and the rest summed into one row (None if no rest)."""
    rows = frame.to_dict("records")
    rest = frame.iloc[limit:]
    if rest.empty:
        return rows, None
    return rows[:limit], {
        "count": len(rest),
        "currency": "USD",
        "amount": selectors.decimal_sum(rest["amount"]),
        "qualifier": selectors.combine_qualifiers(rest["qualifier"]),
        "entries": int(rest["entries"].sum()),
        "entries_in_total": int(rest["entries_in_total"].sum()),
        "entries_without_usd": int(rest["entries_without_usd"].sum()),
    }


def donor_chart(totals: selectors.OverviewTotals, *, donors: int = CHART_DONORS) -> dict:
    """Chart.js data for pledges by donor over time: the largest `donors` one series each, the rest
    summed as one; a year with nothing stays null, never 0."""
    frame = totals.by_donor_year
    if frame.empty:
        return {"labels": [], "datasets": []}
    top = list(totals.by_donor.dropna(subset=["amount"])["actor_code"])[:donors]
    # Series are keyed by code: two actors may share a name (every country has a foreign ministry),
    # and a pivot on names would merge them, or give duplicate columns that break the chart.
    others = ""  # no actor has an empty code (a constraint)
    frame = frame.assign(
        donor=frame["actor_code"].where(frame["actor_code"].isin(top), others),
        usd=frame["amount"].map(float),
    )
    chart = frame.pivot_table(index="year", columns="donor", values="usd", aggfunc="sum").sort_index()
    # A continuous axis: a year with no pledge is drawn empty, so a gap of four years looks like four.
    chart = chart.reindex(range(int(chart.index.min()), int(chart.index.max()) + 1))
    chart = chart[[*[code for code in top if code in chart.columns], *([others] if others in chart.columns else [])]]
    name_of = dict(zip(totals.by_donor["actor_code"], totals.by_donor["actor_name"]))
    shared = {name for name, n in Counter(name_of[c] for c in chart.columns if c != others).items() if n > 1}

    def label(code: str) -> str:
        if code == others:
            return OTHER_DONORS
        return f"{name_of[code]} ({code})" if name_of[code] in shared else name_of[code]

    return {
        "labels": [str(year) for year in chart.index],
        "datasets": [
            {
                "label": label(code),
                "other": code == others,
                "data": [None if pd.isna(v) else round(float(v), 2) for v in chart[code]],
            }
            for code in chart.columns
        ],
    }


def _figure(value: float | None) -> str:
    return "" if value is None else formatting.format_number(round(Decimal(repr(value)), 2))


def chart_table(chart: dict) -> dict:
    """The chart's figures as a table beneath it (for screen readers and for copying): a row per
    year, a column per series; None where the year has nothing."""
    series = chart["datasets"]
    return {
        "headers": [s["label"] for s in series],
        "rows": [
            {"year": year, "values": [_figure(s["data"][i]) for s in series]} for i, year in enumerate(chart["labels"])
        ],
    }


def overview_context(totals: selectors.OverviewTotals) -> dict:
    """The totals as the overview's template reads them."""
    by_donor, other_donors = top_rows(totals.by_donor, OVERVIEW_ROWS)
    by_recipient, other_recipients = top_rows(totals.by_recipient, OVERVIEW_ROWS)
    return {
        "by_donor": by_donor,
        "other_donors": other_donors,
        "by_recipient": by_recipient,
        "other_recipients": other_recipients,
        "by_year": totals.by_year.to_dict("records"),
        "by_kind": totals.by_kind.to_dict("records"),
        "goods": totals.goods.to_dict("records"),
        "unconverted": [dict(row, qualifier="") for row in totals.unconverted.to_dict("records")],
        "left_out": totals.left_out.to_dict("records"),
        "chart": (chart := donor_chart(totals)),
        "chart_table": chart_table(chart),
    }


class OverviewView(TemplateView):
    """Totals pledged in USD, the goods beside them, what the totals leave out, and the latest entries.
    Takes the pledges table's filters, so /?donor=CHN totals what /pledges/?donor=CHN lists."""

    template_name = "ledger/home.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.GET.get("_export") == "csv":
            totals = self.get_totals()
            if totals is None:
                return filters_refused(self.filterset)
            return exports.totals_csv_response(totals)
        return super().get(request, *args, **kwargs)

    def get_filterset(self) -> PledgeFilterSet:
        return PledgeFilterSet(self.request.GET or None, queryset=selectors.pledges_for_table(), request=self.request)

    def get_trade(self) -> tuple[QuerySet[TradeFigure] | None, str]:
        """The trade figures between the countries the pledges are filtered by (None: all trade), and
        the trade table's query string for them. Trade has no kind, status or date: only the
        countries apply to it."""
        donors, recipients = self.filterset.country_codes()
        if not donors and not recipients:
            return None, ""
        params = QueryDict(mutable=True)
        params.setlist("country", donors or recipients)
        if donors and recipients:
            params.setlist("counterpart", recipients)
        return TradeFilterSet(params, queryset=TradeFigure.objects.all()).qs, params.urlencode()

    def get_totals(self) -> selectors.OverviewTotals | None:
        """The filtered totals, or None when the filter input is invalid (self.filterset says why)."""
        self.filterset = self.get_filterset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return None
        # Totals read the whole ledger (seconds at a million entries): cached until the next write.
        # The key comes from the validated filters only: unknown parameters cannot bust the cache.
        params = ledger_cache.filter_key(selectors.bound_filters(self.filterset))
        self.trade, self.trade_query = self.get_trade()
        return ledger_cache.cached(
            "overview",
            params,
            lambda: selectors.overview_totals(
                pledges=self.filterset.qs, trade=self.trade, filters=selectors.bound_filters(self.filterset)
            ),
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        totals = self.get_totals()
        pledges = self.filterset.qs if totals is not None else self.filterset.queryset.none()
        context.update(
            nav="overview",
            export_links=export_links(self.request, ("csv",)),
            filter=self.filterset,
            filter_invalid=totals is None,
            totals=totals,
            **(overview_context(totals) if totals is not None else {}),
            latest_pledges=selectors.overview_latest_pledges(pledges=pledges) if totals is not None else [],
            latest_trade=selectors.overview_latest_trade(trade=getattr(self, "trade", None)),
            trade_query=getattr(self, "trade_query", ""),
            trade_filtered=getattr(self, "trade", None) is not None,
        )
        return context
