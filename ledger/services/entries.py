"""Write services for the cited entries (pledges, trade figures, statements) and their citations.

Each figure rests on at least one citation: an entry is created with its citations, and its last
citation is never removed. Updates are versioned (pledges, trade figures) or checked against the
last-saved time (statements, citations); every change needs a reason."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import Citation, Pledge, Statement, TradeFigure
from ledger.services._shared import (
    ERROR_CITATION_ENTRY_FIXED,
    ERROR_NO_CITATION,
    CitationEdits,
    delete_entry,
    lock_row_unless_stale,
    require_reason,
    revert_entry,
    revert_reason,
    save_entry,
    update_entry,
)
from ledger.services.usd import apply_usd, publication_date, stored_values

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django.contrib.auth.base_user import AbstractBaseUser

    CitationData = Mapping[str, Any]  # source (or source_id), excerpt, paragraph, note

CITING_FIELDS = {Pledge: "pledge", TradeFigure: "trade_figure", Statement: "statement"}
ENTRY_FIELDS = ("pledge", "trade_figure", "statement", "engagement")  # a citation's entry, fixed once saved

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


def _cite(
    entry: Pledge | TradeFigure | Statement,
    citations: Sequence[CitationData],
    *,
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    for citation in citations:
        new = Citation(**{CITING_FIELDS[type(entry)]: entry}, **citation)
        new._history_date = getattr(entry, "_history_date", None) or timezone.now()  # the entry's version time
        save_entry(new, user=user, reason=reason)


def _create_cited(
    model: type[Pledge | TradeFigure | Statement],
    citations: Sequence[CitationData],
    *,
    user: AbstractBaseUser | None,
    reason: str,
    fields: dict[str, Any],
    zero_confirmed: bool = False,
) -> Pledge | TradeFigure | Statement:
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    entry = model(**fields)
    if model is not Statement:
        refuse_unconfirmed_zero(entry, stored=None, confirmed=zero_confirmed, reason=reason)
        refuse_contradicting_usd(entry, stored=None)
        apply_usd(entry, published=publication_date(citations=citations))
    entry._history_date = timezone.now()  # the entry and its citations: one version, one time
    entry = save_entry(entry, user=user, reason=reason)
    _cite(entry, citations, user=user, reason=reason)
    return entry


def _convert_on_update(entry: Pledge | TradeFigure, stored: Pledge | TradeFigure) -> None:
    refuse_contradicting_usd(entry, stored=stored)
    apply_usd(entry, published=publication_date(entry=entry), previous=stored_values(stored))


def _checked_update(*, zero_confirmed: bool, reason: str):
    """The before_save of a money entry's update: honest figures, then its USD fields."""

    def before_save(entry: Pledge | TradeFigure, stored: Pledge | TradeFigure) -> None:
        refuse_unconfirmed_zero(entry, stored=stored, confirmed=zero_confirmed, reason=reason)
        if isinstance(entry, Pledge):
            refuse_package_party_change(entry, stored)
        _convert_on_update(entry, stored)

    return before_save


def _convert_on_revert(entry: Pledge | TradeFigure, stored: Pledge | TradeFigure) -> None:
    # A revert restores a whole earlier state: its conversion is refreshed (or kept), never refused.
    if isinstance(entry, Pledge):
        refuse_package_party_change(entry, stored)
    apply_usd(entry, published=publication_date(entry=entry))


# --- Pledges -----------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *,
    citations: Sequence[CitationData],
    user: AbstractBaseUser | None = None,
    reason: str = "",
    zero_confirmed: bool = False,
    **fields: Any,
) -> Pledge:
    """Create a pledge with its citations (dicts of source, excerpt, paragraph, note). A figure of 0
    needs `zero_confirmed` (the source says zero) and a reason."""
    return _create_cited(Pledge, citations, user=user, reason=reason, fields=fields, zero_confirmed=zero_confirmed)


def pledge_update(
    *,
    pledge: Pledge,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
    citations: CitationEdits | None = None,
    zero_confirmed: bool = False,
) -> Pledge:
    """Update a pledge and its citations as one version; its USD fields follow its amount, currency and
    date (see services/usd.py). A package with parts keeps its donor and recipient."""
    return update_entry(
        pledge,
        data=data,
        user=user,
        reason=reason,
        expected_version=expected_version,
        citations=citations,
        before_save=_checked_update(zero_confirmed=zero_confirmed, reason=reason),
    )


