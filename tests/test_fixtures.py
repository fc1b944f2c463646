"""The seed article's fixtures hold what the article says, and nothing it does not.

The article's text and metadata live in the project (fixtures/sources/), so a clone needs nothing
beside it."""

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure

FIXTURE = "cibercuba-2026-02-05"
SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"


def article_metadata():
    return json.loads((SOURCES / f"{FIXTURE}.meta.json").read_text(encoding="utf-8"))


def article_text():
    return (SOURCES / article_metadata()["text"]).read_text(encoding="utf-8")


def article_paragraphs():
    return [p.strip() for p in article_text().split("\n\n") if p.strip()]


class SeedArticleTests(SimpleTestCase):
    """The article is kept byte for byte as received, with the metadata the seed's notes give."""

    def test_the_article_text_is_the_one_received_byte_for_byte(self):
        meta = article_metadata()
        self.assertEqual(hashlib.sha256((SOURCES / meta["text"]).read_bytes()).hexdigest(), meta["sha256"])
        self.assertIn("In ChinaRodríguez", article_text())  # as received, missing break included

    def test_the_relative_dates_quoted_in_the_metadata_are_in_the_article(self):
        text = article_text()
        phrases = [entry["phrase"] for entry in article_metadata()["relative_dates"]]
        self.assertEqual(phrases, ["in September", "at the end of January", "last week"])
        for phrase in phrases:
            self.assertIn(phrase, text)


