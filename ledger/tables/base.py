"""What every ledger table shares: its template, and orderings that always end on the primary key."""

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.html import format_html


class LedgerTable(tables.Table):
    class Meta:
        template_name = "ledger/table.html"
        attrs = {"class": "data"}
        empty_text = "No entries match these filters."


def order_unknown_last(queryset, field, is_descending, *, blank=False):
    """Order by `field` then the primary key, unknown values last in both directions (as pandas'
    sort_values does): sorting USD ascending starts with the smallest known value, not with the
    thousands of rows that have none. `blank`: the field is text, and "" is its unknown value."""
    if blank:
        unknown = Case(When(**{field: ""}, then=Value(1)), default=Value(0), output_field=IntegerField())
        direction = f"-{field}" if is_descending else field
        return queryset.order_by(unknown, direction, "-pk" if is_descending else "pk"), True
    if is_descending:
        return queryset.order_by(F(field).desc(nulls_last=True), "-pk"), True
    return queryset.order_by(F(field).asc(nulls_last=True), "pk"), True


# The former name (unknown values counted as lowest); every table now puts them last both ways.
order_nulls_low = order_unknown_last


def actor_link(actor):
    return format_html(
        '<a href="{}">{}</a> <span class="code">{}</span>', actor.get_absolute_url(), actor.name, actor.code
    )
