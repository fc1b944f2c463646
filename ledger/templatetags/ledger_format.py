"""Template filters that word totals the way ledger/formatting.py words single values."""

from django import template

from ledger import formatting

register = template.Library()


@register.filter
def total(row, missing="no USD value"):
    """A total row (dict with amount, currency, qualifier) as "≈ USD 340 million"."""
    amount = row.get("amount") if hasattr(row, "get") else None
    if amount is None:
        return missing
    return formatting.format_money(amount, row.get("currency", "USD"), row.get("qualifier", ""))


@register.filter
def number(value):
    return formatting.format_number(value)


@register.filter
def goods(row):
    return f"{formatting.format_number(row['quantity'])} {row['unit']} of {row['commodity']}"


@register.filter
def plural(count, words):
    """{{ n|plural:"entry,entries" }} -> "1 entry" / "3 entries"."""
    singular, _, many = words.partition(",")
    return f"{count} {singular if count == 1 else many}"
