"""The ledger as a Frictionless Data Package (https://datapackage.org): `datapackage.json` describes
every exported table (ledger/exports/columns.py) as a tabular resource with each field's type, format,
description, constraints and the keys between the tables, so `frictionless validate` checks a folder
of exports, or the live site, with no hand-written parser.

Citations hold a list of source ids in one cell (`sources`: "3; 5"), which a Table Schema foreign key
cannot check. So the package adds a `citations` resource, one row per citation with its source and its
entry, whose foreign keys tie every citation to a source and to its pledge, trade figure or statement.
`export_ledger` writes it to links/citations.csv, outside the folder's top level that import_ledger
reads (it is derived from the tables, not a table an editor imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import Model, QuerySet

from ledger.exports.codec import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    DECIMAL,
    ID,
    INTEGER,
    LIST,
    TEXT,
    ExportColumn,
    ExportTable,
)
from ledger.exports.columns import TABLES
from ledger.exports.writers import write_csv
from ledger.models import Citation, Pledge, Source, Statement, TradeFigure

PROFILE = "tabular-data-package"
PACKAGE_NAME = "aid-ledger"
CITATIONS_PATH = "links/citations.csv"

# Codec type -> (Table Schema type, format). Decimals are exact plain numbers; dates ISO 8601.
FIELD_TYPES = {
    ID: ("integer", "default"),
    TEXT: ("string", "default"),
    CHOICE: ("string", "default"),
    DECIMAL: ("number", "default"),
    INTEGER: ("integer", "default"),
    BOOLEAN: ("boolean", "default"),
    DATE: ("date", "default"),
    DATETIME: ("datetime", "default"),
    LIST: ("string", "default"),
}
# Format and constraints that the codec type alone does not give, by column name.
FORMATS = {"url": "uri"}
PATTERNS = {
    "sources": r"\d+(; \d+)*",
    "iso3": r"[A-Z]{3}",
}
MINIMUMS = {"amount": 0, "amount_usd": 0, "usd_rate": 0, "quantity": 0, "paragraph": 1}
UNIQUE = {("actors", "code"), ("sources", "url")}

CITATIONS = ExportTable(
    name="citations",
    title="Citations",
    model=Citation,
    description="One row per citation: the source an entry cites and the entry it supports. The same "
    "citations as the sources, paragraphs and excerpts columns of the entry tables, one per row.",
    columns=(
        ExportColumn("id", ID, "The citation's id.", path="id"),
        ExportColumn(
            "source_id", ID, "The id of the source cited (see the sources table).", path="source_id", field="source"
        ),
        ExportColumn("pledge_id", ID, "The pledge it supports; empty otherwise.", path="pledge_id", field="pledge"),
        ExportColumn(
            "trade_figure_id",
            ID,
            "The trade figure it supports; empty otherwise.",
            path="trade_figure_id",
            field="trade_figure",
        ),
        ExportColumn(
            "statement_id", ID, "The statement it supports; empty otherwise.", path="statement_id", field="statement"
        ),
        ExportColumn(
            "paragraph",
            INTEGER,
            "The paragraph of the source it quotes (1 = headline); empty when not known.",
            path="paragraph",
            field="paragraph",
        ),
        ExportColumn("excerpt", TEXT, "The source's words, verbatim.", path="excerpt", field="excerpt"),
    ),
)
CITATION_KEYS = {"source_id": (Source, "id"), "pledge_id": (Pledge, "id"), "trade_figure_id": (TradeFigure, "id")}
CITATION_KEYS["statement_id"] = (Statement, "id")


def _table_of(model: type[Model]) -> ExportTable:
    return next(table for table in TABLES if table.model is model)


def _required(table: ExportTable, column: ExportColumn) -> bool:
    if column.name == "id" or column.name == "sources":
        return True  # every row has its id; every figure cites at least one source
    if column.field is None or column.type == BOOLEAN:
        return False
    try:
        field = table.model._meta.get_field(column.field)
    except Exception:  # a column naming no model field (none today)
        return False
    return not (field.null or field.blank)


def field_descriptor(table: ExportTable, column: ExportColumn) -> dict[str, Any]:
    """One column as a Table Schema field."""
    field_type, field_format = FIELD_TYPES[column.type]
    descriptor: dict[str, Any] = {
        "name": column.name,
        "type": field_type,
        "format": FORMATS.get(column.name, field_format),
        "description": column.description,
    }
    if column.type == BOOLEAN:
        descriptor.update(trueValues=["True"], falseValues=["False"])
    constraints: dict[str, Any] = {}
    if _required(table, column):
        constraints["required"] = True
    if column.choices:
        constraints["enum"] = [choice for choice in column.choices if choice]
    if column.name in PATTERNS:
        constraints["pattern"] = PATTERNS[column.name]
    if column.name in MINIMUMS and field_type in ("number", "integer"):
        constraints["minimum"] = MINIMUMS[column.name]
    if (table.name, column.name) in UNIQUE:
        constraints["unique"] = True
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _foreign_keys(table: ExportTable) -> list[dict[str, Any]]:
    keys = []
    refers = {column.name: column.refers for column in table.columns if column.refers}
    if table is CITATIONS:
        refers = CITATION_KEYS
    for name, (model, lookup) in refers.items():
        target = _table_of(model)
        keys.append(
            {
                "fields": [name],
                "reference": {"resource": "" if target is table else target.name, "fields": [lookup]},
            }
        )
    return keys


def resource_descriptor(table: ExportTable, path: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [field_descriptor(table, column) for column in table.columns],
        "missingValues": [""],
        "primaryKey": ["id"],
    }
    foreign_keys = _foreign_keys(table)
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
        "schema": schema,
    }


def package_tables() -> list[ExportTable]:
    """The tables the package describes: every exported table, then the citations that link them."""
    return [*TABLES, CITATIONS]


def descriptor(paths: dict[str, str] | None = None) -> dict[str, Any]:
    """The datapackage.json content. `paths` maps a table name to where its CSV is (a URL for the site);
    by default the files export_ledger writes, relative to the descriptor."""
    paths = paths or {}
    return {
        "profile": PROFILE,
        "name": PACKAGE_NAME,
        "title": "Aid Ledger",
        "description": "Foreign aid pledges, trade figures and statements, each citing the verbatim excerpt of "
        "the source it was read from. Amounts are in their own currency with a USD value from the ECB reference "
        "rates (the rate, its date, source and basis on every row). Unknown values are empty, never 0. "
        "Column meanings: /data-dictionary/.",
        "resources": [
            resource_descriptor(table, paths.get(table.name, default_path(table))) for table in package_tables()
        ],
    }


def default_path(table: ExportTable) -> str:
    return CITATIONS_PATH if table is CITATIONS else f"{table.name}.csv"


def citations_queryset() -> QuerySet:
    return Citation.objects.all()


def write_citations(folder: Path) -> Path:
    path = folder / CITATIONS_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(CITATIONS, citations_queryset(), path)
    return path
