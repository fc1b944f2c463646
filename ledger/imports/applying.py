"""Applying an import: each parsed row written through the same services as the admin, so the
history records who imported it and why; the whole import in one transaction.

An import is all or nothing. Every row is tried so that every bad row is reported with its line
number and a reason in plain words; then, if any row was bad or the run is a dry run, the whole
transaction is rolled back and nothing is written. A dry run therefore previews exactly what the
real import would do, with the same validation. Rows that create pledges, trade figures or
statements are tried in batches (`Batch`, through services/batch.py: a few queries a batch); every
other row, and a row a batch refuses, is tried on its own in its own savepoint, so its report is
the same either way.

Rules for a row: an empty `id` creates a new entry; an `id` that exists updates that entry (only
the columns present in the file, and only if something differs); an `id` that does not exist
creates the entry with that id (a restore, keeping its `updated_at`). A row whose `updated_at` is older than the
stored entry's is refused as stale (naming who changed the entry since), in a dry run too. Read-only columns (names next
to codes, counted_in_totals) are accepted and ignored. Every write carries a reason: the one given,
or "import of <file name>"."""

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from ledger import services
from ledger.exports.codec import LIST, ExportTable
from ledger.exports.columns import PLEDGES, TABLES
from ledger.formatting import format_field_value
from ledger.imports import limits
from ledger.imports.parsing import (
    Lookups,
    ParsedRow,
    Problem,
    RowError,
    dependency_order,
    detect_table,
    parse_row,
    read_csv,
)
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure
from ledger.services.batch import BatchEntryError, NewEntry, entries_create_batch

# How each table is written: (create service, update service, the update's keyword for the entry).
SERVICES = {
    Actor: (services.actor_create, services.actor_update, "actor"),
    Source: (services.source_create, services.source_update, "source"),
    Person: (services.person_create, services.person_update, "person"),
    Pledge: (services.pledge_create, services.pledge_update, "pledge"),
    TradeFigure: (services.trade_figure_create, services.trade_figure_update, "trade_figure"),
    Statement: (services.statement_create, services.statement_update, "statement"),
}


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

    table: ExportTable
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


def _problems_from(error: ValidationError, table: ExportTable, line: int) -> list[Problem]:
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


def _current_citations(table: ExportTable, instance) -> list[dict]:
    rows = (
        Citation.objects.filter(**{table.citation_field: instance})
        .order_by("id")
        .values_list("source_id", "paragraph", "excerpt", "note")
    )
    return [dict(source_id=s, paragraph=p, excerpt=e, note=n) for s, p, e, n in rows]


def stale_row_message(instance, exported_at: datetime) -> str:
    """Why a row older than its stored entry is refused: who changed the entry since, and when."""
    changes = instance.history.filter(history_date__gt=exported_at).select_related("history_user")
    names = sorted(
        {change.history_user.get_username() if change.history_user else "an unnamed import" for change in changes}
    )
    latest = instance.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    by = f" by {', '.join(names)}" if names else ""
    return (
        f"stale: this row was exported before the entry's last change ({latest}{by}); importing it would "
        "undo that change. Export the entry again and redo the edit there."
    )


class Stored:
    """The file's existing entries and their citations, read in batches of BATCH ids instead of two
    queries a row. Valid only until the import writes: a write may touch other entries (a package's
    parts), so after the first one each row reads its entry afresh."""

    BATCH = 2000

    def __init__(self, table: ExportTable, pks: list[int], *, fresh: bool = True):
        self.table, self.fresh = table, fresh
        self.instances, self.citations = {}, {}
        for start in range(0, len(pks), self.BATCH):
            chunk = pks[start : start + self.BATCH]
            self.instances.update(table.model._default_manager.in_bulk(chunk))
            if table.citation_field:
                rows = (
                    Citation.objects.filter(**{f"{table.citation_field}_id__in": chunk})
                    .order_by("id")
                    .values_list(f"{table.citation_field}_id", "source_id", "paragraph", "excerpt", "note")
                )
                for entry, s, p, e, n in rows:
                    self.citations.setdefault(entry, []).append(dict(source_id=s, paragraph=p, excerpt=e, note=n))

    def instance(self, pk: int):
        if self.fresh:
            return self.instances.get(pk)
        return self.table.model._default_manager.filter(pk=pk).first()

    def current_citations(self, instance) -> list[dict]:
        if self.fresh:
            return self.citations.get(instance.pk, [])
        return _current_citations(self.table, instance)


