"""Every invariant is a database constraint, and full_clean() reports it on the field at fault."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from ledger.models import Actor, Citation, Pledge, Statement, TradeFigure
from tests import factories

USD_1M = dict(amount=Decimal("1000000"), currency="USD", amount_qualifier="exact", amount_usd=Decimal("1000000"))


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.source = factories.source()

    def pledge(self, **fields):
        base = dict(donor=self.china, recipient=self.cuba, kind=Pledge.Kind.GRANT, status="committed", **USD_1M)
        return Pledge(**{**base, **fields})

    def trade(self, **fields):
        base = dict(reporter=self.china, partner=self.cuba, flow="total_trade", **USD_1M)
        return TradeFigure(**{**base, **fields})

    def assertRejected(self, instance, field, message):
        """full_clean names the field and says why; the database refuses the row even without it."""
        with self.assertRaises(ValidationError) as caught:
            instance.full_clean()
        errors = caught.exception.message_dict
        self.assertIn(field, errors, errors)
        self.assertTrue(any(message in text for text in errors[field]), errors)
        with self.assertRaises(IntegrityError), transaction.atomic():
            instance.save()

    def test_a_valid_pledge_passes(self):
        self.pledge().full_clean()

    def test_donor_must_differ_from_recipient(self):
        self.assertRejected(self.pledge(recipient=self.china), "recipient", "must be different actors")

    def test_amount_cannot_be_negative(self):
        self.assertRejected(self.pledge(amount=Decimal("-5"), amount_usd=Decimal("-5")), "amount", "cannot be negative")

    def test_amount_needs_a_currency(self):
        self.assertRejected(self.pledge(currency="", amount_usd=None), "currency", "needs its currency")

    def test_currency_must_be_iso_4217(self):
        instance = self.pledge(currency="XYZ", amount_usd=None)
        with self.assertRaises(ValidationError) as caught:
            instance.full_clean()
        self.assertIn("currency", caught.exception.message_dict)
        with self.assertRaises(IntegrityError), transaction.atomic():
            instance.save()

    def test_no_currency_without_an_amount(self):
        self.assertRejected(self.pledge(amount=None, amount_usd=None), "currency", "only go with an amount")

    def test_amount_needs_a_qualifier_in_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.pledge(amount_qualifier="").save()

    def test_usd_value_of_a_usd_amount_is_the_amount(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.pledge(amount_usd=Decimal("999")).save()

    def test_converted_value_needs_its_rate(self):
        self.assertRejected(self.pledge(currency="EUR", amount_usd=Decimal("1100000")), "usd_rate", "needs the rate")

    def test_converted_value_with_rate_is_accepted_and_computed(self):
        pledge = self.pledge(
            currency="EUR",
            amount_usd=None,
            usd_rate=Decimal("1.1"),
            usd_rate_date=date(2026, 1, 30),
            usd_rate_source="ECB reference rate",
        )
        pledge.full_clean()
        self.assertEqual(pledge.amount_usd, Decimal("1100000.00"))

    def test_quantity_needs_a_unit(self):
        self.assertRejected(
            self.pledge(
                kind="in_kind",
                amount=None,
                currency="",
                amount_qualifier="",
                amount_usd=None,
                quantity=Decimal("10"),
                commodity="rice",
                valuation="not_stated",
            ),
            "unit",
            "needs its unit",
        )

    def test_quantity_cannot_be_negative(self):
        self.assertRejected(
            self.pledge(
                kind="in_kind",
                amount=None,
                currency="",
                amount_qualifier="",
                amount_usd=None,
                quantity=Decimal("-1"),
                unit="t",
                commodity="rice",
                valuation="not_stated",
            ),
            "quantity",
            "cannot be negative",
        )

    def test_goods_need_a_commodity_and_a_valuation(self):
        goods = dict(
            kind="in_kind",
            amount=None,
            currency="",
            amount_qualifier="",
            amount_usd=None,
            quantity=Decimal("10"),
            unit="t",
        )
        self.assertRejected(self.pledge(**goods, valuation="not_stated"), "commodity", "what the goods are")
        self.assertRejected(self.pledge(**goods, commodity="rice"), "valuation", "how the goods' value is known")

    def test_value_not_stated_means_no_amount(self):
        self.assertRejected(
            self.pledge(kind="in_kind", quantity=Decimal("10"), unit="t", commodity="rice", valuation="not_stated"),
            "amount",
            "must stay empty",
        )

    def test_estimated_value_needs_its_method(self):
        self.assertRejected(
            self.pledge(kind="in_kind", quantity=Decimal("10"), unit="t", commodity="rice", valuation="estimated"),
            "valuation_method",
            "method of the estimate",
        )

    def test_a_date_needs_its_precision(self):
        self.assertRejected(self.pledge(date=date(2026, 1, 1)), "date_precision", "how precise the date is")

    def test_no_inferred_year_without_a_date(self):
        self.assertRejected(self.pledge(year_inferred=True), "date_precision", "give the date too")

    def test_day_dates_take_no_qualifier(self):
        self.assertRejected(
            self.pledge(date=date(2026, 1, 5), date_precision="day", date_qualifier="end"),
            "date_qualifier",
            "qualify a month or a year",
        )

    def test_month_dates_are_stored_as_the_first_day(self):
        with self.assertRaises(ValidationError) as caught:
            self.pledge(date=date(2026, 1, 31), date_precision="month").full_clean()
        self.assertIn("date", caught.exception.message_dict)

    def test_a_part_shares_its_package_parties(self):
        vietnam = factories.actor("VNM", "Vietnam")
        package = self.pledge(kind="package", amount=None, currency="", amount_qualifier="", amount_usd=None)
        package.save()
        with self.assertRaises(ValidationError) as caught:
            self.pledge(donor=vietnam, package=package).full_clean()
        self.assertIn("package's: China → Cuba", caught.exception.message_dict["package"][0])
        self.pledge(package=package).full_clean()

    def test_only_packages_hold_parts_and_packages_do_not_nest(self):
        grant = self.pledge()
        grant.save()
        with self.assertRaises(ValidationError) as caught:
            self.pledge(package=grant).full_clean()
        self.assertIn("Only an entry of kind 'Aid package'", caught.exception.message_dict["package"][0])
        package = self.pledge(kind="package", amount=None, currency="", amount_qualifier="", amount_usd=None)
        package.save()
        nested = self.pledge(
            kind="package", amount=None, currency="", amount_qualifier="", amount_usd=None, package=package
        )
        self.assertRejected(nested, "package", "cannot itself be part")

    def test_trade_is_between_two_countries(self):
        self.assertRejected(self.trade(partner=self.china), "partner", "two different countries")

    def test_trade_without_a_figure_states_a_rank_or_relation(self):
        self.assertRejected(
            self.trade(amount=None, currency="", amount_qualifier="", amount_usd=None), "amount", "a rank statement"
        )
        self.trade(
            amount=None, currency="", amount_qualifier="", amount_usd=None, relationship="strategic partnership"
        ).full_clean()

    def test_trade_year_is_a_calendar_year(self):
        self.assertRejected(self.trade(year=20), "year", "calendar year")
        self.assertRejected(self.trade(year_inferred=True), "year_inferred", "needs a year")

    def test_country_needs_a_real_iso_code(self):
        self.assertRejected(Actor(code="XXX", name="Nowhere", kind="country", iso3="XXX"), "iso3", "not an ISO 3166-1")
        self.assertRejected(Actor(code="ATL", name="Atlantis", kind="country"), "iso3", "needs its ISO 3166-1")

    def test_country_code_is_its_iso_code(self):
        self.assertRejected(Actor(code="VIET", name="Vietnam", kind="country", iso3="VNM"), "code", "must be its ISO")

    def test_citation_supports_exactly_one_entry(self):
        pledge = self.pledge()
        pledge.save()
        trade = self.trade()
        trade.save()
        both = Citation(source=self.source, pledge=pledge, trade_figure=trade, excerpt="x")
        with self.assertRaises(ValidationError):
            both.full_clean()
        with self.assertRaises(IntegrityError), transaction.atomic():
            both.save()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Citation(source=self.source, excerpt="x").save()

    def test_citation_needs_its_excerpt(self):
        pledge = self.pledge()
        pledge.save()
        self.assertRejected(Citation(source=self.source, pledge=pledge, excerpt=""), "excerpt", "cannot be blank")

    def test_statement_is_about_another_actor(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Statement.objects.create(speaker=self.cuba, subject=self.cuba, kind="support", summary="x")
