"""Write services for the cited entries (pledges, trade figures, statements) and their citations.

Each figure rests on at least one citation: an entry is created with its citations, and its last
citation is never removed. Updates are versioned (pledges, trade figures) or checked against the
last-saved time (statements, citations); every change needs a reason."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.models import Citation, Pledge, Statement, TradeFigure
from ledger.services._shared import (
    ERROR_NO_CITATION,
    delete_entry,
    require_reason,
    revert_entry,
    save_entry,
    update_entry,
)
from ledger.services.usd import USD_FIELDS, apply_usd, publication_date, stored_values

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django.contrib.auth.base_user import AbstractBaseUser

    CitationData = Mapping[str, Any]  # source (or source_id), excerpt, paragraph, note

CITING_FIELDS = {Pledge: "pledge", TradeFigure: "trade_figure", Statement: "statement"}


def _cite(
    entry: Pledge | TradeFigure | Statement,
    citations: Sequence[CitationData],
    *,
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    for citation in citations:
        save_entry(Citation(**{CITING_FIELDS[type(entry)]: entry}, **citation), user=user, reason=reason)


def _create_cited(
    model: type[Pledge | TradeFigure | Statement],
    citations: Sequence[CitationData],
    *,
    user: AbstractBaseUser | None,
    reason: str,
    fields: dict[str, Any],
) -> Pledge | TradeFigure | Statement:
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    entry = model(**fields)
    if model is not Statement:
        apply_usd(entry, published=publication_date(citations=citations))
    entry = save_entry(entry, user=user, reason=reason)
    _cite(entry, citations, user=user, reason=reason)
    return entry


def _convert_on_update(entry: Pledge | TradeFigure, stored: Pledge | TradeFigure) -> None:
    apply_usd(entry, published=publication_date(entry=entry), previous=stored_values(stored))


def _convert_on_revert(entry: Pledge | TradeFigure, stored: Pledge | TradeFigure) -> None:
    # A revert restores a whole earlier state: its conversion is refreshed (or kept), never refused.
    apply_usd(entry, published=publication_date(entry=entry))


# --- Pledges -----------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *, citations: Sequence[CitationData], user: AbstractBaseUser | None = None, reason: str = "", **fields: Any
) -> Pledge:
    """Create a pledge with its citations (dicts of source, excerpt, paragraph, note)."""
    return _create_cited(Pledge, citations, user=user, reason=reason, fields=fields)


def pledge_update(
    *,
    pledge: Pledge,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> Pledge:
    """Update a pledge; its USD fields follow its amount, currency and date (see services/usd.py)."""
    return update_entry(
        pledge,
        data=data,
        user=user,
        reason=reason,
        expected_version=expected_version,
        before_save=_convert_on_update,
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
    *, citations: Sequence[CitationData], user: AbstractBaseUser | None = None, reason: str = "", **fields: Any
) -> TradeFigure:
    return _create_cited(TradeFigure, citations, user=user, reason=reason, fields=fields)


def trade_figure_update(
    *,
    trade_figure: TradeFigure,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> TradeFigure:
    return update_entry(
        trade_figure,
        data=data,
        user=user,
        reason=reason,
        expected_version=expected_version,
        before_save=_convert_on_update,
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
) -> Statement:
    return update_entry(statement, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


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


@transaction.atomic
def citation_create(*, user: AbstractBaseUser | None = None, reason: str = "", **fields: Any) -> Citation:
    return save_entry(Citation(**fields), user=user, reason=reason)


def citation_update(
    *,
    citation: Citation,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Citation:
    return update_entry(citation, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


def citation_revert(
    *,
    citation: Citation,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Citation:
    return revert_entry(
        citation, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at
    )


def _cited_entry(citation: Citation) -> tuple[str | None, Pledge | TradeFigure | Statement | None]:
    for field in CITING_FIELDS.values():
        if getattr(citation, f"{field}_id"):
            return field, getattr(citation, field)
    return None, None


@transaction.atomic
def citation_delete(*, citation: Citation, user: AbstractBaseUser | None = None, reason: str) -> None:
    """Remove a citation, unless it is the last one its entry rests on (no number without a source)."""
    require_reason(reason)
    field, entry = _cited_entry(citation)
    if field is not None and not Citation.objects.filter(**{field: entry}).exclude(pk=citation.pk).exists():
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    delete_entry(citation, user=user, reason=reason)


@transaction.atomic
def citations_replace(
    *,
    entry: Pledge | TradeFigure | Statement,
    citations: Sequence[CitationData],
    user: AbstractBaseUser | None = None,
    reason: str,
) -> None:
    """Replace an entry's citations with `citations` (dicts of source, excerpt, paragraph, note).

    The new ones are added first, then the old ones deleted one by one, so the entry never rests on
    no source and the history keeps the old citations and who removed them."""
    require_reason(reason)
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    old = list(Citation.objects.filter(**{CITING_FIELDS[type(entry)]: entry}).order_by("id"))
    _cite(entry, citations, user=user, reason=reason)
    for citation in old:
        citation_delete(citation=citation, user=user, reason=reason)
    if isinstance(entry, Pledge | TradeFigure):
        _reconvert_for_new_sources(entry, user=user, reason=reason)


def _reconvert_for_new_sources(entry: Pledge | TradeFigure, *, user: AbstractBaseUser | None, reason: str) -> None:
    """New sources may bring an earlier publication date, whose ECB rate then applies (a kept
    conversion stays as it is); the change is a versioned update with the same reason."""
    fresh = type(entry).objects.get(pk=entry.pk)
    before = stored_values(fresh)
    apply_usd(fresh, published=publication_date(entry=fresh))
    changed = {name: getattr(fresh, name) for name in USD_FIELDS if getattr(fresh, name) != before[name]}
    if changed:
        update_entry(entry, data=changed, user=user, reason=reason, before_save=_convert_on_update)
