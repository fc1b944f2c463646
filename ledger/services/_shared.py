"""What every write service shares: the reason rule, the row lock and version check, the save with
the history's who and why. Private to the services package: callers use the per-model services."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from ledger import history

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from django.contrib.auth.base_user import AbstractBaseUser

ERROR_NO_REASON = "Say why you are making this change: the history keeps the reason with your name."
ERROR_NO_CITATION = "Every figure needs a source: add at least one citation with the verbatim excerpt it was read from."
ERROR_STALE_EDIT = (
    "Someone else saved this entry while you were editing it{who}. Nothing of yours was saved. "
    "Changed in between: {changes}. Reload the entry, check their change and apply yours again."
)
BASELINE_REASON = "State before its first recorded change"


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
    ) -> None:
        self.changes = changes
        self.changed_by, self.changed_at, self.changed_reason = by, at, reason
        if model is not None:
            summary = history.describe_changes(model, changes)
        else:
            summary = "; ".join(f"{name}: {old} → {new}" for name, (old, new) in changes.items())
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
    """Validate every field and constraint, then save with the history's who and why."""
    instance.full_clean()
    instance._history_user = user
    instance._change_reason = reason or None
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
) -> Model:
    """Apply `data` (attname -> value) to the stored entry and save it, under its row lock.
    `before_save(entry, stored)` may derive fields (the USD conversion) from the new values.

    With `expected_version` (or `expected_updated_at` for entries that have no version), the update is
    refused with StaleEditError when somebody else saved the entry since the editor read it: no update
    is ever silently lost. Nothing is written when it is refused."""
    require_reason(reason)
    current = lock_row_unless_stale(
        instance, expected_version=expected_version, expected_updated_at=expected_updated_at
    )
    record_baseline(current)
    stored = copy.copy(current)
    for field, value in data.items():
        setattr(current, field, value)
    if before_save is not None:
        before_save(current, stored)
    if hasattr(current, "version"):
        current.version = current.version + 1
    return save_entry(current, user=user, reason=reason)


def revert_reason(record: Model, reason: str) -> str:
    """The history's reason for a revert says which version it went back to."""
    version = getattr(record, "version", None)
    label = f"version {version}" if version is not None else f"the state of {record.history_date:%d %b %Y %H:%M}"
    return f"Revert to {label}: {reason}"


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
    """Bring an entry back to the values of one of its historical records. The revert is a new change:
    it is version-checked like any edit and recorded with its user and reason."""
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
    )


@transaction.atomic
def delete_entry(instance: Model, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Delete an entry; the history keeps its last state, with who deleted it and why."""
    require_reason(reason)
    record_baseline(instance)
    instance._history_user = user
    instance._change_reason = reason
    instance.delete()


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
