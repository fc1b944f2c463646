"""The ledger's history as editors and readers see it: which fields a version tracks, what a revert
brings back, and how a change reads ("field: old → new", each value worded by
formatting.format_field_value). The public pages, the admin's history and revert screens and the
services' stale-edit message all read it from here."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Model, OuterRef, Subquery

from ledger.formatting import format_field_value
from ledger.models import Actor, Citation, Source

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


# --- Citations, part of the versioned entry ---------------------------------------------------------
# A save of an entry records the entry's version and its citations' records with the same time (the
# services' versioned save). The citations an entry had at version R are those recorded before the
# entry's next version (or all of them, for its latest version).


def citing_field(model: type[Model]) -> str | None:
    """The Citation field that points at entries of `model` ("pledge"), or None if it has no citations."""
    for field in Citation._meta.concrete_fields:
        if field.is_relation and field.related_model is model and field.name != "source":
            return field.name
    return None


def citation_records(model: type[Model], pk: Any) -> list:
    """Every historical record of every citation the entry ever had (deleted ones too), oldest first."""
    field = citing_field(model)
    if field is None or pk is None:
        return []
    # The source's name by subquery, not a join: a source deleted after its citation was removed must
    # not hide the record.
    publisher = Source.objects.filter(pk=OuterRef("source_id")).values("publisher")[:1]
    records = list(
        Citation.history.filter(**{f"{field}_id": pk})
        .annotate(source_name=Subquery(publisher))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return records


def citations_at(records: list, until=None) -> dict[int, Model]:
    """The citations as they stood before `until` (a datetime; None = now): citation id -> its latest
    record. A citation first recorded as a baseline (loaded without history) existed before that."""
    state: dict[int, Model] = {}
    seen: set[int] = set()
    for record in records:
        if record.id not in seen:
            seen.add(record.id)
            if record.history_type != "+" and until is not None and record.history_date >= until:
                state[record.id] = record  # already there before its first recorded change
        if until is not None and record.history_date >= until:
            continue
        if record.history_type == "-":
            state.pop(record.id, None)
        else:
            state[record.id] = record
    return state


def citation_label(record: Model) -> str:
    """A citation as the history names it: "Granma ¶3: “gives the year…”"."""
    excerpt = record.excerpt if len(record.excerpt) <= 120 else f"{record.excerpt[:120]}…"
    paragraph = f" ¶{record.paragraph}" if record.paragraph else ""
    return f"{getattr(record, 'source_name', '') or 'a source'}{paragraph}: \u201c{excerpt}\u201d"


CITATION_VALUE_FIELDS = ("source", "excerpt", "paragraph", "note")


def citation_changes(record: Model, previous: Model | None) -> list[dict[str, str]]:
    """One citation record as changes: added, removed, or its fields old → new."""
    if record.history_type == "+" or previous is None:
        return [{"field": "citation added", "old": "—", "new": citation_label(record)}]
    if record.history_type == "-":
        return [{"field": "citation removed", "old": citation_label(record), "new": "—"}]
    changes = []
    for name in CITATION_VALUE_FIELDS:
        attname = "source_id" if name == "source" else name
        if getattr(previous, attname) == getattr(record, attname):
            continue
        if name == "source":
            old, new = previous.source_name, record.source_name
        else:
            old = format_field_value(Citation, name, getattr(previous, name))
            new = format_field_value(Citation, name, getattr(record, name))
        label = f"citation {citation_label(previous)[:40]}…: {field_label(Citation, name)}"
        changes.append({"field": label, "old": old, "new": new})
    return changes


def citation_changes_by_time(records: list) -> list[tuple[Model, list[dict[str, str]]]]:
    """Each citation record with its changes, oldest first (a record without changes is left out)."""
    previous: dict[int, Model] = {}
    out = []
    for record in records:
        changes = citation_changes(record, previous.get(record.id))
        previous[record.id] = record
        if changes:
            out.append((record, changes))
    return out


def citation_changes_since(model: type[Model], pk: Any, when) -> str:
    """The entry's citation changes saved after `when`, for the stale-edit message."""
    return "; ".join(
        f"{change['field']}: {change['old']} → {change['new']}"
        for record, changes in citation_changes_by_time(citation_records(model, pk))
        if record.history_date > when
        for change in changes
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

    Its citations' changes (added, changed, removed) are part of it: those saved with a version are
    listed with it, others as a row of their own. One query for the versions (with their users), one
    for the citations' records (with theirs), and one for the actors they mention, if any."""
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

    # Citation records saved with a version carry its time; others (older saves) are rows of their own.
    by_time: dict[Any, list] = {}
    for citation_record, citation_delta in citation_changes_by_time(citation_records(model, entry.pk)):
        by_time.setdefault(citation_record.history_date, []).append((citation_record, citation_delta))
    history = []
    for record, changes, unknown_before in deltas:
        own = by_time.pop(record.history_date, [])
        history.append(
            {
                "when": record.history_date,
                "who": public_name(record.history_user),
                "what": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                # The first recorded version of an entry loaded without history: what it changed is unknown.
                "earlier_unknown": unknown_before,
                "changes": [
                    {"field": field_label(model, name), "old": word(name, old), "new": word(name, new)}
                    for name, old, new in changes
                ]
                + [change for _, citation_delta in own for change in citation_delta],
            }
        )
    for when, items in by_time.items():
        for citation_record, citation_delta in items:
            history.append(
                {
                    "when": when,
                    "who": public_name(citation_record.history_user),
                    "what": "citations changed",
                    "reason": citation_record.history_change_reason or "",
                    "earlier_unknown": False,
                    "changes": citation_delta,
                }
            )
    history.sort(key=lambda version: version["when"], reverse=True)
    return history
