"""Reading an import: files into rows, and each row's cells into the values a service takes.

The table a file holds is told by its name or its columns (`detect_table`). Each cell is read by
the column specs' codec (ledger/exports/columns.py: `decode_cell`); a column that names another
entry (a code, an id) is looked up here. A bad cell becomes a `Problem` with the line, the column
and the reason in plain words. Rows that name another row of the same file (a part its package, a
body its parent) are put after it (`dependency_order`). Writing the rows is applying.py."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ledger.exports.codec import (
    DATETIME,
    ID,
    INTEGER,
    LIST,
    TEXT_LIST_SEPARATOR,
    ExportColumn,
    ExportTable,
    decode_cell,
    decode_period,
    split_list,
    unescape_text,
)
from ledger.exports.columns import TABLES, TABLES_BY_NAME
from ledger.imports.limits import LARGEST_ID, WHOLE_NUMBER, whole_number, zero_problem
from ledger.models import Source

# The columns that tell one table's file from another's when the file name does not.
SIGNATURES = {
    "pledges": {"donor_code", "recipient_code"},
    "trade-figures": {"reporter_code", "partner_code"},
    "statements": {"speaker_code", "subject_code"},
    "people": {"role", "actor_code"},
    "actors": {"code", "kind"},
    "sources": {"url", "headline"},
}


@dataclass
class Problem:
    line: int
    column: str
    message: str
    value: str = ""  # the cell as the file has it, shown beside the reason

    def __str__(self):
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class RowError(Exception):
    def __init__(self, problems):
        self.problems = problems


def detect_table(header: list[str], name: str = "") -> ExportTable | None:
    """The table a file holds: by its name (pledges-2026-11-27.csv), else by its columns."""
    stem = Path(name).name.lower()
    for table in sorted(TABLES, key=lambda t: -len(t.name)):
        if stem.startswith(table.name):
            return table
    for table_name, signature in SIGNATURES.items():
        if signature <= set(header):
            return TABLES_BY_NAME[table_name]
    return None


def read_csv(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each record, the line being where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


class Lookups:
    """Resolves codes and ids to primary keys, remembering what it found (not what it missed:
    an earlier row of the same import may create it)."""

    def __init__(self):
        self.found = {}

    def pk(self, model: type, lookup: str, value) -> int | None:
        key = (model, lookup, value)
        if key not in self.found:
            pk = model.objects.filter(**{lookup: value}).values_list("pk", flat=True).first()
            if pk is None:
                return None
            self.found[key] = pk
        return self.found[key]

    def prefetch(self, model: type, lookup: str, values) -> None:
        """Look up many values at once (500 a query), remembering those found: the rows of a batch
        then resolve their codes and ids without a query each."""
        wanted = sorted({value for value in values if (model, lookup, value) not in self.found})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for value, pk in model.objects.filter(**{f"{lookup}__in": chunk}).values_list(lookup, "pk"):
                self.found[(model, lookup, value)] = pk

    def prefetch_rows(self, table: ExportTable, header: list[str], records: list) -> None:
        """Prefetch every code and id the cells of `records` name (whatever is malformed is left to
        parse_cell, which reports it)."""
        wanted: dict[tuple, set] = {}
        for index, name in enumerate(header):
            column = table.column(name) if name in table.header else None
            if column is not None and column.refers and column.importable:
                model, lookup = column.refers
                cells = (cells[index] for _, cells in records if len(cells) == len(header))
                if lookup == "id":
                    values = {int(raw) for raw in cells if WHOLE_NUMBER.fullmatch(raw) and int(raw) <= LARGEST_ID}
                else:
                    values = {raw for raw in cells if raw != ""}
                wanted.setdefault((model, lookup), set()).update(values)
            elif name == "sources" and table.citation_field:
                wanted.setdefault((Source, "id"), set()).update(
                    int(item)
                    for _, cells in records
                    if len(cells) == len(header)
                    for item in split_list(cells[index])
                    if WHOLE_NUMBER.fullmatch(item) and int(item) <= LARGEST_ID
                )
        for (model, lookup), values in wanted.items():
            self.prefetch(model, lookup, values)


def _reference_label(column: ExportColumn) -> str:
    return column.name.removesuffix("_code")


def parse_cell(column: ExportColumn, raw: str, lookups: Lookups):
    """The cell's value for the model, or ValueError with the reason in plain words."""
    if not column.refers:
        if column.type in (ID, INTEGER) and raw != "":
            return whole_number(raw, column.name)
        return decode_cell(column, raw)
    if raw == "":
        return None
    model, lookup = column.refers
    value = raw
    if lookup == "id":
        value = whole_number(raw, column.name)
    pk = lookups.pk(model, lookup, value)
    if pk is None:
        if lookup == "code":
            raise ValueError(f"unknown {_reference_label(column)} code '{raw}': no actor has this code")
        raise ValueError(f"unknown {column.name} '{raw}': no {model._meta.verbose_name} has this id")
    return pk


