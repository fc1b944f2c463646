"""The exported tables' column specs, and the one codec that writes and reads their cells.

An `ExportTable` lists its `ExportColumn`s: the name in the file, the type, what the column means,
where its value comes from (`path`, for `values_list`) and which model field an import writes
(`field`; None for a read-only column). The row source (rows.py), the writers, the importer
(ledger/imports/), the data dictionary and the admin's resources all read these specs, so the
columns an analyst downloads are the columns an editor can bring back in.

The codec is the two directions of a cell, one definition each:
- written for machines (`escape_text`, `decimal_cell`, `datetime_cell`): numbers plain and exact
  to the Decimal, dates ISO 8601, unknown values empty (never 0), and a text cell that a
  spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) gets a
  leading apostrophe;
- read back by `decode_cell`, which accepts what the writers write and says in plain words why it
  refuses anything else; `unescape_text` takes the apostrophe off again, so the round trip is exact."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from ledger.models import (
    CURRENCY_CODES,
    Actor,
    AmountQualifier,
    DatePrecision,
    DateQualifier,
    Person,
    Pledge,
    Source,
    Statement,
    TradeFigure,
    counted_in_totals_condition,
)

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

# The codec --------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE_CANDIDATES = frozenset(FORMULA_TRIGGERS + ("'",))
LIST_SEPARATOR = "; "  # between source ids and between paragraph numbers
TEXT_LIST_SEPARATOR = "\n"  # between excerpts and between citation notes: one per line

DECIMAL_PATTERN = re.compile(r"-?\d+(\.\d+)?")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}


def escape_text(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula, by a leading apostrophe.

    Text that already starts with apostrophes before a trigger gets one more, so that
    `unescape_text` can always tell an added apostrophe from one that was there."""
    if value and value[0] in ESCAPE_CANDIDATES and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    """Undo `escape_text`: drop the one apostrophe it added before a formula trigger."""
    if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def decimal_format(places: int) -> str:
    """The format spec of a number written plain to the field's decimal places (0.0000000685, never
    6.85E-8). It takes the database's own value: a Decimal on PostgreSQL, the stored int or float on
    SQLite (formatted directly, it keeps every stored digit)."""
    return f".{places}f"


def decimal_cell(value: Decimal | float | int, places: int) -> str:
    return format(value, decimal_format(places))


STORED_BOOLEANS = {True: True, False: False}  # a boolean as stored: SQLite's 1 and 0 map too (1 == True)


