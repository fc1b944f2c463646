"""The overview's totals as one CSV (`/?_export=csv`): one row per group of ledger/selectors.py's
OverviewTotals, in the columns TOTALS_HEADER lists and TOTALS_COLUMNS_DOC documents (the data
dictionary prints them). Amounts are exact, unknown sums empty (never 0), text escaped as in every export."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

from ledger.exports.codec import escape_text
from ledger.exports.writers import CONTENT_TYPES

TOTALS_HEADER = [
    "section",
    "key",
    "label",
    "currency",
    "amount",
    "qualifier",
    "entries",
    "entries_in_total",
    "entries_without_usd",
    "quantity",
    "unit",
    "usd_missing_reason",
]
# What the overview says of money converted by nobody yet (an empty usd_missing_reason).
NOT_CONVERTED_YET = "not converted yet"
TOTALS_COLUMNS_DOC = {
    "section": "total (all pledges counted), by_donor, by_recipient, by_year, by_kind, goods, unconverted "
    "(money with no USD value, per currency: left out of the USD totals) or left_out (what no total "
    "includes, and why).",
    "key": "The group: an actor code, a year (empty: date not stated), a kind code, a commodity, a currency "
    "or a left_out reason code.",
    "label": "The group in words (actor name, kind label, or what was left out).",
    "currency": "The currency of amount: USD for the totals, the stated currency for unconverted.",
    "amount": "The sum, exact. Empty when no entry of the group has a value: unknown, never 0.",
    "qualifier": "How precise the sum is: exact only if every term is; otherwise at_least, up_to or approximately.",
    "entries": "How many entries the group holds (a package with parts counts through its parts).",
    "entries_in_total": "How many of them have a USD value and are in amount (goods: how many have a value).",
    "entries_without_usd": "How many of them are not in amount, having no USD value.",
    "quantity": "Goods only: the total quantity, exact.",
    "unit": "Goods only: the quantity's unit.",
    "usd_missing_reason": "Why entries have no USD value, as the overview says it. On an unconverted row: the "
    f"reason of its currency's entries ('no ECB rate for CUP'; '{NOT_CONVERTED_YET}' when no conversion was "
    "tried), one row per currency and reason. On the total row, when entries_without_usd is not 0: each reason "
    "with its number of entries ('no money value: 2; no ECB rate for CUP (CUP): 1'). On a by_ row with "
    "entries_without_usd: the reasons its entries can have, those of the total row without the numbers (the "
    "overview does not split them by group). Empty when every entry of the row has a USD value.",
}


def _total_cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN: unknown
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_text(value)
    return str(value)


def _unconverted_reason(row) -> str:
    reason = row.get("reason")
    return reason if isinstance(reason, str) and reason else NOT_CONVERTED_YET


def _reasons(totals) -> list[tuple[str, int]]:
    """Why the counted entries without a USD value have none, as the overview lists it, with how many
    entries each: no money value, then each currency and reason of the money left unconverted."""
    left_out = dict(zip(totals.left_out["reason"], totals.left_out["entries"], strict=True))
    reasons = [("no money value", int(left_out["no_money_value"]))] if left_out.get("no_money_value") else []
    reasons += [
        (f"{_unconverted_reason(row)} ({row['currency']})", int(row["entries"]))
        for row in totals.unconverted.to_dict("records")
    ]
    return reasons


def totals_rows(totals) -> list[list[str]]:
    """The overview's totals (ledger/selectors.py's OverviewTotals) as rows of TOTALS_HEADER."""

    def money(row):
        return [
            row.get("currency", "USD"),
            row.get("amount"),
            row.get("qualifier", ""),
            row.get("entries"),
            row.get("entries_in_total"),
            row.get("entries_without_usd"),
        ]

    reasons = _reasons(totals)

    def why(row) -> str:
        """The total row: each reason with its entries; a group: the reasons its entries can have (the
        overview does not split them by group)."""
        if not row.get("entries_without_usd"):
            return ""
        if row is totals.grand_total:
            return "; ".join(f"{reason}: {entries}" for reason, entries in reasons)
        return "; ".join(reason for reason, _entries in reasons)

    rows = [
        ["total", "", "All pledges counted in totals", *money(totals.grand_total), None, "", why(totals.grand_total)]
    ]
    for section, frame, key, label in (
        ("by_donor", totals.by_donor, "actor_code", "actor_name"),
        ("by_recipient", totals.by_recipient, "actor_code", "actor_name"),
        ("by_year", totals.by_year, "year", None),
        ("by_kind", totals.by_kind, "kind", "kind_label"),
    ):
        for row in frame.to_dict("records"):
            year_label = "date not stated" if section == "by_year" and row[key] is None else ""
            rows.append([section, row[key], row[label] if label else year_label, *money(row), None, "", why(row)])
    for row in totals.goods.to_dict("records"):
        rows.append(
            [
                "goods",
                row["commodity"],
                "",
                "",
                None,
                "",
                row["entries"],
                row["entries_with_usd_value"],
                row["entries"] - row["entries_with_usd_value"],
                row["quantity"],
                row["unit"],
                "",
            ]
        )
    for row in totals.unconverted.to_dict("records"):
        rows.append(
            [
                "unconverted",
                row["currency"],
                "money with no USD value, left out of the USD totals",
                row["currency"],
                row["amount"],
                "",
                row["entries"],
                None,
                None,
                None,
                "",
                _unconverted_reason(row),
            ]
        )
    for row in totals.left_out.to_dict("records"):
        rows.append(["left_out", row["reason"], row["detail"], "", None, "", row["entries"], None, None, None, "", ""])
    return [[_total_cell(value) for value in row] for row in rows]


def totals_csv_response(totals, *, day: date | None = None) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TOTALS_HEADER)
    writer.writerows(totals_rows(totals))
    response = HttpResponse(buffer.getvalue().encode(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="overview-totals-{(day or date.today()).isoformat()}.csv"'
    return response
