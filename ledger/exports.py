"""The ledger's tables as files: one column spec per table, and writers that stream them.

A column spec says what each column holds, where it comes from and whether an import may write
it; the CSV/xlsx/JSON writers, the importer and the data dictionary all read the same specs, so the
columns an analyst downloads are the columns an editor can bring back in.

Values are written for machines: numbers plain and exact to the Decimal (no thousands separators),
dates ISO 8601, unknown values empty (never 0), text UTF-8. A text cell that a spreadsheet would
run as a formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading
apostrophe; `unescape_text` takes it off again, so the round trip is exact.

The CSV streams: `values_list(...).iterator(chunk_size=...)` in batches, each batch's citations
fetched with one more query and merged by id, so memory stays flat whatever the row count.
`stream_csv` is the single function a faster writer (PostgreSQL COPY) would replace."""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import INNER
from django.http import HttpResponse, StreamingHttpResponse

from ledger.models import (
    CURRENCY_CODES,
    Actor,
    AmountQualifier,
    Citation,
    DatePrecision,
    DateQualifier,
    Person,
    Pledge,
    Source,
    Statement,
    TradeFigure,
)

BATCH_SIZE = 2000

# Column types. They decide how a value is written and how an import reads it back.
ID = "id"
TEXT = "text"
CHOICE = "choice"
DECIMAL = "decimal"
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"
DATETIME = "datetime"
LIST = "list"  # citation columns: one item per citation, in citation order

TYPE_DESCRIPTIONS = {
    ID: "whole number",
    TEXT: "text",
    CHOICE: "one of the listed codes",
    DECIMAL: "decimal number, plain (no thousands separators), exact",
    INTEGER: "whole number",
    BOOLEAN: "True or False",
    DATE: "date, YYYY-MM-DD",
    DATETIME: "date and time in UTC, ISO 8601",
    LIST: "one item per citation",
}

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE_CANDIDATES = frozenset(FORMULA_TRIGGERS + ("'",))
LIST_SEPARATOR = "; "  # between source ids and between paragraph numbers
TEXT_LIST_SEPARATOR = "\n"  # between excerpts and between citation notes: one per line


def escape_text(value):
    """Neutralise a text cell a spreadsheet would run as a formula, by a leading apostrophe.

    Text that already starts with apostrophes before a trigger gets one more, so that
    `unescape_text` can always tell an added apostrophe from one that was there."""
    if value and value[0] in _ESCAPE_CANDIDATES and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def unescape_text(value):
    """Undo `escape_text`: drop the one apostrophe it added before a formula trigger."""
    if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    path: str | None = None  # what values_list selects; None for citation columns
    field: str | None = None  # the model field an import writes; None: read-only (derived) column
    refers: tuple | None = None  # (model, lookup field) for a column that names another entry
    choices: tuple = ()

    @property
    def importable(self):
        return self.field is not None


@dataclass(frozen=True)
class Table:
    name: str  # used in URLs and file names: pledges-2026-11-27.csv
    title: str
    model: type
    description: str
    columns: tuple
    citation_field: str | None = None  # Citation's foreign key to this table's entries
    annotations: dict = field(default_factory=dict)  # path -> callable returning an expression
    self_reference: tuple | None = None  # (column, key column): rows naming another row of the file

    @property
    def header(self):
        return [column.name for column in self.columns]

    @property
    def query_columns(self):
        return [column for column in self.columns if column.path]

    def column(self, name):
        return next(column for column in self.columns if column.name == name)

    def filename(self, extension, day=None):
        return f"{self.name}-{(day or date.today()).isoformat()}.{extension}"


def _choices(choices, blank=False):
    values = tuple(value for value, _label in choices)
    return values if not blank or "" in values else ("",) + values


def _money_columns():
    return (
        Column(
            "amount",
            DECIMAL,
            "The amount in its own currency, as the source states it. Empty when the source "
            "gives no figure (never 0 for unknown).",
            path="amount",
            field="amount",
        ),
        Column(
            "currency",
            CHOICE,
            "ISO 4217 code of the amount (USD, EUR, CNY). Empty without an amount.",
            path="currency",
            field="currency",
            choices=("", *CURRENCY_CODES),
        ),
        Column(
            "amount_qualifier",
            CHOICE,
            "How precisely the source states the amount.",
            path="amount_qualifier",
            field="amount_qualifier",
            choices=_choices(AmountQualifier.choices, blank=True),
        ),
        Column(
            "amount_usd",
            DECIMAL,
            "The amount in US dollars: the amount itself for USD, otherwise converted at "
            "usd_rate. Empty when not known.",
            path="amount_usd",
            field="amount_usd",
        ),
        Column(
            "usd_rate",
            DECIMAL,
            "US dollars per unit of the currency used for amount_usd.",
            path="usd_rate",
            field="usd_rate",
        ),
        Column("usd_rate_date", DATE, "The date of that rate.", path="usd_rate_date", field="usd_rate_date"),
        Column("usd_rate_source", TEXT, "Where the rate comes from.", path="usd_rate_source", field="usd_rate_source"),
    )