def parse_citations(cells: dict[str, str], lookups: Lookups) -> list[dict]:
    """The citation columns of one row as the services' citation dicts."""
    raw_sources = cells.get("sources", "")
    if raw_sources.strip() == "":
        return []
    source_ids = []
    for item in split_list(raw_sources):
        if not WHOLE_NUMBER.fullmatch(item) or int(item) > LARGEST_ID or lookups.pk(Source, "id", int(item)) is None:
            raise ValueError("sources", f"unknown source id '{item}': cite a source by its id in the sources table")
        source_ids.append(int(item))
    count = len(source_ids)
    # With one citation the cell is its excerpt, line breaks and all; with several, one per line.
    raw_excerpts = unescape_text(cells.get("excerpts", ""))
    excerpts = [raw_excerpts] if count == 1 else raw_excerpts.split(TEXT_LIST_SEPARATOR)
    if len(excerpts) != count:
        raise ValueError(
            "excerpts", f"{count} source(s) but {len(excerpts)} excerpt(s): give one excerpt per source, one per line"
        )
    raw_paragraphs = cells.get("paragraphs", "")
    paragraphs = [None] * count if raw_paragraphs.strip() == "" else split_list(raw_paragraphs)
    if len(paragraphs) != count:
        raise ValueError("paragraphs", f"{count} source(s) but {len(paragraphs)} paragraph number(s)")
    for index, paragraph in enumerate(paragraphs):
        if paragraph in (None, ""):
            paragraphs[index] = None
        else:
            try:
                paragraphs[index] = whole_number(paragraph, "paragraph number")
            except ValueError as error:
                raise ValueError("paragraphs", str(error)) from None
    raw_notes = unescape_text(cells.get("citation_notes", ""))
    notes = [""] * count if raw_notes == "" else [raw_notes] if count == 1 else raw_notes.split(TEXT_LIST_SEPARATOR)
    if len(notes) != count:
        raise ValueError("citation_notes", f"{count} source(s) but {len(notes)} note(s): one per line")
    return [
        dict(source_id=source_id, paragraph=paragraph, excerpt=excerpt, note=note)
        for source_id, paragraph, excerpt, note in zip(source_ids, paragraphs, excerpts, notes)
    ]


_COLUMNS: dict[str, dict[str, ExportColumn]] = {}


def _columns(table: ExportTable) -> dict[str, ExportColumn]:
    """The table's columns by name (table.column() scans the list: a parse of 100,000 rows asks
    millions of times)."""
    if table.name not in _COLUMNS:
        _COLUMNS[table.name] = {column.name: column for column in table.columns}
    return _COLUMNS[table.name]


@dataclass
class ParsedRow:
    line: int
    pk: int | None
    fields: dict  # attname -> value
    citations: list | None  # None when the file has no citation columns
    updated_at: datetime | None


def parse_row(table: ExportTable, header: list[str], line: int, cells: list[str], lookups: Lookups) -> "ParsedRow":
    if len(cells) != len(header):
        raise RowError([Problem(line, "", f"this row has {len(cells)} cells but the header has {len(header)}")])
    values = dict(zip(header, cells))
    problems, fields, pk, updated_at, implied = [], {}, None, None, None
    periods = "date_precision" in values  # the entries' dates may be a month or a year
    columns = _columns(table)
    for name, raw in values.items():
        column = columns[name]
        if not column.importable or column.type == LIST:
            continue
        try:
            if periods and name == "date":
                value, precision = decode_period(column, raw)
                implied = _period_precision(raw, precision, values["date_precision"])
            else:
                value = parse_cell(column, raw, lookups)
        except ValueError as error:
            problems.append(Problem(line, name, str(error), raw))
            continue
        if column.type == ID:
            pk = value
        elif column.type == DATETIME:
            updated_at = value
        else:
            if zero := zero_problem(column.field, value):
                problems.append(Problem(line, name, zero))
            fields[table.model._meta.get_field(column.field).attname] = value
    if implied and "date_precision" not in {p.column for p in problems}:
        fields["date_precision"] = implied
    citations = None
    if table.citation_field and "sources" in values:
        try:
            citations = parse_citations(values, lookups)
        except ValueError as error:
            column, message = error.args
            problems.append(Problem(line, column, message))
    if problems:
        raise RowError(problems)
    return ParsedRow(line, pk, fields, citations, updated_at)


def _period_precision(raw: str, precision: str, stated: str) -> str:
    """The precision a month or year cell implies ("2026-03": month), checked against the precision
    column: an empty precision takes it. A full day keeps the stated precision (the ledger writes a
    month as its first day with "month"). None when the cell says nothing about precision."""
    if precision in ("", "day"):
        return None
    if stated in ("", precision):
        return precision
    raise ValueError(f"'{raw}' is a {precision}, but date_precision says '{stated}': make them agree")


def dependency_order(table: ExportTable, header: list[str], records: list) -> list:
    """Rows that name another row of the same file (a part its package, a body its parent) after it."""
    if not table.self_reference or table.self_reference[0] not in header:
        return records
    ref_index, key_index = header.index(table.self_reference[0]), header.index(table.self_reference[1])
    waiting = {}
    for record in records:
        cells = record[1]
        if len(cells) == len(header) and cells[key_index]:
            waiting[cells[key_index]] = waiting.get(cells[key_index], 0) + 1
    ordered, pending = [], list(records)
    while pending:
        ready, still = [], []
        for record in pending:
            cells = record[1]
            ref = cells[ref_index] if len(cells) == len(header) else ""
            (still if ref and waiting.get(ref) else ready).append(record)
        if not ready:  # a cycle or a dangling name: let validation report it
            ready, still = still, []
        for record in ready:
            cells = record[1]
            if len(cells) == len(header) and cells[key_index]:
                waiting[cells[key_index]] -= 1
        ordered.extend(ready)
        pending = still
    return ordered
