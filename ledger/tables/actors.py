"""The actors table: countries and the bodies that belong to them."""

import django_tables2 as tables
from django.utils.html import format_html

from ledger import formatting
from ledger.models import Actor
from ledger.tables.base import LedgerTable, order_unknown_last


class ActorTable(LedgerTable):
    code = tables.Column(verbose_name="Code", order_by=("code", "id"))
    name = tables.Column(verbose_name="Name", order_by=("name", "id"))
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "id"))
    parent = tables.Column(verbose_name="Belongs to", order_by=("parent__name", "id"), empty_values=())

    class Meta(LedgerTable.Meta):
        model = Actor
        fields = ("code", "name", "kind", "parent")
        empty_text = "No actors match these filters."

    def render_code(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.code)

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.name)

    def render_kind(self, record):
        return record.get_kind_display()

    def order_parent(self, queryset, is_descending):
        return order_unknown_last(queryset, "parent__name", is_descending)

    def render_parent(self, record):
        if record.parent is None:
            return formatting.EMPTY_VALUE
        return format_html('<a href="{}">{}</a>', record.parent.get_absolute_url(), record.parent.name)
