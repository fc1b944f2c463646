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

SQLite builds each whole CSV line in SQL, CRLF included, as one printf per row returned as a BLOB
(RFC 4180 quoting as Python's csv module does: a cell with a comma, a double quote, CR or LF is
quoted, its quotes doubled); Python only joins the lines. The citation cells come from one correlated
subquery per row (an index search; a grouped join would be materialised whole by SQLite). The rows
come in the inner query's order: its derived table is kept apart (OFFSET 0) and read as a co-routine.
PostgreSQL runs `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` through psycopg 3's copy API: COPY
quotes exactly as the csv module does once an empty text is NULL (the csv module writes None and ""
alike), and each row's LF becomes CRLF. Its citations are aggregated in one grouped pass joined to
the rows (merged in when the rows come in id order), and the outer query repeats the page's order.
Either way memory stays flat: rows go out as they come.

`stream_csv` returns None for a table with a column type it cannot write, or another database: the
caller then uses the Python writer (writers.stream_csv), which JSON and xlsx always use."""

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import F, OrderBy, QuerySet

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
    decimal_format,
)
from ledger.exports.rows import _selected
from ledger.models import Citation

VENDORS = ("sqlite", "postgresql")
# Where the table pages' downloads use it: both. Measured at 1M pledges ordered by id with
# bench/export_speed.py (load 1.0-1.2), against the shells in the same run: PostgreSQL 175,800 rows/s
# in-process and 178,100 over gunicorn, psql \copy of the baseline query 220,400 (0.80x, 0.81x);
# SQLite 119,800 in-process and 115,000 over gunicorn, the sqlite3 shell 187,400 (0.64x, 0.61x), the
# Python writer 71,000.
DOWNLOAD_VENDORS = VENDORS
SUPPORTED_TYPES = {ID, INTEGER, TEXT, CHOICE, DECIMAL, BOOLEAN, DATE, DATETIME, LIST}
SQLITE_BATCH = 1000  # lines a chunk on SQLite
POSTGRESQL_BATCH = 1000  # and on PostgreSQL


def _literal(text: str, vendor: str) -> str:
    """A SQL string literal of `text` (the codec's constants: triggers, separators)."""
    special = {"\t": 9, "\r": 13, "\n": 10}
    if text in special:
        return f"chr({special[text]})" if vendor == "postgresql" else f"char({special[text]})"
    return "'" + text.replace("'", "''") + "'"


# PostgreSQL -----------------------------------------------------------------------------------
TRIGGER_CODES = ", ".join(str(ord(t)) for t in FORMULA_TRIGGERS)
APOSTROPHE = ord("'")


def _pg_escaped(x: str) -> str:
    """PostgreSQL: codec.escape_text of the text `x` (NULL stays NULL), by its first code point."""
    return (
        f"CASE WHEN ascii({x}) IN ({TRIGGER_CODES}) OR (ascii({x}) = {APOSTROPHE} "
        f"AND ascii(ltrim({x}, '''')) IN ({TRIGGER_CODES})) THEN '''' || {x} ELSE {x} END"
    )


def _pg_cell(column, x: str, places: int | None) -> str:
    """PostgreSQL: a cell's text from the selected value `x`; NULL (written by COPY as nothing) for
    an empty cell, as an empty text would be written "" (see the module's docstring)."""
    kind = column.type
    if kind in (ID, INTEGER):
        return x  # COPY writes an integer's digits itself
    if kind == CHOICE:
        return f"NULLIF({x}, '')"
    if kind == TEXT:
        return f"NULLIF({_pg_escaped(x)}, '')"
    if kind == DECIMAL:  # numeric(max_digits, places): COPY writes the plain number to the field's scale
        return x
    if kind == BOOLEAN:
        return f"CASE WHEN {x} THEN 'True' WHEN NOT {x} THEN 'False' END"
    if kind == DATE:
        return f"to_char({x}, 'YYYY-MM-DD')"
    if kind == DATETIME:  # datetime_cell: microseconds only when there are some
        utc = f"({x} AT TIME ZONE 'UTC')"
        return (
            f"CASE WHEN {x} = date_trunc('second', {x}) THEN to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') "
            f'ELSE to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\') END'
        )
    raise AssertionError(kind)  # pragma: no cover


def _pg_citations(table: ExportTable, entry: str, connection, entries: tuple[str, list] | None):
    """PostgreSQL: the join giving each entry its four citation cells (k.k0 … k.k3: sources,
    paragraphs, excerpts, notes, in citation order; NULL without citations), and its parameters.

    The citations are aggregated per entry in one grouped pass (a GroupAggregate over the index on
    the entry's key, merged with the rows when they come in id order, as psql's baseline does); a
    LATERAL subquery per row cost twice as much at 1M rows. `entries`, the SQL of the exported ids
    when the rows are filtered, limits that pass to them (the planner then picks a nested loop for
    a few rows)."""
    quote = connection.ops.quote_name
    meta = Citation._meta
    key, source, paragraph, excerpt, note = (
        quote(meta.get_field(name).column) for name in (table.citation_field, "source", "paragraph", "excerpt", "note")
    )
    items, lines = _literal(LIST_SEPARATOR, "postgresql"), _literal(TEXT_LIST_SEPARATOR, "postgresql")
    lists = ", ".join(
        [
            f"string_agg(CAST(c.{source} AS text), {items} ORDER BY c.id) AS k0",
            f"string_agg(coalesce(CAST(c.{paragraph} AS text), ''), {items} ORDER BY c.id) AS k1",
            f"string_agg(c.{excerpt}, {lines} ORDER BY c.id) AS k2",
            f"string_agg(c.{note}, {lines} ORDER BY c.id) AS k3",
        ]
    )
    where, params = f"c.{key} IS NOT NULL", []
    if entries is not None:
        where, params = f"c.{key} IN ({entries[0]})", list(entries[1])
    join = (
        f" LEFT JOIN (SELECT c.{key} AS entry, {lists} FROM {quote(meta.db_table)} c WHERE {where} "
        f"GROUP BY c.{key}) AS k ON k.entry = {entry}"
    )
    cells = ["k.k0", "k.k1", f"NULLIF({_pg_escaped('k.k2')}, '')", f"NULLIF({_pg_escaped('k.k3')}, '')"]
    return join, params, cells


# SQLite ---------------------------------------------------------------------------------------
# Each line is one printf('%s,%s,…\r\n', cell, cell, …): one call and one allocation per row, where a
# chain of || copies the growing line once per cell. printf's %s writes NULL as nothing, which is the
# empty cell. Text is tested by its first code point (unicode(), no substring built) and quoted with
# printf('"%w"', …), which doubles the double quotes. Measured in BENCHMARKS.md (issue 13).
# Python's csv module quotes a cell holding a comma, a double quote, CR or LF.
NEEDS_QUOTES = "instr({x}, ',') OR instr({x}, '\"') OR instr({x}, char(10)) OR instr({x}, char(13))"
# The same test, once for the row's texts joined (r): four GLOBs of one character each, which SQLite runs
# as a strcspn() (a '*[…]*' class is matched by a slow recursive search), in a subquery so that r is
# built once.
ROW_NEEDS_QUOTES = (
    "(SELECT r GLOB '*,*' OR r GLOB '*\"*' OR r GLOB ('*' || char(10) || '*') OR r GLOB ('*' || char(13) || '*') "
    "FROM (SELECT {joined} AS r))"
)
# SQLite's printf writes at most 16 significant digits; below 10**(15 - places) its %.Nf is Python's
# format(value, '.Nf') digit for digit. Larger values (rare) are written by Python itself, through a
# function registered on the connection (sqlite_decimal).
SQLITE_DECIMAL_FUNCTION = "ledger_export_decimal"
MAX_PRINTF_ARGUMENTS = 100  # SQLite allows 127 arguments a function (SQLITE_MAX_FUNCTION_ARG)


def sqlite_decimal(value, places):
    """format(value, '.Nf'), as the Python writer writes a stored number (codec.decimal_format)."""
    return None if value is None else format(value, decimal_format(places))


def _sqlite_escaped(x: str) -> str:
    """codec.escape_text of the text `x`, on SQLite (NULL stays NULL). A text from 'A' up (letters, any
    non-ASCII character) cannot start with a trigger, nor an empty one: comparisons, no function call."""
    return (
        f"CASE WHEN {x} >= 'A' OR {x} = '' OR {x} IS NULL THEN {x} WHEN unicode({x}) IN ({TRIGGER_CODES}) OR (unicode({x}) = {APOSTROPHE} "
        f"AND unicode(ltrim({x}, '''')) IN ({TRIGGER_CODES})) THEN '''' || {x} ELSE {x} END"
    )


def _sqlite_quoted(x: str, cell: str) -> str:
    """The CSV text of `cell`, whose raw text `x` decides the quoting (the escape adds no quote,
    comma or line break)."""
    return f"CASE WHEN {x} = '' THEN '' WHEN {NEEDS_QUOTES.format(x=x)} THEN printf('\"%%w\"', {cell}) ELSE {cell} END"


def _sqlite_cells(column, x: str, places: int | None) -> tuple[str, str | None]:
    """SQLite: the CSV text of a cell (NULL for an empty one) from the selected value `x`, and for a
    text that may need quotes, the same unquoted (used when no text of the row needs quotes)."""
    kind = column.type
    if kind in (ID, INTEGER, DATE):
        return x, None  # digits; dates are selected as their stored ISO text (rows._selected, raw_dates)
    if kind == CHOICE:
        return (x, None) if _plain_choices(column) else (_sqlite_quoted(x, x), x)
    if kind == TEXT:
        escaped = _sqlite_escaped(x)
        return _sqlite_quoted(x, escaped), escaped
    if kind == DECIMAL:
        return (
            f"CASE WHEN {x} IS NULL THEN NULL WHEN abs({x}) < 1e{15 - places} THEN printf('%%.{places}f', {x}) "
            f"ELSE {SQLITE_DECIMAL_FUNCTION}({x}, {places}) END"
        ), None
    if kind == BOOLEAN:
        return f"CASE WHEN {x} THEN 'True' WHEN NOT {x} THEN 'False' END", None
    if kind == DATETIME:  # stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (naive UTC): datetime_cell's text
        return f"replace({x}, ' ', 'T') || '+00:00'", None  # NULL stays NULL
    raise AssertionError(kind)  # pragma: no cover


def _sqlite_citations(table: ExportTable, entry: str, connection) -> str:
    """SQLite: one correlated subquery writing the four citation cells of the entry `entry` (sources,
    paragraphs, excerpts, notes), comma-separated, in citation order; ',,,' without citations. One
    index search a row, where four subqueries (or a grouped join, which SQLite materialises whole)
    cost more."""
    quote = connection.ops.quote_name
    meta = Citation._meta
    key, source, paragraph, excerpt, note = (
        quote(meta.get_field(name).column) for name in (table.citation_field, "source", "paragraph", "excerpt", "note")
    )
    items, lines = _literal(LIST_SEPARATOR, "sqlite"), _literal(TEXT_LIST_SEPARATOR, "sqlite")
    excerpts, notes = f"group_concat({excerpt}, {lines})", f"group_concat({note}, {lines})"
    cells = ", ".join(
        [
            f"group_concat({source}, {items})",
            f"group_concat(coalesce({paragraph}, ''), {items})",
            _sqlite_quoted(excerpts, _sqlite_escaped(excerpts)),
            _sqlite_quoted(notes, _sqlite_escaped(notes)),
        ]
    )
    return (
        f"(SELECT printf('%%s,%%s,%%s,%%s', {cells}) FROM (SELECT {source}, {paragraph}, {excerpt}, {note} "
        f"FROM {quote(meta.db_table)} c WHERE c.{key} = {entry} ORDER BY c.id))"
    )


def _sqlite_line(cells: list[str], texts: list[str], plain: list[str]) -> str:
    """One CSV line, CRLF included, as bytes (a BLOB: no decoding and encoding again in Python).

    `texts` are the row's raw texts that may need quotes and `plain` the cells written without
    quotes: one test of all the row's texts at once (ROW_NEEDS_QUOTES, on their concatenation) picks the line
    without a quote test per cell; a row with a comma, quote or line break somewhere tests each."""
    if len(cells) > MAX_PRINTF_ARGUMENTS:  # pragma: no cover (no table has so many columns)
        return "CAST(" + " || ',' || ".join(f"coalesce({cell}, '')" for cell in cells) + " || char(13, 10) AS BLOB)"
    form = f"'{','.join(['%%s'] * len(cells))}' || char(13, 10)"
    line = f"printf({form}, {', '.join(cells)})"
    if texts and len(texts) <= MAX_PRINTF_ARGUMENTS:
        joined = f"printf('{'%%s' * len(texts)}', {', '.join(texts)})"
        needs_quotes = ROW_NEEDS_QUOTES.format(joined=joined)
        line = f"CASE WHEN {needs_quotes} THEN {line} ELSE printf({form}, {', '.join(plain)}) END"
    return f"CAST({line} AS BLOB)"


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
    exported = queryset
    if table.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in table.annotations.items()})
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    sqlite = vendor == "sqlite"
    selected = {}
    for i, column in enumerate(table.query_columns):
        value = _selected(column, sqlite=sqlite, raw_dates=True)
        selected[f"c{i}"] = F(value) if isinstance(value, str) else value
    order = [] if sqlite else _order_terms(queryset)
    if order is None:
        return None
    # PostgreSQL: the outer query sorts as the page does, by the exported column itself when it is one
    # (the planner then knows the rows come in that order, and merges the citations in without a sort).
    paths = {column.path: f"t.c{i}" for i, column in reversed(list(enumerate(table.query_columns)))}
    paths["pk"] = paths.get(queryset.model._meta.pk.attname)
    sorted_by = []
    for i, (expression, *_) in enumerate(order):
        name = expression.name if isinstance(expression, F) else None
        if paths.get(name):
            sorted_by.append(paths[name])
        else:
            selected[f"o{i}"] = expression
            sorted_by.append(f"t.o{i}")
    inner, params = queryset.values(**selected).query.get_compiler(queryset.db).as_sql()
    at = table.citation_position
    entry = f"t.c{[column.name for column in table.query_columns].index('id')}" if at is not None else None
    places = [
        table.model._meta.get_field(column.path).decimal_places if column.type == DECIMAL else None
        for column in table.query_columns
    ]
    if sqlite:
        built = [_sqlite_cells(column, f"t.c{i}", places[i]) for i, column in enumerate(table.query_columns)]
        cells = [cell for cell, _ in built]
        plain = [cell if unquoted is None else unquoted for cell, unquoted in built]
        texts = [f"t.c{i}" for i, (_, unquoted) in enumerate(built) if unquoted is not None]
        if at is not None:
            citations = _sqlite_citations(table, entry, connection)  # the four cells in one
            cells.insert(at, citations)
            plain.insert(at, citations)
        return f"SELECT {_sqlite_line(cells, texts, plain)} FROM ({inner} {KEEP}) AS t", list(params)
    cells = [_pg_cell(column, f"t.c{i}", places[i]) for i, column in enumerate(table.query_columns)]
    join = ""
    if at is not None:
        entries = None
        if exported.query.where or exported.query.is_sliced:  # the exported ids, without columns
            ids = (exported if exported.query.is_sliced else exported.order_by()).values("pk").query
            entries = ids.get_compiler(exported.db).as_sql()
        join, more, lists = _pg_citations(table, entry, connection, entries)
        params = (*params, *more)
        cells[at:at] = lists
    terms = ", ".join(
        f"{by} {'DESC' if descending else 'ASC'}{' NULLS FIRST' if first else ''}{' NULLS LAST' if last else ''}"
        for by, (_, descending, first, last) in zip(sorted_by, order, strict=True)
    )
    return f"SELECT {', '.join(cells)} FROM ({inner}) AS t{join} ORDER BY {terms}", list(params)


