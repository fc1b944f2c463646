"""The file writers: CSV and JSON stream from the row source batch by batch; xlsx is built in memory.

Values are written for machines: numbers plain and exact, dates ISO 8601, unknown values empty in
CSV (never 0) and null in JSON, text UTF-8. CSV escapes text a spreadsheet would run as a formula
(see columns.py); JSON and xlsx carry the text unchanged, xlsx typing every text cell as a string."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet

from ledger.exports.codec import BOOLEAN, DATE, DECIMAL, ID, INTEGER, ExportColumn, ExportTable
from ledger.exports.rows import BATCH_SIZE, iter_row_batches, iter_rows

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def stream_csv(
    table: ExportTable,
    queryset: QuerySet,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], object] | None = None,
    raw_dates: bool = True,
) -> Iterator[bytes]:
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


def write_csv(
    table: ExportTable, queryset: QuerySet, path: Path | str, *, on_batch: Callable[[int], object] | None = None
) -> None:
    with open(path, "wb") as out:
        for chunk in stream_csv(table, queryset, on_batch=on_batch):
            out.write(chunk)


def _json_value(column: ExportColumn, value) -> str:
    if value is None:
        return "null"
    if column.type == DECIMAL:
        return value  # already the exact plain number: JSON numbers keep every digit
    if column.type in (ID, INTEGER):
        return str(value)
    if column.type == BOOLEAN:
        return "true" if value else "false"
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


def stream_json(table: ExportTable, queryset: QuerySet, *, batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
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


def xlsx_bytes(table: ExportTable, queryset: QuerySet) -> bytes:
    """The table as an Excel workbook, one sheet, written in openpyxl's write-only (streaming) mode:
    the header frozen and filterable, numbers as numbers (exact Decimals), dates as dates, text as
    text (a cell starting with "=" stays a string, never a formula). 100,000 rows take seconds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title)
    sheet.freeze_panes = "A2"  # must precede the first row in write-only mode
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    columns = table.columns
    decimals = [i for i, c in enumerate(columns) if c.type == DECIMAL]
    dates = [i for i, c in enumerate(columns) if c.type == DATE]
    texts = [i for i, c in enumerate(columns) if c.type not in (DECIMAL, DATE, ID, INTEGER, BOOLEAN)]
    rows = 1
    for row in iter_rows(table, queryset, escape=False):
        values = list(row)
        for i in decimals:
            if values[i] is not None:
                values[i] = Decimal(values[i])
        for i in dates:
            if isinstance(values[i], str):
                values[i] = date.fromisoformat(values[i])
        for i in texts:
            value = values[i]
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # a string cell is never run as a formula
                values[i] = cell
        sheet.append(values)
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{rows}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
