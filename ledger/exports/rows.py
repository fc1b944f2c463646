"""The row source: a table's entries as rows of cells in the queryset's order, batch by batch.

One query for the rows: `values_list()` of the column specs' paths, plus the table's annotations
(the pledges' `counted_in_totals`, from ledger/models.py), read with `.iterator(chunk_size=...)`
(a server-side cursor on PostgreSQL, fetchmany on SQLite). Each batch's citations come with one
more query, merged by entry id, so memory stays flat whatever the row count.

Cells are written by the codec in columns.py. Two selections keep them exact and cheap, both with
public ORM expressions, both on SQLite only:
- decimal columns are selected as stored (an int or a float): Django's own converter would round
  them to 15 significant digits, while `decimal_cell` formats the stored number to the field's
  decimal places (PostgreSQL returns exact Decimals either way);
- with `raw_dates`, date and datetime columns are selected as CAST(... AS text). An expression has
  no declared type, so no per-value date parsing runs, and the stored ISO text (Django stores
  str(date) and str(naive UTC datetime)) is written as the same bytes. Only the CSV asks for it; the
  other writers and the admin's export keep date objects."""

from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice

from django.db import connections
from django.db.models import ExpressionWrapper, F, FloatField, QuerySet, TextField
from django.db.models.functions import Cast

from ledger.exports.columns import (
    DATE,
    DATETIME,
    DECIMAL,
    LIST_SEPARATOR,
    TEXT,
    TEXT_LIST_SEPARATOR,
    ExportTable,
    datetime_cell,
    decimal_cell,
    escape_text,
)
from ledger.models import Citation

BATCH_SIZE = 2000
NO_CITATIONS = ("", "", "", "")


def export_queryset(table: ExportTable, queryset: QuerySet, *, raw_dates: bool = False) -> QuerySet:
    """The queryset's rows as `values_list` tuples of the table's query columns, in its order (by id
    when it has none)."""
    queryset = queryset.prefetch_related(None)  # tuples have nothing to prefetch into
    if table.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in table.annotations.items()})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    sqlite = connections[queryset.db].vendor == "sqlite"
    selected = []
    for column in table.query_columns:
        if sqlite and column.type == DECIMAL:
            selected.append(ExpressionWrapper(F(column.path), output_field=FloatField()))
        elif sqlite and raw_dates and column.type in (DATE, DATETIME):
            selected.append(Cast(column.path, output_field=TextField()))
        else:
            selected.append(column.path)
    return queryset.values_list(*selected)


def row_converter(table: ExportTable, *, escape: bool) -> Callable[[tuple, tuple], list]:
    """A function from one `export_queryset` tuple and the entry's citation cells to the output row.

    Only the columns whose cells differ from the database's values get a function: decimals,
    datetimes and (when escaping) text; everything else passes as is."""
    encoders = []
    for position, column in enumerate(table.query_columns):
        if column.type == DECIMAL:
            places = table.model._meta.get_field(column.path).decimal_places
            encoders.append((position, partial(decimal_cell, places=places)))
        elif column.type == DATETIME:
            encoders.append((position, datetime_cell))
        elif column.type == TEXT and escape:
            encoders.append((position, escape_text))
    at = table.citation_position

    def convert(values: tuple, citations: tuple) -> list:
        row = list(values)
        for position, encode in encoders:
            value = row[position]
            if value is not None:
                row[position] = encode(value)
        if at is not None:
            row[at:at] = citations
        return row

    return convert


def citation_cells(table: ExportTable, ids: list, *, using: str, escape: bool) -> dict:
    """The citation columns (sources, paragraphs, excerpts, notes) for a batch of entries, by entry id:
    one query."""
    entry = f"{table.citation_field}_id"
    rows = (
        Citation.objects.using(using)
        .filter(**{f"{entry}__in": ids})
        .order_by(entry, "id")
        .values_list(entry, "source_id", "paragraph", "excerpt", "note")
    )
    citations = {}
    for entry_id, *citation in rows:
        citations.setdefault(entry_id, []).append(citation)
    cells = {}
    for entry_id, items in citations.items():
        sources = LIST_SEPARATOR.join(str(source_id) for source_id, _, _, _ in items)
        paragraphs = LIST_SEPARATOR.join("" if paragraph is None else str(paragraph) for _, paragraph, _, _ in items)
        excerpts = TEXT_LIST_SEPARATOR.join(excerpt for _, _, excerpt, _ in items)
        notes = TEXT_LIST_SEPARATOR.join(note for _, _, _, note in items)
        if escape:
            excerpts, notes = escape_text(excerpts), escape_text(notes)
        cells[entry_id] = (sources, paragraphs, excerpts, notes)
    return cells


def iter_row_batches(
    table: ExportTable,
    queryset: QuerySet,
    *,
    escape: bool = True,
    batch_size: int = BATCH_SIZE,
    raw_dates: bool = False,
) -> Iterator[list[list]]:
    """Lists of output rows (cells in column order), batch by batch, streaming from the database."""
    convert = row_converter(table, escape=escape)
    rows = export_queryset(table, queryset, raw_dates=raw_dates).iterator(chunk_size=batch_size)
    id_position = [column.name for column in table.query_columns].index("id")
    while batch := list(islice(rows, batch_size)):
        if table.citation_field:
            ids = [row[id_position] for row in batch]
            cells = citation_cells(table, ids, using=queryset.db, escape=escape)
            yield [convert(row, cells.get(row[id_position], NO_CITATIONS)) for row in batch]
        else:
            yield [convert(row, NO_CITATIONS) for row in batch]


def iter_rows(table: ExportTable, queryset: QuerySet, *, escape: bool = True, batch_size: int = BATCH_SIZE):
    """The rows one by one (for the admin's export and the xlsx writer)."""
    for batch in iter_row_batches(table, queryset, escape=escape, batch_size=batch_size):
        yield from batch
