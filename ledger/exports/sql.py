"""The CSV download built inside the database: the same bytes as writers.stream_csv, at the database's speed.

The SQL is generated from the column specs (columns.py), never written per table: the query is the
row source's own queryset (rows.export_queryset: the page's filters, order and annotations), each
column aliased, wrapped in an outer SELECT that writes every cell as the codec does (codec.py):
- ids and whole numbers as digits; decimals plain to the field's places; booleans True or False;
  dates ISO 8601; date-times ISO 8601 with +00:00 (as datetime_cell); unknown values empty;
- text through escape_text's rule (a leading apostrophe before a formula trigger, one more when it
  already starts with apostrophes before one), choices as stored;
- the citation columns aggregated per entry in citation order (sources and paragraphs joined by
  '; ', excerpts and notes by a line break, then escaped), empty without citations.

SQLite builds each whole CSV line in SQL (RFC 4180 quoting as Python's csv module does: a cell with a
comma, a double quote, CR or LF is quoted, its quotes doubled); Python only joins the lines with CRLF.
PostgreSQL runs `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` through psycopg 3's copy API: COPY
quotes exactly as the csv module does once an empty text is NULL (the csv module writes None and ""
alike), and each row's LF becomes CRLF. Either way memory stays flat: rows go out as they come.

`stream_csv` returns None for a table with a column type it cannot write, or another database: the
caller then uses the Python writer (writers.stream_csv), which JSON and xlsx always use."""

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet

from ledger.exports.codec import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    DECIMAL,
    FORMULA_TRIGGERS,
    ID,
    INTEGER,
    LIST,
    LIST_SEPARATOR,
    TEXT,
    TEXT_LIST_SEPARATOR,
    ExportTable,
)
from ledger.exports.rows import _selected
from ledger.models import Citation

VENDORS = ("sqlite", "postgresql")
# Where the table pages' downloads use it. Measured at 1M pledges (BENCHMARKS.md notes): on PostgreSQL
# COPY writes 41,000 rows/s against the Python writer's 16,900; on SQLite the SQL string building
# writes 23,500 rows/s against the Python writer's 31,900 (a correlated or grouped citation lookup per
# row costs more than Python's batch of citations), so SQLite keeps the Python writer.
DOWNLOAD_VENDORS = ("postgresql",)
SUPPORTED_TYPES = {ID, INTEGER, TEXT, CHOICE, DECIMAL, BOOLEAN, DATE, DATETIME, LIST}
CHUNK_BYTES = 1 << 18


def _literal(text: str, vendor: str) -> str:
    """A SQL string literal of `text` (the codec's constants: triggers, separators)."""
    special = {"\t": 9, "\r": 13, "\n": 10}
    if text in special:
        return f"chr({special[text]})" if vendor == "postgresql" else f"char({special[text]})"
    return "'" + text.replace("'", "''") + "'"


def _escaped(x: str, vendor: str) -> str:
    """SQL for codec.escape_text of the text `x` (not NULL)."""
    triggers = ", ".join(_literal(t, vendor) for t in FORMULA_TRIGGERS)
    candidates = f"{triggers}, ''''"
    return (
        f"CASE WHEN substr({x}, 1, 1) IN ({candidates}) AND substr(ltrim({x}, ''''), 1, 1) IN ({triggers}) "
        f"THEN '''' || {x} ELSE {x} END"
    )


def _cell(column, x: str, vendor: str, places: int | None) -> str:
    """SQL for a cell's text (NULL for an empty cell) from the selected value `x`."""
    kind = column.type
    pg = vendor == "postgresql"
    if kind in (ID, INTEGER):
        return f"CAST({x} AS text)" if pg else f"CAST({x} AS TEXT)"
    if kind == CHOICE:
        return x
    if kind == TEXT:
        return f"CASE WHEN {x} IS NULL THEN NULL ELSE {_escaped(x, vendor)} END"
    if kind == DECIMAL:
        if pg:  # an exact numeric with the field's scale: its text is the plain number
            return f"CAST(round({x}, {places}) AS text)"
        return f"CASE WHEN {x} IS NULL THEN NULL ELSE printf('%%.{places}f', {x}) END"
    if kind == BOOLEAN:
        return f"CASE WHEN {x} THEN 'True' WHEN NOT {x} THEN 'False' END"
    if kind == DATE:
        return f"to_char({x}, 'YYYY-MM-DD')" if pg else x
    if kind == DATETIME:
        if pg:
            utc = f"({x} AT TIME ZONE 'UTC')"
            return (
                f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
                f"CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00'"
            )
        return f"CASE WHEN {x} IS NULL THEN NULL ELSE substr({x}, 1, 10) || 'T' || substr({x}, 12) || '+00:00' END"
    raise AssertionError(kind)  # pragma: no cover


