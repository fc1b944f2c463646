"""An analyst's `pandas.read_csv(<export URL>)` gets the database's values back exactly."""

from datetime import date
from decimal import Decimal

import pandas as pd
from django.test import LiveServerTestCase

from ledger.models import Pledge
from tests import factories


class PandasReadsTheExportTests(LiveServerTestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def setUp(self):
        china, cuba = Pledge.objects.get(pk=4).donor, Pledge.objects.get(pk=4).recipient
        factories.pledge(
            china,
            cuba,
            amount=Decimal("1234.56"),
            currency="EUR",
            amount_usd=Decimal("1340.00"),
            usd_rate=Decimal("1.0854000000"),
            usd_rate_date=date(2026, 2, 5),
            usd_rate_source="ECB reference rate",
            description="Díaz-Canel said «sí»",
        )

    def test_a_filtered_export_read_by_pandas_equals_the_database(self):
        url = f"{self.live_server_url}/pledges/?donor=CHN&sort=-amount_usd&_export=csv"
        frame = pd.read_csv(url, dtype=str, keep_default_na=False)
        page = self.client.get("/pledges/", {"donor": "CHN", "sort": "-amount_usd"})
        shown = [row.record.pk for row in page.context["table"].page.object_list]
        self.assertEqual(frame["id"].astype(int).tolist(), shown)  # the rows the analyst sees, in their order
        expected = Pledge.objects.in_bulk(shown)
        expected = [expected[pk] for pk in shown]

        def decimal(cell):
            return Decimal(cell) if cell else None

        for record, pledge in zip(frame.to_dict("records"), expected):
            for name in ("amount", "amount_usd", "usd_rate", "quantity"):
                self.assertEqual(decimal(record[name]), getattr(pledge, name), name)
            for name in ("date", "usd_rate_date"):
                self.assertEqual(date.fromisoformat(record[name]) if record[name] else None, getattr(pledge, name))
            for name in (
                "kind",
                "status",
                "currency",
                "amount_qualifier",
                "unit",
                "commodity",
                "valuation",
                "date_precision",
                "date_qualifier",
                "description",
                "usd_rate_source",
            ):
                self.assertEqual(record[name], getattr(pledge, name), name)
            self.assertEqual(
                (record["donor_code"], record["recipient_code"]), (pledge.donor.code, pledge.recipient.code)
            )
            self.assertEqual(record["year_inferred"], str(pledge.year_inferred))
            self.assertEqual(record["package"], str(pledge.package_id or ""))
            self.assertEqual(record["excerpts"], "\n".join(c.excerpt for c in pledge.citations.order_by("id")))
            self.assertEqual(pd.Timestamp(record["updated_at"]), pd.Timestamp(pledge.updated_at))

    def test_default_read_gives_numbers_for_numbers_and_nan_for_unknown(self):
        frame = pd.read_csv(f"{self.live_server_url}/pledges/?_export=csv", parse_dates=["date"])
        self.assertEqual(frame["amount_usd"].dtype.kind, "f")
        self.assertEqual(int(frame.loc[frame["id"] == 2, "amount"].iloc[0]), 80_000_000)
        self.assertTrue(frame.loc[frame["id"] == 1, "amount"].isna().all())  # unknown, not 0
        self.assertEqual(frame["year_inferred"].dtype, bool)
