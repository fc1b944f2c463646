"""Bringing the exported tables back in: parse each row against the table's column spec, then write
it through the same services as the admin, so the history records who imported it and why.

An import is all or nothing. Every row is tried (each in its own savepoint) so that every bad row
is reported with its line number and a reason in plain words; then, if any row was bad or the run
is a dry run, the whole transaction is rolled back and nothing is written. A dry run therefore
previews exactly what the real import would do, with the same validation.

Rules for a row: an empty `id` creates a new entry; an `id` that exists updates that entry (only
the columns present in the file, and only if something differs); an `id` that does not exist
creates the entry with that id (a restore, keeping its `updated_at`). Read-only columns (names next
to codes, counted_in_totals) are accepted and ignored."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from ledger import exports, services
from ledger.exports.columns import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    DECIMAL,
    ID,
    INTEGER,
    LIST,
    TEXT,
    TEXT_LIST_SEPARATOR,
    unescape_text,
)
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure

# The columns that tell one table's file from another's when the file name does not.
SIGNATURES = {
    "pledges": {"donor_code", "recipient_code"},
    "trade-figures": {"reporter_code", "partner_code"},
    "statements": {"speaker_code", "subject_code"},
    "people": {"role", "actor_code"},
    "actors": {"code", "kind"},
    "sources": {"url", "headline"},
}

# How each table is written: (create service, update service, the update's keyword for the entry).
SERVICES = {
    Actor: (services.actor_create, services.actor_update, "actor"),
    Source: (services.source_create, services.source_update, "source"),
    Person: (services.person_create, services.person_update, "person"),
    Pledge: (services.pledge_create, services.pledge_update, "pledge"),
    TradeFigure: (services.trade_figure_create, services.trade_figure_update, "trade_figure"),
    Statement: (services.statement_create, services.statement_update, "statement"),
}

DECIMAL_PATTERN = re.compile(r"-?\d+(\.\d+)?")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}
LINE_BREAK = "\n"


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Change:
    line: int
    action: str  # "create", "update" or "unchanged"
    entry: str
    details: list = field(default_factory=list)
    pk: int | None = None

    def __str__(self):
        text = f"line {self.line}: {self.action} {self.entry}"
        return text + (f" ({'; '.join(self.details)})" if self.details else "")


@dataclass
class Report:
    """What one file's import did (or, in a dry run or when refused, would have done)."""

    table: exports.ExportTable
    name: str
    changes: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for change in self.changes if change.action == action)

    @property
    def summary(self):
        return (
            f"{self.name} ({self.table.title.lower()}): {self.count('create')} to create, "
            f"{self.count('update')} to change, {self.count('unchanged')} unchanged, "
            f"{len(self.problems)} bad row{'s' if len(self.problems) != 1 else ''}"
        )


@dataclass
class Result:
    reports: list
    dry_run: bool

    @property
    def problems(self):
        return [problem for report in self.reports for problem in report.problems]

    @property
    def written(self):
        return not self.dry_run and not self.problems


class RowError(Exception):
    def __init__(self, problems):
        self.problems = problems


# Reading files -------------------------------------------------------------------------------------


def detect_table(header, name=""):
    """The table a file holds: by its name (pledges-2026-11-27.csv), else by its columns."""
    stem = Path(name).name.lower()
    for table in sorted(exports.TABLES, key=lambda t: -len(t.name)):
        if stem.startswith(table.name):
            return table
    for table_name, signature in SIGNATURES.items():
        if signature <= set(header):
            return exports.TABLES_BY_NAME[table_name]
    return None


def read_csv(text):
    """(line number, cells) for each record, the line being where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


# Parsing cells -------------------------------------------------------------------------------------


class Lookups:
    """Resolves codes and ids to primary keys, remembering what it found (not what it missed:
    an earlier row of the same import may create it)."""

    def __init__(self):
        self.found = {}

    def pk(self, model, lookup, value):
        key = (model, lookup, value)
        if key not in self.found:
            pk = model.objects.filter(**{lookup: value}).values_list("pk", flat=True).first()
            if pk is None:
                return None
            self.found[key] = pk
        return self.found[key]


def _reference_label(column):
    return column.name.removesuffix("_code")


def _parse_cell(column, raw, lookups):
    """The cell's value for the model, or ValueError with the reason in plain words."""
    if column.type == ID:
        if raw == "":
            return None
        if not raw.isdigit():
            raise ValueError(f"malformed id '{raw}': an id is a whole number, or empty for a new entry")
        return int(raw)
    if column.type == TEXT and not column.refers:
        return unescape_text(raw)
    if column.refers:
        if raw == "":
            return None
        model, lookup = column.refers
        value = raw
        if lookup == "id":
            if not raw.isdigit():
                raise ValueError(f"malformed {column.name} '{raw}': give the id of a {model._meta.verbose_name}")
            value = int(raw)
        pk = lookups.pk(model, lookup, value)
        if pk is None:
            if lookup == "code":
                raise ValueError(f"unknown {_reference_label(column)} code '{raw}': no actor has this code")
            raise ValueError(f"unknown {column.name} '{raw}': no {model._meta.verbose_name} has this id")
        return pk
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