class SeedFixtureTests(TestCase):
    fixtures = [FIXTURE]

    def pledge(self, donor, **filters):
        return Pledge.objects.get(donor__code=donor, recipient__code="CUB", **filters)

    def test_every_row_passes_model_validation(self):
        for model in (Actor, Person, Source, Pledge, TradeFigure, Statement, Citation):
            for row in model.objects.all():
                row.full_clean()

    def test_source_row_matches_the_article_metadata(self):
        source = Source.objects.get()
        self.assertEqual(source.publisher, "CiberCuba")
        self.assertEqual(source.published_on, date(2026, 2, 5))
        self.assertEqual(source.wire_agency, "EFE")
        self.assertEqual(source.wire_date, date(2026, 2, 4))
        self.assertEqual(source.language, "en")
        self.assertTrue(source.url.startswith("https://en.cibercuba.com/noticias/2026-02-05-"))
        meta = article_metadata()
        self.assertEqual(
            (
                source.publisher,
                source.byline,
                source.headline,
                source.published_on.isoformat(),
                source.url,
                source.language,
                source.original_language,
                source.wire_agency,
                source.wire_date.isoformat(),
            ),
            (
                meta["publisher"],
                meta["byline"],
                meta["headline"],
                meta["published"],
                meta["address"],
                meta["language"],
                meta["original_language"],
                meta["wire_source"]["agency"],
                meta["wire_source"]["date"],
            ),
        )
        self.assertEqual(article_text().splitlines()[0], source.headline)

    def test_chinese_emergency_package_holds_80_million_and_rice(self):
        package = self.pledge("CHN", kind=Pledge.Kind.PACKAGE)
        self.assertIsNone(package.amount)
        self.assertEqual(package.date, date(2026, 1, 1))
        self.assertEqual(package.date_precision, "month")
        self.assertEqual(package.date_qualifier, "end")
        self.assertTrue(package.year_inferred)
        self.assertEqual(package.official.name, "Xi Jinping")
        parts = {p.kind: p for p in package.parts.all()}
        self.assertEqual(set(parts), {Pledge.Kind.FINANCIAL_ASSISTANCE, Pledge.Kind.IN_KIND})

        money = parts[Pledge.Kind.FINANCIAL_ASSISTANCE]
        self.assertEqual((money.amount, money.currency, money.amount_qualifier), (Decimal("80000000"), "USD", "exact"))
        self.assertEqual(money.amount_usd, Decimal("80000000"))
        self.assertTrue(money.year_inferred)
        self.assertEqual(money.date_display, "end of Jan 2026 (year inferred)")

        rice = parts[Pledge.Kind.IN_KIND]
        self.assertIsNone(rice.amount)
        self.assertIsNone(rice.amount_usd)
        self.assertEqual(rice.currency, "")
        self.assertEqual((rice.quantity, rice.unit, rice.commodity), (Decimal("60000"), "t", "rice"))
        self.assertEqual(rice.valuation, Pledge.Valuation.NOT_STATED)
        self.assertEqual(rice.goods_display, "60,000 t of rice (value not stated)")

    def test_package_is_counted_through_its_parts_only(self):
        package = self.pledge("CHN", kind=Pledge.Kind.PACKAGE)
        counted = Pledge.objects.counted_in_totals()
        self.assertNotIn(package, counted)
        self.assertFalse(package.is_counted_in_totals)
        self.assertEqual(counted.count(), Pledge.objects.count() - 1)

    def test_chinese_2024_donation_is_a_100_million_grant_known_to_the_year(self):
        grant = self.pledge("CHN", amount=Decimal("100000000"))
        self.assertEqual(grant.kind, Pledge.Kind.GRANT)
        self.assertEqual((grant.currency, grant.amount_usd), ("USD", Decimal("100000000")))
        self.assertEqual((grant.date, grant.date_precision, grant.year_inferred), (date(2024, 1, 1), "year", False))
        self.assertIsNone(grant.package)

    def test_vietnamese_september_donation_has_inferred_year(self):
        grant = self.pledge("VNM")
        self.assertEqual((grant.amount, grant.currency), (Decimal("15000000"), "USD"))
        self.assertEqual((grant.date, grant.date_precision, grant.year_inferred), (date(2025, 9, 1), "month", True))
        self.assertEqual(grant.date_display, "Sep 2025 (year inferred)")

    def test_vietnam_cuba_trade_is_approximate_with_no_year(self):
        trade = TradeFigure.objects.get(reporter__code="VNM", partner__code="CUB", flow="total_trade")
        self.assertEqual(
            (trade.amount, trade.currency, trade.amount_qualifier), (Decimal("340000000"), "USD", "approximately")
        )
        self.assertIsNone(trade.year)
        self.assertEqual(trade.rank, 2)
        self.assertIn("second-largest trading partner", trade.rank_statement)
        self.assertEqual(trade.money_display, "≈ USD 340 million")
        investor = TradeFigure.objects.get(reporter__code="VNM", partner__code="CUB", flow="investment")
        self.assertIsNone(investor.amount)
        self.assertIn("main investor from Asia-Pacific", investor.rank_statement)

    def test_russia_cuba_relation_has_no_figure(self):
        trade = TradeFigure.objects.get(reporter__code="RUS", partner__code="CUB")
        self.assertIsNone(trade.amount)
        self.assertEqual(trade.relationship, "strategic partnership")
        self.assertIn("main trading partners", trade.rank_statement)

    def test_statements_of_support_are_never_zero_valued_pledges(self):
        self.assertFalse(Pledge.objects.filter(amount=0).exists())
        self.assertFalse(Pledge.objects.filter(donor__code__in=["RUS"]).exists())
        self.assertEqual(Pledge.objects.filter(donor__code="VNM").count(), 1)
        kinds = set(Statement.objects.values_list("speaker__code", "kind"))
        self.assertIn(("VNM", "offer_of_help"), kinds)
        self.assertIn(("RUS", "rejection_of_pressure"), kinds)

    def test_agencies_belong_to_their_country(self):
        cidca = Actor.objects.get(code="CHN-CIDCA")
        self.assertEqual(cidca.parent.code, "CHN")
        self.assertEqual(Actor.objects.get(code="CHN-CPC-ILD").country.code, "CHN")
        self.assertEqual(Person.objects.get(name="Chen Xiaodong").actor, cidca)
        self.assertTrue(Person.objects.filter(name="Vladimir Kolokóltsev").exists())
        self.assertTrue(Person.objects.filter(name="Miguel Díaz-Canel").exists())

    def test_every_entry_cites_the_article(self):
        self.assertEqual(set(Citation.objects.values_list("source__url", flat=True)), {article_metadata()["address"]})
        for pledge in Pledge.objects.all():
            self.assertTrue(pledge.citations.exists(), pledge)
        for trade in TradeFigure.objects.all():
            self.assertTrue(trade.citations.exists(), trade)
        for statement in Statement.objects.all():
            self.assertTrue(statement.citations.exists(), statement)

    def test_every_excerpt_is_verbatim_in_its_paragraph_of_the_article(self):
        paragraphs = article_paragraphs()
        for citation in Citation.objects.all():
            self.assertIn(citation.excerpt, paragraphs[citation.paragraph - 1], citation)

    def test_every_figure_appears_in_its_excerpt(self):
        expectations = {
            Decimal("80000000"): "80 million dollars",
            Decimal("100000000"): "100 million dollars",
            Decimal("15000000"): "15 million dollars",
        }
        pledges = Pledge.objects.exclude(amount=None)
        self.assertEqual(sorted(p.amount for p in pledges), sorted(expectations))
        for pledge in pledges:
            self.assertTrue(any(expectations[pledge.amount] in c.excerpt for c in pledge.citations.all()), pledge)
        rice = Pledge.objects.get(commodity="rice")
        self.assertIn("60,000 tons of rice", rice.citations.get().excerpt)
        trade = TradeFigure.objects.exclude(amount=None).get()
        self.assertIn("approximately 340 million dollars", trade.citations.get().excerpt)

    def test_loading_the_fixtures_twice_changes_nothing(self):
        models = (Actor, Person, Source, Pledge, TradeFigure, Statement, Citation)

        def state():
            rows = {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}
            history = {m._meta.label: m.history.count() for m in models if hasattr(m, "history")}
            return rows, history

        before = state()
        self.assertEqual(len(before[0]["ledger.Pledge"]), 5)
        call_command("loaddata", FIXTURE, verbosity=0)
        self.assertEqual(state(), before)
