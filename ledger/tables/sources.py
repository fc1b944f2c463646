"""The sources table: the documents the ledger's figures are read from."""

import django_tables2 as tables
from django.utils.html import format_html

from ledger import formatting
from ledger.models import Source
from ledger.tables.base import LedgerTable, order_unknown_last


class SourceTable(LedgerTable):
    published_on = tables.Column(verbose_name="Published", order_by=("published_on", "id"))
    publisher = tables.Column(verbose_name="Publisher", order_by=("publisher", "id"))
    headline = tables.Column(verbose_name="Headline", order_by=("headline", "id"))
    wire_agency = tables.Column(verbose_name="Reports agency", order_by=("wire_agency", "id"), empty_values=())
    language = tables.Column(verbose_name="Language", order_by=("language", "id"))

    class Meta(LedgerTable.Meta):
        model = Source
        fields = ("published_on", "publisher", "headline", "wire_agency", "language")
        empty_text = "No sources match these filters."

    def render_published_on(self, record):
        return formatting.format_day(record.published_on)

    def render_headline(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.headline)

    def render_wire_agency(self, record):
        if not record.wire_agency:
            return formatting.EMPTY_VALUE
        if record.wire_date:
            return f"{record.wire_agency}, {formatting.format_day(record.wire_date)}"
        return record.wire_agency

    def order_wire_agency(self, queryset, is_descending):
        return order_unknown_last(queryset, "wire_agency", is_descending, blank=True)

    def render_language(self, record):
        if record.original_language:
            return f"{record.language} (translated from {record.original_language})"
        return record.language