def _citation_aggregates(table: ExportTable, entry: str, connection) -> list[str]:
    """SQL for the four citation lists (sources, paragraphs, excerpts, notes) of the entry whose id is
    `entry`, in citation order; NULL without citations. PostgreSQL: the select list of a LATERAL join;
    SQLite: four scalar subqueries."""
    vendor = connection.vendor
    quote = connection.ops.quote_name
    meta = Citation._meta
    key, source, paragraph, excerpt, note = (
        quote(meta.get_field(name).column) for name in (table.citation_field, "source", "paragraph", "excerpt", "note")
    )
    cited = quote(meta.db_table)
    items, lines = _literal(LIST_SEPARATOR, vendor), _literal(TEXT_LIST_SEPARATOR, vendor)
    if vendor == "postgresql":
        return [
            f"string_agg(CAST(c.{source} AS text), {items} ORDER BY c.id)",
            f"string_agg(coalesce(CAST(c.{paragraph} AS text), ''), {items} ORDER BY c.id)",
            f"string_agg(c.{excerpt}, {lines} ORDER BY c.id)",
            f"string_agg(c.{note}, {lines} ORDER BY c.id)",
        ]
    aggregates = [
        f"group_concat({source}, {items})",
        f"group_concat(coalesce({paragraph}, ''), {items})",
        f"group_concat({excerpt}, {lines})",
        f"group_concat({note}, {lines})",
    ]
    return [f"(SELECT {a} FROM (SELECT * FROM {cited} c WHERE c.{key} = {entry} ORDER BY c.id))" for a in aggregates]


def _quoted(v: str, column) -> str:
    """SQLite: the CSV text of the cell `v` (a column), quoted as Python's csv module quotes
    (QUOTE_MINIMAL): a cell holding a comma, a double quote, CR or LF. Numbers, dates, booleans and
    choice codes never hold one, so only text is looked at."""
    if column is not None and (column.type in PLAIN_TYPES or _plain_choices(column)):
        return f"coalesce({v}, '')"
    return (
        f"CASE WHEN {v} IS NULL THEN '' WHEN {v} GLOB {NEEDS_QUOTES} "
        f"THEN '\"' || replace({v}, '\"', '\"\"') || '\"' ELSE {v} END"
    )


PLAIN_TYPES = {ID, INTEGER, DECIMAL, BOOLEAN, DATE, DATETIME}
NEEDS_QUOTES = "('*[,\"' || char(10) || char(13) || ']*')"


def _plain_choices(column) -> bool:
    return column.type == CHOICE and bool(column.choices) and not any(set(c) & set(',"\r\n') for c in column.choices)


# A derived table SQLite must not merge into the query around it ("OFFSET 0"): each of its columns is
# then computed once per row, however many times the outer query reads it.
KEEP = "LIMIT -1 OFFSET 0"


