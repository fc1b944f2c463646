"""The pledges table: every value worded as the ledger knows it."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from ledger import search
from ledger.models import Pledge
from ledger.tables.base import LedgerTable, actor_link, order_unknown_last
from ledger.templatetags.ledger_format import usd_value


class PledgeTable(LedgerTable):
    id = tables.Column(verbose_name="Entry", order_by=("id",))
    date = tables.Column(verbose_name="When", order_by=("date", "id"), empty_values=())
    donor = tables.Column(verbose_name="Donor", order_by=("donor__name", "id"))
    recipient = tables.Column(verbose_name="Recipient", order_by=("recipient__name", "id"))
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "id"))
    value = tables.Column(verbose_name="What (as the source states it)", accessor="pk")
    amount_usd = tables.Column(
        verbose_name="USD value", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    status = tables.Column(verbose_name="Status", order_by=("status", "id"))

    class Meta(LedgerTable.Meta):
        model = Pledge
        fields = ("id", "date", "donor", "recipient", "kind", "value", "amount_usd", "status")
        empty_text = "No pledges match these filters."

    def render_id(self, record):
        return format_html('<a href="{}">#{}</a>', record.get_absolute_url(), record.pk)

    def render_date(self, record):
        return record.date_display

    def render_donor(self, record):
        return actor_link(record.donor)

    def render_recipient(self, record):
        return actor_link(record.recipient)

    def render_kind(self, record):
        label = record.get_kind_display()
        if record.package_id:
            url = reverse("ledger:pledge-detail", args=[record.package_id])
            return format_html(
                '{} <small>(part of <a href="{}">package #{}</a>)</small>', label, url, record.package_id
            )
        return label

    def render_value(self, record):
        snippet = search.page_snippet(self, record, "pledge")
        return format_html('<a href="{}">{}</a>{}', record.get_absolute_url(), record.value_display, snippet)

    def render_amount_usd(self, record):
        if record.amount_usd is None:
            return format_html('<span class="unknown">{}</span>', "no USD value")
        return usd_value(record)

    def render_status(self, record):
        return record.get_status_display()

    def order_value(self, queryset, is_descending):
        return order_unknown_last(queryset, "amount_usd", is_descending)

    def order_amount_usd(self, queryset, is_descending):
        return order_unknown_last(queryset, "amount_usd", is_descending)

    def order_date(self, queryset, is_descending):
        return order_unknown_last(queryset, "date", is_descending)
