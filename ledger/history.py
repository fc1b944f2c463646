"""The ledger's history as editors and readers see it: which fields a version tracks, what a revert
brings back, and how a change reads ("field: old → new", each value worded by
formatting.format_field_value). The public pages, the admin's history and revert screens and the
services' stale-edit message all read it from here."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Model

from ledger.formatting import format_field_value
from ledger.models import Actor

# Bookkeeping, not what the entry says: no diff shows them and no revert brings them back.
UNTRACKED_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def tracked_fields(model: type[Model]) -> list:
    """The fields whose changes the history shows and a revert restores."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in UNTRACKED_FIELDS
    ]


def field_label(model: type[Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def changed_values(model: type[Model], old: Model, new: Model) -> dict[str, tuple[Any, Any]]:
    """Each tracked field that differs between two states of an entry: name -> (old, new) stored values."""
    return {
        field.name: (getattr(old, field.attname), getattr(new, field.attname))
        for field in tracked_fields(model)
        if getattr(old, field.attname) != getattr(new, field.attname)
    }


def restored_values(model: type[Model], record: Model) -> dict[str, Any]:
    """The values a revert to the historical `record` writes back (attname -> value)."""
    return {field.attname: getattr(record, field.attname) for field in tracked_fields(model)}


def describe_value(model: type[Model], name: str, value: Any) -> str:
    """A stored value as an editor reads it; a related entry given by its id is fetched for its name."""
    field = model._meta.get_field(name)
    if field.is_relation and value not in (None, "") and not isinstance(value, Model):
        value = field.related_model._default_manager.filter(pk=value).first() or value
    return format_field_value(model, name, value)


def describe_changes(model: type[Model], changes: dict[str, tuple[Any, Any]]) -> str:
    """ "year: — → 2025; rank: 2 → 3", for the stale-edit message."""
    return "; ".join(
        f"{field_label(model, name)}: {describe_value(model, name, old)} → {describe_value(model, name, new)}"
        for name, (old, new) in changes.items()
    )


def _actors_named(model: type[Model], deltas: Iterable) -> dict[int, Actor]:
    """The actors the changes mention, in one query (a change holds their ids)."""
    actor_fields = {f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is Actor}
    actor_ids = {
        value
        for _, changes, _ in deltas
        for name, old, new in changes
        if model._meta.get_field(name).attname in actor_fields
        for value in (old, new)
        if value
    }
    return Actor.objects.in_bulk(actor_ids) if actor_ids else {}


def public_name(user) -> str:
    """Who made a change, as the public pages say it: never a login name. The editor's full name if
    the deployment publishes names (settings.PUBLIC_HISTORY_NAMES) and it is set, else "an editor"."""
    if user is None:
        return ""
    if settings.PUBLIC_HISTORY_NAMES and user.get_full_name().strip():
        return user.get_full_name().strip()
    return "an editor"


def entry_history(entry: Model) -> list[dict]:
    """The entry's versions, newest first: who, when, why, and each changed field old → new.

    One query for the versions (with their users), and one for the actors they mention, if any."""
    model = type(entry)
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    deltas = []
    for previous, record in zip([None, *records], records):
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=UNTRACKED_FIELDS)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        deltas.append((record, changes, previous is None and record.history_type == "~"))
    actors = _actors_named(model, deltas)

    def word(name, value):
        field = model._meta.get_field(name)
        if field.is_relation and field.related_model is Actor:
            value = actors.get(value, value)
        return format_field_value(model, name, value)

    history = []
    for record, changes, unknown_before in reversed(deltas):
        user = record.history_user
        history.append(
            {
                "when": record.history_date,
                "who": public_name(user),
                "what": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                # The first recorded version of an entry loaded without history: what it changed is unknown.
                "earlier_unknown": unknown_before,
                "changes": [
                    {"field": field_label(model, name), "old": word(name, old), "new": word(name, new)}
                    for name, old, new in changes
                ],
            }
        )
    return history