def export_sql(table: ExportTable, queryset: QuerySet) -> tuple[str, list] | None:
    """The SELECT of the CSV's rows (one text per cell on PostgreSQL, one line per row on SQLite),
    with its parameters; None when a column cannot be written in SQL here."""
    connection = connections[queryset.db]
    vendor = connection.vendor
    if vendor not in VENDORS or any(column.type not in SUPPORTED_TYPES for column in table.columns):
        return None
    queryset = queryset.prefetch_related(None)
    if table.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in table.annotations.items()})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    sqlite = vendor == "sqlite"
    selected = {}
    for i, column in enumerate(table.query_columns):
        value = _selected(column, sqlite=sqlite, raw_dates=True)
        selected[f"c{i}"] = F(value) if isinstance(value, str) else value
    inner, params = queryset.values(**selected).query.get_compiler(queryset.db).as_sql()
    source = f"({inner}) AS t"
    cells = []
    for i, column in enumerate(table.query_columns):
        places = table.model._meta.get_field(column.path).decimal_places if column.type == DECIMAL else None
        cells.append(_cell(column, f"t.c{i}", vendor, places))
    at = table.citation_position
    if at is not None:
        entry = f"t.c{[column.name for column in table.query_columns].index('id')}"
        aggregates = _citation_aggregates(table, entry, connection)
        if sqlite:
            lists = ", ".join(f"{a} AS k{n}" for n, a in enumerate(aggregates))
            source = f"(SELECT t.*, {lists} FROM {source} {KEEP}) AS t"
        else:
            cited = connection.ops.quote_name(Citation._meta.db_table)
            key = connection.ops.quote_name(Citation._meta.get_field(table.citation_field).column)
            lists = ", ".join(f"{a} AS k{n}" for n, a in enumerate(aggregates))
            source += f" LEFT JOIN LATERAL (SELECT {lists} FROM {cited} c WHERE c.{key} = {entry}) AS k ON true"
        lists = "t" if sqlite else "k"
        cells[at:at] = [
            f"{lists}.k0",
            f"{lists}.k1",
            f"CASE WHEN {lists}.k2 IS NULL THEN NULL ELSE {_escaped(f'{lists}.k2', vendor)} END",
            f"CASE WHEN {lists}.k3 IS NULL THEN NULL ELSE {_escaped(f'{lists}.k3', vendor)} END",
        ]
    if sqlite:
        named = ", ".join(f"{cell} AS v{n}" for n, cell in enumerate(cells))
        specs = list(table.query_columns)
        if at is not None:
            specs[at:at] = [None] * 4  # the citation lists: text
        line = " || ',' || ".join(_quoted(f"v{n}", spec) for n, spec in enumerate(specs))
        return f"SELECT {line} FROM (SELECT {named} FROM {source} {KEEP})", list(params)
    texts = ", ".join(f"NULLIF({cell}, '')" for cell in cells)
    return f"SELECT {texts} FROM {source}", list(params)


def _header(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(table.header)
    return buffer.getvalue().encode()


def _sqlite_chunks(connection, sql: str, params: list) -> Iterator[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            yield ("\r\n".join(row[0] for row in rows) + "\r\n").encode()


def _postgresql_chunks(connection, sql: str, params: list) -> Iterator[bytes]:
    connection.ensure_connection()
    if connection.queries_logged:  # psycopg's raw cursor bypasses Django's query log: record it there
        connection.queries_log.append({"sql": f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", "time": "0.000"})
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None) as copy,
    ):
        parts, size = [], 0
        for row in copy:  # one row per block, ending in LF
            parts.append(row)
            size += len(row)
            if size >= CHUNK_BYTES:
                yield _crlf(parts)
                parts, size = [], 0
        if parts:
            yield _crlf(parts)


def _crlf(rows: list) -> bytes:
    """COPY's rows, each ending in LF, with CRLF row ends (a line break inside a quoted cell stays)."""
    return b"\r\n".join(bytes(row)[:-1] for row in rows) + b"\r\n"


def stream_csv(
    table: ExportTable, queryset: QuerySet, *, vendors: tuple[str, ...] = DOWNLOAD_VENDORS
) -> Iterator[bytes] | None:
    """The CSV download of `queryset` as `table`'s columns, built by the database; None when the
    Python writer must do it (see the module's docstring), or on a database not in `vendors`."""
    if connections[queryset.db].vendor not in vendors:
        return None
    try:
        built = export_sql(table, queryset)
    except EmptyResultSet:  # a filter Django knows selects nothing (`.none()`): the header alone
        return iter([_header(table)])
    if built is None:
        return None
    sql, params = built
    connection = connections[queryset.db]

    def chunks() -> Iterator[bytes]:
        yield _header(table)
        if connection.vendor == "sqlite":
            yield from _sqlite_chunks(connection, sql, params)
        else:
            yield from _postgresql_chunks(connection, sql, params)

    return chunks()
