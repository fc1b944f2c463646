"""Every invariant of the ledger, checked on the admin's own forms: the editor's message lands on the
field at fault (never only at the top), and an invalid form saves nothing."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase

from ledger.forms import ERROR_UNKNOWN_CURRENCY
from ledger.models import Actor, Citation, Pledge, Source, Statement, TradeFigure
from tests import factories
from tests.admin_helpers import form_data


def admin_form(model, data, instance=None):
    """The form the admin builds for `model`, bound to `data` as a POST would bind it."""
    request = RequestFactory().post("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    model_admin = admin.site._registry[model]
    form_class = model_admin.get_form(request, instance, change=instance is not None)
    if instance is not None:
        data = {
            **form_class(instance=instance).initial,
            "edit_token": form_class(instance=instance)["edit_token"].value(),
            **data,
        }
        data = {key: value for key, value in data.items() if value is not None}
    return form_class(data={"change_reason": "a test", **data}, instance=instance)


class AdminValidationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.russia = factories.actor("RUS", "Russia")
        cls.source = factories.source()
        cls.package = factories.pledge(cls.china, cls.cuba, amount=None, kind=Pledge.Kind.PACKAGE)
        cls.part = factories.pledge(cls.china, cls.cuba, package=cls.package)

    def assertFieldError(self, form, field, message):
        self.assertFalse(form.is_valid(), f"the form accepted {form.data}")
        self.assertIn(field, form.errors, f"no error on {field!r}; errors: {form.errors.as_data()}")
        self.assertTrue(
            any(message in error for error in form.errors[field]),
            f"{message!r} not among the errors on {field!r}: {form.errors[field]}",
        )


class PledgeValidationTests(AdminValidationTestCase):
    def pledge_data(self, **fields):
        return {"donor": self.china.pk, "recipient": self.cuba.pk, "kind": "grant", "status": "announced", **fields}

    def check(self, field, message, **fields):
        self.assertFieldError(admin_form(Pledge, self.pledge_data(**fields)), field, message)

    def test_a_valid_pledge_passes(self):
        form = admin_form(Pledge, self.pledge_data(amount="5", currency="USD"))
        self.assertTrue(form.is_valid(), form.errors)

    def test_negative_amount_is_refused_on_its_field(self):
        self.check("amount", "The amount cannot be negative.", amount="-5", currency="USD")

    def test_unknown_currency_is_refused_on_its_field(self):
        self.check("currency", ERROR_UNKNOWN_CURRENCY, amount="5", currency="XYZ")

    def test_amount_without_currency_is_refused_on_its_field(self):
        self.check("currency", "An amount needs its currency", amount="5")

    def test_currency_without_amount_is_refused_on_its_field(self):
        self.check("currency", "Currency, qualifier and USD value only go with an amount", currency="USD")

    def test_quantity_without_unit_is_refused_on_its_field(self):
        self.check("unit", "A quantity needs its unit", quantity="10", commodity="rice", valuation="not_stated")

    def test_negative_quantity_is_refused_on_its_field(self):
        self.check(
            "quantity",
            "The quantity cannot be negative.",
            quantity="-1",
            unit="t",
            commodity="rice",
            valuation="not_stated",
        )

    def test_goods_without_commodity_is_refused_on_its_field(self):
        self.check("commodity", "Say what the goods are", quantity="10", unit="t", valuation="not_stated")

    def test_goods_without_valuation_is_refused_on_its_field(self):
        self.check("valuation", "Say how the goods' value is known", quantity="10", unit="t", commodity="rice")

    def test_goods_fields_without_quantity_is_refused_on_its_field(self):
        self.check("quantity", "give the quantity too", unit="t")

    def test_reported_value_without_amount_is_refused_on_its_field(self):
        self.check(
            "amount",
            "A reported or estimated value needs the amount.",
            quantity="10",
            unit="t",
            commodity="rice",
            valuation="reported",
        )

    def test_unstated_value_with_an_amount_is_refused_on_its_field(self):
        self.check(
            "amount",
            "the amount must stay empty",
            amount="5",
            currency="USD",
            quantity="10",
            unit="t",
            commodity="rice",
            valuation="not_stated",
        )

    def test_estimate_without_method_is_refused_on_its_field(self):
        self.check(
            "valuation_method",
            "An estimated value needs the method",
            amount="5",
            currency="USD",
            quantity="10",
            unit="t",
            commodity="rice",
            valuation="estimated",
        )

    def test_donor_equal_to_recipient_is_refused_on_its_field(self):
        self.check("recipient", "The donor and the recipient must be different actors.", recipient=self.china.pk)

    def test_part_whose_package_has_other_parties_is_refused_on_its_field(self):
        self.check(
            "package",
            "This part's donor and recipient must be the package's: China → Cuba.",
            donor=self.russia.pk,
            package=self.package.pk,
        )

    def test_part_of_an_entry_that_is_not_a_package_is_refused_on_its_field(self):
        self.check("package", "Only an entry of kind 'Aid package' can hold parts.", package=self.part.pk)

    def test_package_inside_a_package_is_refused_on_its_field(self):
        self.check(
            "package", "A package cannot itself be part of another package.", kind="package", package=self.package.pk
        )

    def test_package_that_has_parts_keeps_its_kind(self):
        form = admin_form(Pledge, {"kind": "grant"}, instance=self.package)
        self.assertFieldError(form, "kind", "This entry has parts, so it must stay an aid package.")

    def test_date_without_precision_is_refused_on_its_field(self):
        self.check("date_precision", "Say how precise the date is", date="2026-01-05")

    def test_precision_without_date_is_refused_on_its_field(self):
        self.check("date_precision", "give the date too", date_precision="month")

    def test_qualifier_on_a_day_is_refused_on_its_field(self):
        self.check(
            "date_qualifier",
            "qualify a month or a year, not a day",
            date="2026-01-05",
            date_precision="day",
            date_qualifier="end",
        )

    def test_month_not_entered_as_its_first_day_is_refused_on_its_field(self):
        self.check("date", "enter the first day of the period", date="2026-01-05", date_precision="month")

    def test_year_not_entered_as_first_of_january_is_refused_on_its_field(self):
        self.check("date", "For a year, enter 1 January of that year.", date="2026-02-01", date_precision="year")

    def test_converted_value_without_its_rate_is_refused_on_its_field(self):
        self.check(
            "usd_rate",
            "needs the rate, the rate's date and where the rate comes from",
            amount="5",
            currency="EUR",
            amount_usd="6",
        )

    def test_negative_usd_value_is_refused_on_its_field(self):
        self.check(
            "amount_usd",
            "The USD value cannot be negative.",
            amount="5",
            currency="EUR",
            amount_usd="-6",
            usd_rate="1.2",
            usd_rate_date="2026-01-01",
            usd_rate_source="ECB",
        )

    def test_usd_amount_with_a_rate_is_refused_on_its_field(self):
        self.check(
            "amount_usd",
            "the USD value is the amount itself and needs no rate",
            amount="5",
            currency="USD",
            usd_rate="1.1",
        )

    def test_an_invalid_add_saves_nothing(self):
        self.client.force_login(get_user_model().objects.create_superuser("root"))
        data = form_data(self.client.get("/admin/ledger/pledge/add/"), "pledge_form")
        data.update(self.pledge_data(amount="-5", currency="USD", change_reason="new"))
        data.update({"citations-0-source": self.source.pk, "citations-0-excerpt": "minus five"})
        before = (Pledge.objects.count(), Citation.objects.count(), Pledge.history.count())
        response = self.client.post("/admin/ledger/pledge/add/", data)
        self.assertContains(response, "The amount cannot be negative.")
        self.assertEqual((Pledge.objects.count(), Citation.objects.count(), Pledge.history.count()), before)


class TradeFigureValidationTests(AdminValidationTestCase):
    def check(self, field, message, **fields):
        data = {"reporter": self.china.pk, "partner": self.cuba.pk, "flow": "total_trade", **fields}
        self.assertFieldError(admin_form(TradeFigure, data), field, message)

    def test_reporter_equal_to_partner_is_refused_on_its_field(self):
        self.check("partner", "between two different countries", partner=self.china.pk, amount="5", currency="USD")

    def test_implausible_year_is_refused_on_its_field(self):
        self.check("year", "The year must be a calendar year", year="1700", amount="5", currency="USD")

    def test_inferred_year_without_a_year_is_refused_on_its_field(self):
        self.check("year_inferred", "'Year inferred' needs a year.", year_inferred="on", amount="5", currency="USD")

    def test_rank_below_one_is_refused_on_its_field(self):
        self.check("rank", "A rank starts at 1", rank="0", amount="5", currency="USD")

    def test_an_entry_that_states_nothing_is_refused_on_its_field(self):
        self.check("amount", "A trade entry needs a value, a rank statement or a relationship.")

    def test_negative_amount_is_refused_on_its_field(self):
        self.check("amount", "The amount cannot be negative.", amount="-5", currency="USD")

    def test_unknown_currency_is_refused_on_its_field(self):
        self.check("currency", ERROR_UNKNOWN_CURRENCY, amount="5", currency="ABC")


class ActorValidationTests(AdminValidationTestCase):
    def check(self, field, message, instance=None, **fields):
        data = fields if instance else {"kind": "country", **fields}
        self.assertFieldError(admin_form(Actor, data, instance=instance), field, message)

    def test_country_without_iso_code_is_refused_on_its_field(self):
        self.check("iso3", "A country needs its ISO 3166-1 alpha-3 code", code="VNM", name="Vietnam")

    def test_unknown_iso_code_is_refused_on_its_field(self):
        self.check("iso3", "This is not an ISO 3166-1 alpha-3 country code.", code="XXQ", name="X", iso3="XXQ")

    def test_country_code_differs_from_iso_code_is_refused_on_its_field(self):
        self.check(
            "code", "A country's code must be its ISO 3166-1 alpha-3 code.", code="VIET", name="Vietnam", iso3="VNM"
        )

    def test_code_with_a_space_is_refused_on_its_field(self):
        self.check("code", "must not be empty or contain spaces", code="CHN X", name="X", kind="government_body")

    def test_iso_code_already_taken_is_refused_on_its_field(self):
        self.check(
            "iso3",
            "Another actor already has this ISO code.",
            code="CUB2",
            name="Cuba bis",
            kind="government_body",
            iso3="CUB",
        )

    def test_actor_belonging_to_itself_is_refused_on_its_field(self):
        self.check("parent", "An actor cannot belong to itself.", instance=self.china, parent=self.china.pk)


class SourceCitationStatementValidationTests(AdminValidationTestCase):
    def test_source_needs_language_and_headline(self):
        form = admin_form(Source, {"publisher": "X", "url": "https://example.org/x", "published_on": "2026-02-05"})
        self.assertFieldError(form, "language", "This field is required.")
        self.assertFieldError(form, "headline", "This field is required.")

    def test_source_address_is_unique(self):
        form = admin_form(
            Source,
            {"publisher": "X", "headline": "H", "url": self.source.url, "published_on": "2026-02-05", "language": "en"},
        )
        self.assertFieldError(form, "url", "already exists")

    def test_citation_paragraphs_start_at_one(self):
        form = admin_form(
            Citation, {"source": self.source.pk, "pledge": self.part.pk, "excerpt": "x", "paragraph": "0"}
        )
        self.assertFieldError(form, "paragraph", "Paragraphs are numbered from 1.")

    def test_citation_supports_exactly_one_entry(self):
        figure = factories.trade(self.china, self.cuba)
        form = admin_form(
            Citation, {"source": self.source.pk, "pledge": self.part.pk, "trade_figure": figure.pk, "excerpt": "x"}
        )
        self.assertFieldError(form, "__all__", "A citation supports exactly one entry")

    def test_citation_quotes_the_source(self):
        form = admin_form(Citation, {"source": self.source.pk, "pledge": self.part.pk, "excerpt": ""})
        self.assertFieldError(form, "excerpt", "This field is required.")

    def test_statement_speaker_is_not_its_subject(self):
        form = admin_form(
            Statement, {"speaker": self.cuba.pk, "subject": self.cuba.pk, "kind": "support", "summary": "x"}
        )
        self.assertFieldError(form, "subject", "A statement is made by one actor about another.")

    def test_statement_date_has_precision(self):
        form = admin_form(
            Statement,
            {
                "speaker": self.china.pk,
                "subject": self.cuba.pk,
                "kind": "support",
                "summary": "x",
                "date": "2026-01-05",
            },
        )
        self.assertFieldError(form, "date_precision", "Say how precise the date is")
