"""The timeline page (/timeline/; with two countries, ?country=CUB&country=VNM, the pair's page) and its
downloads: `?_export=csv|json|xlsx` writes every entry the filters select, in the page's order, in the columns of
ledger/exports/engagement_columns.py's TIMELINE, with the tables' conventions (ISO dates, unknown empty,
formula-like text escaped in CSV), under the downloads' time limit, and refused above
settings.TIMELINE_MAX_ROWS entries (the whole 1M-pledge ledger's timeline ran out of time: HTTP 503)."""

import csv
import io
import json
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from aidledger import limits
from ledger.exports.codec import escape_text
from ledger.exports.engagement_columns import TIMELINE
from ledger.exports.writers import CONTENT_TYPES, FORMATS
from ledger.timeline import TimelineEntry, TimelineFilter, TimelineForm, timeline, timeline_rows, timeline_too_large
from ledger.views.exporting import EXPORT_PARAMETER, export_links, filters_refused, nothing_exported


def _cells(entry: TimelineEntry) -> list:
    return [
        entry.kind,
        entry.pk,
        entry.date.isoformat() if entry.date else None,
        entry.precision,
        entry.qualifier,
        entry.year_inferred,
        entry.when,
        entry.parties,
        entry.summary,
        entry.url,
    ]


def _csv(entries: list[TimelineEntry]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TIMELINE.header)
    for entry in entries:
        writer.writerow(["" if v is None else escape_text(v) if isinstance(v, str) else v for v in _cells(entry)])
    yield buffer.getvalue().encode()


def _json(entries: list[TimelineEntry]) -> Iterator[bytes]:
    rows = [dict(zip(TIMELINE.header, _cells(entry), strict=True)) for entry in entries]
    yield (json.dumps(rows, ensure_ascii=False, indent=0) + "\n").encode()


def _xlsx(entries: list[TimelineEntry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TIMELINE.title)
    sheet.append(TIMELINE.header)
    for entry in entries:
        cells = []
        for value in _cells(entry):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never run as a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timeline_download(entries: list[TimelineEntry], export_format: str) -> HttpResponse:
    if export_format == "xlsx":
        response = HttpResponse(_xlsx(entries), content_type=CONTENT_TYPES["xlsx"])
    else:
        writer = _csv if export_format == "csv" else _json
        response = StreamingHttpResponse(writer(entries), content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{TIMELINE.filename(export_format)}"'
    return response


def timeline_page(request: HttpRequest) -> HttpResponse:
    form = TimelineForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    export_format = request.GET.get(EXPORT_PARAMETER)
    if export_format in FORMATS:
        if not valid:
            return filters_refused(form)
        flt = TimelineFilter.from_form(form) if form.is_bound else TimelineFilter()
        if timeline_too_large(flt, settings.TIMELINE_MAX_ROWS):
            return nothing_exported(
                f"a timeline download holds at most {settings.TIMELINE_MAX_ROWS:,} entries (it is built in "
                "memory, in date order), and these filters select more. Narrow it to a country or a pair "
                "(?country=CUB&country=VNM), a kind of entry or a period, or download each table's CSV from its page."
            )
        limits.export_time_limit(request)
        return timeline_download(timeline_rows(flt), export_format)
    context = {
        "nav": "timeline",
        "filter": {"form": form},
        "filter_invalid": not valid,
        "export_links": export_links(request),
    }
    if valid:
        flt = TimelineFilter.from_form(form) if form.is_bound else TimelineFilter()
        context.update(timeline=timeline(flt), countries=flt.countries)
    return render(request, "ledger/timeline.html", context)