def apply_row(table: ExportTable, row: ParsedRow, *, user, reason: str, stored: Stored | None = None) -> Change:
    """Create or update one entry through the services; returns the Change."""
    create, update, keyword = SERVICES[table.model]
    stored = stored or Stored(table, [], fresh=False)
    instance = stored.instance(row.pk) if row.pk is not None else None
    name = table.model._meta.verbose_name
    if instance is None:
        stored.fresh = False  # this row writes
        extra = {"citations": row.citations or []} if table.citation_field else {}
        if row.pk is not None:
            extra["id"] = row.pk
        created = create(user=user, reason=reason, **row.fields, **extra)
        if row.updated_at is not None:
            services.entry_restore_updated_at(instance=created, updated_at=row.updated_at)
        return Change(row.line, "create", f"{name} {created.pk}: {created}", pk=created.pk)
    if row.updated_at is not None and row.updated_at < instance.updated_at:
        raise RowError([Problem(row.line, "updated_at", stale_row_message(instance, row.updated_at))])
    changed = {attname: value for attname, value in row.fields.items() if getattr(instance, attname) != value}
    details = [
        f"{field}: {format_field_value(table.model, field, getattr(instance, attname))}"
        f" → {format_field_value(table.model, field, value)}"
        for attname, value in changed.items()
        for field in [attname.removesuffix("_id")]
    ]
    citations_changed = row.citations is not None and stored.current_citations(instance) != row.citations
    if citations_changed:
        details.append("citations replaced")
    if not changed and not citations_changed:
        return Change(row.line, "unchanged", f"{name} {instance.pk}", pk=instance.pk)
    stored.fresh = False  # this row writes
    # The fields and the citations: one version of the entry.
    replacing = {"citations": services.citations_replacement(instance, row.citations)} if citations_changed else {}
    instance = update(**{keyword: instance}, data=changed, user=user, reason=reason, **replacing)
    return Change(row.line, "update", f"{name} {instance.pk}", details, pk=instance.pk)


@dataclass
class Run:
    """One file's import in progress: what every row is applied with, and the report it fills."""

    table: ExportTable
    header: list
    report: Report
    lookups: Lookups
    stored: Stored
    ceiling: int
    user: object
    reason: str

    def parse(self, line: int, cells: list[str]) -> ParsedRow:
        row = parse_row(self.table, self.header, line, cells, self.lookups)
        if row.pk is not None and row.pk > self.ceiling:
            raise RowError([Problem(line, "id", limits.id_too_high(row.pk, self.ceiling, name_of(self.table)))])
        return row

    def apply_one(self, line: int, cells: list[str]) -> None:
        """The row on its own, in its own savepoint: written, or reported with its line and reason."""
        try:
            with transaction.atomic():
                row = self.parse(line, cells)
                self.report.changes.append(
                    apply_row(self.table, row, user=self.user, reason=self.reason, stored=self.stored)
                )
        except RowError as error:
            self.report.problems.extend(error.problems)
        except ValidationError as error:
            self.report.problems.extend(_problems_from(error, self.table, line))
        except DatabaseError as error:
            self.report.problems.append(Problem(line, "", f"the database refused this row: {error}"))


def _new_entries(model: type):
    """The importer's call of the batch service for `model`: its parsed rows as NewEntry."""

    def create(rows: list[ParsedRow], *, user, reason: str) -> list:
        new = [
            NewEntry(fields=row.fields, citations=row.citations or [], pk=row.pk, updated_at=row.updated_at)
            for row in rows
        ]
        return entries_create_batch(model, rows=new, user=user, reason=reason)

    return create


# The tables whose new rows are written in batches.
BATCH_SERVICES = {model: _new_entries(model) for model in (Pledge, TradeFigure, Statement)}


