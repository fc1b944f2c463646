"""The body rows of a ledger table, written in one pass in Python.

The same cells, in the same markup, as the loop in templates/ledger/table.html used to write
(`<td {{ column.attrs.td.as_html }} data-label="{{ column.header }}">{{ cell }}</td>`): each cell
still comes from django-tables2 (`BoundRow.items()`: the columns' render methods, the accessors,
the empty values), and is written as a template writes a variable (localized, escaped). What is
saved is resolving three template variables per cell, and computing each column's static cell
attributes and header once per table instead of once per cell."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _has_callable(attrs) -> bool:
    """Whether some cell attribute is computed per record (django-tables2 allows callables)."""
    if callable(attrs):
        return True
    if isinstance(attrs, dict):
        return any(_has_callable(value) for value in attrs.values())
    return False


@register.simple_tag(takes_context=True)
def table_body_rows(context, table):
    """<tr> per row of the table's page, or the table's empty text in one cell spanning the columns."""
    columns = list(table.columns)
    static = {}
    for column in columns:
        if not (_has_callable(table.attrs) or _has_callable(column.column.attrs)):
            static[column.name] = column.attrs["td"].as_html()
    headers = {column.name: conditional_escape(column.header) for column in columns}
    parts = []
    for row in table.paginated_rows:
        parts.append("<tr>")
        for column, cell in row.items():
            attrs = static.get(column.name)
            if attrs is None:
                attrs = column.attrs["td"].as_html()
            parts.append(
                f'<td {attrs} data-label="{headers[column.name]}">{render_value_in_context(cell, context)}</td>'
            )
        parts.append("</tr>\n")
    if not parts and table.empty_text:
        parts.append(f'<tr><td colspan="{len(columns)}">{conditional_escape(table.empty_text)}</td></tr>')
    return mark_safe("".join(parts))
