"""The engagements table: who met whom, where and when, as precisely as the source says."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from ledger.models import Engagement
from ledger.tables.base import LedgerTable, actor_link, order_nulls_low


class EngagementTable(LedgerTable):
    id = tables.Column(verbose_name="Entry", order_by=("id",))
    date = tables.Column(verbose_name="When", order_by=("date", "id"), empty_values=())
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "id"))
    side_a = tables.Column(verbose_name="Side A", order_by=("side_a__name", "id"))
    side_b = tables.Column(verbose_name="Side B", order_by=("side_b__name", "id"))
    place = tables.Column(verbose_name="Where", accessor="pk", orderable=False)
    participants = tables.Column(verbose_name="Who took part", accessor="pk", orderable=False)

    class Meta(LedgerTable.Meta):
        model = Engagement
        fields = ("id", "date", "kind", "side_a", "side_b", "place", "participants")
        empty_text = "No engagements match these filters."

    def render_id(self, record):
        return format_html('<a href="{}">#{}</a>', record.get_absolute_url(), record.pk)

    def render_date(self, record):
        return record.date_display

    def render_kind(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.get_kind_display())

    def render_side_a(self, record):
        return actor_link(record.side_a)

    def render_side_b(self, record):
        return actor_link(record.side_b)

    def render_place(self, record):
        return record.place_display or format_html('<span class="unknown">{}</span>', "not stated")

    def render_participants(self, record):
        return format_html_join("; ", "{}", ((p.person.name,) for p in record.participants.all()))

    def order_date(self, queryset, is_descending):
        return order_nulls_low(queryset, "date", is_descending)
