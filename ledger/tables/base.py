"""What every ledger table shares: its template, and orderings that always end on the primary key."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html


class LedgerTable(tables.Table):
    class Meta:
        template_name = "ledger/table.html"
        attrs = {"class": "data"}
        empty_text = "No entries match these filters."


def order_nulls_low(queryset, field, is_descending):
    """Order by `field` then the primary key, unknown values counted as lowest on every database
    (SQLite's native order, so its (field, id) index serves both directions)."""
    if is_descending:
        return queryset.order_by(F(field).desc(nulls_last=True), "-pk"), True
    return queryset.order_by(F(field).asc(nulls_first=True), "pk"), True


def actor_link(actor):
    return format_html(
        '<a href="{}">{}</a> <span class="code">{}</span>', actor.get_absolute_url(), actor.name, actor.code
    )
