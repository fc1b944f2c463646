"""What every write service shares: the reason rule, the row lock and version check, the save with
the history's who and why. Private to the services package: callers use the per-model services."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from ledger import history
from ledger.models import Citation

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from django.contrib.auth.base_user import AbstractBaseUser

ERROR_NO_REASON = "Say why you are making this change: the history keeps the reason with your name."
ERROR_NO_CITATION = "Every figure needs a source: add at least one citation with the verbatim excerpt it was read from."
ERROR_STALE_EDIT = (
    "Someone else saved this entry while you were editing it{who}. Nothing of yours was saved. "
    "Changed in between: {changes}. Reload the entry, check their change and apply yours again."
)
BASELINE_REASON = "State before its first recorded change"
ERROR_CITATION_ENTRY_FIXED = (
    "A citation's entry is fixed once it is saved: add a new citation to the other entry instead "
    "(this entry keeps its own, so it never rests on no source)."
)
ERROR_CITATION_ELSEWHERE = "This citation belongs to another entry."
CITATION_VALUES = ("source_id", "excerpt", "paragraph", "note")


@dataclass(frozen=True)
class CitationEdits:
    """Changes to an entry's citations, saved in the entry's versioned save (one version, one time).

    `add`: values (source or source_id, excerpt, paragraph, note) of new citations; `change`: citation
    id -> new values; `remove`: citation ids; `restore`: historical citation records brought back as
    they were (a revert); `expected`: citation id -> the last-saved time the editor loaded."""

    add: Sequence[Mapping[str, Any]] = ()
    change: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    remove: Sequence[int] = ()
    restore: Sequence[Model] = ()
    expected: Mapping[int, datetime] = field(default_factory=dict)


class StaleEditError(ValidationError):
    """Raised when an update was prepared against a version that is no longer the latest.

    `changes` maps each field changed in between to its (old, new) stored values; the message shows
    them as an editor reads them, with who saved in between, when, and why."""

    def __init__(
        self,
        changes: dict[str, tuple[Any, Any]],
        *,
        model: type[Model] | None = None,
        by: AbstractBaseUser | None = None,
        at: datetime | None = None,
        reason: str = "",
        citations: str = "",
    ) -> None:
        self.changes = changes
        self.changed_by, self.changed_at, self.changed_reason = by, at, reason
        if model is not None:
            summary = history.describe_changes(model, changes)
        else:
            summary = "; ".join(f"{name}: {old} → {new}" for name, (old, new) in changes.items())
        summary = "; ".join(part for part in (summary, citations) if part)
        parts = [
            f"by {by}" if by is not None else "",
            f"at {at:%d %b %Y %H:%M} UTC" if at is not None else "",
            f"reason: “{reason}”" if reason else "",
        ]
        who = f" ({', '.join(part for part in parts if part)})" if any(parts[:2]) else ""
        super().__init__(ERROR_STALE_EDIT.format(changes=summary or "only its citations", who=who), code="stale")


def require_reason(reason: str) -> str:
    """Every change names its reason: the history keeps it with the editor's name."""
    if not reason or not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="no_reason")
    return reason


def save_entry(instance: Model, *, user: AbstractBaseUser | None, reason: str) -> Model:
    """Validate every field and constraint, then save with the history's who and why. Every save of
    every service (creates, updates, citations, reverts) passes here: none is recorded without a reason."""
    require_reason(reason)
    instance.full_clean()
    instance._history_user = user
    instance._change_reason = reason
    instance.save()
    return instance


def _latest_record(instance: Model) -> Model | None:
    return instance.history.order_by("-history_date", "-history_id").select_related("history_user").first()