def pledge_revert(
    *,
    pledge: Pledge,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> Pledge:
    return revert_entry(
        pledge,
        history_id=history_id,
        user=user,
        reason=reason,
        expected_version=expected_version,
        before_save=_convert_on_revert,
    )


def pledge_delete(*, pledge: Pledge, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(pledge, user=user, reason=reason)


# --- Trade figures -----------------------------------------------------------------------------


@transaction.atomic
def trade_figure_create(
    *,
    citations: Sequence[CitationData],
    user: AbstractBaseUser | None = None,
    reason: str = "",
    zero_confirmed: bool = False,
    **fields: Any,
) -> TradeFigure:
    return _create_cited(TradeFigure, citations, user=user, reason=reason, fields=fields, zero_confirmed=zero_confirmed)


def trade_figure_update(
    *,
    trade_figure: TradeFigure,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
    citations: CitationEdits | None = None,
    zero_confirmed: bool = False,
) -> TradeFigure:
    return update_entry(
        trade_figure,
        data=data,
        user=user,
        reason=reason,
        expected_version=expected_version,
        citations=citations,
        before_save=_checked_update(zero_confirmed=zero_confirmed, reason=reason),
    )


def trade_figure_revert(
    *,
    trade_figure: TradeFigure,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> TradeFigure:
    return revert_entry(
        trade_figure,
        history_id=history_id,
        user=user,
        reason=reason,
        expected_version=expected_version,
        before_save=_convert_on_revert,
    )


def trade_figure_delete(*, trade_figure: TradeFigure, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(trade_figure, user=user, reason=reason)


# --- Statements --------------------------------------------------------------------------------


@transaction.atomic
def statement_create(
    *, citations: Sequence[CitationData], user: AbstractBaseUser | None = None, reason: str = "", **fields: Any
) -> Statement:
    return _create_cited(Statement, citations, user=user, reason=reason, fields=fields)


def statement_update(
    *,
    statement: Statement,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
    citations: CitationEdits | None = None,
) -> Statement:
    return update_entry(
        statement,
        data=data,
        user=user,
        reason=reason,
        expected_updated_at=expected_updated_at,
        citations=citations,
    )


def statement_revert(
    *,
    statement: Statement,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Statement:
    return revert_entry(
        statement, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at
    )


def statement_delete(*, statement: Statement, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(statement, user=user, reason=reason)


# --- Citations ---------------------------------------------------------------------------------
# A citation is part of its entry's versioned state: each write below is a versioned save of the
# entry (its version goes up, its history lists the citation's change), under the entry's row lock.


def _cited_entry(citation: Citation) -> tuple[str | None, Any]:
    for field in ENTRY_FIELDS:
        if getattr(citation, f"{field}_id"):
            return field, getattr(citation, field)
    return None, None


def _update_cited(entry: Any, edits: CitationEdits, *, user: AbstractBaseUser | None, reason: str) -> None:
    before_save = _convert_on_update if isinstance(entry, Pledge | TradeFigure) else None
    update_entry(entry, data={}, user=user, reason=reason, citations=edits, before_save=before_save)


@transaction.atomic
def citation_create(*, user: AbstractBaseUser | None = None, reason: str = "", **fields: Any) -> Citation:
    """Add a citation to an entry, as a new version of that entry."""
    field, entry = _cited_entry(Citation(**fields))
    if entry is None:
        return save_entry(Citation(**fields), user=user, reason=reason)  # the model says what is missing
    values = {name: value for name, value in fields.items() if name not in (field, f"{field}_id")}
    before = set(Citation.objects.filter(**{field: entry}).values_list("pk", flat=True))
    _update_cited(entry, CitationEdits(add=[values]), user=user, reason=reason or "Citation added")
    return Citation.objects.filter(**{field: entry}).exclude(pk__in=before).latest("pk")


def citation_update(
    *,
    citation: Citation,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Citation:
    """Change a citation's source, excerpt, paragraph or note, as a new version of its entry. Its entry
    is fixed: moving it could leave the old one with no source."""
    require_reason(reason)
    for field in ENTRY_FIELDS:
        for name in (field, f"{field}_id"):
            if name in data and getattr(data[name], "pk", data[name]) != getattr(citation, f"{field}_id"):
                raise ValidationError({field: ERROR_CITATION_ENTRY_FIXED}, code="citation_entry_fixed")
    values = {name: value for name, value in data.items() if name.removesuffix("_id") not in ENTRY_FIELDS}
    with transaction.atomic():
        current = lock_row_unless_stale(citation, expected_version=None, expected_updated_at=expected_updated_at)
        _field, entry = _cited_entry(current)
        if entry is None:
            return update_entry(citation, data=values, user=user, reason=reason)
        _update_cited(entry, CitationEdits(change={current.pk: values}), user=user, reason=reason)
        return Citation.objects.get(pk=current.pk)


def citation_revert(
    *,
    citation: Citation,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Citation:
    """Bring a citation back to one of its recorded states (its entry stays the one it cites)."""
    require_reason(reason)
    record = citation.history.get(history_id=history_id)
    values = {name: getattr(record, name) for name in ("source_id", "excerpt", "paragraph", "note")}
    return citation_update(
        citation=citation,
        data=values,
        user=user,
        reason=revert_reason(record, reason),
        expected_updated_at=expected_updated_at,
    )


@transaction.atomic
def citation_delete(*, citation: Citation, user: AbstractBaseUser | None = None, reason: str) -> None:
    """Remove a citation, as a new version of its entry, unless it is the last one its entry rests on
    (no number without a source)."""
    require_reason(reason)
    _field, entry = _cited_entry(citation)
    if entry is None:
        delete_entry(citation, user=user, reason=reason)
        return
    _update_cited(entry, CitationEdits(remove=[citation.pk]), user=user, reason=reason)


def citations_replacement(entry: Pledge | TradeFigure | Statement, citations: Sequence[CitationData]) -> CitationEdits:
    """The edits that replace an entry's citations with `citations`, for its update service."""
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    old = list(Citation.objects.filter(**{CITING_FIELDS[type(entry)]: entry}).values_list("pk", flat=True))
    return CitationEdits(add=list(citations), remove=old)


@transaction.atomic
def citations_replace(
    *,
    entry: Pledge | TradeFigure | Statement,
    citations: Sequence[CitationData],
    user: AbstractBaseUser | None = None,
    reason: str,
) -> None:
    """Replace an entry's citations with `citations` (dicts of source, excerpt, paragraph, note), as one
    new version of the entry. New sources may bring an earlier publication date, whose ECB rate then
    applies (a kept conversion stays as it is). The history keeps the old citations and who removed them."""
    require_reason(reason)
    _update_cited(entry, citations_replacement(entry, citations), user=user, reason=reason)