def _citation_columns():
    return (
        Column(
            "sources",
            LIST,
            "The ids of the sources cited (see the sources table), separated by '; '. Every figure cites at least one.",
            field="citations",
        ),
        Column(
            "paragraphs",
            LIST,
            "For each citation, the paragraph of the source it quotes (1 = headline), "
            "separated by '; '; empty when not known.",
            field="citations",
        ),
        Column(
            "excerpts",
            LIST,
            "For each citation, the source's words verbatim, one citation per line (an "
            "entry with a single citation may quote several lines).",
            field="citations",
        ),
        Column(
            "citation_notes",
            LIST,
            "For each citation, what it adds (may be empty), one citation per line.",
            field="citations",
        ),
    )


def _updated_at():
    return Column(
        "updated_at",
        DATETIME,
        "When the entry was last changed. An import keeps it for the entries it "
        "creates (a restore) and ignores it otherwise.",
        path="updated_at",
        field="updated_at",
    )


def _actor_columns(role, path, label):
    return (
        Column(role, TEXT, f"The {label}'s name (read-only; the code decides).", path=f"{path}__name"),
        Column(
            f"{role}_code",
            TEXT,
            f"The {label}'s code (see the actors table).",
            path=f"{path}__code",
            field=path,
            refers=(Actor, "code"),
        ),
    )


def _date_columns():
    return (
        Column(
            "date",
            DATE,
            "First day of the period the source gives: 2026-01-01 for 'January 2026'. Empty when "
            "the source gives no date.",
            path="date",
            field="date",
        ),
        Column(
            "date_precision",
            CHOICE,
            "How precise the date is.",
            path="date_precision",
            field="date_precision",
            choices=_choices(DatePrecision.choices, blank=True),
        ),
        Column(
            "date_qualifier",
            CHOICE,
            "early, mid or end of the month or year; empty otherwise.",
            path="date_qualifier",
            field="date_qualifier",
            choices=_choices(DateQualifier.choices),
        ),
        Column(
            "year_inferred",
            BOOLEAN,
            "True when the source does not state the year and it was inferred.",
            path="year_inferred",
            field="year_inferred",
        ),
    )


def _counted_in_totals():
    return ~Exists(Pledge.objects.filter(package=OuterRef("pk")))


