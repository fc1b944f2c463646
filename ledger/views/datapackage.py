"""The ledger as a Frictionless Data Package on the site: /data-package/ serves datapackage.json, whose
resources point at /data-package/<table>.csv, each the whole table in the export columns (the same
file as export_ledger writes), so `frictionless validate https://…/data-package/` checks the live data."""

import json

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse

from ledger import datapackage
from ledger.exports.writers import CONTENT_TYPES, stream_csv
from ledger.views.exporting import ROW_COUNT_HEADER, exact_row_count, guarded

TABLES = {table.name: table for table in datapackage.package_tables()}


def data_package(request: HttpRequest) -> HttpResponse:
    paths = {name: request.build_absolute_uri(reverse("ledger:data-package-table", args=[name])) for name in TABLES}
    body = json.dumps(datapackage.descriptor(paths), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="datapackage.json"'
    return response


def data_package_table(request: HttpRequest, table: str) -> StreamingHttpResponse:
    """One resource of the package: the whole table as CSV, streamed."""
    spec = TABLES.get(table)
    if spec is None:
        raise Http404(f"The data package has no table {table!r}.")
    queryset = datapackage.citations_queryset() if spec is datapackage.CITATIONS else spec.model._default_manager.all()
    # Counted before the first byte (a database that is down gets the 503 page); a stream cut short
    # ends in an #ERROR line (views/exporting.py).
    rows = exact_row_count(queryset)
    response = StreamingHttpResponse(guarded(stream_csv(spec, queryset), "csv"), content_type=CONTENT_TYPES["csv"])
    if rows is not None:
        response[ROW_COUNT_HEADER] = str(rows)
    response["Content-Disposition"] = f'attachment; filename="{spec.name}.csv"'
    return response
