"""IATI 2.03 activity XML of the pledges (ledger/iati.py), checked against the official XSD and the
2.03 codelists kept in tests/data/iati/."""

import datetime
import types
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.test import TestCase
from lxml import etree

from ledger import fx, iati
from ledger.models import Pledge, TradeFigure
from tests import factories

DATA = Path(__file__).parent / "data" / "iati"
LEDGER = {"ledger": iati.LEDGER_NS}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "schema" / "iati-activities-schema.xsd")))


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of a codelist that are not withdrawn."""
    path = DATA / "codelists" / f"{name}.xml"
    if not path.exists():
        raise AssertionError(f"The export uses codelist {name}; copy {name}.xml into {path.parent} (see README).")
    root = etree.parse(str(path)).getroot()
    return frozenset(
        item.findtext("code").strip()
        for item in root.iter("codelist-item")
        if item.get("status", "active") != "withdrawn"
    )


def codes_used(document: etree._Element) -> list[tuple[str, str, str]]:
    """(codelist, path, code) for every code in the document, as the 2.03 mapping.xml assigns them."""
    used = []
    for mapping in etree.parse(str(DATA / "codelists" / "mapping.xml")).getroot().iter("mapping"):
        path, ref, condition = (
            mapping.findtext("path"),
            mapping.find("codelist").get("ref"),
            mapping.findtext("condition"),
        )
        for result in document.xpath(path):
            owner = result.getparent()
            if condition and not owner.xpath(f"boolean({condition})"):
                continue
            used.append((ref, path, str(result).strip()))
    return used


def export(queryset=None) -> etree._Element:
    return etree.fromstring(iati.iati_document(Pledge.objects.all() if queryset is None else queryset))


def activity(document: etree._Element, pledge_id: int) -> etree._Element:
    (found,) = document.xpath(f"iati-activity[iati-identifier='{iati.activity_identifier(pledge_id)}']")
    return found


class IatiTestMixin:
    def assert_valid_iati(self, document: etree._Element):
        if not schema().validate(document):
            self.fail(f"Not valid IATI 2.03: {schema().error_log}")
        used = codes_used(document)
        self.assertTrue(used)
        for ref, path, code in used:
            self.assertIn(code, codelist(ref), f"{path}: {code!r} is not in the 2.03 {ref} codelist")


class SeedLedgerIatiTests(IatiTestMixin, TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_seed_ledger_validates_against_the_xsd_and_codelists(self):
        document = export()
        self.assert_valid_iati(document)
        self.assertEqual(document.get("version"), "2.03")
        self.assertEqual(len(document.findall("iati-activity")), Pledge.objects.count())

    def test_the_ledger_reports_as_a_secondary_reporter(self):
        for reporting_org in export().iter("reporting-org"):
            self.assertEqual(reporting_org.get("secondary-reporter"), "1")

    def test_a_package_is_the_parent_of_its_parts(self):
        document = export()
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        parts = list(package.parts.order_by("pk").values_list("pk", flat=True))
        self.assertEqual(len(parts), 2)
        parent = activity(document, package.pk)
        self.assertEqual(parent.get("hierarchy"), "1")
        self.assertEqual(
            [(r.get("ref"), r.get("type")) for r in parent.findall("related-activity")],
            [(iati.activity_identifier(pk), "2") for pk in parts],
        )
        for pk in parts:
            child = activity(document, pk)
            self.assertEqual(child.get("hierarchy"), "2")
            self.assertEqual(
                [(r.get("ref"), r.get("type")) for r in child.findall("related-activity")],
                [(iati.activity_identifier(package.pk), "1")],
            )

    def test_a_package_with_parts_has_no_transaction_so_sums_count_its_parts_once(self):
        document = export()
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        self.assertEqual(activity(document, package.pk).findall("transaction"), [])
        self.assertEqual(activity(document, package.pk).get(f"{{{iati.LEDGER_NS}}}counted-in-totals"), "false")
        total = sum(Decimal(v) for v in document.xpath("//transaction/value/text()"))
        expected = sum(p.amount for p in Pledge.objects.counted_in_totals().filter(amount__isnull=False))
        self.assertEqual(total, expected)

    def test_citations_become_document_links(self):
        document = export()
        pledge = Pledge.objects.get(kind=Pledge.Kind.IN_KIND)
        citation = pledge.citations.get()
        (link,) = activity(document, pledge.pk).findall("document-link")
        self.assertEqual(link.get("url"), citation.source.url)
        self.assertEqual(link.findtext("title/narrative"), citation.source.headline)
        self.assertEqual(link.findtext("description/narrative"), citation.excerpt)
        self.assertEqual(link.find("category").get("code"), "A12")
        self.assertEqual(link.find("document-date").get("iso-date"), citation.source.published_on.isoformat())
        self.assertEqual(link.xpath("@ledger:publisher", namespaces=LEDGER), [citation.source.publisher])
        self.assertEqual(link.xpath("@ledger:paragraph", namespaces=LEDGER), [str(citation.paragraph)])

    def test_goods_without_a_value_stay_out_of_the_transactions(self):
        document = export()
        pledge = Pledge.objects.get(kind=Pledge.Kind.IN_KIND)
        rice = activity(document, pledge.pk)
        self.assertEqual(rice.findall("transaction"), [])
        self.assertEqual(rice.xpath("description[@type='4']/narrative/text()"), [f"In kind: {pledge.goods_display}"])
        (goods,) = rice.xpath("ledger:goods", namespaces=LEDGER)
        self.assertEqual((goods.get("quantity"), goods.get("unit"), goods.get("commodity")), ("60000.000", "t", "rice"))

    def test_dates_keep_their_precision_in_the_ledgers_namespace(self):
        document = export()
        pledge = Pledge.objects.get(kind=Pledge.Kind.FINANCIAL_ASSISTANCE)
        (when,) = activity(document, pledge.pk).xpath("transaction/transaction-date")
        self.assertEqual(when.get("iso-date"), pledge.date.isoformat())
        self.assertEqual(when.xpath("@ledger:date-precision", namespaces=LEDGER), [pledge.date_precision])
        self.assertEqual(when.xpath("@ledger:year-inferred", namespaces=LEDGER), ["true"])
        self.assertEqual(when.xpath("@ledger:date-qualifier", namespaces=LEDGER), ["end"])

    def test_trade_figures_never_appear(self):
        text = iati.iati_document(Pledge.objects.all()).decode()
        for figure in TradeFigure.objects.filter(amount__isnull=False):
            self.assertNotIn(format(figure.amount, "f"), text)
        excerpts = list(TradeFigure.objects.values_list("citations__excerpt", flat=True))
        self.assertTrue(excerpts)
        for excerpt in excerpts:
            self.assertNotIn(excerpt, text)
        with self.assertRaises(TypeError):
            iati.iati_document(TradeFigure.objects.all())

    def test_a_filtered_view_exports_only_its_pledges(self):
        part = Pledge.objects.filter(package__isnull=False).order_by("pk").first()
        document = export(Pledge.objects.filter(pk=part.pk))
        self.assert_valid_iati(document)
        self.assertEqual(document.xpath("iati-activity/iati-identifier/text()"), [iati.activity_identifier(part.pk)])

    def test_the_pledges_page_downloads_its_filtered_view_as_iati_xml(self):
        part = Pledge.objects.filter(package__isnull=False).order_by("pk").first()
        response = self.client.get("/pledges/", {"kind": part.kind, "donor": part.donor.code, "_export": "iati"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml; charset=utf-8")
        self.assertRegex(response["Content-Disposition"], r'attachment; filename="pledges-iati-\d{4}-\d{2}-\d{2}\.xml"')
        document = etree.fromstring(b"".join(response.streaming_content))
        self.assert_valid_iati(document)
        expected = Pledge.objects.filter(kind=part.kind, donor=part.donor).order_by("pk").values_list("pk", flat=True)
        self.assertEqual(
            document.xpath("iati-activity/iati-identifier/text()"), [iati.activity_identifier(pk) for pk in expected]
        )
        self.assertLess(len(expected), Pledge.objects.count())

    def test_trade_figures_offer_no_iati_download(self):
        response = self.client.get("/trade/", {"_export": "iati"})
        self.assertTrue(response["Content-Type"].startswith("text/html"))  # the page, not a file
        self.assertNotContains(self.client.get("/trade/"), "_export=iati")

    def test_the_export_is_a_stream_of_bytes_in_a_fixed_number_of_queries(self):
        stream = iati.iati_activities(Pledge.objects.all())
        self.assertIsInstance(stream, types.GeneratorType)
        with self.assertNumQueries(3):  # pledges with actors, citations with sources, parts
            chunks = list(stream)
        self.assertTrue(all(isinstance(chunk, bytes) for chunk in chunks))
        self.assert_valid_iati(etree.fromstring(b"".join(chunks)))


class PledgeMappingTests(IatiTestMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.japan = factories.actor("JPN", "Japan")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.ministry = factories.actor("CUB-MINREX", "Cuban foreign ministry", kind="government_body", parent=cls.cuba)

    def pledge(self, **fields):
        return factories.pledge(self.japan, self.cuba, **fields)

    def test_status_gives_the_transaction_type(self):
        expected = {"announced": "12", "pledged": "12", "committed": "2", "disbursed": "3", "delivered": "3"}
        pledges = {status: self.pledge(status=status) for status in expected}
        document = export()
        self.assert_valid_iati(document)
        for status, code in expected.items():
            self.assertEqual(
                activity(document, pledges[status].pk).xpath("transaction/transaction-type/@code"), [code], status
            )

    def test_a_cancelled_pledge_is_activity_status_5_without_a_transaction(self):
        cancelled = self.pledge(status="cancelled", amount=Decimal("2000000"))
        document = export()
        self.assert_valid_iati(document)
        entry = activity(document, cancelled.pk)
        self.assertEqual(entry.xpath("activity-status/@code"), ["5"])
        self.assertEqual(entry.findall("transaction"), [])
        self.assertEqual(entry.xpath("ledger:amount/text()", namespaces=LEDGER), ["2000000.00"])

    def test_a_yen_pledge_carries_its_currency_value_date_and_usd_value(self):
        conversion = fx.conversion_for(
            amount=Decimal("450000000"),
            currency="JPY",
            date=datetime.date(2026, 3, 8),
            date_precision="day",
            published=None,
        )
        yen = self.pledge(
            amount=Decimal("450000000"),
            currency="JPY",
            date=datetime.date(2026, 3, 8),
            date_precision="day",
            **conversion.field_values(),
        )
        document = export()
        self.assert_valid_iati(document)
        (value,) = activity(document, yen.pk).xpath("transaction/value")
        self.assertEqual(value.text, "450000000.00")
        self.assertEqual(value.get("currency"), "JPY")
        self.assertEqual(value.get("value-date"), "2026-03-06")  # the Friday whose ECB rate was used
        self.assertEqual(value.xpath("@ledger:amount-usd", namespaces=LEDGER), [format(conversion.amount_usd, "f")])
        self.assertEqual(value.xpath("@ledger:usd-rate-source", namespaces=LEDGER), [fx.ECB_SOURCE])

    def test_unconvertible_currency_keeps_its_code_and_no_usd_value(self):
        pesos = self.pledge(amount=Decimal("1000000"), currency="CUP")
        document = export()
        self.assert_valid_iati(document)
        (value,) = activity(document, pesos.pk).xpath("transaction/value")
        self.assertEqual(value.get("currency"), "CUP")
        self.assertEqual(value.xpath("@ledger:amount-usd", namespaces=LEDGER), [])

    def test_grant_and_loan_give_their_finance_types(self):
        grant = self.pledge(kind=Pledge.Kind.GRANT)
        loan = self.pledge(kind=Pledge.Kind.LOAN)
        other = self.pledge(kind=Pledge.Kind.TECHNICAL_ASSISTANCE)
        document = export()
        self.assert_valid_iati(document)
        self.assertEqual(activity(document, grant.pk).xpath("default-finance-type/@code"), ["110"])
        self.assertEqual(activity(document, loan.pk).xpath("default-finance-type/@code"), ["421"])
        self.assertEqual(activity(document, other.pk).xpath("default-finance-type"), [])

    def test_valued_goods_go_through_the_in_kind_disbursement_channel(self):
        goods = self.pledge(
            kind=Pledge.Kind.IN_KIND,
            quantity=Decimal("500"),
            unit="t",
            commodity="powdered milk",
            valuation="reported",
        )
        document = export()
        self.assert_valid_iati(document)
        entry = activity(document, goods.pk)
        self.assertEqual(entry.xpath("transaction/disbursement-channel/@code"), ["4"])
        self.assertEqual(entry.xpath("description[@type='4']/narrative/text()"), [f"In kind: {goods.goods_display}"])

    def test_a_body_of_a_country_gives_its_countrys_alpha2_code(self):
        to_ministry = factories.pledge(self.japan, self.ministry)
        document = export()
        self.assert_valid_iati(document)
        entry = activity(document, to_ministry.pk)
        self.assertEqual(entry.xpath("recipient-country/@code"), ["CU"])
        self.assertEqual(entry.xpath("transaction/receiver-org/narrative/text()"), ["Cuban foreign ministry"])
        self.assertEqual(entry.xpath("transaction/provider-org/narrative/text()"), ["Japan"])

    def test_an_undated_pledge_takes_its_sources_date(self):
        undated = self.pledge()
        document = export()
        self.assert_valid_iati(document)
        published = undated.citations.get().source.published_on.isoformat()
        self.assertEqual(activity(document, undated.pk).xpath("activity-date/@iso-date"), [published])
        self.assertEqual(
            activity(document, undated.pk).xpath("activity-date/@ledger:date-source", namespaces=LEDGER),
            ["publication"],
        )


class EmptyExportTests(TestCase):
    def test_an_empty_view_gives_an_iati_activities_document_with_no_activity(self):
        document = export(Pledge.objects.none())
        self.assertEqual(document.tag, "iati-activities")
        self.assertEqual(document.get("version"), "2.03")
        self.assertEqual(len(document), 0)
        # The 2.03 XSD requires at least one iati-activity, so this is its one and only complaint;
        # inventing an activity to satisfy it would put a pledge in the file that the ledger lacks.
        self.assertFalse(schema().validate(document))
        self.assertEqual(
            [error.message for error in schema().error_log],
            ["Element 'iati-activities': Missing child element(s). Expected is ( iati-activity )."],
        )