def _refuse_if_changed(
    instance: Model, current: Model, *, expected_version: int | None, expected_updated_at: datetime | None
) -> None:
    """Raise StaleEditError when `current` (the stored row) is not the state the editor loaded."""
    if hasattr(current, "version") and expected_version is not None:
        if current.version == expected_version:
            return
        base_filter = {"version": expected_version}
    elif expected_updated_at is not None:
        if current.updated_at == expected_updated_at:
            return
        base_filter = {"updated_at": expected_updated_at}
    else:
        return
    model = type(current)
    historical = instance.history.filter(**base_filter).order_by("-history_date").first()
    base = historical.instance if historical is not None else instance
    latest = _latest_record(current)
    raise StaleEditError(
        history.changed_values(model, base, current),
        model=model,
        by=latest.history_user if latest is not None else None,
        at=latest.history_date if latest is not None else None,
        reason=latest.history_change_reason if latest is not None else "",
        citations=history.citation_changes_since(model, current.pk, historical.history_date) if historical else "",
    )


def refuse_stale_edit(
    *, instance: Model, expected_version: int | None = None, expected_updated_at: datetime | None = None
) -> None:
    """Raise StaleEditError when somebody saved the entry after the editor loaded `expected_version`
    (or, for entries without a version, `expected_updated_at`). Reads only, takes no lock: a form
    calls it to refuse early; the services check again under the row lock."""
    current = type(instance).objects.get(pk=instance.pk)
    _refuse_if_changed(instance, current, expected_version=expected_version, expected_updated_at=expected_updated_at)


def lock_row_unless_stale(
    instance: Model, *, expected_version: int | None, expected_updated_at: datetime | None
) -> Model:
    """Lock the entry's row (until the caller's transaction ends) and return it as stored, or raise
    StaleEditError when it changed since the editor loaded it."""
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    _refuse_if_changed(instance, current, expected_version=expected_version, expected_updated_at=expected_updated_at)
    return current


def record_baseline(instance: Model) -> None:
    """An entry loaded without history (fixtures, raw imports) gets its current state recorded before
    its first change, so the history shows the old state next to the new one."""
    if not instance.history.exists():
        # Nobody known made that state: not the editor of this request (simple_history's default).
        instance._history_user = None
        instance._change_reason = BASELINE_REASON
        type(instance).history.bulk_history_create(
            [instance], default_change_reason=BASELINE_REASON, default_date=getattr(instance, "updated_at", None)
        )


def _differs(model: type[Model], old: Model, new: Model) -> bool:
    """True when a tracked field of `new` differs from `old`, compared as stored (\"2025\" == 2025)."""
    for model_field in history.tracked_fields(model):
        before, after = getattr(old, model_field.attname), getattr(new, model_field.attname)
        try:
            before, after = model_field.to_python(before), model_field.to_python(after)
        except ValidationError:
            return True
        if before != after:
            return True
    return False


def _citation_plan(entry: Model, edits: CitationEdits) -> list[tuple[str, Citation]]:
    """The citation writes `edits` make, each ("add" | "change" | "remove", citation), leaving out
    changes that change nothing. Refuses a citation of another entry, a moved one, a stale one."""
    link = history.citing_field(type(entry))
    stored = {
        citation.pk: citation
        for citation in Citation.objects.select_for_update().filter(
            pk__in=[*edits.change, *edits.remove, *(record.id for record in edits.restore)]
        )
    }
    plan: list[tuple[str, Citation]] = []
    for values in edits.add:
        plan.append(("add", Citation(**{link: entry}, **values)))
    for pk, values in edits.change.items():
        citation = stored.get(pk)
        if citation is None or getattr(citation, f"{link}_id") != entry.pk:
            raise ValidationError(ERROR_CITATION_ELSEWHERE, code="citation_elsewhere")
        if pk in edits.expected:
            _refuse_if_changed(citation, citation, expected_version=None, expected_updated_at=edits.expected[pk])
        changed = copy.copy(citation)
        for name, value in values.items():
            setattr(changed, name, value)
        if any(
            getattr(changed, f) != getattr(citation, f)
            for f in ("pledge_id", "trade_figure_id", "statement_id", "engagement_id")
        ):
            raise ValidationError(ERROR_CITATION_ENTRY_FIXED, code="citation_entry_fixed")
        if _differs(Citation, citation, changed):
            record_baseline(citation)
            plan.append(("change", changed))
    for pk in edits.remove:
        citation = stored.get(pk)
        if citation is not None:
            if getattr(citation, f"{link}_id") != entry.pk:
                raise ValidationError(ERROR_CITATION_ELSEWHERE, code="citation_elsewhere")
            plan.append(("remove", citation))
    for record in edits.restore:
        values = {f.attname: getattr(record, f.attname) for f in history.tracked_fields(Citation)}
        citation = stored.get(record.id)
        if citation is None:
            plan.append(("add", Citation(pk=record.id, **values)))
        else:
            changed = copy.copy(citation)
            for name in CITATION_VALUES:
                setattr(changed, name, values[name])
            if _differs(Citation, citation, changed):
                record_baseline(citation)
                plan.append(("change", changed))
    return plan


