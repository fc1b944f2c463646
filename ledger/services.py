"""Writes to the ledger. The admin, the importer and the fixtures' tooling all call these, so every
write is validated the same way, runs in one transaction and is recorded in the history with the
user who made it and the reason they gave."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.models import Actor, Citation, Pledge, Source, Statement, TradeFigure

ERROR_NO_CITATION = (
    "Every figure needs a source: add at least one citation with the verbatim excerpt it was read from."
)
ERROR_STALE_EDIT = (
    "Someone else saved this entry while you were editing it. Nothing of yours was saved. "
    "Changed in between: {changes}. Reload the entry, check their change and apply yours again."
)


class StaleEditError(ValidationError):
    """Raised when an update was prepared against a version that is no longer the latest."""

    def __init__(self, changes):
        self.changes = changes
        summary = "; ".join(f"{field}: {old!r} → {new!r}" for field, (old, new) in changes.items()) or "unknown"
        super().__init__(ERROR_STALE_EDIT.format(changes=summary), code="stale")


def _save(instance, *, user=None, reason=""):
    """Validate every field and constraint, then save with the history's who and why."""
    instance.full_clean()
    instance._history_user = user
    instance._change_reason = reason or None
    instance.save()
    return instance


def _cite(entry_field, entry, citations, *, user, reason):
    for citation in citations:
        _save(Citation(**{entry_field: entry}, **citation), user=user, reason=reason)


@transaction.atomic
def actor_create(*, user=None, reason="", **fields) -> Actor:
    return _save(Actor(**fields), user=user, reason=reason)


@transaction.atomic
def source_create(*, user=None, reason="", **fields) -> Source:
    return _save(Source(**fields), user=user, reason=reason)


@transaction.atomic
def pledge_create(*, citations, user=None, reason="", **fields) -> Pledge:
    """Create a pledge with its citations (dicts of source, excerpt, paragraph, note)."""
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    pledge = _save(Pledge(**fields), user=user, reason=reason)
    _cite("pledge", pledge, citations, user=user, reason=reason)
    return pledge


@transaction.atomic
def trade_figure_create(*, citations, user=None, reason="", **fields) -> TradeFigure:
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    figure = _save(TradeFigure(**fields), user=user, reason=reason)
    _cite("trade_figure", figure, citations, user=user, reason=reason)
    return figure


@transaction.atomic
def statement_create(*, citations, user=None, reason="", **fields) -> Statement:
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    statement = _save(Statement(**fields), user=user, reason=reason)
    _cite("statement", statement, citations, user=user, reason=reason)
    return statement


@transaction.atomic
def citation_create(*, user=None, reason="", **fields) -> Citation:
    return _save(Citation(**fields), user=user, reason=reason)


def _changed_fields(model, old, new):
    return {
        field.name: (getattr(old, field.attname), getattr(new, field.attname))
        for field in model._meta.concrete_fields
        if field.name not in {"updated_at", "version"} and getattr(old, field.attname) != getattr(new, field.attname)
    }


@transaction.atomic
def entry_update(*, instance, data, expected_version=None, user=None, reason=""):
    """Apply `data` (field name -> value) to `instance` and save it.

    With `expected_version`, the update is refused with StaleEditError when somebody else saved the
    entry since that version was read: no update is ever silently lost."""
    model = type(instance)
    current = model.objects.select_for_update().get(pk=instance.pk)
    has_version = hasattr(current, "version")
    if has_version and expected_version is not None and current.version != expected_version:
        historical = instance.history.filter(version=expected_version).first() if hasattr(instance, "history") else None
        base = historical.instance if historical is not None else instance
        raise StaleEditError(_changed_fields(model, base, current))
    for field, value in data.items():
        setattr(current, field, value)
    if has_version:
        current.version = current.version + 1
    return _save(current, user=user, reason=reason)


def pledge_update(*, pledge, data, expected_version=None, user=None, reason="") -> Pledge:
    return entry_update(instance=pledge, data=data, expected_version=expected_version, user=user, reason=reason)


def trade_figure_update(*, trade_figure, data, expected_version=None, user=None, reason="") -> TradeFigure:
    return entry_update(
        instance=trade_figure, data=data, expected_version=expected_version, user=user, reason=reason
    )