class Batch:
    """New rows written together through the table's batch service (services/batch.py), BATCH_ROWS at
    a time, each batch in one savepoint: the same rules, a few queries a batch instead of about a
    hundred a row.

    A row joins the batch when it creates an entry (no id, or an id the table does not have); a row
    that names one still waiting in the batch (a part its package) first has the batch written, and
    any other row (an update) too, so rows are written in the file's order. A row whose cells are
    refused is reported as `parse_row` reports it and left out. When the service refuses a row (a
    rule), the rows before it are written as a batch, that row on its own by `Run.apply_one`, which
    reports it exactly as the row-at-a-time import does, and the rows after it as a batch; when the
    database refuses the batch (a CHECK constraint), its savepoint is rolled back and its halves are
    tried again, down to SMALLEST rows written one at a time. Good rows around a bad one still go in,
    to be rolled back with the file, so every bad row of the file is reported."""

    BATCH_ROWS = 5000
    SMALLEST = 8

    def __init__(self, run: Run):
        self.run = run
        self.pending: list[tuple[int, list[str]]] = []
        self.pending_ids: set[int] = set()
        header = run.header
        self.id_index = header.index("id") if "id" in header else None
        reference = run.table.self_reference
        self.reference_index = header.index(reference[0]) if reference and reference[0] in header else None

    def takes(self, line: int, cells: list[str]) -> bool:
        """Queue the row if it creates an entry; False when it is to be applied on its own."""
        raw_id = cells[self.id_index].strip() if self.id_index is not None and len(cells) > self.id_index else ""
        if raw_id and not (limits.WHOLE_NUMBER.fullmatch(raw_id) and int(raw_id) not in self.run.stored.instances):
            return False  # an update, or an id to report: on its own
        index = self.reference_index
        reference = cells[index].strip() if index is not None and len(cells) > index else ""
        if limits.WHOLE_NUMBER.fullmatch(reference) and int(reference) in self.pending_ids:
            self.flush()  # it names a row of this batch: that row is written first
        self.pending.append((line, cells))
        if raw_id:
            self.pending_ids.add(int(raw_id))
        if len(self.pending) >= self.BATCH_ROWS:
            self.flush()
        return True

    def flush(self) -> None:
        pending, self.pending, self.pending_ids = self.pending, [], set()
        if not pending:
            return
        run = self.run
        parsed, problems = [], []
        try:
            with transaction.atomic():  # reading only, but a refused read must not end the transaction
                run.lookups.prefetch_rows(run.table, run.header, pending)
                for line, cells in pending:
                    try:
                        parsed.append(((line, cells), run.parse(line, cells)))
                    except RowError as error:
                        problems.extend(error.problems)
        except DatabaseError:
            for line, cells in pending:
                run.apply_one(line, cells)  # each row reports what the database said of it
            return
        run.report.problems.extend(problems)
        self._write(parsed)

    def _write(self, parsed: list) -> None:
        """Write [((line, cells), ParsedRow)] as one batch, or in parts around what is refused."""
        run = self.run
        if len(parsed) <= self.SMALLEST:
            for (line, cells), _row in parsed:
                run.apply_one(line, cells)
            return
        rows = [row for _record, row in parsed]
        try:
            with transaction.atomic():
                created = BATCH_SERVICES[run.table.model](rows, user=run.user, reason=run.reason)
        except BatchEntryError as refused:
            self._write(parsed[: refused.index])
            run.apply_one(*parsed[refused.index][0])
            self._write(parsed[refused.index + 1 :])
            return
        except (ValidationError, DatabaseError):
            middle = len(parsed) // 2
            self._write(parsed[:middle])
            self._write(parsed[middle:])
            return
        run.stored.fresh = False  # entries were written: later rows read theirs afresh
        name = run.table.model._meta.verbose_name
        run.report.changes.extend(
            Change(row.line, "create", f"{name} {entry.pk}: {entry}", pk=entry.pk)
            for row, entry in zip(rows, created, strict=True)
        )


def _whole_numbers(header: list[str], records: list, column: str) -> list[int]:
    """The column's cells that are ids within the database's range (others are reported by row)."""
    if column not in header:
        return []
    index = header.index(column)
    cells = (cells[index].strip() for _, cells in records if len(cells) > index)
    return [int(cell) for cell in cells if limits.WHOLE_NUMBER.fullmatch(cell) and int(cell) <= limits.LARGEST_ID]


def name_of(table: ExportTable) -> str:
    return str(table.model._meta.verbose_name)


