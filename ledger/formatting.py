"""How the ledger words a value for a reader: "≈ USD 340 million", "60,000 t of rice (value not
stated)", "end of Jan 2026 (year inferred)". Unknown values read as words, never as 0 or None."""

from decimal import Decimal
from typing import Any

from django.db.models import Model

QUALIFIER_PREFIX = {"": "", "exact": "", "approximately": "≈ ", "up_to": "up to ", "at_least": "at least "}
SCALES = [(Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")]
DATE_QUALIFIER_PREFIX = {"": "", "early": "early ", "mid": "mid-", "end": "end of "}


def format_number(value):
    """A plain number with thousands separators and no trailing zeros: 60000.000 -> '60,000'."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def format_amount(amount):
    """Abbreviate to million/billion only when that loses no digit: 340000000 -> '340 million'."""
    amount = Decimal(amount)
    for scale, word in SCALES:
        if abs(amount) >= scale:
            scaled = amount / scale
            if scaled == scaled.quantize(Decimal("0.001")):
                return f"{format_number(scaled)} {word}"
            break
    return format_number(amount)


def format_money(amount, currency, qualifier=""):
    if amount is None:
        return "amount not stated"
    return f"{QUALIFIER_PREFIX.get(qualifier, '')}{currency} {format_amount(amount)}".strip()


def format_goods(quantity, unit, commodity, valuation="", valuation_method=""):
    if quantity is None:
        return ""
    text = f"{format_number(quantity)} {unit} of {commodity}"
    if valuation == "not_stated":
        text += " (value not stated)"
    elif valuation == "estimated":
        text += f" (value estimated: {valuation_method})" if valuation_method else " (value estimated)"
    return text


def format_date(date, precision, qualifier="", year_inferred=False):
    if date is None:
        return "date not stated"
    if precision == "day":
        text = f"{date.day} {date:%b %Y}"
    elif precision == "month":
        text = f"{DATE_QUALIFIER_PREFIX.get(qualifier, '')}{date:%b %Y}"
    else:
        text = f"{DATE_QUALIFIER_PREFIX.get(qualifier, '')}{date.year}"
    if year_inferred:
        text += " (year inferred)"
    return text


CERTAINTY = {
    "exact": "stated as an exact figure",
    "approximately": "approximate: the source says “approximately”",
    "up_to": "an upper bound: the source says “up to”",
    "at_least": "a lower bound: the source says “at least”",
}


def format_certainty(amount, qualifier) -> str:
    """How precisely the source states an amount, in words."""
    if amount is None:
        return "no figure stated"
    return CERTAINTY.get(qualifier, qualifier)


def format_day(day) -> str:
    """A date known to the day: '5 Feb 2026'."""
    return format_date(day, "day")


EMPTY_VALUE = "—"


def format_field_value(model: type[Model], name: str, value: Any) -> str:
    """A stored field value as an editor reads it, in the admin, the history and the stale-edit message:
    "—" when empty (never "None" or 0), a choice's label, yes/no, a number as format_number writes it,
    a related entry by its name (an actor with its code: "Vietnam (VNM)"), or "#id" when the caller
    only has its id."""
    if value is None or value == "":
        return EMPTY_VALUE
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if not isinstance(value, Model):
            return f"#{value}"
        code = getattr(value, "code", "")
        return f"{value} ({code})" if code else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


# What the overview's totals leave out, by reason code: the page and the totals CSV word them alike.
LEFT_OUT_REASONS = {
    "packages_counted_through_parts": "Aid packages with parts, counted through their parts instead (never both)",
    "no_money_value": "Entries with no money value (goods whose value is not stated, or no amount stated)",
    "no_usd_conversion": "Entries in another currency with no USD value",
    "trade_figures": "Trade and investment figures, never added to aid",
}
