"""Every table page and the overview download exactly what they show: `?_export=csv|xlsx|json`."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
from django.db import connection
from django.test import TestCase

from ledger import exports
from ledger.models import Pledge
from tests import factories

PAGES = {
    "/pledges/": exports.PLEDGES,
    "/trade/": exports.TRADE_FIGURES,
    "/actors/": exports.ACTORS,
    "/sources/": exports.SOURCES,
}


def read_csv(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


class TablePageExportTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def shown_ids(self, path, params):
        page = self.client.get(path, params)
        return [row.record.pk for row in page.context["table"].page.object_list]

    def test_each_table_page_exports_the_rows_it_shows_in_its_order(self):
        cases = [
            ("/pledges/", {"donor": "CHN", "sort": "-amount_usd"}),
            ("/pledges/", {"sort": "date"}),
            ("/trade/", {"sort": "-id"}),
            ("/actors/", {"kind": "country"}),
            ("/sources/", {}),
        ]
        for path, params in cases:
            with self.subTest(path=path, params=params):
                response = self.client.get(path, {**params, "_export": "csv"})
                self.assertEqual(response.status_code, 200)
                self.assertEqual([int(r["id"]) for r in read_csv(response)], self.shown_ids(path, params))

    def test_the_export_holds_every_row_not_one_page(self):
        china, cuba = Pledge.objects.get(pk=4).donor, Pledge.objects.get(pk=4).recipient
        for index in range(30):
            factories.pledge(china, cuba, amount=Decimal(1000 + index))
        self.assertEqual(len(self.shown_ids("/pledges/", {})), 25)
        rows = read_csv(self.client.get("/pledges/", {"_export": "csv", "page": "2"}))
        self.assertEqual(len(rows), Pledge.objects.count())

    def test_a_csv_download_costs_a_fixed_number_of_queries(self):
        # The donor filter's lookup, the row count for X-Row-Count (on PostgreSQL within a savepoint and
        # SET LOCAL statement_timeout: 4 more), then the rows with their citations: one query, the CSV
        # built in the database on both (exports/sql.py).
        with self.assertNumQueries(3 if connection.vendor == "sqlite" else 7):
            rows = read_csv(self.client.get("/pledges/", {"donor": "CHN", "_export": "csv"}))
        self.assertEqual(len(rows), 4)

    def test_every_page_offers_csv_xlsx_and_json_named_after_the_table_and_day(self):
        today = date.today().isoformat()
        for path, table in PAGES.items():
            for export_format in ("csv", "xlsx", "json"):
                with self.subTest(path=path, export_format=export_format):
                    response = self.client.get(path, {"_export": export_format})
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(
                        response["Content-Disposition"], f'attachment; filename="{table.name}-{today}.{export_format}"'
                    )
            page = self.client.get(path, {"page": "1"})
            self.assertContains(page, 'href="?_export=csv" download')

    def test_xlsx_and_json_hold_the_same_rows(self):
        params = {"donor": "CHN", "sort": "-amount_usd"}
        ids = self.shown_ids("/pledges/", params)
        workbook = openpyxl.load_workbook(
            io.BytesIO(self.client.get("/pledges/", {**params, "_export": "xlsx"}).content)
        )
        self.assertEqual([row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)], ids)
        response = self.client.get("/pledges/", {**params, "_export": "json"})
        self.assertEqual([row["id"] for row in json.loads(b"".join(response.streaming_content))], ids)

    def test_invalid_filters_refuse_the_download_with_the_reason(self):
        response = self.client.get("/pledges/", {"date_after": "soon", "_export": "csv"})
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "Nothing was exported: the filters could not be applied (date: “soon” is not a date written YYYY-MM-DD",
            response.content.decode(),
        )


class OverviewTotalsExportTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def totals(self, **params):
        response = self.client.get("/", {**params, "_export": "csv"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith('attachment; filename="overview-totals-'))
        return read_csv(response)

    def test_totals_are_exact_and_say_what_they_leave_out(self):
        rows = self.totals()
        self.assertEqual(list(rows[0]), exports.TOTALS_HEADER)
        total = rows[0]
        self.assertEqual((total["section"], total["currency"], total["qualifier"]), ("total", "USD", "exact"))
        self.assertEqual(Decimal(total["amount"]), Decimal("195000000"))  # 80 M + 100 M + 15 M, package not twice
        donors = {r["key"]: r for r in rows if r["section"] == "by_donor"}
        self.assertEqual(Decimal(donors["CHN"]["amount"]), Decimal("180000000"))
        self.assertEqual(Decimal(donors["VNM"]["amount"]), Decimal("15000000"))
        in_kind = next(r for r in rows if r["section"] == "by_kind" and r["key"] == "in_kind")
        self.assertEqual(in_kind["amount"], "")  # rice with no stated value: empty, never 0
        rice = next(r for r in rows if r["section"] == "goods")
        self.assertEqual((rice["key"], Decimal(rice["quantity"]), rice["unit"]), ("rice", Decimal("60000"), "t"))
        left_out = {r["key"]: int(r["entries"]) for r in rows if r["section"] == "left_out"}
        self.assertEqual(left_out["packages_counted_through_parts"], 1)
        self.assertEqual(left_out["trade_figures"], 3)

    def test_totals_follow_the_overview_filters(self):
        rows = self.totals(donor="VNM")
        self.assertEqual(Decimal(rows[0]["amount"]), Decimal("15000000"))
        self.assertEqual([r["key"] for r in rows if r["section"] == "by_donor"], ["VNM"])

    def test_the_overview_links_its_totals_download(self):
        self.assertContains(self.client.get("/", {"donor": "CHN"}), 'href="?donor=CHN&amp;_export=csv" download')