def import_table(
    table: ExportTable,
    header: list[str],
    records: list,
    *,
    name: str,
    user,
    reason: str,
    row_at_a_time: bool = False,
) -> Report:
    """Import the rows of one file inside the caller's transaction; the Report says what happened.
    New pledges, trade figures and statements are written in batches (`Batch`) unless `row_at_a_time`."""
    report = Report(table=table, name=name)
    shape = limits.shape_problems(header, len(records))
    if shape:
        report.problems.extend(Problem(1, "", message) for message in shape)
        return report
    known = set(table.header)
    unknown = [column for column in header if column not in known]
    duplicates = limits.duplicate_columns(header)
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
    if "id" in header:
        id_index = header.index("id")
        id_cells = [(line, cells[id_index].strip()) for line, cells in records if len(cells) > id_index]
        report.problems.extend(Problem(line, "id", message) for line, message in limits.repeated_ids(id_cells))
        if report.problems:
            return report
    ceiling = limits.id_ceiling(table.model, len(records))
    lookups = Lookups()
    stored = Stored(table, _whole_numbers(header, records, "id"))
    run = Run(table, header, report, lookups=lookups, stored=stored, ceiling=ceiling, user=user, reason=reason)
    batch = Batch(run) if table.model in BATCH_SERVICES and not row_at_a_time else None
    for line, cells in dependency_order(table, header, records):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if batch is not None and batch.takes(line, cells):
            continue
        if batch is not None:
            batch.flush()  # the rows before this one are written before it
        run.apply_one(line, cells)
    if batch is not None:
        batch.flush()
    report.changes.sort(key=lambda change: change.line)
    report.problems.sort(key=lambda problem: problem.line)
    return report


def _reset_sequences(models: list[type]) -> None:
    """After rows were created with their ids (a restore), new rows must not reuse those ids."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def refused_file(name: str, message: str) -> Report:
    report = Report(table=PLEDGES, name=name)
    report.problems.append(Problem(1, "", message))
    return report


def import_tables(
    files: list,
    *,
    user=None,
    reason: str = "",
    dry_run: bool = False,
    refused: list[Report] | None = None,
    row_at_a_time: bool = False,
) -> Result:
    """Import [(name, table or None, header, records)] in one transaction, tables in dependency order.

    Nothing is written when any row of any file is bad, when a file was refused before it was read
    (`refused`: too large, not UTF-8), or in a dry run."""
    order = {t.name: index for index, t in enumerate(TABLES)}
    files = sorted(files, key=lambda item: order.get(item[1].name, -1) if item[1] else -1)
    reports = list(refused or [])
    if reason and (too_long := limits.reason_problem(reason)):
        reports.append(refused_file("the reason", too_long))
        files = []
    with transaction.atomic():
        for name, table, header, records in files:
            if table is None:
                unknown = Report(table=PLEDGES, name=name)
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
            reason_given = reason or limits.default_reason("import of ", name)  # every write carries a reason
            reports.append(
                import_table(
                    table, header, records, name=name, user=user, reason=reason_given, row_at_a_time=row_at_a_time
                )
            )
        result = Result(reports=reports, dry_run=dry_run)
        if result.written:
            _reset_sequences([report.table.model for report in reports])
        else:
            transaction.set_rollback(True)
    return result


def import_texts(
    files: list[tuple[str, str]],
    *,
    user=None,
    reason: str = "",
    dry_run: bool = False,
    table: ExportTable | None = None,
    refused: list[Report] | None = None,
    row_at_a_time: bool = False,
) -> Result:
    """Import [(name, CSV text)]; each file's table is told by its name or its columns."""
    parsed, refused = [], list(refused or [])
    for name, text in files:
        try:
            records = list(read_csv(text.removeprefix("\ufeff")))
        except csv.Error as error:
            refused.append(refused_file(name, f"this is not a CSV file the ledger can read ({error})"))
            continue
        header, records = (records[0][1], records[1:]) if records else ([], [])
        parsed.append((name, table or detect_table(header, name), header, records))
    return import_tables(
        parsed, user=user, reason=reason, dry_run=dry_run, refused=refused, row_at_a_time=row_at_a_time
    )


def import_paths(path: Path | str, *, user=None, reason: str = "", dry_run: bool = False) -> Result:
    """Import a CSV file, or a folder of them as export_ledger writes it."""
    path = Path(path)
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    texts, refused = [], []
    for file in files:
        too_large = limits.size_problem(file.stat().st_size)
        if too_large:
            refused.append(refused_file(file.name, too_large))
            continue
        try:
            texts.append((file.name, limits.decode_text(file.read_bytes(), file.name)))
        except ValueError as error:
            refused.append(refused_file(file.name, str(error)))
    reason = reason or limits.default_reason("import of ", path.name)
    return import_texts(texts, user=user, reason=reason, dry_run=dry_run, refused=refused)
