"""The analysts' pages. Views stay thin: rows come from ledger/selectors.py, filtering from
ledger/filters/, columns from ledger/tables/."""

from django.shortcuts import render
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from ledger import cache as ledger_cache
from ledger import exports, selectors
from ledger.filters.actors import ActorListFilter
from ledger.filters.pledges import PledgeFilter
from ledger.filters.sources import SourceFilter
from ledger.filters.trade import TradeFilter
from ledger.paginators import MAX_PAGE, BoundedLazyPaginator
from ledger.tables.actors import ActorTable
from ledger.tables.pledges import PledgeTable
from ledger.tables.sources import SourceTable
from ledger.tables.trade import TradeTable


class LedgerTableView(exports.ExportMixin, SingleTableMixin, FilterView):
    """A sortable, filterable, paginated table whose URL holds its whole state."""

    template_name = "ledger/table_page.html"
    table_pagination = {"per_page": 25, "paginator_class": BoundedLazyPaginator}
    selector = None
    title = ""
    intro = ""
    nav = ""

    def get_queryset(self):
        return type(self).selector()

    def get_export_queryset(self):
        """Every row the page's filters select, in the table's order (ties broken by the primary
        key); no rows when the filter input is invalid (self.filterset.errors says why)."""
        if not hasattr(self, "filterset"):
            self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        table = self.table_class(self.filterset.qs)
        RequestConfig(self.request, paginate=False).configure(table)
        return table.data.data

    def get_context_data(self, **kwargs):
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
        )
        return context


class PledgeListView(LedgerTableView):
    table_class = PledgeTable
    filterset_class = PledgeFilter
    export_table = exports.PLEDGES
    selector = selectors.pledges_for_table
    title = "Pledges"
    intro = (
        "Aid pledged, in money or in kind, each with the sentence it was read from. "
        "A package with parts is listed with its parts; totals count it only through them."
    )
    nav = "pledges"


class TradeListView(LedgerTableView):
    table_class = TradeTable
    filterset_class = TradeFilter
    export_table = exports.TRADE_FIGURES
    selector = selectors.trade_for_table
    title = "Trade"
    intro = "Trade and investment figures between countries. They are kept apart from aid and never added to it."
    nav = "trade"


class ActorListView(LedgerTableView):
    table_class = ActorTable
    filterset_class = ActorListFilter
    export_table = exports.ACTORS
    selector = selectors.actors_for_table
    title = "Actors"
    intro = "Countries, and the government bodies, party organs and organisations that belong to them."
    nav = "actors"


class SourceListView(LedgerTableView):
    table_class = SourceTable
    filterset_class = SourceFilter
    export_table = exports.SOURCES
    selector = selectors.sources_for_table
    title = "Sources"
    intro = "The published documents every figure is read from."
    nav = "sources"


OVERVIEW_ROWS = 12  # rows per totals table; the rest are summed in one row


class OverviewView(TemplateView):
    """Totals pledged in USD, the goods beside them, what the totals leave out, and the latest entries.
    Takes the pledges table's filters, so /?donor=CHN totals what /pledges/?donor=CHN lists."""

    template_name = "ledger/home.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("_export") == "csv":
            totals = self.get_totals()
            if totals is None:
                return exports.filters_refused(self.filterset)
            return exports.totals_csv_response(totals)
        return super().get(request, *args, **kwargs)

    def get_filterset(self):
        return PledgeFilter(self.request.GET or None, queryset=selectors.pledges_for_table(), request=self.request)

    def get_totals(self):
        self.filterset = self.get_filterset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return None
        # Totals read the whole ledger (seconds at a million entries): cached until the next write.
        params = sorted((key, values) for key, values in self.request.GET.lists() if key != "_export")
        return ledger_cache.cached("overview", params, lambda: selectors.overview_totals(pledges=self.filterset.qs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        totals = self.get_totals()
        pledges = self.filterset.qs if totals is not None else self.filterset.queryset.none()
        context.update(
            nav="overview",
            export_links=exports.export_links(self.request, ("csv",)),
            filter=self.filterset,
            filter_invalid=totals is None,
            totals=totals,
            **(self.totals_context(totals) if totals is not None else {}),
            latest_pledges=selectors.latest_pledges(pledges=pledges) if totals is not None else [],
            latest_trade=selectors.latest_trade(),
        )
        return context

    @staticmethod
    def totals_context(totals):
        by_donor, other_donors = selectors.top_rows(totals.by_donor, OVERVIEW_ROWS)
        by_recipient, other_recipients = selectors.top_rows(totals.by_recipient, OVERVIEW_ROWS)
        return {
            "by_donor": by_donor,
            "other_donors": other_donors,
            "by_recipient": by_recipient,
            "other_recipients": other_recipients,
            "by_year": totals.by_year.to_dict("records"),
            "by_kind": totals.by_kind.to_dict("records"),
            "goods": totals.goods.to_dict("records"),
            "unconverted": [
                dict(row, currency=row["currency"], qualifier="") for row in totals.unconverted.to_dict("records")
            ],
            "left_out": totals.left_out.to_dict("records"),
            "chart": selectors.chart_data(totals.chart),
        }


def pledge_detail(request, pk):
    return render(request, "ledger/pledge_detail.html", {"nav": "pledges", **selectors.pledge_detail(pk=pk)})


def trade_detail(request, pk):
    return render(request, "ledger/trade_detail.html", {"nav": "trade", **selectors.trade_detail(pk=pk)})


def actor_detail(request, code):
    return render(request, "ledger/actor_detail.html", {"nav": "actors", **selectors.actor_detail(code=code)})


def source_detail(request, pk):
    return render(request, "ledger/source_detail.html", {"nav": "sources", **selectors.source_detail(pk=pk)})
