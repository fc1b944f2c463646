"""The one codec that exports write and imports read, and the classes that describe an exported table.

An `ExportTable` lists its `ExportColumn`s: the name in the file, the type, what the column means,
where its value comes from (`path`, for `values_list`) and which model field an import writes
(`field`; None for a read-only column). The six tables themselves are declared in columns.py.

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
PERIOD_PATTERN = re.compile(r"(\d{4})(?:-(\d{2}))?")  # "2026" or "2026-03": a year or a month
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


def decode_period(column: "ExportColumn", raw: str) -> tuple[date | None, str]:
    """A date column whose entries have a precision (pledges, statements): the day (2026-02-05),
    the month (2026-03) or the year (2026), as the first day of the period and its precision
    ("day", "month", "year"); ("", None) when empty. ValueError with the reason otherwise."""
    if raw == "":
        return None, ""
    found = PERIOD_PATTERN.fullmatch(raw)
    if found is None:
        return decode_cell(column, raw), "day"
    year, month = int(found.group(1)), found.group(2)
    try:
        return (date(year, int(month), 1), "month") if month else (date(year, 1, 1), "year")
    except ValueError:
        raise ValueError(
            f"malformed date '{raw}': write a day as YYYY-MM-DD (2026-02-05), a month as YYYY-MM (2026-03) "
            "or a year as YYYY (2026)"
        ) from None


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
