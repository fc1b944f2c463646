"""The row source: a table's entries as rows of cells in the queryset's order, batch by batch.

One query for the rows: `values_list()` of the column specs' paths, plus the table's annotations
(the pledges' `counted_in_totals`, from ledger/models.py), read with `.iterator(chunk_size=...)`
(a server-side cursor on PostgreSQL, fetchmany on SQLite). Each batch's citations come with one
more query, merged by entry id, so memory stays flat whatever the row count.

Cells are written by the codec in columns.py. On SQLite, Django's per-value converters would cost a
Python call per cell, and round decimals to 15 significant digits; so, with public ORM expressions,
decimal and boolean columns are selected as stored (a number; 1 or 0) and the codec writes them:
`decimal_format` keeps every stored digit. PostgreSQL hands back exact Decimals and booleans anyway.
With `raw_dates`, date and datetime columns are selected as CAST(... AS text) too: an expression has
no declared type, so no per-value date parsing runs, and the stored ISO text (Django stores
str(date) and str(naive UTC datetime)) is written as the same bytes. Only the CSV asks for it; the
other writers and the admin's export keep date objects."""

from collections.abc import Callable, Iterator
from itertools import islice

from django.db import connections
from django.db.models import ExpressionWrapper, F, Field, QuerySet, TextField
from django.db.models.functions import Cast

from ledger.exports.codec import (
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    ESCAPE_CANDIDATES,
    LIST_SEPARATOR,
    STORED_BOOLEANS,
    TEXT,
    TEXT_LIST_SEPARATOR,
    ExportColumn,
    ExportTable,
    datetime_cell,
    decimal_format,
    escape_text,
)
from ledger.models import Citation

BATCH_SIZE = 2000
NO_CITATIONS = ("", "", "", "")


class StoredValue(Field):
    """The output field of a column read as the database stores it: no type, so Django adds no
    per-value converter (the codec writes the value)."""


def _selected(column: ExportColumn, *, sqlite: bool, raw_dates: bool):
    """What `values_list` selects for a column: its path, or on SQLite the stored value itself."""
    if sqlite and column.type in (DECIMAL, BOOLEAN):
        return ExpressionWrapper(F(column.path), output_field=StoredValue())
    if sqlite and raw_dates and column.type in (DATE, DATETIME):
        return Cast(column.path, output_field=TextField())
    return column.path


def export_queryset(table: ExportTable, queryset: QuerySet, *, raw_dates: bool = False) -> QuerySet:
    """The queryset's rows as `values_list` tuples of the table's query columns, in its order (by id
    when it has none)."""
    queryset = queryset.prefetch_related(None)  # tuples have nothing to prefetch into
    if table.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in table.annotations.items()})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    sqlite = connections[queryset.db].vendor == "sqlite"
    return queryset.values_list(
        *(_selected(column, sqlite=sqlite, raw_dates=raw_dates) for column in table.query_columns)
    )


def row_converter(table: ExportTable, *, escape: bool) -> Callable[[tuple, tuple], list]:
    """A function from one `export_queryset` tuple and the entry's citation cells to the output row.

    Only the columns whose cells differ from the database's values are touched: decimals, booleans,
    datetimes and (when escaping) text that a spreadsheet would run; the checks are inline, as this
    runs for every row of the ledger."""
    columns = list(enumerate(table.query_columns))
    decimals = [
        (i, decimal_format(table.model._meta.get_field(column.path).decimal_places))
        for i, column in columns
        if column.type == DECIMAL
    ]
    booleans = [i for i, column in columns if column.type == BOOLEAN]
    datetimes = [i for i, column in columns if column.type == DATETIME]
    texts = [i for i, column in columns if column.type == TEXT] if escape else []
    at = table.citation_position

    def convert(values: tuple, citations: tuple) -> list:
        row = list(values)
        for i, spec in decimals:
            if row[i] is not None:
                row[i] = format(row[i], spec)
        for i in booleans:
            if row[i] is not None:
                row[i] = STORED_BOOLEANS[row[i]]
        for i in datetimes:
            if row[i] is not None:
                row[i] = datetime_cell(row[i])
        for i in texts:
            value = row[i]
            if value and value[0] in ESCAPE_CANDIDATES:
                row[i] = escape_text(value)
        if at is not None:
            row[at:at] = citations
        return row

    return convert


def citation_cells(table: ExportTable, ids: list, *, using: str, escape: bool) -> dict:
    """The citation columns (sources, paragraphs, excerpts, notes) for a batch of entries, by entry id.

    One query, in plain SQL built from Citation's table and column names: the ORM's `__in` would
    prepare each of the batch's ids in Python, a tenth of the export's time."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = Citation._meta
    entry, source, paragraph, excerpt, note, pk = (
        quote(meta.get_field(name).column)
        for name in (table.citation_field, "source", "paragraph", "excerpt", "note", "id")
    )
    sql = (
        f"SELECT {entry}, {source}, {paragraph}, {excerpt}, {note} FROM {quote(meta.db_table)} "
        f"WHERE {entry} IN ({', '.join(['%s'] * len(ids))}) ORDER BY {entry}, {pk}"
    )
    citations = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for entry_id, *citation in cursor.fetchall():
            citations.setdefault(entry_id, []).append(citation)
    cells = {}
    for entry_id, items in citations.items():
        if len(items) == 1:  # the usual case, without the joins
            source_id, number, words, why = items[0]
            sources, paragraphs, excerpts, notes = str(source_id), "" if number is None else str(number), words, why
        else:
            sources = LIST_SEPARATOR.join(str(item[0]) for item in items)
            paragraphs = LIST_SEPARATOR.join("" if item[1] is None else str(item[1]) for item in items)
            excerpts = TEXT_LIST_SEPARATOR.join(item[2] for item in items)
            notes = TEXT_LIST_SEPARATOR.join(item[3] for item in items)
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
