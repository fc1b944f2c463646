"""The ledger's tables as files.

- columns.py: the column specs (the six tables); codec.py: `ExportTable`, `ExportColumn` and the one cell
  codec that the writers and the importer share;
- rows.py: the row source, streaming a queryset's rows in batches with their citations;
- writers.py: CSV and JSON (streamed) and xlsx;
- totals.py: the overview's totals CSV.

The download for a table page (`?_export=`) is ledger/views/exporting.py. The names below are the
package's public surface, so callers write `exports.PLEDGES` or `exports.stream_csv`."""

from ledger.exports.codec import (
    FORMULA_TRIGGERS,
    LIST_SEPARATOR,
    TEXT_LIST_SEPARATOR,
    TYPE_DESCRIPTIONS,
    ExportColumn,
    ExportTable,
    escape_text,
    unescape_text,
)
from ledger.exports.columns import ACTORS, PEOPLE, PLEDGES, SOURCES, STATEMENTS, TABLES, TABLES_BY_NAME, TRADE_FIGURES
from ledger.exports.rows import BATCH_SIZE, iter_row_batches, iter_rows
from ledger.exports.totals import TOTALS_COLUMNS_DOC, TOTALS_HEADER, totals_csv_response, totals_rows
from ledger.exports.writers import CONTENT_TYPES, FORMATS, stream_csv, stream_json, write_csv, xlsx_bytes

__all__ = [
    "ACTORS",
    "BATCH_SIZE",
    "CONTENT_TYPES",
    "FORMATS",
    "FORMULA_TRIGGERS",
    "LIST_SEPARATOR",
    "PEOPLE",
    "PLEDGES",
    "SOURCES",
    "STATEMENTS",
    "TABLES",
    "TABLES_BY_NAME",
    "TEXT_LIST_SEPARATOR",
    "TOTALS_COLUMNS_DOC",
    "TOTALS_HEADER",
    "TRADE_FIGURES",
    "TYPE_DESCRIPTIONS",
    "ExportColumn",
    "ExportTable",
    "escape_text",
    "iter_row_batches",
    "iter_rows",
    "stream_csv",
    "stream_json",
    "totals_csv_response",
    "totals_rows",
    "unescape_text",
    "write_csv",
    "xlsx_bytes",
]
