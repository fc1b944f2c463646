"""Writes to the ledger. The admin, the importer and the fixtures' tooling all call these, so every
write is validated the same way, runs in one transaction and is recorded in the history with the
user who made it and the reason they gave."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ledger import formatting
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure

ERROR_NO_CITATION = "Every figure needs a source: add at least one citation with the verbatim excerpt it was read from."
ERROR_STALE_EDIT = (
    "Someone else saved this entry while you were editing it{who}. Nothing of yours was saved. "
    "Changed in between: {changes}. Reload the entry, check their change and apply yours again."
)


class StaleEditError(ValidationError):
    """Raised when an update was prepared against a version that is no longer the latest.

    `changes` maps each field changed in between to its (old, new) stored values; the message shows
    them as an editor reads them, with who saved in between, when, and why."""

    def __init__(self, changes, *, model=None, by=None, at=None, reason=""):
        self.changes = changes
        self.changed_by, self.changed_at, self.changed_reason = by, at, reason
        summary = (
            "; ".join(
                f"{_label(model, field)}: {_display(model, field, old) if model else old} → "
                f"{_display(model, field, new) if model else new}"
                for field, (old, new) in changes.items()
            )
            or "only its citations"
        )
        who = ""
        if by is not None or at is not None:
            who = (
                " ("
                + ", ".join(
                    part
                    for part in (
                        f"by {by}" if by is not None else "",
                        f"at {at:%d %b %Y %H:%M} UTC" if at is not None else "",
                        f"reason: “{reason}”" if reason else "",
                    )
                    if part
                )
                + ")"
            )
        super().__init__(ERROR_STALE_EDIT.format(changes=summary, who=who), code="stale")


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name) if model is not None else name


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


def _display(model, name, value):
    """A changed value as an editor reads it: a related entry's name, a choice's label, '—' for empty."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return formatting.format_number(value)
    return str(value)


def _changed_fields(model, old, new):
    return {
        field.name: (getattr(old, field.attname), getattr(new, field.attname))
        for field in model._meta.concrete_fields
        if field.name not in {"updated_at", "version"} and getattr(old, field.attname) != getattr(new, field.attname)
    }


def _latest_record(instance):
    history = getattr(instance, "history", None)
    return history.order_by("-history_date", "-history_id").select_related("history_user").first() if history else None


def entry_check_unchanged(*, instance, expected_version=None, expected_updated_at=None):
    """Lock the entry's row and return it, or raise StaleEditError when somebody saved it after the
    editor loaded `expected_version` (or, for entries without a version, `expected_updated_at`).

    Called inside the caller's transaction, so the lock holds until the caller's write commits."""
    model = type(instance)
    current = model.objects.select_for_update().get(pk=instance.pk)
    if hasattr(current, "version") and expected_version is not None:
        if current.version == expected_version:
            return current
        base_filter = {"version": expected_version}
    elif expected_updated_at is not None:
        if current.updated_at == expected_updated_at:
            return current
        base_filter = {"updated_at": expected_updated_at}
    else:
        return current
    historical = instance.history.filter(**base_filter).order_by("-history_date").first()
    base = historical.instance if historical is not None else instance
    latest = _latest_record(current)
    raise StaleEditError(
        _changed_fields(model, base, current),
        model=model,
        by=latest.history_user if latest is not None else None,
        at=latest.history_date if latest is not None else None,
        reason=latest.history_change_reason if latest is not None else "",
    )


BASELINE_REASON = "State before its first recorded change"


def _record_baseline(instance):
    """An entry loaded without history (fixtures, raw imports) gets its current state recorded before
    its first change, so the history shows the old state next to the new one."""
    history = getattr(type(instance), "history", None)
    if history is not None and not instance.history.exists():
        # Nobody known made that state: not the editor of this request (simple_history's default).
        instance._history_user = None
        instance._change_reason = BASELINE_REASON
        history.bulk_history_create(
            [instance], default_change_reason=BASELINE_REASON, default_date=getattr(instance, "updated_at", None)
        )


@transaction.atomic
def entry_update(*, instance, data, expected_version=None, expected_updated_at=None, user=None, reason=""):
    """Apply `data` (field name -> value) to `instance` and save it.

    With `expected_version` (or `expected_updated_at` for entries that have no version), the update is
    refused with StaleEditError when somebody else saved the entry since the editor read it: no update
    is ever silently lost."""
    current = entry_check_unchanged(
        instance=instance, expected_version=expected_version, expected_updated_at=expected_updated_at
    )
    _record_baseline(current)
    for field, value in data.items():
        setattr(current, field, value)
    if hasattr(current, "version"):
        current.version = current.version + 1
    return _save(current, user=user, reason=reason)