def _order_terms(queryset: QuerySet) -> list[tuple] | None:
    """The queryset's ordering as (expression, descending, nulls first, nulls last) terms an outer query
    can repeat, or None when it cannot (random order, extra(), a bare relation that sorts by the
    related model's own ordering)."""
    query = queryset.query
    if query.extra_order_by:
        return None
    terms = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    found = []
    for term in terms:
        if isinstance(term, str):
            if term == "?":
                return None
            name = term.removeprefix("-")
            if _is_relation(queryset.model, name):
                return None
            found.append((F(name), term.startswith("-"), False, False))
        elif isinstance(term, OrderBy):
            found.append((term.expression, term.descending, bool(term.nulls_first), bool(term.nulls_last)))
        elif hasattr(term, "resolve_expression"):
            found.append((term, False, False, False))
        else:  # pragma: no cover
            return None
    return found


def _is_relation(model, name: str) -> bool:
    if name == "pk":
        return False
    field = None
    for part in name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # an annotation: a value
        if field.is_relation:
            model = field.related_model
    return field is not None and field.is_relation and field.attname != name.split("__")[-1]


def _header(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(table.header)
    return buffer.getvalue().encode()


def _sqlite_chunks(connection, sql: str, params: list) -> Iterator[bytes]:
    connection.ensure_connection()
    connection.connection.create_function(SQLITE_DECIMAL_FUNCTION, 2, sqlite_decimal, deterministic=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetch = cursor.cursor.fetchmany  # the sqlite3 cursor itself: no wrapper call per batch
        while rows := fetch(SQLITE_BATCH):
            yield b"".join([row[0] for row in rows])


def _postgresql_chunks(connection, sql: str, params: list) -> Iterator[bytes]:
    connection.ensure_connection()
    if connection.queries_logged:  # psycopg's raw cursor bypasses Django's query log: record it there
        connection.queries_log.append({"sql": f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", "time": "0.000"})
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None) as copy,
    ):
        rows = []
        for row in copy:  # one row per block (a memoryview that owns its buffer), ending in LF
            rows.append(row[:-1])
            if len(rows) == POSTGRESQL_BATCH:
                yield _crlf(rows)
                rows = []
        if rows:
            yield _crlf(rows)


def _crlf(rows: list) -> bytes:
    """COPY's rows, less their LF, joined with CRLF row ends (a line break inside a quoted cell stays)."""
    return b"\r\n".join(rows) + b"\r\n"


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
