"""django-import-export resources for the admin's Import and Export buttons (pledges, trade figures,
actors, sources). They carry the same columns as the CSV export (ledger/exports/columns.py), and an
admin import runs the very same importer as `manage.py import_ledger` (ledger/imports/): same
parsing, same services, same plain-words errors by line, all or nothing. The admin's dry run is that
importer's dry run."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources
from import_export.fields import Field
from import_export.results import InvalidRow, Result, RowResult
from tablib import Dataset

from ledger import imports
from ledger.exports.codec import ExportTable
from ledger.exports.columns import ACTORS, PLEDGES, SOURCES, TRADE_FIGURES
from ledger.exports.rows import iter_rows

IMPORT_TYPES = {
    "create": RowResult.IMPORT_TYPE_NEW,
    "update": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
}
PREVIEW_HEADERS = ["line", "entry", "what changes"]
PREVIEW_LIMIT = 100  # rows (and bad rows) the admin's preview lists; its summary counts them all


def _cell(value):
    """A cell of an uploaded sheet as the text the importer reads (CSV cells already are text)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class LedgerResource(resources.Resource):
    table: ExportTable | None = None

    def __init__(self, **kwargs):
        super().__init__()
        self.reason = kwargs.get("reason", "")

    @classmethod
    def get_display_name(cls):
        return cls._meta.name

    # Import ------------------------------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        header = [str(name or "") for name in (dataset.headers or [])]
        # Line numbers as in the file: the header is line 1 (exact for CSV without multi-line cells).
        records = [(number, [_cell(value) for value in row]) for number, row in enumerate(dataset, start=2)]
        file_name = kwargs.get("file_name") or f"{self.table.name}.csv"
        outcome = imports.import_tables(
            [(file_name, self.table, header, records)],
            user=kwargs.get("user"),
            reason=self.reason or f"admin import of {file_name}",
            dry_run=dry_run,
        )
        return self.result_of(outcome, total=len(dataset))

    def result_of(self, outcome, *, total):
        result = Result()
        result.diff_headers = PREVIEW_HEADERS
        result.total_rows = total
        reports = outcome.reports
        # A file refused before its rows were read (too large, the reason too long) has its own report.
        report = next((r for r in reports if r.table is self.table), reports[0])
        problems = [problem for r in reports for problem in r.problems]
        result.ledger_summary = "; ".join(r.summary for r in reports)
        model = self.table.model
        written = {}
        if outcome.written:  # the instances for the admin's log entries, in one query
            written = model._default_manager.in_bulk([c.pk for c in report.changes if c.action != "unchanged"])
        shown = 0
        for change in report.changes:
            row = RowResult()
            row.import_type = IMPORT_TYPES[change.action]
            row.diff = [change.line, change.entry, "; ".join(change.details)]
            row.object_id, row.object_repr = change.pk, change.entry
            if outcome.written and row.import_type != RowResult.IMPORT_TYPE_SKIP:
                row.instance = written[change.pk]
            result.increment_row_result_total(row)
            # The preview lists the first rows that change something; the summary counts them all.
            if outcome.written or (row.import_type != RowResult.IMPORT_TYPE_SKIP and shown < PREVIEW_LIMIT):
                result.append_row_result(row)
                shown += 1
        by_line, listed = {}, {}
        for problem in problems:
            by_line.setdefault(problem.line, {}).setdefault(problem.column or NON_FIELD_ERRORS, []).append(
                problem.message
            )
            listed.setdefault(problem.line, []).append(problem)
        result.ledger_bad_rows = len(by_line)
        for line, errors in sorted(by_line.items())[:PREVIEW_LIMIT]:
            invalid = InvalidRow(
                number=line,
                validation_error=ValidationError(errors),
                values=(line, "", "not imported (one bad row and nothing is written)"),
            )
            invalid.problems = listed[line]  # listed inline by the template
            result.invalid_rows.append(invalid)
        result.totals[RowResult.IMPORT_TYPE_INVALID] += len(by_line)  # all of them, listed or not
        return result

    # Export ------------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        queryset = self.table.model._default_manager.all() if queryset is None else queryset
        selected = set(kwargs.get("export_fields") or [])
        columns = [i for i, column in enumerate(self.table.columns) if not selected or column.name in selected]
        dataset = Dataset(headers=[self.table.columns[i].name for i in columns])
        for row in iter_rows(self.table, queryset):
            dataset.append([row[i] for i in columns])
        return dataset


def _resource(table: ExportTable) -> type[LedgerResource]:
    fields = {column.name: Field(attribute=column.name, column_name=column.name) for column in table.columns}
    meta = type("Meta", (), {"model": table.model, "name": f"{table.title} (the columns of /data-dictionary/)"})
    return type(f"{table.model.__name__}Resource", (LedgerResource,), {"table": table, "Meta": meta, **fields})


PledgeResource = _resource(PLEDGES)
TradeFigureResource = _resource(TRADE_FIGURES)
ActorResource = _resource(ACTORS)
SourceResource = _resource(SOURCES)
