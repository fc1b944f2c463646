"""Creating many new cited entries at once (pledges, trade figures, statements): the importer's path
for the new rows of a file.

Every entry is checked by the same functions as its create service (`pledge_create` and the others;
services/entries.py `new_cited_entry`: at least one citation, a figure of 0 only when confirmed, a
USD value that agrees with a USD amount, the USD fields from the earliest cited source; then
`full_clean`, so `Pledge.clean`'s rules on the package hold too), and every citation by its model's
`full_clean`. What the batch does once instead of once per row:

- the rows they name (actors, sources, people, packages) are read in one query per table, and a
  foreign key found there is not looked up again by `full_clean`;
- the models' CHECK constraints are left to the database, where every one of them is (the
  migrations create them; tests/test_constraints.py), instead of one SELECT per constraint per row:
  a row that breaks one makes the bulk insert raise IntegrityError, the caller's savepoint is rolled
  back, and the caller writes its rows one at a time for the precise message (imports/applying.py);
- the entries, their citations and the history records of both (django-simple-history's
  `bulk_history_create`, with the user, the reason and one version time for the batch) are bulk
  inserts;
- the maintained totals of pledges take one difference for the whole batch (`summaries.apply_created`);
- the search index is filled by the database's own triggers on insert, as for any write; when every
  entry's id is known before the insert (drawn from the sequence on PostgreSQL, or restored), the
  citations are inserted first, so each entry's document is built once, with its excerpts.

An entry restored with its id keeps the `updated_at` it is given, in the table and in its history
record, as `entry_restore_updated_at` does for one entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from ledger import summaries
from ledger.models import Actor, Citation, Engagement, Person, Pledge, Source, Statement, TradeFigure
from ledger.services._shared import require_reason
from ledger.services.entries import CITING_FIELDS, new_cited_entry

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class NewEntry:
    """One entry to create: its fields (attname -> value, as its create service takes them) and its
    citations (dicts of source_id or source, excerpt, paragraph, note). A restore gives its `pk`, and
    `updated_at` when the entry's last-changed time is to be kept."""

    fields: Mapping[str, Any]
    citations: Sequence[Mapping[str, Any]]
    pk: int | None = None
    updated_at: datetime | None = None


class BatchEntryError(ValidationError):
    """A rule refused the entry at `index` of the batch; nothing was written."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error)
        self.index = index


# The foreign keys each kind of entry names, and the table each is read from in bulk.
RELATED = {
    Pledge: {"donor": Actor, "recipient": Actor, "official": Person, "package": Pledge},
    TradeFigure: {"reporter": Actor, "partner": Actor},
    Statement: {"speaker": Actor, "subject": Actor, "person": Person, "engagement": Engagement},
}


def _in_bulk(model: type, ids: set) -> dict:
    found: dict = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        found.update(model._default_manager.in_bulk(ordered[start : start + 500]))
    return found


def _related(model: type, rows: Sequence[NewEntry]) -> dict[type, dict]:
    """Every row the entries name (actors, people, packages) and every source they cite, one query
    per table (and 500 ids)."""
    wanted: dict[type, set] = {target: set() for target in (*RELATED[model].values(), Source)}
    for row in rows:
        for name, target in RELATED[model].items():
            value = row.fields.get(f"{name}_id")
            if value is not None:
                wanted[target].add(value)
        for citation in row.citations:
            if citation.get("source_id") is not None:
                wanted[Source].add(citation["source_id"])
    return {target: _in_bulk(target, ids) if ids else {} for target, ids in wanted.items()}


def _new_entry(model: type, row: NewEntry, related: dict[type, dict], *, reason: str) -> tuple[Any, list[dict]]:
    """The entry as its create service completes it before saving (not yet cleaned), with the rows it
    names attached (so neither its rules nor its name read them again), and its citations' values."""
    citations = [
        {**{k: v for k, v in values.items() if k != "source_id"}, "source": related[Source][values["source_id"]]}
        if values.get("source_id") in related[Source]
        else dict(values)
        for values in row.citations
    ]
    fields = dict(row.fields)
    if row.pk is not None:
        fields["id"] = row.pk
    entry = new_cited_entry(model, citations, reason=reason, fields=fields)
    for name, target_model in RELATED[model].items():
        target = related[target_model].get(getattr(entry, f"{name}_id"))
        if target is not None:
            setattr(entry, name, target)
    return entry, citations


def _cleaned(model: type, entry: Any, citations: list[dict], related: dict[type, dict]) -> list[Citation]:
    """full_clean of the entry and of each citation, as save_entry does, but for the CHECK constraints
    (the database's) and the foreign keys already read in bulk; ValidationError when one is refused."""
    found = [name for name, target in RELATED[model].items() if getattr(entry, f"{name}_id") in related[target]]
    entry.full_clean(exclude=found, validate_unique=False, validate_constraints=False)
    cites = []
    for values in citations:
        citation = Citation(**values)
        exclude = [CITING_FIELDS[model], *(["source"] if citation.source_id in related[Source] else [])]
        citation.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        cites.append(citation)
    return cites


