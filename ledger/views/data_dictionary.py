"""The data dictionary page (/data-dictionary/): ledger/data_dictionary.py's content as HTML."""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ledger.data_dictionary import CONVENTIONS, IMPORT_RULES, STANDARDS, tables
from ledger.exports.totals import TOTALS_COLUMNS_DOC


def _html(text: str) -> SafeString:
    """The Markdown's `code` spans as <code>, everything else escaped."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))  # noqa: S308 (escaped first)


def data_dictionary(request: HttpRequest) -> HttpResponse:
    entries = tables()
    for entry in entries:
        for row in entry["columns"]:
            row["allowed"] = _html(row["allowed"])
    return render(
        request,
        "ledger/data_dictionary.html",
        {
            "nav": "data-dictionary",
            "tables": entries,
            "totals_columns": TOTALS_COLUMNS_DOC.items(),
            "conventions": [_html(item) for item in CONVENTIONS],
            "import_rules": [_html(item) for item in IMPORT_RULES],
            "standards": [_html(item) for item in STANDARDS],
        },
    )