def _split(raw, separator):
    return [item.strip() for item in raw.split(separator.strip() or separator)]


def _parse_citations(cells, lookups):
    """The citation columns of one row as the services' citation dicts."""
    raw_sources = cells.get("sources", "")
    if raw_sources.strip() == "":
        return []
    source_ids = []
    for item in _split(raw_sources, exports.LIST_SEPARATOR):
        if not item.isdigit() or lookups.pk(Source, "id", int(item)) is None:
            raise ValueError("sources", f"unknown source id '{item}': cite a source by its id in the sources table")
        source_ids.append(int(item))
    count = len(source_ids)
    # With one citation the cell is its excerpt, line breaks and all; with several, one per line.
    raw_excerpts = unescape_text(cells.get("excerpts", ""))
    excerpts = [raw_excerpts] if count == 1 else raw_excerpts.split(LINE_BREAK)
    if len(excerpts) != count:
        raise ValueError(
            "excerpts", f"{count} source(s) but {len(excerpts)} excerpt(s): give one excerpt per source, one per line"
        )
    raw_paragraphs = cells.get("paragraphs", "")
    paragraphs = [None] * count if raw_paragraphs.strip() == "" else _split(raw_paragraphs, exports.LIST_SEPARATOR)
    if len(paragraphs) != count:
        raise ValueError("paragraphs", f"{count} source(s) but {len(paragraphs)} paragraph number(s)")
    for index, paragraph in enumerate(paragraphs):
        if paragraph in (None, ""):
            paragraphs[index] = None
        elif paragraph.isdigit():
            paragraphs[index] = int(paragraph)
        else:
            raise ValueError("paragraphs", f"malformed paragraph number '{paragraph}'")
    raw_notes = unescape_text(cells.get("citation_notes", ""))
    notes = [""] * count if raw_notes == "" else [raw_notes] if count == 1 else raw_notes.split(TEXT_LIST_SEPARATOR)
    if len(notes) != count:
        raise ValueError("citation_notes", f"{count} source(s) but {len(notes)} note(s): one per line")
    return [
        dict(source_id=source_id, paragraph=paragraph, excerpt=excerpt, note=note)
        for source_id, paragraph, excerpt, note in zip(source_ids, paragraphs, excerpts, notes)
    ]


@dataclass
class ParsedRow:
    line: int
    pk: int | None
    fields: dict  # attname -> value
    citations: list | None  # None when the file has no citation columns
    updated_at: datetime | None


def parse_row(table, header, line, cells, lookups):
    if len(cells) != len(header):
        raise RowError([Problem(line, "", f"this row has {len(cells)} cells but the header has {len(header)}")])
    values = dict(zip(header, cells))
    problems, fields, pk, updated_at = [], {}, None, None
    for name, raw in values.items():
        column = table.column(name)
        if not column.importable or column.type == LIST:
            continue
        try:
            value = _parse_cell(column, raw, lookups)
        except ValueError as error:
            problems.append(Problem(line, name, str(error)))
            continue
        if column.type == ID:
            pk = value
        elif column.type == DATETIME:
            updated_at = value
        else:
            fields[table.model._meta.get_field(column.field).attname] = value
    citations = None
    if table.citation_field and "sources" in values:
        try:
            citations = _parse_citations(values, lookups)
        except ValueError as error:
            column, message = error.args
            problems.append(Problem(line, column, message))
    if problems:
        raise RowError(problems)
    return ParsedRow(line, pk, fields, citations, updated_at)


# Writing rows --------------------------------------------------------------------------------------


def _problems_from(error, table, line):
    if not hasattr(error, "error_dict"):
        return [Problem(line, "", message) for message in error.messages]
    problems = []
    for field_name, messages in error.message_dict.items():
        column = (
            next((c.name for c in table.columns if c.field == field_name and c.type != LIST), "")
            if field_name != "__all__"
            else ""
        )
        problems.extend(Problem(line, column, message) for message in messages)
    return problems


def _current_citations(table, instance):
    rows = (
        Citation.objects.filter(**{table.citation_field: instance})
        .order_by("id")
        .values_list("source_id", "paragraph", "excerpt", "note")
    )
    return [dict(source_id=s, paragraph=p, excerpt=e, note=n) for s, p, e, n in rows]


def _describe(value):
    return "(empty)" if value in (None, "") else str(value)


