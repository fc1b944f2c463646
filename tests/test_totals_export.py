"""The overview's totals CSV says why entries have no USD value, as the overview page does: each
unconverted currency with its reason, the total's reasons with their numbers, and the reasons a group's
entries without a USD value can have; read back with pandas."""

import io
from decimal import Decimal

import pandas as pd
from django.contrib.auth import get_user_model
from django.test import TestCase

from ledger import exports, services
from ledger.exports.totals import NOT_CONVERTED_YET
from ledger.models import Actor, Pledge, Source
from tests import factories

FIXTURE = "cibercuba-2026-02-05"


class TotalsUsdMissingReasonTests(TestCase):
    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cls.china, cls.cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        editor = get_user_model().objects.create_user("editor")
        cls.cup = services.pledge_create(
            user=editor,
            reason="test",
            donor=cls.china,
            recipient=cls.cuba,
            kind=Pledge.Kind.GRANT,
            amount=Decimal("1000"),
            currency="CUP",
            citations=[{"source": Source.objects.get(), "excerpt": "mil pesos cubanos", "paragraph": 1}],
        )
        # Money loaded without a conversion (a fixture, a raw import): no reason recorded yet.
        cls.eur = factories.pledge(cls.china, cls.cuba, amount=Decimal("500"), currency="EUR")

    def totals(self, **params):
        response = self.client.get("/", {**params, "_export": "csv"})
        self.assertEqual(response.status_code, 200)
        frame = pd.read_csv(io.BytesIO(response.content), dtype=str, keep_default_na=False)
        self.assertEqual(list(frame.columns), exports.TOTALS_HEADER)
        return frame

    def test_the_stored_reason_is_not_empty(self):
        self.assertTrue(self.cup.usd_missing_reason)
        self.assertEqual(self.eur.usd_missing_reason, "")

    def assert_reasons(self, frame):
        unconverted = frame[frame["section"] == "unconverted"]
        self.assertEqual(
            sorted(
                zip(
                    unconverted["key"],
                    unconverted["amount"].map(Decimal),
                    unconverted["usd_missing_reason"],
                    strict=True,
                )
            ),
            [("CUP", Decimal("1000"), self.cup.usd_missing_reason), ("EUR", Decimal("500"), NOT_CONVERTED_YET)],
        )
        [total] = frame[frame["section"] == "total"].to_dict("records")
        self.assertEqual(total["entries_without_usd"], "3")  # the rice, the pesos, the euros
        self.assertEqual(
            total["usd_missing_reason"],
            f"no money value: 1; {self.cup.usd_missing_reason} (CUP): 1; {NOT_CONVERTED_YET} (EUR): 1",
        )
        china = frame[(frame["section"] == "by_donor") & (frame["key"] == "CHN")].iloc[0]
        self.assertEqual(china["entries_without_usd"], "3")
        self.assertEqual(
            china["usd_missing_reason"],
            f"no money value; {self.cup.usd_missing_reason} (CUP); {NOT_CONVERTED_YET} (EUR)",
        )
        # A group whose every entry has a USD value says nothing.
        complete = frame[(frame["section"] != "unconverted") & (frame["entries_without_usd"] == "0")]
        self.assertFalse(complete.empty)
        self.assertEqual(set(complete["usd_missing_reason"]), {""})

    def test_the_csv_says_why_per_currency_and_per_group_from_the_maintained_totals(self):
        self.assert_reasons(self.totals())
        self.assert_reasons(self.totals(donor="CHN"))

    def test_the_csv_says_why_when_the_totals_are_counted_from_the_rows(self):
        # Two dimensions: the maintained totals cannot answer, the live rows are counted.
        self.assert_reasons(self.totals(donor="CHN", recipient="CUB"))

    def test_without_missing_usd_values_the_column_is_empty(self):
        frame = self.totals(donor="VNM")
        self.assertEqual(frame[frame["section"] == "total"].iloc[0]["entries_without_usd"], "0")
        self.assertEqual(set(frame["usd_missing_reason"]), {""})

    def test_the_data_dictionary_documents_the_column(self):
        self.assertIn("usd_missing_reason", exports.TOTALS_COLUMNS_DOC)
        response = self.client.get("/data-dictionary/")
        self.assertContains(response, "the reasons its entries can have")