REVERTED_FIELDS_EXCLUDED = {"created_at", "updated_at", "version"}


def revert_reason(record, reason):
    """The history's reason for a revert says which version it went back to."""
    version = getattr(record, "version", None)
    label = f"version {version}" if version is not None else f"the state of {record.history_date:%d %b %Y %H:%M}"
    return f"Revert to {label}: {reason}"


@transaction.atomic
def entry_revert(*, instance, history_id, expected_version=None, expected_updated_at=None, user=None, reason=""):
    """Bring an entry back to the values of one of its historical records. The revert is a new change:
    it is version-checked like any edit and recorded with its user and reason."""
    record = instance.history.get(history_id=history_id)
    data = {
        field.attname: getattr(record, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in REVERTED_FIELDS_EXCLUDED
    }
    return entry_update(
        instance=instance,
        data=data,
        expected_version=expected_version,
        expected_updated_at=expected_updated_at,
        user=user,
        reason=revert_reason(record, reason),
    )


@transaction.atomic
def entry_delete(*, instance, user=None, reason=""):
    """Delete an entry (the admin lets only superusers do this); the history keeps its last state."""
    _record_baseline(instance)
    instance._history_user = user
    instance._change_reason = reason or None
    instance.delete()


def _cited_entry(citation):
    for field in ("pledge", "trade_figure", "statement"):
        if getattr(citation, f"{field}_id"):
            return field, getattr(citation, field)
    return None, None


@transaction.atomic
def citation_update(*, citation, data, user=None, reason="") -> Citation:
    return entry_update(instance=citation, data=data, user=user, reason=reason)


@transaction.atomic
def citation_delete(*, citation, user=None, reason=""):
    """Remove a citation, unless it is the last one its entry rests on (no number without a source)."""
    field, entry = _cited_entry(citation)
    if field is not None and not Citation.objects.filter(**{field: entry}).exclude(pk=citation.pk).exists():
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    entry_delete(instance=citation, user=user, reason=reason)


def pledge_update(*, pledge, data, expected_version=None, user=None, reason="") -> Pledge:
    return entry_update(instance=pledge, data=data, expected_version=expected_version, user=user, reason=reason)


def trade_figure_update(*, trade_figure, data, expected_version=None, user=None, reason="") -> TradeFigure:
    return entry_update(instance=trade_figure, data=data, expected_version=expected_version, user=user, reason=reason)


def actor_update(*, actor, data, user=None, reason="") -> Actor:
    return entry_update(instance=actor, data=data, user=user, reason=reason)


def source_update(*, source, data, user=None, reason="") -> Source:
    return entry_update(instance=source, data=data, user=user, reason=reason)


@transaction.atomic
def person_create(*, user=None, reason="", **fields) -> Person:
    return _save(Person(**fields), user=user, reason=reason)


def person_update(*, person, data, user=None, reason="") -> Person:
    return entry_update(instance=person, data=data, user=user, reason=reason)


def statement_update(*, statement, data, user=None, reason="") -> Statement:
    return entry_update(instance=statement, data=data, user=user, reason=reason)


CITING_FIELDS = {Pledge: "pledge", TradeFigure: "trade_figure", Statement: "statement"}


@transaction.atomic
def citations_replace(*, entry, citations, user=None, reason=""):
    """Replace an entry's citations with `citations` (dicts of source, excerpt, paragraph, note).

    The new ones are added first, then the old ones deleted one by one, so the entry never rests on
    no source and the history keeps the old citations and who removed them."""
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    entry_field = CITING_FIELDS[type(entry)]
    old = list(Citation.objects.filter(**{entry_field: entry}).order_by("id"))
    _cite(entry_field, entry, citations, user=user, reason=reason)
    for citation in old:
        citation_delete(citation=citation, user=user, reason=reason)


@transaction.atomic
def entry_restore_updated_at(*, instance, updated_at):
    """Give a restored entry the `updated_at` it had where it came from (auto_now would say "now"),
    in the table and in the history record its creation left."""
    model = type(instance)
    model.objects.filter(pk=instance.pk).update(updated_at=updated_at)
    latest = instance.history.order_by("-history_id").first() if hasattr(instance, "history") else None
    if latest is not None:
        type(latest).objects.filter(pk=latest.pk).update(updated_at=updated_at)
    instance.updated_at = updated_at
    return instance
