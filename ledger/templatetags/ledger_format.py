"""Template filters: the templates word numbers, dates and totals through ledger/formatting.py."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


def exact_beside(compact: str, amount: Decimal, exact: str) -> SafeString | str:
    """The compact wording, with the exact figure a hover (title) or a copy (value) away."""
    if compact == exact:
        return compact
    return format_html('<data value="{}" title="exactly {}">{}</data>', amount, exact, compact)


@register.filter
def money(row: Mapping, missing: str = "no USD value") -> SafeString | str:
    """A total row as a reader scans it, "≈ USD 186.2 billion", the exact figure in its title."""
    amount = row.get("amount") if hasattr(row, "get") else None
    if amount is None:
        return missing
    currency, qualifier = row.get("currency", "USD"), row.get("qualifier", "")
    return exact_beside(
        formatting.format_money_compact(amount, currency, qualifier),
        amount,
        formatting.format_money(amount, currency, qualifier),
    )


@register.filter
def usd_value(entry: MoneyFields) -> SafeString | str:
    """An entry's USD value, no more precise than its source and compact ("≈ USD 1.6 billion"), the
    exact stored value in its title."""
    if entry.amount_usd is None:
        return "no USD value"
    shown = entry.amount_usd
    if entry.currency != "USD":
        shown = formatting.converted_amount(entry.amount_usd, entry.amount)
    return exact_beside(
        formatting.format_money_compact(shown, "USD", entry.amount_qualifier),
        entry.amount_usd,
        formatting.format_money(entry.amount_usd, "USD", entry.amount_qualifier),
    )


@register.filter
def count(value: int) -> str:
    """A count with thousands separators: 16,485."""
    return formatting.format_count(value)


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
    return f"{formatting.format_count(count)} {singular if count == 1 else many}"
