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


def format_count(count: int) -> str:
    """A count with thousands separators: 16485 -> '16,485'."""
    return f"{int(count):,}"


def significant_digits(value: Decimal) -> int:
    """How many significant digits a stated figure has: 1.5 billion (1500000000) -> 2, 959729.76 -> 8."""
    digits = Decimal(value).normalize().as_tuple().digits
    return max(len(digits), 1) if any(digits) else 1


def round_significant(value: Decimal, digits: int) -> Decimal:
    """`value` rounded to `digits` significant digits: (1628742742.65, 2) -> 1600000000."""
    value = Decimal(value)
    if not value:
        return value
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent)) if exponent > 0 else round(value, -exponent)


def format_compact(amount: Decimal) -> str:
    """A figure as a reader scans it in a table or a headline: millions and above with one decimal
    ('186.2 billion', '340 million'), below that whole units with separators ('959,730'), small
    amounts to the cent. The exact value goes beside it (a title), and downloads stay exact."""
    amount = Decimal(amount)
    for scale, word in SCALES:
        if abs(amount) >= scale:
            return f"{format_number(round(amount / scale, 1))} {word}"
    if abs(amount) >= 1000:
        return format_number(round(amount))
    return format_number(round(amount, 2))


def format_money_compact(amount: Decimal | None, currency: str, qualifier: str = "") -> str:
    """'≈ USD 186.2 billion'; 'amount not stated' when unknown."""
    if amount is None:
        return "amount not stated"
    return f"{QUALIFIER_PREFIX.get(qualifier, '')}{currency} {format_compact(amount)}".strip()


def converted_amount(amount_usd: Decimal, source_amount: Decimal | None) -> Decimal:
    """A USD value no more precise than the figure it was converted from: EUR 1.5 billion has two
    significant digits, so its USD value is rounded to two (1,628,742,742.65 -> 1,600,000,000)."""
    if source_amount is None:
        return amount_usd
    # Two digits at least: "EUR 100" may well be exact, and "USD 100" from it would read as a coincidence.
    return round_significant(amount_usd, max(significant_digits(source_amount), 2))


def format_usd_value(amount_usd: Decimal | None, source_amount: Decimal | None, currency: str, qualifier: str) -> str:
    """An entry's USD value as the reader sees it: the amount itself for USD, otherwise the conversion
    rounded to the source's precision ('≈ USD 1.6 billion' from '≈ EUR 1.5 billion')."""
    if amount_usd is None:
        return "no USD value"
    if currency != "USD":
        amount_usd = converted_amount(amount_usd, source_amount)
    return format_money(amount_usd, "USD", qualifier)


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


def format_match_count(count: int, singular: str, plural: str, *, more_than: bool = False) -> str:
    """How many rows a table's filters select: "1 pledge matches", "12,345 pledges match", or, when
    counting ran out of time after `count` rows, "more than 10,000 pledges match"."""
    noun = singular if count == 1 and not more_than else plural
    verb = "matches" if count == 1 and not more_than else "match"
    return f"{'more than ' if more_than else ''}{format_number(count)} {noun} {verb}"


def format_counted_in_totals(amount, qualifier="") -> str:
    """What the selected pledges add to the totals, readable: "≈ USD 186.2 billion counted in totals"
    (the page shows the exact sum on hover: format_money); with no USD value among them, "no USD
    value counted in totals" (never USD 0)."""
    if amount is None:
        return "no USD value counted in totals"
    return f"{format_money_compact(amount, 'USD', qualifier)} counted in totals"