PLEDGES = Table(
    name="pledges",
    title="Pledges",
    model=Pledge,
    description="One row per pledge of aid, in money or in kind. A package with parts is counted through its "
    "parts (counted_in_totals).",
    citation_field="pledge",
    annotations={"export_counted_in_totals": _counted_in_totals},
    self_reference=("package", "id"),
    columns=(
        Column("id", ID, "The pledge's id. Empty in an import file for a new pledge.", path="id", field="id"),
        *_actor_columns("donor", "donor", "donor"),
        *_actor_columns("recipient", "recipient", "recipient"),
        Column("kind", CHOICE, "What is pledged.", path="kind", field="kind", choices=_choices(Pledge.Kind.choices)),
        Column(
            "status",
            CHOICE,
            "How far the pledge has gone.",
            path="status",
            field="status",
            choices=_choices(Pledge.Status.choices),
        ),
        *_money_columns(),
        Column(
            "quantity", DECIMAL, "For goods: how much, in unit. Empty otherwise.", path="quantity", field="quantity"
        ),
        Column(
            "unit", CHOICE, "The quantity's unit.", path="unit", field="unit", choices=_choices(Pledge.Unit.choices)
        ),
        Column("commodity", TEXT, "What the goods are (rice).", path="commodity", field="commodity"),
        Column(
            "valuation",
            CHOICE,
            "For goods: how their money value is known.",
            path="valuation",
            field="valuation",
            choices=_choices(Pledge.Valuation.choices),
        ),
        Column(
            "valuation_method",
            TEXT,
            "For an estimated value: how it was estimated.",
            path="valuation_method",
            field="valuation_method",
        ),
        *_date_columns(),
        Column(
            "package",
            INTEGER,
            "The id of the package this pledge is part of; empty otherwise.",
            path="package_id",
            field="package",
            refers=(Pledge, "id"),
        ),
        Column(
            "official",
            INTEGER,
            "The id of the official who announced or approved it (see the people table).",
            path="official_id",
            field="official",
            refers=(Person, "id"),
        ),
        Column(
            "counted_in_totals",
            BOOLEAN,
            "False for a package that has parts: totals count its parts instead (read-only).",
            path="export_counted_in_totals",
        ),
        Column("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

TRADE_FIGURES = Table(
    name="trade-figures",
    title="Trade figures",
    model=TradeFigure,
    description="One row per trade or investment figure, or trade relation stated without a figure, between two "
    "countries. Never added to aid.",
    citation_field="trade_figure",
    columns=(
        Column("id", ID, "The trade figure's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("reporter", "reporter", "reporting country"),
        *_actor_columns("partner", "partner", "partner country"),
        Column(
            "flow",
            CHOICE,
            "What the figure measures.",
            path="flow",
            field="flow",
            choices=_choices(TradeFigure.Flow.choices),
        ),
        Column(
            "year",
            INTEGER,
            "The calendar year the figure covers; empty when the source states no period.",
            path="year",
            field="year",
        ),
        Column(
            "year_inferred",
            BOOLEAN,
            "True when the year was inferred rather than stated.",
            path="year_inferred",
            field="year_inferred",
        ),
        *_money_columns(),
        Column(
            "rank",
            INTEGER,
            "The reporter's rank among the partner's partners (2 = second-largest).",
            path="rank",
            field="rank",
        ),
        Column(
            "rank_statement",
            TEXT,
            "The rank or relation as the source words it.",
            path="rank_statement",
            field="rank_statement",
        ),
        Column(
            "relationship",
            TEXT,
            "How the parties label their ties, if the source says.",
            path="relationship",
            field="relationship",
        ),
        Column("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

ACTORS = Table(
    name="actors",
    title="Actors",
    model=Actor,
    description="One row per party that gives, receives or trades: a country, a government body, a party organ or "
    "an international organisation.",
    self_reference=("parent_code", "code"),
    columns=(
        Column("id", ID, "The actor's id. Empty in an import file for a new actor.", path="id", field="id"),
        Column(
            "code",
            TEXT,
            "Short stable code: ISO 3166-1 alpha-3 for a country (CUB), the parent's code and an "
            "acronym for a body (CHN-CIDCA).",
            path="code",
            field="code",
        ),
        Column("name", TEXT, "The actor's name.", path="name", field="name"),
        Column("kind", CHOICE, "What sort of actor.", path="kind", field="kind", choices=_choices(Actor.Kind.choices)),
        Column("iso3", TEXT, "ISO 3166-1 alpha-3 code, countries only.", path="iso3", field="iso3"),
        Column("parent", TEXT, "The name of the country or body this one belongs to (read-only).", path="parent__name"),
        Column(
            "parent_code",
            TEXT,
            "The code of the country or body this one belongs to.",
            path="parent__code",
            field="parent",
            refers=(Actor, "code"),
        ),
        Column("description", TEXT, "Free text.", path="description", field="description"),
        _updated_at(),
    ),
)

SOURCES = Table(
    name="sources",
    title="Sources",
    model=Source,
    description="One row per published document the ledger reads figures from.",
    columns=(
        Column("id", ID, "The source's id, as cited in the sources column of the other tables.", path="id", field="id"),
        Column("publisher", TEXT, "Who published it.", path="publisher", field="publisher"),
        Column("byline", TEXT, "The author or desk, if given.", path="byline", field="byline"),
        Column("headline", TEXT, "The headline.", path="headline", field="headline"),
        Column("url", TEXT, "The address (URL); unique.", path="url", field="url"),
        Column("published_on", DATE, "The publication date.", path="published_on", field="published_on"),
        Column(
            "wire_agency",
            TEXT,
            "The news agency the source reports, if any (EFE).",
            path="wire_agency",
            field="wire_agency",
        ),
        Column("wire_date", DATE, "The date of the agency's report, if known.", path="wire_date", field="wire_date"),
        Column("language", TEXT, "ISO 639-1 code of this edition (en).", path="language", field="language"),
        Column(
            "original_language",
            TEXT,
            "If this edition is a translation, the original's language.",
            path="original_language",
            field="original_language",
        ),
        Column("notes", TEXT, "Free text.", path="notes", field="notes"),
        _updated_at(),
    ),
)

PEOPLE = Table(
    name="people",
    title="People",
    model=Person,
    description="One row per official the sources name.",
    columns=(
        Column("id", ID, "The person's id, as given in the official and person columns.", path="id", field="id"),
        Column("name", TEXT, "The person's name.", path="name", field="name"),
        Column("role", TEXT, "The role they held, as the source gives it.", path="role", field="role"),
        Column(
            "actor_code",
            TEXT,
            "The code of the actor they served.",
            path="actor__code",
            field="actor",
            refers=(Actor, "code"),
        ),
        _updated_at(),
    ),
)

STATEMENTS = Table(
    name="statements",
    title="Statements",
    model=Statement,
    description="One row per statement an actor made about another with no amount attached. Never counted as aid.",
    citation_field="statement",
    columns=(
        Column("id", ID, "The statement's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("speaker", "speaker", "speaking actor"),
        *_actor_columns("subject", "subject", "actor spoken about"),
        Column(
            "person",
            INTEGER,
            "The id of the person who spoke, if named (see the people table).",
            path="person_id",
            field="person",
            refers=(Person, "id"),
        ),
        Column(
            "kind",
            CHOICE,
            "What sort of statement.",
            path="kind",
            field="kind",
            choices=_choices(Statement.Kind.choices),
        ),
        Column("summary", TEXT, "What was said.", path="summary", field="summary"),
        *_date_columns(),
        *_citation_columns(),
        _updated_at(),
    ),
)

# In the order an import must follow: what a row names comes before it.
TABLES = (ACTORS, SOURCES, PEOPLE, PLEDGES, TRADE_FIGURES, STATEMENTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}


# Rows ----------------------------------------------------------------------------------------------


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


# Writers -------------------------------------------------------------------------------------------


def stream_csv(table, queryset, *, batch_size=BATCH_SIZE, on_batch=None, raw_dates=True):
    """The table as UTF-8 CSV, header first, in encoded chunks of one batch each.

    `raw_dates=False` is the slower path that parses dates in Python (kept to check and time the
    default against: bench/export_speed.py, tests/test_exports.py)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF rows, so a cell holding a lone CR or LF is quoted
    writer.writerow(table.header)
    for batch in iter_row_batches(table, queryset, batch_size=batch_size, raw_dates=raw_dates):
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        if on_batch:
            on_batch(len(batch))
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_csv(table, queryset, path, *, on_batch=None):
    with open(path, "wb") as out:
        for chunk in stream_csv(table, queryset, on_batch=on_batch):
            out.write(chunk)


def _json_value(column, value):
    if value is None:
        return "null"
    if column.type == DECIMAL:
        return value  # already the exact plain number: JSON numbers keep every digit
    if column.type in (ID, INTEGER):
        return str(value)
    if column.type == BOOLEAN:
        return "true" if value else "false"
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


def stream_json(table, queryset, *, batch_size=BATCH_SIZE):
    """A JSON array of objects, one per row; decimals are JSON numbers written digit for digit."""
    keys = [json.dumps(name) for name in table.header]
    columns = table.columns
    first = True
    yield b"["
    for batch in iter_row_batches(table, queryset, escape=False, batch_size=batch_size):
        parts = []
        for row in batch:
            body = ", ".join(f"{key}: {_json_value(column, value)}" for key, column, value in zip(keys, columns, row))
            parts.append(("\n" if first else ",\n") + "{" + body + "}")
            first = False
        yield "".join(parts).encode()
    yield b"\n]\n"


def xlsx_bytes(table, queryset):
    """The table as an Excel workbook (table pages only: it is built in memory, one sheet)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title)
    sheet.append(table.header)
    columns = table.columns
    for row in iter_rows(table, queryset, escape=False):
        cells = []
        for column, value in zip(columns, row):
            if column.type == DECIMAL and value is not None:
                value = Decimal(value)
            elif column.type == DATE and isinstance(value, str):
                value = date.fromisoformat(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a string cell is never run as a formula, whatever it starts with
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def export_response(table, queryset, export_format, *, day=None):
    """The download for a table page: `csv` and `json` stream, `xlsx` is built whole."""
    if export_format == "csv":
        response = StreamingHttpResponse(stream_csv(table, queryset), content_type=CONTENT_TYPES["csv"])
    elif export_format == "json":
        response = StreamingHttpResponse(stream_json(table, queryset), content_type=CONTENT_TYPES["json"])
    elif export_format == "xlsx":
        response = HttpResponse(xlsx_bytes(table, queryset), content_type=CONTENT_TYPES["xlsx"])
    else:
        raise ValueError(f"unknown export format {export_format!r}")
    response["Content-Disposition"] = f'attachment; filename="{table.filename(export_format, day)}"'
    return response


class ExportMixin:
    """For a table page: `?_export=csv|xlsx|json` downloads exactly the page's filtered, sorted rows
    (all of them, not one page). The view sets `export_table` and provides `get_export_queryset()`;
    when it has a filterset whose input is invalid, the download is refused with the reasons."""

    export_table = None
    export_formats = FORMATS
    export_parameter = "_export"

    def get_export_queryset(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get(self.export_parameter)
        if export_format in self.export_formats:
            queryset = self.get_export_queryset()
            filterset = getattr(self, "filterset", None)
            if filterset is not None and filterset.is_bound and not filterset.is_valid():
                return filters_refused(filterset)
            return export_response(self.export_table, queryset, export_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_links"] = export_links(self.request, self.export_formats, self.export_parameter)
        return context


def export_links(request, formats=FORMATS, parameter="_export"):
    """(format, URL) for each download of the current page's rows: its query, minus the page."""
    links = []
    for export_format in formats:
        query = request.GET.copy()
        query.pop("page", None)
        query[parameter] = export_format
        links.append((export_format, f"?{query.urlencode()}"))
    return links


def filters_refused(filterset):
    reasons = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
    return HttpResponse(
        f"Nothing was exported: the filters could not be applied ({reasons}).\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


# Overview totals --------------------------------------------------------------------------------

TOTALS_HEADER = [
    "section",
    "key",
    "label",
    "currency",
    "amount",
    "qualifier",
    "entries",
    "entries_in_total",
    "entries_without_usd",
    "quantity",
    "unit",
]
TOTALS_COLUMNS_DOC = {
    "section": "total (all pledges counted), by_donor, by_recipient, by_year, by_kind, goods, unconverted "
    "(money with no USD value, per currency: left out of the USD totals) or left_out (what no total "
    "includes, and why).",
    "key": "The group: an actor code, a year (empty: date not stated), a kind code, a commodity, a currency "
    "or a left_out reason code.",
    "label": "The group in words (actor name, kind label, or what was left out).",
    "currency": "The currency of amount: USD for the totals, the stated currency for unconverted.",
    "amount": "The sum, exact. Empty when no entry of the group has a value: unknown, never 0.",
    "qualifier": "How precise the sum is: exact only if every term is; otherwise at_least, up_to or approximately.",
    "entries": "How many entries the group holds (a package with parts counts through its parts).",
    "entries_in_total": "How many of them have a USD value and are in amount (goods: how many have a value).",
    "entries_without_usd": "How many of them are not in amount, having no USD value.",
    "quantity": "Goods only: the total quantity, exact.",
    "unit": "Goods only: the quantity's unit.",
}


def _total_cell(value):
    if value is None or (isinstance(value, float) and value != value):  # None or NaN: unknown
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_text(value)
    return str(value)


def totals_rows(totals):
    """The overview's totals (ledger/selectors.py's OverviewTotals) as rows of TOTALS_HEADER."""

    def money(row):
        return [
            row.get("currency", "USD"),
            row.get("amount"),
            row.get("qualifier", ""),
            row.get("entries"),
            row.get("entries_in_total"),
            row.get("entries_without_usd"),
        ]

    rows = [["total", "", "All pledges counted in totals", *money(totals.grand_total), None, ""]]
    for section, frame, key, label in (
        ("by_donor", totals.by_donor, "actor_code", "actor_name"),
        ("by_recipient", totals.by_recipient, "actor_code", "actor_name"),
        ("by_year", totals.by_year, "year", None),
        ("by_kind", totals.by_kind, "kind", "kind_label"),
    ):
        for row in frame.to_dict("records"):
            year_label = "date not stated" if section == "by_year" and row[key] is None else ""
            rows.append([section, row[key], row[label] if label else year_label, *money(row), None, ""])
    for row in totals.goods.to_dict("records"):
        rows.append(
            [
                "goods",
                row["commodity"],
                "",
                "",
                None,
                "",
                row["entries"],
                row["entries_with_usd_value"],
                row["entries"] - row["entries_with_usd_value"],
                row["quantity"],
                row["unit"],
            ]
        )
    for row in totals.unconverted.to_dict("records"):
        rows.append(
            [
                "unconverted",
                row["currency"],
                "money with no USD value, left out of the USD totals",
                row["currency"],
                row["amount"],
                "",
                row["entries"],
                None,
                None,
                None,
                "",
            ]
        )
    for row in totals.left_out.to_dict("records"):
        rows.append(["left_out", row["reason"], row["detail"], "", None, "", row["entries"], None, None, None, ""])
    return [[_total_cell(value) for value in row] for row in rows]


def totals_csv_response(totals, *, day=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TOTALS_HEADER)
    writer.writerows(totals_rows(totals))
    response = HttpResponse(buffer.getvalue().encode(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="overview-totals-{(day or date.today()).isoformat()}.csv"'
    return response
