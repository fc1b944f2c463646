"""The table pages and the entry pages. Views stay thin: rows come from ledger/selectors.py, filtering
from ledger/filters/, columns from ledger/tables/, wording from ledger/formatting.py (through the
tables and the ledger_format template filters). The overview is in overview.py."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from ledger import exports, formatting, selectors
from ledger.filters.actors import ActorFilterSet
from ledger.filters.pledges import PledgeFilterSet
from ledger.filters.sources import SourceFilterSet
from ledger.filters.trade import TradeFilterSet
from ledger.paginators import MAX_PAGE, BoundedLazyPaginator
from ledger.selectors_counts import TableCount, pledges_table_count, table_count
from ledger.tables.actors import ActorTable
from ledger.tables.pledges import PledgeTable
from ledger.tables.sources import SourceTable
from ledger.tables.trade import TradeTable
from ledger.views.exporting import StreamingExportMixin


class LedgerTableView(StreamingExportMixin, SingleTableMixin, FilterView):
    """A sortable, filterable, paginated table whose URL holds its whole state."""

    template_name = "ledger/table_page.html"
    table_pagination = {"per_page": 25, "paginator_class": BoundedLazyPaginator}
    selector = None
    title = ""
    intro = ""
    nav = ""
    count_nouns = ("row", "rows")
    # Query parameters that are the table's view of the rows, not filters.
    not_filters = ("sort", "page", "per_page", "_export")

    def get_queryset(self) -> QuerySet:
        return type(self).selector()

    def get_export_queryset(self) -> QuerySet:
        """Every row the page's filters select, in the table's order (ties broken by the primary
        key); no rows when the filter input is invalid (self.filterset.errors says why)."""
        if not hasattr(self, "filterset"):
            self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        table = self.table_class(self.filterset.qs)
        RequestConfig(self.request, paginate=False).configure(table)
        return table.data.data

    def get_count(self) -> TableCount:
        return table_count(rows=self.filterset.qs)

    def count_link(self) -> str:
        return ""

    def filter_query(self) -> str:
        """The page's filters as a query string, without its sort and page."""
        params = self.request.GET.copy()
        for name in self.not_filters:
            params.pop(name, None)
        return params.urlencode()

    def count_context(self) -> dict:
        """The count line: "12,345 pledges match · USD 1.2 billion counted in totals"."""
        count = self.get_count()
        if count.rows is None:
            return {}
        return {
            "count_text": formatting.format_match_count(count.rows, *self.count_nouns, more_than=count.more_than),
            "counted_text": formatting.format_counted_in_totals(count.usd, count.qualifier) if count.usd_known else "",
            "counted_exact": formatting.format_money(count.usd, "USD", count.qualifier)
            if count.usd is not None
            else "",
            "count_link": self.count_link(),
        }

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        table = context["table"]
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        if invalid:
            table.empty_text = "Nothing is listed because the filters above could not be applied."
        paginator = getattr(table, "paginator", None)
        context.update(
            title=self.title,
            intro=self.intro,
            nav=self.nav,
            filter_invalid=invalid,
            page_too_deep=getattr(paginator, "requested_page", None),
            max_page=MAX_PAGE,
            **(self.count_context() if not invalid else {}),
        )
        return context


class PledgeListView(LedgerTableView):
    table_class = PledgeTable
    filterset_class = PledgeFilterSet
    export_table = exports.PLEDGES
    selector = selectors.pledges_for_table
    count_nouns = ("pledge", "pledges")
    title = "Pledges"
    intro = (
        "Aid pledged, in money or in kind, each with the sentence it was read from. "
        "A package with parts is listed with its parts; totals count it only through them."
    )
    nav = "pledges"

    def get_count(self) -> TableCount:
        return pledges_table_count(pledges=self.filterset.qs, filters=selectors.bound_filters(self.filterset))

    def count_link(self) -> str:
        """The overview's totals of the same pledges."""
        query = self.filter_query()
        return reverse("ledger:home") + (f"?{query}" if query else "")


class TradeListView(LedgerTableView):
    table_class = TradeTable
    filterset_class = TradeFilterSet
    export_table = exports.TRADE_FIGURES
    selector = selectors.trade_for_table
    count_nouns = ("trade figure", "trade figures")
    title = "Trade"
    intro = "Trade and investment figures between countries. They are kept apart from aid and never added to it."
    nav = "trade"


class ActorListView(LedgerTableView):
    table_class = ActorTable
    filterset_class = ActorFilterSet
    export_table = exports.ACTORS
    selector = selectors.actors_for_table
    count_nouns = ("actor", "actors")
    title = "Actors"
    intro = "Countries, and the government bodies, party organs and organisations that belong to them."
    nav = "actors"


class SourceListView(LedgerTableView):
    table_class = SourceTable
    filterset_class = SourceFilterSet
    export_table = exports.SOURCES
    selector = selectors.sources_for_table
    count_nouns = ("source", "sources")
    title = "Sources"
    intro = "The published documents every figure is read from."
    nav = "sources"


def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "ledger/pledge_detail.html", {"nav": "pledges", **selectors.pledge_detail(pk=pk)})


def trade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "ledger/trade_detail.html", {"nav": "trade", **selectors.trade_detail(pk=pk)})


def actor_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "ledger/actor_detail.html", {"nav": "actors", **selectors.actor_detail(code=code)})


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "ledger/source_detail.html", {"nav": "sources", **selectors.source_detail(pk=pk)})
