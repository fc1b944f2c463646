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
from ledger.services.figures import refuse_contradicting_usd, refuse_package_party_change, refuse_unconfirmed_zero
from ledger.services.usd import apply_usd, publication_date, stored_values

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django.contrib.auth.base_user import AbstractBaseUser

    CitationData = Mapping[str, Any]  # source (or source_id), excerpt, paragraph, note

CITING_FIELDS = {Pledge: "pledge", TradeFigure: "trade_figure", Statement: "statement"}
ENTRY_FIELDS = ("pledge", "trade_figure", "statement", "engagement")  # a citation's entry, fixed once saved


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
    entry = new_cited_entry(model, citations, reason=reason, fields=fields, zero_confirmed=zero_confirmed)
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
    reason: str,
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
    reason: str,
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
    *, citations: Sequence[CitationData], user: AbstractBaseUser | None = None, reason: str, **fields: Any
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
def citation_create(*, user: AbstractBaseUser | None = None, reason: str, **fields: Any) -> Citation:
    """Add a citation to an entry, as a new version of that entry."""
    field, entry = _cited_entry(Citation(**fields))
    if entry is None:
        return save_entry(Citation(**fields), user=user, reason=reason)  # the model says what is missing
    values = {name: value for name, value in fields.items() if name not in (field, f"{field}_id")}
    before = set(Citation.objects.filter(**{field: entry}).values_list("pk", flat=True))
    _update_cited(entry, CitationEdits(add=[values]), user=user, reason=reason)
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


def new_cited_entry(
    model: type[Pledge | TradeFigure | Statement],
    citations: Sequence[CitationData],
    *,
    reason: str,
    fields: Mapping[str, Any],
    zero_confirmed: bool = False,
) -> Pledge | TradeFigure | Statement:
    """A new entry as its create service checks and completes it before saving (not saved): it rests
    on at least one citation, a figure of 0 is confirmed, a USD value agrees with a USD amount, and its
    USD fields are filled. The create services and the batch creation (services/batch.py) both use it."""
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    entry = model(**fields)
    if model is not Statement:
        refuse_unconfirmed_zero(entry, stored=None, confirmed=zero_confirmed, reason=reason)
        refuse_contradicting_usd(entry, stored=None)
        apply_usd(entry, published=publication_date(citations=citations))
    return entry