def _ids_given(model: type, entries: list) -> bool:
    """True when every entry has its id before it is inserted: on PostgreSQL the missing ones are
    drawn from the table's sequence (SQLite gives ids only on insert), so its citations can go first."""
    missing = [entry for entry in entries if entry.pk is None]
    if missing and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(missing)],
            )
            for entry, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                entry.pk = pk
        missing = []
    return not missing


def _keep_updated_at(model: type, entries: list) -> None:
    """Store each entry's own `updated_at` (the insert gave it the time of the insert: auto_now), in
    one UPDATE of all of them whatever their number (bulk_update would build a CASE of thousands of
    branches)."""
    if not entries:
        return
    quote = connection.ops.quote_name
    table, pk, column = (quote(name) for name in (model._meta.db_table, model._meta.pk.column, "updated_at"))
    if connection.vendor == "postgresql":
        values = [{"id": entry.pk, "u": entry.updated_at.isoformat()} for entry in entries]
        rows = "json_to_recordset(%s::json) AS v(id bigint, u timestamptz)"
    else:
        values = [
            {"id": entry.pk, "u": connection.ops.adapt_datetimefield_value(entry.updated_at)} for entry in entries
        ]
        rows = "(SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.u') AS u FROM json_each(%s)) AS v"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = v.u FROM {rows} WHERE {table}.{pk} = v.id", [json.dumps(values)])


def _citations_of(model: type, entries: list, citations: list, *, when, user, reason: str) -> list[Citation]:
    """The batch's citations, each tied to its entry and carrying the version's who, why and when."""
    linked = []
    for entry, cites in zip(entries, citations, strict=True):
        for citation in cites:
            setattr(citation, CITING_FIELDS[model], entry)
            citation._history_date, citation._history_user, citation._change_reason = when, user, reason
            linked.append(citation)
    return linked


@transaction.atomic
def entries_create_batch(
    model: type[Pledge | TradeFigure | Statement],
    *,
    rows: Sequence[NewEntry],
    user: AbstractBaseUser | None,
    reason: str,
) -> list:
    """Create the entries of `rows` with their citations, as the model's create service creates one
    (`pledge_create`, `trade_figure_create`, `statement_create`), in bulk.

    Raises BatchEntryError (a ValidationError) naming the first row a rule refuses, before anything
    is written; IntegrityError when the database refuses a row (a CHECK constraint, an id taken), in
    which case the caller rolls back its savepoint. Returns the created entries, in the rows' order."""
    require_reason(reason)
    if not rows:
        return []
    related = _related(model, rows)
    entries, values = [], []
    for index, row in enumerate(rows):
        try:
            entry, cited = _new_entry(model, row, related, reason=reason)
        except ValidationError as error:
            raise BatchEntryError(index, error) from error
        entries.append(entry)
        values.append(cited)
    if model is Pledge:
        # Pledge.clean asks whether a restored id already has parts: one query for all of them.
        prefetch_related_objects([entry for entry in entries if entry.pk is not None], "parts")
    citations = []
    for index, (entry, cited) in enumerate(zip(entries, values, strict=True)):
        try:
            citations.append(_cleaned(model, entry, cited, related))
        except ValidationError as error:
            raise BatchEntryError(index, error) from error
    when = timezone.now()  # the batch's version time: its entries' and citations' history records
    for entry in entries:
        entry._history_date, entry._history_user, entry._change_reason = when, user, reason
    if _ids_given(model, entries):
        # The citations go in first (the foreign key to their entry is checked at commit): the search
        # triggers then build each entry's document once, with its excerpts, not again per citation.
        new_citations = _citations_of(model, entries, citations, when=when, user=user, reason=reason)
        Citation.objects.bulk_create(new_citations)
        model.objects.bulk_create(entries)
    else:
        model.objects.bulk_create(entries)
        new_citations = _citations_of(model, entries, citations, when=when, user=user, reason=reason)
        Citation.objects.bulk_create(new_citations)
    restored = []
    for entry, row in zip(entries, rows, strict=True):
        if row.updated_at is not None:
            entry.updated_at = row.updated_at
            restored.append(entry)
    _keep_updated_at(model, restored)
    model.history.bulk_history_create(entries, default_user=user, default_change_reason=reason, default_date=when)
    Citation.history.bulk_history_create(
        new_citations, default_user=user, default_change_reason=reason, default_date=when
    )
    if model is Pledge:
        summaries.apply_created([entry.pk for entry in entries])
    return entries


def pledges_create_batch(*, rows: Sequence[NewEntry], user: AbstractBaseUser | None, reason: str) -> list[Pledge]:
    """Create many pledges as `pledge_create` creates one (see entries_create_batch); the maintained
    totals take one difference for the batch."""
    return entries_create_batch(Pledge, rows=rows, user=user, reason=reason)


def trade_figures_create_batch(
    *, rows: Sequence[NewEntry], user: AbstractBaseUser | None, reason: str
) -> list[TradeFigure]:
    """Create many trade figures as `trade_figure_create` creates one (see entries_create_batch)."""
    return entries_create_batch(TradeFigure, rows=rows, user=user, reason=reason)
