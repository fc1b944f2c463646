from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from ledger.formatting import format_certainty, format_date, format_day, format_goods, format_money


class FormattingTests(SimpleTestCase):
    def test_money_reads_as_a_person_would_say_it(self):
        self.assertEqual(format_money(Decimal("340000000"), "USD", "approximately"), "≈ USD 340 million")
        self.assertEqual(format_money(Decimal("80000000.00"), "USD", "exact"), "USD 80 million")
        self.assertEqual(format_money(Decimal("1500000"), "EUR", "up_to"), "up to EUR 1.5 million")
        self.assertEqual(format_money(Decimal("2000000000"), "CNY", "at_least"), "at least CNY 2 billion")

    def test_money_is_not_rounded_to_fit_a_word(self):
        self.assertEqual(format_money(Decimal("123456789.50"), "USD", "exact"), "USD 123,456,789.5")
        self.assertEqual(format_money(Decimal("12345"), "USD", "exact"), "USD 12,345")

    def test_unknown_amount_reads_as_words_not_zero(self):
        self.assertEqual(format_money(None, "", ""), "amount not stated")

    def test_goods_say_when_their_value_is_unknown(self):
        self.assertEqual(
            format_goods(Decimal("60000.000"), "t", "rice", "not_stated"), "60,000 t of rice (value not stated)"
        )
        self.assertEqual(
            format_goods(Decimal("2.5"), "t", "milk powder", "estimated", "world price"),
            "2.5 t of milk powder (value estimated: world price)",
        )
        self.assertEqual(format_goods(None, "", "", ""), "")

    def test_dates_keep_their_precision(self):
        self.assertEqual(format_date(date(2026, 1, 1), "month", "end", True), "end of Jan 2026 (year inferred)")
        self.assertEqual(format_date(date(2025, 9, 1), "month", "", True), "Sep 2025 (year inferred)")
        self.assertEqual(format_date(date(2024, 1, 1), "year"), "2024")
        self.assertEqual(format_date(date(2026, 2, 4), "day"), "4 Feb 2026")
        self.assertEqual(format_date(None, ""), "date not stated")

    def test_a_day_reads_day_month_year(self):
        self.assertEqual(format_day(date(2026, 2, 5)), "5 Feb 2026")

    def test_certainty_says_what_the_source_says_and_never_guesses_a_missing_figure(self):
        self.assertEqual(format_certainty(Decimal(1), "exact"), "stated as an exact figure")
        self.assertEqual(format_certainty(Decimal(1), "approximately"), "approximate: the source says “approximately”")
        self.assertEqual(format_certainty(Decimal(1), "up_to"), "an upper bound: the source says “up to”")
        self.assertEqual(format_certainty(Decimal(1), "at_least"), "a lower bound: the source says “at least”")
        self.assertEqual(format_certainty(None, ""), "no figure stated")
