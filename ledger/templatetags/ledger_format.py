"""Template filters: the templates word numbers, dates and totals through ledger/formatting.py."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django import template

from ledger import formatting
from ledger.models import MoneyFields

register = template.Library()


@register.filter
def total(row: Mapping, missing: str = "no USD value") -> str:
    """A total row (dict with amount, currency, qualifier) as "≈ USD 340 million"."""
    amount = row.get("amount") if hasattr(row, "get") else None
    if amount is None:
        return missing
    return formatting.format_money(amount, row.get("currency", "USD"), row.get("qualifier", ""))


@register.filter
def number(value: Decimal | int) -> str:
    return formatting.format_number(value)


@register.filter
def day(value: date | None) -> str:
    """A date known to the day, worded as formatting.format_day words it: "5 Feb 2026"."""
    return formatting.format_day(value) if value is not None else ""


@register.filter
def certainty(entry: MoneyFields) -> str:
    """How precisely the source states an entry's amount, in words."""
    return formatting.format_certainty(entry.amount, entry.amount_qualifier)


@register.filter
def goods(row: Mapping) -> str:
    """A goods total row (dict with quantity, unit, commodity) as "60,000 t of rice"."""
    return formatting.format_goods(row["quantity"], row["unit"], row["commodity"])


@register.filter
def plural(count: int, words: str) -> str:
    """{{ n|plural:"entry,entries" }} -> "1 entry" / "3 entries"."""
    singular, _, many = words.partition(",")
    return f"{count} {singular if count == 1 else many}"
