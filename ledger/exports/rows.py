"""The row source: a table's entries as rows of cells, batch by batch, streaming from the database."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import INNER

from ledger.exports.columns import (
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    ESCAPE_CANDIDATES,
    LIST_SEPARATOR,
    TEXT,
    TEXT_LIST_SEPARATOR,
    escape_text,
)
from ledger.models import Citation

BATCH_SIZE = 2000
_ESCAPE_CANDIDATES = ESCAPE_CANDIDATES


def _cell_expression(position, column, escape, model):
    """Python source for one output cell from the raw database value r[position].

    Raw, because Django's per-row converters (float to Decimal, text to datetime) cost more than
    the whole rest of the export; each backend's raw value is formatted directly instead:
    - decimals: SQLite hands back int or float, PostgreSQL a Decimal; formatting to the field's
      decimal places gives the digits Django's own converter would (and never 6.85E-8);
    - datetimes: SQLite hands back naive UTC (text, or a datetime once its converter ran),
      PostgreSQL an aware UTC datetime; both are written ISO 8601 with +00:00;
    - booleans: SQLite hands back 0 or 1 for an annotation."""
    value = f"r[{position}]"
    if column.type == DECIMAL:
        places = model._meta.get_field(column.path).decimal_places
        return f"(None if {value} is None else format({value}, '.{places}f'))"
    if column.type == DATETIME:
        return (
            f"(None if {value} is None else {value}.isoformat() if {value}.__class__ is not str "
            f"and {value}.tzinfo else (str({value}).replace(' ', 'T', 1) + '+00:00'))"
        )
    if column.type == BOOLEAN:
        return f"BOOLEANS[{value}]"
    if column.type == TEXT and escape:
        return f"(escape_text({value}) if {value} and {value}[0] in CANDIDATES else {value})"
    return value


_BOOLEANS = {True: True, False: False}  # 1 == True and 0 == False: SQLite's integers map too


def _row_converter(table, escape):
    """Compile a function that turns one raw row (and its citation cells) into output cells.

    Generated once per table, so the per-row work is one call and a tuple: no per-cell dispatch."""
    cells, position, citation_position = [], 0, 0
    for column in table.columns:
        if column.path:
            cells.append(_cell_expression(position, column, escape, table.model))
            position += 1
        else:
            cell = f"c[{citation_position}]"
            if escape and column.name in ("excerpts", "citation_notes"):
                cell = f"escape_text({cell})"
            cells.append(cell)
            citation_position += 1
    source = f"lambda r, c: ({', '.join(cells)},)"
    namespace = {"escape_text": escape_text, "CANDIDATES": _ESCAPE_CANDIDATES, "BOOLEANS": _BOOLEANS}
    return eval(source, namespace)  # noqa: S307 (the source is built from the specs above, not from input)


_NO_CITATIONS = ("", "", "", "")


def _citation_cells(table, ids, connection):
    """The citation columns for a batch of entries: one query, merged by entry id."""
    quote = connection.ops.quote_name
    entry = quote(f"{table.citation_field}_id")
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {entry}, {quote('source_id')}, {quote('paragraph')}, {quote('excerpt')}, {quote('note')} "
        f"FROM {quote(Citation._meta.db_table)} WHERE {entry} IN ({placeholders}) ORDER BY {entry}, {quote('id')}"
    )
    citations = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for entry_id, source_id, paragraph, excerpt, note in cursor.fetchall():
            citations.setdefault(entry_id, []).append((source_id, paragraph, excerpt, note))
    cells = {}
    for entry_id, items in citations.items():
        if len(items) == 1:  # the usual case, without the joins
            source_id, paragraph, excerpt, note = items[0]
            cells[entry_id] = (str(source_id), "" if paragraph is None else str(paragraph), excerpt, note)
        else:
            cells[entry_id] = (
                LIST_SEPARATOR.join(str(c[0]) for c in items),
                LIST_SEPARATOR.join("" if c[1] is None else str(c[1]) for c in items),
                TEXT_LIST_SEPARATOR.join(c[2] for c in items),
                TEXT_LIST_SEPARATOR.join(c[3] for c in items),
            )
    return cells


def export_queryset(table, queryset, *, raw_dates=False):
    """The queryset's rows as values_list tuples, in its order (by id when it has none).

    On SQLite (with `raw_dates`), date and datetime columns are selected as CAST(... AS text): an
    expression has no declared type, so the sqlite3 module's per-value date converters (a Python
    call each, then str() again in the writer) do not run, and the stored ISO text comes back as is.
    Django stores them as str(date) and str(naive UTC datetime), so the CSV cells are the same bytes.
    Only the CSV asks for it: the other writers and the admin's export keep date objects."""
    if table.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in table.annotations.items()})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    paths = [column.path for column in table.query_columns]
    if raw_dates and connections[queryset.db].vendor == "sqlite":
        as_text = {
            f"export_text_{column.name}": Cast(column.path, output_field=TextField())
            for column in table.query_columns
            if column.type in (DATE, DATETIME)
        }
        queryset = queryset.annotate(**as_text)
        paths = [
            f"export_text_{column.name}" if column.type in (DATE, DATETIME) else column.path
            for column in table.query_columns
        ]
    queryset = queryset.values_list(*paths)
    # The joins only fetch names and codes of required foreign keys, so LEFT JOIN returns the same
    # rows; it keeps SQLite's planner walking the table's index in the export's order instead of
    # starting from the actors and sorting the whole ledger before the first row can be sent.
    for alias, join in list(queryset.query.alias_map.items()):
        if getattr(join, "join_type", None) == INNER:
            queryset.query.alias_map[alias] = join.promote()
    return queryset


def _raw_batches(queryset, batch_size):
    """The queryset's SQL run on a streaming cursor (server-side on PostgreSQL), in raw batches."""
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if chunked else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(batch_size):
            yield batch


def iter_row_batches(table, queryset, *, escape=True, batch_size=BATCH_SIZE, raw_dates=False):
    """Yield lists of output rows (tuples in column order), batch by batch, streaming from the database."""
    convert = _row_converter(table, escape)
    queryset = export_queryset(table, queryset, raw_dates=raw_dates)
    connection = connections[queryset.db]
    id_position = next(i for i, column in enumerate(table.query_columns) if column.name == "id")
    for batch in _raw_batches(queryset, batch_size):
        if table.citation_field:
            citations = _citation_cells(table, [row[id_position] for row in batch], connection)
            yield [convert(row, citations.get(row[id_position], _NO_CITATIONS)) for row in batch]
        else:
            yield [convert(row, _NO_CITATIONS) for row in batch]


def iter_rows(table, queryset, *, escape=True, batch_size=BATCH_SIZE):
    for batch in iter_row_batches(table, queryset, escape=escape, batch_size=batch_size):
        yield from batch
