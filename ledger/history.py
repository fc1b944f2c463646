"""The ledger's history as an editor and a reader see it: which fields a version tracks, and how a
change reads ("field: old → new")."""

from decimal import Decimal

from ledger import formatting
from ledger.models import Actor

HISTORY_HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at"}
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _history_value(model, name, value, actors):
    if value is None or value == "":
        return "empty"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        actor = actors.get(value) if model_field.related_model is Actor else None
        return f"{actor.name} ({actor.code})" if actor else f"#{value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return formatting.format_number(value)
    return str(value)


def entry_history(entry) -> list[dict]:
    """The entry's versions, newest first: who, when, why, and each changed field old → new.

    One query for the versions (with their users), and one for the actors they mention, if any."""
    model = type(entry)
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    deltas = []
    for previous, record in zip([None, *records], records):
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN_FIELDS)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        deltas.append((record, changes, previous is None and record.history_type == "~"))
    actor_fields = {f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is Actor}
    actor_ids = {
        value
        for _, changes, _ in deltas
        for name, old, new in changes
        if model._meta.get_field(name).attname in actor_fields
        for value in (old, new)
        if value
    }
    actors = Actor.objects.in_bulk(actor_ids) if actor_ids else {}
    history = []
    for record, changes, unknown_before in reversed(deltas):
        user = record.history_user
        history.append(
            {
                "when": record.history_date,
                "who": (user.get_full_name() or user.get_username()) if user else "",
                "what": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                # The first recorded version of an entry loaded without history: what it changed is unknown.
                "earlier_unknown": unknown_before,
                "changes": [
                    {
                        "field": str(model._meta.get_field(name).verbose_name),
                        "old": _history_value(model, name, old, actors),
                        "new": _history_value(model, name, new, actors),
                    }
                    for name, old, new in changes
                ],
            }
        )
    return history
