"""Downloads of a table page: `?_export=csv|xlsx|json` streams exactly the page's filtered, sorted rows
(all of them, not one page) through ledger/exports/; the pledges page also offers `?_export=iati`, the
same pledges as IATI 2.03 activity XML (ledger/iati.py). Trade figures and the other tables never get
IATI. Named apart from django-tables2's ExportMixin, which builds the whole file in memory."""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_filters import FilterSet

from ledger import iati
from ledger.exports import sql
from ledger.exports.codec import ExportTable
from ledger.exports.columns import PLEDGES
from ledger.exports.writers import CONTENT_TYPES, FORMATS, stream_csv, stream_json, xlsx_bytes

EXPORT_PARAMETER = "_export"
IATI = "iati"
IATI_CONTENT_TYPE = "application/xml; charset=utf-8"


def formats_of(table: ExportTable | None) -> tuple[str, ...]:
    """The download formats a table supports: CSV, xlsx and JSON for all; IATI XML for the pledges only."""
    return (*FORMATS, IATI) if table is PLEDGES else FORMATS


def export_response(
    table: ExportTable, queryset: QuerySet, export_format: str, *, day: date | None = None
) -> HttpResponse | StreamingHttpResponse:
    """The download of `queryset` as `table`'s columns: `csv` and `json` stream, `xlsx` is built whole."""
    if export_format == "csv":
        # Built by the database when it can (the same bytes; exports/sql.py), else by Python.
        content = sql.stream_csv(table, queryset) or stream_csv(table, queryset)
        response = StreamingHttpResponse(content, content_type=CONTENT_TYPES["csv"])
    elif export_format == "json":
        response = StreamingHttpResponse(stream_json(table, queryset), content_type=CONTENT_TYPES["json"])
    elif export_format == "xlsx":
        response = HttpResponse(xlsx_bytes(table, queryset), content_type=CONTENT_TYPES["xlsx"])
    elif export_format == IATI and table is PLEDGES:
        response = StreamingHttpResponse(iati.iati_activities(queryset), content_type=IATI_CONTENT_TYPE)
        filename = ExportTable.filename(table, "xml", day).replace(f"{table.name}-", f"{table.name}-iati-", 1)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    else:
        raise ValueError(f"unknown export format {export_format!r} for {table.name}")
    response["Content-Disposition"] = f'attachment; filename="{table.filename(export_format, day)}"'
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


def filters_refused(filterset: FilterSet) -> HttpResponse:
    """A 400 that says which filters could not be applied, instead of a file."""
    reasons = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
    return HttpResponse(
        f"Nothing was exported: the filters could not be applied ({reasons}).\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


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
            return export_response(self.export_table, queryset, export_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["export_links"] = export_links(self.request, self.export_formats, self.export_parameter)
        return context
