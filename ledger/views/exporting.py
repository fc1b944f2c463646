"""Downloads of a table page: `?_export=csv|xlsx|json` streams exactly the page's filtered, sorted rows
(all of them, not one page) through ledger/exports/; the pledges page also offers `?_export=iati`, the
same pledges as IATI 2.03 activity XML (ledger/iati.py). Trade figures and the other tables never get
IATI. Named apart from django-tables2's ExportMixin, which builds the whole file in memory.

Downloads run under the export's time limit (aidledger/limits.py), answer HEAD without building the
file, carry X-Row-Count when it is cheap, refuse xlsx and IATI above settings.XLSX_MAX_ROWS and
IATI_MAX_ROWS (an IATI file of the whole ledger at 1M pledges was 2.4 GB and 8 minutes), and open their
query before the response starts (see guarded(): a broken stream is never taken for complete).

When the client goes away: gunicorn's gthread worker notices only when a write fails (the socket's
buffer full, or a reset from the client); it then closes the response, which closes guarded()'s
generator and the source generator inside it: the cursor is closed (SQLite's statement reset,
PostgreSQL's COPY cancelled by psycopg) and the thread is free. An xlsx file is built before the first
byte is sent, so its build (at most XLSX_MAX_ROWS rows, within EXPORT_TIME_LIMIT) finishes first."""

import logging
from collections.abc import Iterable, Iterator
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_filters import FilterSet

from aidledger import limits
from ledger import iati
from ledger.exports import sql
from ledger.exports.codec import ExportTable
from ledger.exports.columns import PLEDGES
from ledger.exports.writers import CONTENT_TYPES, FORMATS, stream_csv, stream_json, xlsx_bytes
from ledger.selectors_counts import more_than, within_time_limit

logger = logging.getLogger("ledger.exports")

EXPORT_PARAMETER = "_export"
IATI = "iati"
IATI_CONTENT_TYPE = "application/xml; charset=utf-8"
ROW_COUNT_HEADER = "X-Row-Count"
COUNT_TIME_LIMIT_MS = 500  # the row count is sent only when the database gives it this fast


def formats_of(table: ExportTable | None) -> tuple[str, ...]:
    """The download formats a table supports: CSV, xlsx and JSON for all; IATI XML for the pledges only."""
    return (*FORMATS, IATI) if table is PLEDGES else FORMATS


def csv_rows(chunk: bytes) -> int:
    """Complete CSV lines in a chunk that ends at a line's end: CRLFs outside quoted cells (a doubled
    quote inside a cell splits into an empty outside part, so the parity holds)."""
    return sum(part.count(b"\r\n") for part in chunk.split(b'"')[::2])


def exact_row_count(queryset: QuerySet) -> int | None:
    """The rows a download will have, if the database counts them within COUNT_TIME_LIMIT_MS; else None."""
    finished, counted = within_time_limit(lambda: queryset.order_by().count(), milliseconds=COUNT_TIME_LIMIT_MS)
    return counted if finished else None


# The downloads built whole, or slowly, in Python: refused above a row limit, with a pointer to the CSV
# (which the database builds, in flat memory). Format -> (the setting, what the file is, its rows).
ROW_LIMITS = {
    "xlsx": ("XLSX_MAX_ROWS", "an Excel download", "rows"),
    IATI: ("IATI_MAX_ROWS", "an IATI file", "activities"),
}


def nothing_exported(why: str) -> HttpResponse:
    """A 400 instead of a file: "Nothing was exported: <why>", as plain text."""
    return HttpResponse(f"Nothing was exported: {why}\n", status=400, content_type="text/plain; charset=utf-8")


def refused_as_too_large(export_format: str) -> HttpResponse:
    setting, what, rows = ROW_LIMITS[export_format]
    return nothing_exported(
        f"{what} holds at most {getattr(settings, setting):,} {rows}, and these filters select more. "
        f"Download the CSV instead (the same rows, which Excel and pandas open too: replace "
        f"_export={export_format} with _export=csv in the address), or narrow the filters."
    )