def _apply_citation_plan(
    plan: list[tuple[str, Citation]], *, when: datetime, user: AbstractBaseUser | None, reason: str
) -> None:
    """Write the plan, every record at the entry's version time; additions first, removals last."""
    order = {"add": 0, "change": 1, "remove": 2}
    for action, citation in sorted(plan, key=lambda step: order[step[0]]):
        if action == "remove":
            from ledger.services.deleting import delete_recorded  # deleting imports this module

            delete_recorded(citation, user=user, reason=reason, when=when)  # a delivery's link to it too
            continue
        citation._history_date = when
        save_entry(citation, user=user, reason=reason)


@transaction.atomic
def update_entry(
    instance: Model,
    *,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None,
    reason: str,
    expected_version: int | None = None,
    expected_updated_at: datetime | None = None,
    before_save: Callable[[Model, Model], None] | None = None,
    citations: CitationEdits | Callable[[Model], CitationEdits] | None = None,
) -> Model:
    """Apply `data` (attname -> value) and the citation `citations` edits to the stored entry and
    save them as one version, under its row lock. `before_save(entry, stored)` may derive fields (the
    USD conversion) from the new values; `citations` may be a function of the locked entry.

    With `expected_version` (or `expected_updated_at` for entries that have no version), the update is
    refused with StaleEditError when somebody else saved the entry since the editor read it: no update
    is ever silently lost. Nothing is written when it is refused, and nothing (no version, no history
    record) when it changes nothing. An entry with citations keeps at least one."""
    require_reason(reason)
    current = lock_row_unless_stale(
        instance, expected_version=expected_version, expected_updated_at=expected_updated_at
    )
    stored = copy.copy(current)
    for name, value in data.items():
        setattr(current, name, value)
    edits = citations(current) if callable(citations) else citations
    plan = _citation_plan(current, edits) if edits is not None else []
    when = timezone.now()
    # Citations first (a new source may bring the publication date the USD conversion uses), at the
    # version's time; the entry's own record carries the same time.
    _apply_citation_plan(plan, when=when, user=user, reason=reason)
    if before_save is not None:
        before_save(current, stored)
    if not plan and not _differs(type(current), stored, current):
        stored.unchanged = True  # a save that changes nothing records nothing (the admin says so)
        return stored
    record_baseline(stored)
    if hasattr(current, "version"):
        current.version = current.version + 1
    current._history_date = when
    saved = save_entry(current, user=user, reason=reason)
    link = history.citing_field(type(current))
    if plan and link is not None and not Citation.objects.filter(**{link: current}).exists():
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    return saved


def revert_reason(record: Model, reason: str) -> str:
    """The history's reason for a revert says which version it went back to."""
    version = getattr(record, "version", None)
    label = f"version {version}" if version is not None else f"the state of {record.history_date:%d %b %Y %H:%M}"
    return f"Revert to {label}: {reason}"


