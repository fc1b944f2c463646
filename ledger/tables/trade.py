"""The trade table: figures, ranks and relationships, each with how certain the source is."""

import django_tables2 as tables
from django.utils.html import format_html

from ledger import formatting, search
from ledger.models import TradeFigure
from ledger.tables.base import LedgerTable, actor_link, order_unknown_last
from ledger.templatetags.ledger_format import usd_value


class TradeTable(LedgerTable):
    id = tables.Column(verbose_name="Entry", order_by=("id",))
    year = tables.Column(verbose_name="Period", empty_values=())
    reporter = tables.Column(verbose_name="Reporter", order_by=("reporter__name", "id"))
    partner = tables.Column(verbose_name="Partner", order_by=("partner__name", "id"))
    flow = tables.Column(verbose_name="Flow", order_by=("flow", "id"))
    value = tables.Column(verbose_name="Figure", accessor="pk")
    amount_usd = tables.Column(
        verbose_name="USD value", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    certainty = tables.Column(
        verbose_name="Certainty", accessor="amount_qualifier", order_by=("amount_qualifier", "id")
    )
    rank_statement = tables.Column(verbose_name="Rank or relation", order_by=("rank_statement", "id"), empty_values=())

    class Meta(LedgerTable.Meta):
        model = TradeFigure
        fields = ("id", "year", "reporter", "partner", "flow", "value", "amount_usd", "certainty", "rank_statement")
        empty_text = "No trade figures match these filters."

    def render_id(self, record):
        return format_html('<a href="{}">#{}</a>', record.get_absolute_url(), record.pk)

    def render_year(self, record):
        return record.period_display

    def render_reporter(self, record):
        return actor_link(record.reporter)

    def render_partner(self, record):
        return actor_link(record.partner)

    def render_flow(self, record):
        return record.get_flow_display()

    def render_value(self, record):
        snippet = search.page_snippet(self, record, "tradefigure")
        return format_html('<a href="{}">{}</a>{}', record.get_absolute_url(), record.value_display, snippet)

    def render_certainty(self, record):
        return formatting.format_certainty(record.amount, record.amount_qualifier)

    def render_rank_statement(self, record):
        parts = [p for p in (record.rank_statement, record.relationship and f"“{record.relationship}”") if p]
        return "; ".join(parts) if parts else format_html('<span class="unknown">{}</span>', "none stated")

    def order_year(self, queryset, is_descending):
        return order_unknown_last(queryset, "year", is_descending)

    def render_amount_usd(self, record):
        if record.amount_usd is None:
            return format_html('<span class="unknown">{}</span>', "no USD value")
        return usd_value(record)

    def order_value(self, queryset, is_descending):
        return order_unknown_last(queryset, "amount_usd", is_descending)

    def order_amount_usd(self, queryset, is_descending):
        return order_unknown_last(queryset, "amount_usd", is_descending)

    def order_rank_statement(self, queryset, is_descending):
        return order_unknown_last(queryset, "rank_statement", is_descending, blank=True)