def guarded(chunks: Iterable[bytes], export_format: str) -> Iterator[bytes]:
    """The stream, never mistaken for complete when it breaks.

    Before it starts, export_response() has counted the rows (a database that is down fails there,
    and the view answers the 503 page before any byte is sent). If the stream fails later, a CSV gets
    a last line `#ERROR: export cut short after N rows` and the error is raised again, so the server
    drops the connection without ending the chunked body; a JSON array (or IATI XML) is left without
    its closing bracket (or tag), which no parser accepts. When the client goes away, the server
    closes this generator: the source generator is closed at once, and its cursor with it.

    The source is not started here: a started PostgreSQL COPY holds the connection until it is read
    to the end or closed, and a response that is never read (a HEAD turned GET, a test) would hold it."""
    source = iter(chunks)

    def stream() -> Iterator[bytes]:
        lines = 0
        try:
            for chunk in source:
                if export_format == "csv":
                    lines += csv_rows(chunk)
                yield chunk
        except Exception:
            logger.exception("Export (%s) cut short after %d lines", export_format, lines)
            if export_format == "csv":
                yield f"#ERROR: export cut short after {max(lines - 1, 0)} rows\r\n".encode()
            raise
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    return stream()


def export_response(
    table: ExportTable,
    queryset: QuerySet,
    export_format: str,
    *,
    day: date | None = None,
    head: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """The download of `queryset` as `table`'s columns: `csv`, `json` and `iati` stream (opened before
    the response starts: see guarded()); `xlsx` is built in write-only mode; both are refused above
    their row limits (ROW_LIMITS). `head`: the headers only, nothing built. X-Row-Count carries the rows'
    number when the database counts them quickly (else it is left out)."""
    if (export_format == IATI and table is not PLEDGES) or export_format not in (*FORMATS, IATI):
        raise ValueError(f"unknown export format {export_format!r} for {table.name}")
    if export_format in ROW_LIMITS and more_than(queryset, getattr(settings, ROW_LIMITS[export_format][0])):
        return refused_as_too_large(export_format)
    rows = exact_row_count(queryset)  # also the check that the database answers, before any byte is sent
    content_type = IATI_CONTENT_TYPE if export_format == IATI else CONTENT_TYPES[export_format]
    if head:
        response = HttpResponse(content_type=content_type)
    elif export_format == "xlsx":
        response = HttpResponse(xlsx_bytes(table, queryset), content_type=content_type)
    else:
        if export_format == "csv":
            # Built by the database when it can (the same bytes; exports/sql.py), else by Python.
            content = sql.stream_csv(table, queryset) or stream_csv(table, queryset)
        elif export_format == "json":
            content = stream_json(table, queryset)
        else:
            content = iati.iati_activities(queryset)
        response = StreamingHttpResponse(guarded(content, export_format), content_type=content_type)
    if export_format == IATI:
        filename = ExportTable.filename(table, "xml", day).replace(f"{table.name}-", f"{table.name}-iati-", 1)
    else:
        filename = table.filename(export_format, day)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if rows is not None:
        response[ROW_COUNT_HEADER] = str(rows)
    return response


def export_links(
    request: HttpRequest, formats: tuple[str, ...] = FORMATS, parameter: str = EXPORT_PARAMETER
) -> list[tuple[str, str]]:
    """(format, URL) for each download of the current page's rows: its query, minus the page."""
    links = []
    for export_format in formats:
        query = request.GET.copy()
        query.pop("page", None)
        query[parameter] = export_format
        links.append((export_format, f"?{query.urlencode()}"))
    return links


def filters_refused(filterset: FilterSet | Form) -> HttpResponse:
    """A 400 that says which filters (of a filter set, or a form) could not be applied, instead of a file."""
    reasons = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
    return nothing_exported(f"the filters could not be applied ({reasons}).")


class StreamingExportMixin:
    """For a table page: `?_export=csv|xlsx|json` (and `iati` for pledges) downloads exactly the page's
    filtered, sorted rows.

    The view sets `export_table` and provides `get_export_queryset()`; when it has a filterset whose
    input is invalid, the download is refused with the reasons. The page's context gets `export_links`."""

    export_table: ExportTable | None = None
    export_parameter = EXPORT_PARAMETER

    @property
    def export_formats(self) -> tuple[str, ...]:
        return formats_of(self.export_table)

    def get_export_queryset(self) -> QuerySet:
        return self.get_queryset()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        export_format = request.GET.get(self.export_parameter)
        if export_format in self.export_formats:
            queryset = self.get_export_queryset()
            filterset = getattr(self, "filterset", None)
            if filterset is not None and filterset.is_bound and not filterset.is_valid():
                return filters_refused(filterset)
            limits.export_time_limit(request)
            return export_response(self.export_table, queryset, export_format, head=request.method == "HEAD")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["export_links"] = export_links(self.request, self.export_formats, self.export_parameter)
        return context
