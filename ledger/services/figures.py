"""Honest figures on entry, checked by the services (and by the admin form on a copy, so a refusal shows
on its field): a figure of 0 only when the source says so, a USD value that agrees with a USD amount, and a
package whose parties change only once its parts' have."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ledger.models import Pledge, TradeFigure

# Figures a source may state as 0 only on purpose: an unknown figure stays empty, never 0.
ZERO_FIELDS = {Pledge: ("amount", "quantity", "amount_usd"), TradeFigure: ("amount", "amount_usd")}
ERROR_ZERO = (
    "This figure is 0. A figure the source does not state stays empty; if the source really says zero, "
    "tick \u201cThe source says zero\u201d and say so in the reason."
)
ERROR_ZERO_NO_REASON = "Say why the figure is zero (for example \u201cthe source says zero\u201d) in the reason."
ERROR_USD_CONTRADICTS = (
    "The amount is in USD, so its USD value is the amount itself ({amount}); {usd} contradicts it. "
    "Leave the USD value empty or correct the amount."
)
ERROR_PACKAGE_PARTIES = (
    "This package has {count} part(s) with its donor and recipient ({parties}). Change the parts' donor or "
    "recipient first (each is its own versioned entry with its own sources), then the package's."
)


def refuse_unconfirmed_zero(
    entry: Pledge | TradeFigure, *, stored: Pledge | TradeFigure | None, confirmed: bool, reason: str
) -> None:
    """A figure newly set to 0 is refused unless the editor confirms the source says zero, with a reason."""
    zeros = [
        name
        for name in ZERO_FIELDS[type(entry)]
        if getattr(entry, name) is not None
        and getattr(entry, name) == 0
        and (stored is None or getattr(stored, name) is None or getattr(stored, name) != 0)
    ]
    if "amount" in zeros and "amount_usd" in zeros:
        zeros.remove("amount_usd")  # a USD value of 0 that follows from an amount of 0
    if zeros and not confirmed:
        raise ValidationError(dict.fromkeys(zeros, ERROR_ZERO), code="zero_unconfirmed")
    if zeros and not (reason or "").strip():
        raise ValidationError(ERROR_ZERO_NO_REASON, code="zero_no_reason")


def refuse_contradicting_usd(entry: Pledge | TradeFigure, *, stored: Pledge | TradeFigure | None) -> None:
    """An amount in USD is its own USD value: a different USD value the editor gave is refused, not replaced."""
    if entry.currency.strip().upper() != "USD" or entry.amount is None or entry.amount_usd is None:
        return
    given = stored is None or stored.amount_usd != entry.amount_usd
    if given and entry.amount_usd != entry.amount:
        raise ValidationError(
            {"amount_usd": ERROR_USD_CONTRADICTS.format(amount=entry.amount, usd=entry.amount_usd)},
            code="usd_contradicts",
        )


def refuse_package_party_change(entry: Pledge, stored: Pledge) -> None:
    """A package's parts share its donor and recipient: its parties change only once theirs have."""
    if (entry.donor_id, entry.recipient_id) == (stored.donor_id, stored.recipient_id) or entry.pk is None:
        return
    parts = Pledge.objects.filter(package_id=entry.pk)
    count = parts.count()
    if count:
        field = "donor" if entry.donor_id != stored.donor_id else "recipient"
        raise ValidationError(
            {field: ERROR_PACKAGE_PARTIES.format(count=count, parties=f"{stored.donor} \u2192 {stored.recipient}")},
            code="package_parties",
        )