def datetime_cell(value: datetime | str) -> str:
    """A UTC date and time as ISO 8601 with +00:00; SQLite's stored text (naive UTC) reads the same."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    return value.isoformat() if value.tzinfo else value.isoformat() + "+00:00"


def decode_cell(column: "ExportColumn", raw: str):
    """The value a cell of `column` holds for the model, or ValueError with the reason in plain words.

    Reference columns (a code or an id naming another entry) are resolved by the importer, which
    looks them up; citation (list) columns are read together, by the importer too."""
    if column.type == ID:
        if raw == "":
            return None
        if not raw.isdigit():
            raise ValueError(f"malformed id '{raw}': an id is a whole number, or empty for a new entry")
        return int(raw)
    if column.type == TEXT:
        return unescape_text(raw)
    if column.type == CHOICE:
        if raw in column.choices:
            return raw
        if column.name == "currency":
            raise ValueError(f"unknown currency '{raw}': use an ISO 4217 code such as USD, EUR or CNY")
        allowed = ", ".join(choice for choice in column.choices if choice)
        empty = " or leave it empty" if "" in column.choices else ""
        raise ValueError(f"unknown {column.name} '{raw}': use one of {allowed}{empty}")
    if column.type == DECIMAL:
        if raw == "":
            return None
        if not DECIMAL_PATTERN.fullmatch(raw):
            raise ValueError(
                f"malformed number '{raw}': write digits with a dot for decimals and no thousands separators "
                "(1234567.89), or leave it empty when unknown"
            )
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover (the pattern already refused it)
            raise ValueError(f"malformed number '{raw}'") from None
    if column.type == INTEGER:
        if raw == "":
            return None
        if not raw.isdigit():
            raise ValueError(f"malformed whole number '{raw}'")
        return int(raw)
    if column.type == BOOLEAN:
        if raw.lower() not in BOOLEANS:
            raise ValueError(f"malformed {column.name} '{raw}': write True or False")
        return BOOLEANS[raw.lower()]
    if column.type == DATE:
        if raw == "":
            return None
        try:
            if not DATE_PATTERN.fullmatch(raw):
                raise ValueError
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"malformed date '{raw}': write it as YYYY-MM-DD (2026-02-05)") from None
    if column.type == DATETIME:
        if raw == "":
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(
                f"malformed date and time '{raw}': write it as ISO 8601 (2026-02-05T12:00:00+00:00)"
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise AssertionError(column.type)  # pragma: no cover


def split_list(raw: str, separator: str = LIST_SEPARATOR) -> list[str]:
    """The items of a list cell (`sources`, `paragraphs`): '3; 5' is ['3', '5']."""
    return [item.strip() for item in raw.split(separator.strip() or separator)]


# The specs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    name: str
    type: str
    description: str
    path: str | None = None  # what values_list selects; None for citation columns
    field: str | None = None  # the model field an import writes; None: read-only (derived) column
    refers: tuple | None = None  # (model, lookup field) for a column that names another entry
    choices: tuple = ()

    @property
    def importable(self) -> bool:
        return self.field is not None


@dataclass(frozen=True)
class ExportTable:
    name: str  # used in URLs and file names: pledges-2026-11-27.csv
    title: str
    model: type
    description: str
    columns: tuple
    citation_field: str | None = None  # Citation's foreign key to this table's entries
    annotations: dict[str, Callable] = field(default_factory=dict)  # path -> callable returning an expression
    self_reference: tuple | None = None  # (column, key column): rows naming another row of the file

    def __post_init__(self):
        positions = [i for i, column in enumerate(self.columns) if column.type == LIST]
        if positions and positions != list(range(positions[0], positions[-1] + 1)):
            raise ValueError(f"{self.name}: the citation columns must be side by side")

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def query_columns(self) -> list[ExportColumn]:
        return [column for column in self.columns if column.path]

    @property
    def citation_position(self) -> int | None:
        """Where the citation columns start in a row (they are side by side), or None without them."""
        return next((i for i, column in enumerate(self.columns) if column.type == LIST), None)

    def column(self, name: str) -> ExportColumn:
        return next(column for column in self.columns if column.name == name)

    def filename(self, extension: str, day: date | None = None) -> str:
        return f"{self.name}-{(day or date.today()).isoformat()}.{extension}"


def _choices(choices, blank=False):
    values = tuple(value for value, _label in choices)
    return values if not blank or "" in values else ("",) + values


def _money_columns():
    return (
        ExportColumn(
            "amount",
            DECIMAL,
            "The amount in its own currency, as the source states it. Empty when the source "
            "gives no figure (never 0 for unknown).",
            path="amount",
            field="amount",
        ),
        ExportColumn(
            "currency",
            CHOICE,
            "ISO 4217 code of the amount (USD, EUR, CNY). Empty without an amount.",
            path="currency",
            field="currency",
            choices=("", *CURRENCY_CODES),
        ),
        ExportColumn(
            "amount_qualifier",
            CHOICE,
            "How precisely the source states the amount.",
            path="amount_qualifier",
            field="amount_qualifier",
            choices=_choices(AmountQualifier.choices, blank=True),
        ),
        ExportColumn(
            "amount_usd",
            DECIMAL,
            "The amount in US dollars: the amount itself for USD, otherwise converted at "
            "usd_rate. Empty when not known.",
            path="amount_usd",
            field="amount_usd",
        ),
        ExportColumn(
            "usd_rate",
            DECIMAL,
            "US dollars per unit of the currency used for amount_usd.",
            path="usd_rate",
            field="usd_rate",
        ),
        ExportColumn("usd_rate_date", DATE, "The date of that rate.", path="usd_rate_date", field="usd_rate_date"),
        ExportColumn(
            "usd_rate_source", TEXT, "Where the rate comes from.", path="usd_rate_source", field="usd_rate_source"
        ),
    )


def _citation_columns():
    return (
        ExportColumn(
            "sources",
            LIST,
            "The ids of the sources cited (see the sources table), separated by '; '. Every figure cites at least one.",
            field="citations",
        ),
        ExportColumn(
            "paragraphs",
            LIST,
            "For each citation, the paragraph of the source it quotes (1 = headline), "
            "separated by '; '; empty when not known.",
            field="citations",
        ),
        ExportColumn(
            "excerpts",
            LIST,
            "For each citation, the source's words verbatim, one citation per line (an "
            "entry with a single citation may quote several lines).",
            field="citations",
        ),
        ExportColumn(
            "citation_notes",
            LIST,
            "For each citation, what it adds (may be empty), one citation per line.",
            field="citations",
        ),
    )


def _updated_at():
    return ExportColumn(
        "updated_at",
        DATETIME,
        "When the entry was last changed. An import keeps it for the entries it "
        "creates (a restore) and ignores it otherwise.",
        path="updated_at",
        field="updated_at",
    )


def _actor_columns(role, path, label):
    return (
        ExportColumn(role, TEXT, f"The {label}'s name (read-only; the code decides).", path=f"{path}__name"),
        ExportColumn(
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
        ExportColumn(
            "date",
            DATE,
            "First day of the period the source gives: 2026-01-01 for 'January 2026'. Empty when "
            "the source gives no date.",
            path="date",
            field="date",
        ),
        ExportColumn(
            "date_precision",
            CHOICE,
            "How precise the date is.",
            path="date_precision",
            field="date_precision",
            choices=_choices(DatePrecision.choices, blank=True),
        ),
        ExportColumn(
            "date_qualifier",
            CHOICE,
            "early, mid or end of the month or year; empty otherwise.",
            path="date_qualifier",
            field="date_qualifier",
            choices=_choices(DateQualifier.choices),
        ),
        ExportColumn(
            "year_inferred",
            BOOLEAN,
            "True when the source does not state the year and it was inferred.",
            path="year_inferred",
            field="year_inferred",
        ),
    )


PLEDGES = ExportTable(
    name="pledges",
    title="Pledges",
    model=Pledge,
    description="One row per pledge of aid, in money or in kind. A package with parts is counted through its "
    "parts (counted_in_totals).",
    citation_field="pledge",
    annotations={"counted_in_totals": counted_in_totals_condition},
    self_reference=("package", "id"),
    columns=(
        ExportColumn("id", ID, "The pledge's id. Empty in an import file for a new pledge.", path="id", field="id"),
        *_actor_columns("donor", "donor", "donor"),
        *_actor_columns("recipient", "recipient", "recipient"),
        ExportColumn(
            "kind", CHOICE, "What is pledged.", path="kind", field="kind", choices=_choices(Pledge.Kind.choices)
        ),
        ExportColumn(
            "status",
            CHOICE,
            "How far the pledge has gone.",
            path="status",
            field="status",
            choices=_choices(Pledge.Status.choices),
        ),
        *_money_columns(),
        ExportColumn(
            "quantity", DECIMAL, "For goods: how much, in unit. Empty otherwise.", path="quantity", field="quantity"
        ),
        ExportColumn(
            "unit", CHOICE, "The quantity's unit.", path="unit", field="unit", choices=_choices(Pledge.Unit.choices)
        ),
        ExportColumn("commodity", TEXT, "What the goods are (rice).", path="commodity", field="commodity"),
        ExportColumn(
            "valuation",
            CHOICE,
            "For goods: how their money value is known.",
            path="valuation",
            field="valuation",
            choices=_choices(Pledge.Valuation.choices),
        ),
        ExportColumn(
            "valuation_method",
            TEXT,
            "For an estimated value: how it was estimated.",
            path="valuation_method",
            field="valuation_method",
        ),
        *_date_columns(),
        ExportColumn(
            "package",
            INTEGER,
            "The id of the package this pledge is part of; empty otherwise.",
            path="package_id",
            field="package",
            refers=(Pledge, "id"),
        ),
        ExportColumn(
            "official",
            INTEGER,
            "The id of the official who announced or approved it (see the people table).",
            path="official_id",
            field="official",
            refers=(Person, "id"),
        ),
        ExportColumn(
            "counted_in_totals",
            BOOLEAN,
            "False for a package that has parts: totals count its parts instead (read-only).",
            path="counted_in_totals",
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

TRADE_FIGURES = ExportTable(
    name="trade-figures",
    title="Trade figures",
    model=TradeFigure,
    description="One row per trade or investment figure, or trade relation stated without a figure, between two "
    "countries. Never added to aid.",
    citation_field="trade_figure",
    columns=(
        ExportColumn("id", ID, "The trade figure's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("reporter", "reporter", "reporting country"),
        *_actor_columns("partner", "partner", "partner country"),
        ExportColumn(
            "flow",
            CHOICE,
            "What the figure measures.",
            path="flow",
            field="flow",
            choices=_choices(TradeFigure.Flow.choices),
        ),
        ExportColumn(
            "year",
            INTEGER,
            "The calendar year the figure covers; empty when the source states no period.",
            path="year",
            field="year",
        ),
        ExportColumn(
            "year_inferred",
            BOOLEAN,
            "True when the year was inferred rather than stated.",
            path="year_inferred",
            field="year_inferred",
        ),
        *_money_columns(),
        ExportColumn(
            "rank",
            INTEGER,
            "The reporter's rank among the partner's partners (2 = second-largest).",
            path="rank",
            field="rank",
        ),
        ExportColumn(
            "rank_statement",
            TEXT,
            "The rank or relation as the source words it.",
            path="rank_statement",
            field="rank_statement",
        ),
        ExportColumn(
            "relationship",
            TEXT,
            "How the parties label their ties, if the source says.",
            path="relationship",
            field="relationship",
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

ACTORS = ExportTable(
    name="actors",
    title="Actors",
    model=Actor,
    description="One row per party that gives, receives or trades: a country, a government body, a party organ or "
    "an international organisation.",
    self_reference=("parent_code", "code"),
    columns=(
        ExportColumn("id", ID, "The actor's id. Empty in an import file for a new actor.", path="id", field="id"),
        ExportColumn(
            "code",
            TEXT,
            "Short stable code: ISO 3166-1 alpha-3 for a country (CUB), the parent's code and an "
            "acronym for a body (CHN-CIDCA).",
            path="code",
            field="code",
        ),
        ExportColumn("name", TEXT, "The actor's name.", path="name", field="name"),
        ExportColumn(
            "kind", CHOICE, "What sort of actor.", path="kind", field="kind", choices=_choices(Actor.Kind.choices)
        ),
        ExportColumn("iso3", TEXT, "ISO 3166-1 alpha-3 code, countries only.", path="iso3", field="iso3"),
        ExportColumn(
            "parent", TEXT, "The name of the country or body this one belongs to (read-only).", path="parent__name"
        ),
        ExportColumn(
            "parent_code",
            TEXT,
            "The code of the country or body this one belongs to.",
            path="parent__code",
            field="parent",
            refers=(Actor, "code"),
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        _updated_at(),
    ),
)

SOURCES = ExportTable(
    name="sources",
    title="Sources",
    model=Source,
    description="One row per published document the ledger reads figures from.",
    columns=(
        ExportColumn(
            "id", ID, "The source's id, as cited in the sources column of the other tables.", path="id", field="id"
        ),
        ExportColumn("publisher", TEXT, "Who published it.", path="publisher", field="publisher"),
        ExportColumn("byline", TEXT, "The author or desk, if given.", path="byline", field="byline"),
        ExportColumn("headline", TEXT, "The headline.", path="headline", field="headline"),
        ExportColumn("url", TEXT, "The address (URL); unique.", path="url", field="url"),
        ExportColumn("published_on", DATE, "The publication date.", path="published_on", field="published_on"),
        ExportColumn(
            "wire_agency",
            TEXT,
            "The news agency the source reports, if any (EFE).",
            path="wire_agency",
            field="wire_agency",
        ),
        ExportColumn(
            "wire_date", DATE, "The date of the agency's report, if known.", path="wire_date", field="wire_date"
        ),
        ExportColumn("language", TEXT, "ISO 639-1 code of this edition (en).", path="language", field="language"),
        ExportColumn(
            "original_language",
            TEXT,
            "If this edition is a translation, the original's language.",
            path="original_language",
            field="original_language",
        ),
        ExportColumn("notes", TEXT, "Free text.", path="notes", field="notes"),
        _updated_at(),
    ),
)

PEOPLE = ExportTable(
    name="people",
    title="People",
    model=Person,
    description="One row per official the sources name.",
    columns=(
        ExportColumn("id", ID, "The person's id, as given in the official and person columns.", path="id", field="id"),
        ExportColumn("name", TEXT, "The person's name.", path="name", field="name"),
        ExportColumn("role", TEXT, "The role they held, as the source gives it.", path="role", field="role"),
        ExportColumn(
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

STATEMENTS = ExportTable(
    name="statements",
    title="Statements",
    model=Statement,
    description="One row per statement an actor made about another with no amount attached. Never counted as aid.",
    citation_field="statement",
    columns=(
        ExportColumn("id", ID, "The statement's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("speaker", "speaker", "speaking actor"),
        *_actor_columns("subject", "subject", "actor spoken about"),
        ExportColumn(
            "person",
            INTEGER,
            "The id of the person who spoke, if named (see the people table).",
            path="person_id",
            field="person",
            refers=(Person, "id"),
        ),
        ExportColumn(
            "kind",
            CHOICE,
            "What sort of statement.",
            path="kind",
            field="kind",
            choices=_choices(Statement.Kind.choices),
        ),
        ExportColumn("summary", TEXT, "What was said.", path="summary", field="summary"),
        *_date_columns(),
        *_citation_columns(),
        _updated_at(),
    ),
)

# In the order an import must follow: what a row names comes before it.
TABLES = (ACTORS, SOURCES, PEOPLE, PLEDGES, TRADE_FIGURES, STATEMENTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}