def _restore_state(instance: Model, record: Model) -> tuple[CitationEdits, dict[int, Model]] | None:
    """The citation edits back to the historical `record`, with each citation's latest record."""
    model = type(instance)
    link = history.citing_field(model)
    if link is None:
        return None
    later = instance.history.filter(history_date__gt=record.history_date).order_by("history_date", "history_id").first()
    records = history.citation_records(model, instance.pk)
    then = history.citations_at(records, until=later.history_date if later is not None else None)
    latest = {citation.id: citation for citation in records}
    current = set(Citation.objects.filter(**{link: instance}).order_by().values_list("pk", flat=True))
    edits = CitationEdits(remove=[pk for pk in current if pk in latest and pk not in then], restore=list(then.values()))
    return edits, latest


def citations_to_restore(instance: Model, record: Model) -> CitationEdits | None:
    """The citation edits that bring the entry's citations back to what they were at the historical
    `record`: citations added since are removed, removed ones restored, changed ones changed back.
    Citations with no recorded history (loaded without it) are left as they are."""
    state = _restore_state(instance, record)
    return state[0] if state is not None else None


@transaction.atomic
def revert_entry(
    instance: Model,
    *,
    history_id: int,
    user: AbstractBaseUser | None,
    reason: str,
    expected_version: int | None = None,
    expected_updated_at: datetime | None = None,
    before_save: Callable[[Model, Model], None] | None = None,
) -> Model:
    """Bring an entry back to one of its historical records: its fields and its citations as they
    were then. The revert is a new change: it is version-checked like any edit and recorded, fields
    and citations in one version, with its user and reason."""
    require_reason(reason)
    record = instance.history.get(history_id=history_id)
    return update_entry(
        instance,
        data=history.restored_values(type(instance), record),
        user=user,
        reason=revert_reason(record, reason),
        expected_version=expected_version,
        expected_updated_at=expected_updated_at,
        before_save=before_save,
        citations=lambda locked: citations_to_restore(locked, record),
    )


def revert_preview(instance: Model, record: Model) -> list[dict[str, str]]:
    """What a revert to `record` would change, as the history words it: fields, then citations."""
    model = type(instance)
    changes = [
        {
            "field": history.field_label(model, name),
            "old": history.describe_value(model, name, old),
            "new": history.describe_value(model, name, new),
        }
        for name, (old, new) in history.changed_values(model, instance, record.instance).items()
    ]
    state = _restore_state(instance, record)
    if state is None:
        return changes
    edits, latest = state
    for pk in edits.remove:
        changes.append({"field": "citation removed", "old": history.citation_label(latest[pk]), "new": "—"})
    for then in edits.restore:
        now = latest[then.id]  # its state as last recorded
        if now.history_type == "-":
            changes.append({"field": "citation restored", "old": "—", "new": history.citation_label(then)})
        elif any(getattr(now, name) != getattr(then, name) for name in CITATION_VALUES):
            changes.append(
                {
                    "field": "citation changed back",
                    "old": history.citation_label(now),
                    "new": history.citation_label(then),
                }
            )
    return changes


@transaction.atomic
def delete_entry(instance: Model, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Delete an entry; the history keeps its last state, with who deleted it and why, and so do the rows
    deleted with it and the links emptied by it (services/deleting.py)."""
    from ledger.services.deleting import delete_recorded  # deleting imports this module

    require_reason(reason)
    delete_recorded(instance, user=user, reason=reason)


@transaction.atomic
def entry_restore_updated_at(*, instance: Model, updated_at: datetime) -> Model:
    """Give a restored entry the `updated_at` it had where it came from (auto_now would say "now"),
    in the table and in the history record its creation left."""
    model = type(instance)
    model.objects.filter(pk=instance.pk).update(updated_at=updated_at)
    latest = instance.history.order_by("-history_id").first()
    if latest is not None:
        type(latest).objects.filter(pk=latest.pk).update(updated_at=updated_at)
    instance.updated_at = updated_at
    return instance
