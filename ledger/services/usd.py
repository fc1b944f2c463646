"""The USD fields on every write of a pledge or trade figure. The services call `apply_usd`; the admin
form calls it too, on a copy, so a refusal shows on its field.

Before an entry is saved, `apply_usd` fills its USD value from the ECB reference rates (ledger/fx.py),
or records why there is none; keeps a conversion the ledger did not make (stated by the source, an
editor's override); and refuses, with a message on the field, what it cannot honestly save: a non-USD
amount with no date to find a rate for, a rate source that names nothing, an edit that changes the
amount under a kept conversion, a hand-typed rate passed off as the ECB's."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Min

from ledger import fx
from ledger.models import Pledge, Source, TradeFigure

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

USD_FIELDS = ("amount_usd", "usd_rate", "usd_rate_date", "usd_rate_source", "usd_rate_basis", "usd_missing_reason")
GIVEN_USD_FIELDS = ("amount_usd", "usd_rate", "usd_rate_date", "usd_rate_source")

ERROR_NO_DATE = (
    "An amount in {currency} needs a date to find its USD rate: give the date to the day, or cite a source "
    "with its publication date."
)
ERROR_NOT_A_RATE_SOURCE = (
    "Say where this rate comes from, in words (for example \u201cstated by the source\u201d or "
    "\u201cBanco Central de Cuba official rate\u201d); \u201c{source}\u201d is not a rate source."
)
ERROR_FAKE_ECB = (
    "The ECB rate is filled in by the ledger and cannot be typed in. To override it, give your rate's own "
    "source (the reason for the change goes in the history)."
)
ERROR_KEPT_CONVERSION_STALE = (
    "This USD value is {basis} and was for {old}: the amount or currency changed, so it no longer applies. "
    "Give the new USD value with its rate, or empty the USD value, rate, date and source to convert at the ECB rate."
)


def publication_date(
    *, entry: Pledge | TradeFigure | None = None, citations: Sequence[Mapping[str, Any]] = ()
) -> datetime.date | None:
    """The publication date of the earliest source the entry cites (or is about to cite)."""
    dates: list[datetime.date] = []
    source_ids = []
    for citation in citations:
        source = citation.get("source")
        if isinstance(source, Source):
            dates.append(source.published_on)
        elif citation.get("source_id") or source is not None:
            source_ids.append(citation.get("source_id") or source)
    if source_ids:
        dates.extend(Source.objects.filter(pk__in=source_ids).values_list("published_on", flat=True))
    if entry is not None and entry.pk is not None:
        stored = entry.citations.aggregate(first=Min("source__published_on"))["first"]
        if stored is not None:
            dates.append(stored)
    return min(dates) if dates else None


def _date_field(entry: Pledge | TradeFigure) -> str:
    return "date" if isinstance(entry, Pledge) else "year"


def _is_rate_source(source: str) -> bool:
    return sum(character.isalpha() for character in source) >= 3


def _fill_own_conversion(entry: Pledge | TradeFigure, previous: Mapping[str, Any] | None) -> None:
    """A conversion given with its own source: complete the rate or the USD value from the other,
    name its basis, and check its source is one."""
    source = entry.usd_rate_source.strip()
    if not _is_rate_source(source):
        raise ValidationError({"usd_rate_source": ERROR_NOT_A_RATE_SOURCE.format(source=source)}, code="rate_source")
    entry.usd_rate_source = source
    amount = entry.amount
    rate_changed = previous is not None and previous["usd_rate"] != entry.usd_rate
    usd_changed = previous is not None and previous["amount_usd"] != entry.amount_usd
    if entry.usd_rate is not None and (entry.amount_usd is None or (rate_changed and not usd_changed)):
        entry.amount_usd = (amount * entry.usd_rate).quantize(fx.CENTS, rounding=ROUND_HALF_UP)
    elif entry.amount_usd is not None and amount and (entry.usd_rate is None or (usd_changed and not rate_changed)):
        entry.usd_rate = (Decimal(entry.amount_usd) / amount).quantize(fx.RATE_PLACES, rounding=ROUND_HALF_UP)
    given_changed = previous is None or any(previous[name] != getattr(entry, name) for name in GIVEN_USD_FIELDS)
    if source.startswith(fx.STATED_SOURCE):
        entry.usd_rate_basis = fx.STATED_BASIS
    elif given_changed or entry.usd_rate_basis not in (fx.STATED_BASIS, fx.OVERRIDE_BASIS):
        entry.usd_rate_basis = fx.OVERRIDE_BASIS
    entry.usd_missing_reason = ""


def apply_usd(
    entry: Pledge | TradeFigure, *, published: datetime.date | None, previous: Mapping[str, Any] | None = None
) -> None:
    """Set the entry's USD fields before it is saved. `previous` holds its stored values on an update."""
    entry.currency = (entry.currency or "").strip().upper()
    if (
        entry.amount is not None
        and entry.currency not in ("", "USD")
        and entry.amount_usd is None
        and entry.usd_rate is not None
        and entry.usd_rate_source.strip()
        and not fx.is_ecb_conversion(entry.usd_rate_source)
    ):
        # An editor's rate without the USD value: the rate is theirs, the value follows from it.
        entry.amount_usd = (entry.amount * entry.usd_rate).quantize(fx.CENTS, rounding=ROUND_HALF_UP)
    if entry.amount is not None and fx.keeps_own_conversion(
        currency=entry.currency, amount_usd=entry.amount_usd, usd_rate_source=entry.usd_rate_source
    ):
        if previous is not None and previous["usd_rate_basis"] in (fx.STATED_BASIS, fx.OVERRIDE_BASIS):
            money_changed = (previous["amount"], previous["currency"]) != (entry.amount, entry.currency)
            usd_unchanged = all(previous[name] == getattr(entry, name) for name in GIVEN_USD_FIELDS)
            if money_changed and usd_unchanged:
                basis = "stated by the source" if previous["usd_rate_basis"] == fx.STATED_BASIS else "an override"
                raise ValidationError(
                    {
                        "amount_usd": ERROR_KEPT_CONVERSION_STALE.format(
                            basis=basis, old=f"{previous['amount']} {previous['currency']}"
                        )
                    },
                    code="kept_conversion_stale",
                )
        _fill_own_conversion(entry, previous)
        return
    values = fx.entry_values(entry)
    conversion = fx.conversion_for(
        **{k: values[k] for k in ("amount", "currency", "date", "date_precision")}, published=published
    )
    if conversion.reason and conversion.rate_sought_for is None and not conversion.date_rule:
        raise ValidationError({_date_field(entry): ERROR_NO_DATE.format(currency=entry.currency)}, code="no_date")
    if (
        previous is not None
        and fx.is_ecb_conversion(entry.usd_rate_source)
        and any(previous[name] != getattr(entry, name) for name in GIVEN_USD_FIELDS)
        and any(
            getattr(entry, name) != value
            for name, value in conversion.field_values().items()
            if name in GIVEN_USD_FIELDS
        )
    ):
        raise ValidationError({"usd_rate_source": ERROR_FAKE_ECB}, code="fake_ecb")
    for name, value in conversion.field_values().items():
        setattr(entry, name, value)


def stored_values(entry: Pledge | TradeFigure) -> dict[str, Any]:
    """The values `apply_usd` compares an update against."""
    return {name: getattr(entry, name) for name in ("amount", "currency", *USD_FIELDS)}