def apply_row(table, row, *, user, reason):
    """Create or update one entry through the services; returns the Change."""
    create, update, keyword = SERVICES[table.model]
    instance = table.model.objects.filter(pk=row.pk).first() if row.pk is not None else None
    name = table.model._meta.verbose_name
    if instance is None:
        extra = {"citations": row.citations or []} if table.citation_field else {}
        if row.pk is not None:
            extra["id"] = row.pk
        created = create(user=user, reason=reason, **row.fields, **extra)
        if row.updated_at is not None:
            services.entry_restore_updated_at(instance=created, updated_at=row.updated_at)
        return Change(row.line, "create", f"{name} {created.pk}: {created}", pk=created.pk)
    changed = {attname: value for attname, value in row.fields.items() if getattr(instance, attname) != value}
    details = [
        f"{attname.removesuffix('_id')}: {_describe(getattr(instance, attname))} → {_describe(value)}"
        for attname, value in changed.items()
    ]
    citations_changed = row.citations is not None and _current_citations(table, instance) != row.citations
    if citations_changed:
        details.append("citations replaced")
    if not changed and not citations_changed:
        return Change(row.line, "unchanged", f"{name} {instance.pk}", pk=instance.pk)
    if changed:
        instance = update(**{keyword: instance}, data=changed, user=user, reason=reason)
    if citations_changed:
        services.citations_replace(entry=instance, citations=row.citations, user=user, reason=reason)
    return Change(row.line, "update", f"{name} {instance.pk}", details, pk=instance.pk)


def _dependency_order(table, header, records):
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


def import_table(table, header, records, *, name, user, reason):
    """Import the rows of one file inside the caller's transaction; the Report says what happened."""
    report = Report(table=table, name=name)
    unknown = [column for column in header if column not in table.header]
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if unknown or duplicates:
        if unknown:
            report.problems.append(
                Problem(
                    1,
                    "",
                    f"unknown column(s) {', '.join(unknown)}: the {table.name} table's "
                    f"columns are {', '.join(table.header)}",
                )
            )
        if duplicates:
            report.problems.append(Problem(1, "", f"column(s) given twice: {', '.join(duplicates)}"))
        return report
    lookups = Lookups()
    for line, cells in _dependency_order(table, header, records):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        try:
            with transaction.atomic():
                row = parse_row(table, header, line, cells, lookups)
                report.changes.append(apply_row(table, row, user=user, reason=reason))
        except RowError as error:
            report.problems.extend(error.problems)
        except ValidationError as error:
            report.problems.extend(_problems_from(error, table, line))
        except DatabaseError as error:
            report.problems.append(Problem(line, "", f"the database refused this row: {error}"))
    report.changes.sort(key=lambda change: change.line)
    report.problems.sort(key=lambda problem: problem.line)
    return report


def _reset_sequences(models):
    """After rows were created with their ids (a restore), new rows must not reuse those ids."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def import_tables(files, *, user=None, reason="", dry_run=False):
    """Import [(name, table or None, header, records)] in one transaction, tables in dependency order.

    Nothing is written when any row of any file is bad, or in a dry run."""
    order = {t.name: index for index, t in enumerate(exports.TABLES)}
    files = sorted(files, key=lambda item: order.get(item[1].name, -1) if item[1] else -1)
    reports = []
    with transaction.atomic():
        for name, table, header, records in files:
            if table is None:
                unknown = Report(table=exports.PLEDGES, name=name)
                unknown.problems.append(
                    Problem(
                        1,
                        "",
                        "cannot tell which table this file holds: name it after the "
                        "table (pledges.csv) or use the exported columns",
                    )
                )
                reports.append(unknown)
                continue
            reports.append(import_table(table, header, records, name=name, user=user, reason=reason))
        result = Result(reports=reports, dry_run=dry_run)
        if result.written:
            _reset_sequences([report.table.model for report in reports])
        else:
            transaction.set_rollback(True)
    return result


def import_texts(files, *, user=None, reason="", dry_run=False, table=None):
    """Import [(name, CSV text)]; each file's table is told by its name or its columns."""
    parsed = []
    for name, text in files:
        records = list(read_csv(text.removeprefix("\ufeff")))
        header, records = (records[0][1], records[1:]) if records else ([], [])
        parsed.append((name, table or detect_table(header, name), header, records))
    return import_tables(parsed, user=user, reason=reason, dry_run=dry_run)


def import_paths(path, *, user=None, reason="", dry_run=False):
    """Import a CSV file, or a folder of them as export_ledger writes it."""
    path = Path(path)
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    texts = [(file.name, file.read_text(encoding="utf-8")) for file in files]
    return import_texts(texts, user=user, reason=reason or f"import of {path.name}", dry_run=dry_run)
