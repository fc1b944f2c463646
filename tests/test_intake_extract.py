"""The intake extractor's individual behaviours, on short sentences and on the seed article."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from ledger.intake import extract
from ledger.intake.money import find_money, parse_number
from ledger.intake.quality import seed_ledger
from ledger.intake.text import paragraph_number, sentences
from ledger.intake.types import CONVERSION_STATED, CURRENCY_ASSUMED, FROM_HEADLINE

SEED_TEXT = Path(settings.BASE_DIR) / "fixtures" / "sources" / "cibercuba-2026-02-05.txt"
SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "cibercuba-2026-02-05.json"
LEDGER = seed_ledger()


def propose(text, published="2026-03-12", language="en"):
    return extract(text, published=date.fromisoformat(published), language=language, actors=LEDGER.actors)


def pledges(text, **kwargs):
    return [p for p in propose(text, **kwargs) if p.entry == "pledge"]


class MoneyTests(SimpleTestCase):
    def test_a_stated_conversion_is_one_pledge_carrying_the_conversion(self):
        found = pledges("Japan announced a grant of 450 million yen, about 3 million dollars, to Cuba.")
        self.assertEqual(len(found), 1)
        (pledge,) = found
        self.assertEqual(
            (pledge.amount, pledge.currency, pledge.amount_qualifier), (Decimal(450_000_000), "JPY", "exact")
        )
        self.assertEqual((pledge.conversion.amount, pledge.conversion.currency), (Decimal(3_000_000), "USD"))
        self.assertEqual(pledge.conversion.qualifier, "approximately")
        self.assertIn(CONVERSION_STATED, pledge.flags)

    def test_bare_dollars_are_usd_flagged_as_assumed(self):
        (pledge,) = pledges("The Vietnamese government donated 15 million dollars to Cuba.")
        self.assertEqual((pledge.amount, pledge.currency), (Decimal(15_000_000), "USD"))
        self.assertIn(CURRENCY_ASSUMED, pledge.flags)
        (stated,) = pledges("The Vietnamese government donated 15 million US dollars to Cuba.")
        self.assertNotIn(CURRENCY_ASSUMED, stated.flags)

    def test_written_forms_of_money_in_english_and_spanish(self):
        cases = [
            ("80 million dollars", "en", Decimal(80_000_000), "USD"),
            ("USD 1.2bn", "en", Decimal(1_200_000_000), "USD"),
            ("€50m", "en", Decimal(50_000_000), "EUR"),
            ("£5m", "en", Decimal(5_000_000), "GBP"),
            ("450 million yen", "en", Decimal(450_000_000), "JPY"),
            ("15 millones de dólares", "es", Decimal(15_000_000), "USD"),
            ("2.000 millones de rublos", "es", Decimal(2_000_000_000), "RUB"),
            ("1,5 millones de euros", "es", Decimal(1_500_000), "EUR"),
            ("50 million yuan", "en", Decimal(50_000_000), "CNY"),
        ]
        for written, language, amount, currency in cases:
            with self.subTest(written):
                (money,) = find_money(written, language)
                self.assertEqual((money.amount, money.currency), (amount, currency))

    def test_spanish_and_english_thousands_separators(self):
        self.assertEqual(parse_number("60.000", "es"), Decimal(60_000))
        self.assertEqual(parse_number("60,000", "en"), Decimal(60_000))
        self.assertEqual(parse_number("1,5", "es"), Decimal("1.5"))
        self.assertEqual(parse_number("1.5", "en"), Decimal("1.5"))
        self.assertEqual(parse_number("1.500", "en"), Decimal("1.5"))

    def test_qualifiers(self):
        for sentence, qualifier in [
            ("an exchange of approximately 340 million dollars", "approximately"),
            ("a loan of up to £20 million", "up_to"),
            ("at least 3 million euros", "at_least"),
            ("unos 450 millones de dólares", "approximately"),
        ]:
            with self.subTest(sentence):
                self.assertEqual(find_money(sentence, "es" if "unos" in sentence else "en")[0].qualifier, qualifier)


class GoodsTests(SimpleTestCase):
    def test_goods_in_several_units_are_in_kind_pledges_without_a_value(self):
        found = pledges(
            "Mexico has sent 400,000 barrels of crude oil, 2 million litres of diesel and 200,000 doses of vaccine to Cuba."
        )
        self.assertEqual(
            [(p.kind, p.quantity, p.unit, p.commodity, p.amount) for p in found],
            [
                ("in_kind", Decimal(400_000), "bbl", "crude oil", None),
                ("in_kind", Decimal(2_000_000), "l", "diesel", None),
                ("in_kind", Decimal(200_000), "doses", "vaccine", None),
            ],
        )

    def test_spanish_tonnes_with_the_commodity_in_english(self):
        (pledge,) = pledges("China entregó 60.000 toneladas de arroz a Cuba.", language="es")
        self.assertEqual((pledge.quantity, pledge.unit, pledge.commodity), (Decimal(60_000), "t", "rice"))


class DateTests(SimpleTestCase):
    def test_end_of_january_is_the_month_qualified_end_with_the_year_inferred(self):
        (pledge,) = pledges("China approved 80 million dollars for Cuba at the end of January.", published="2026-02-05")
        self.assertEqual(
            (pledge.date.date, pledge.date.precision, pledge.date.qualifier, pledge.date.year_inferred),
            (date(2026, 1, 1), "month", "end", True),
        )

    def test_este_martes_is_that_day_of_the_publication_week(self):
        (pledge,) = pledges(
            "El Gobierno ruso aprobó este martes un crédito de 2.000 millones de rublos a Cuba.",
            published="2026-05-14",
            language="es",
        )
        self.assertEqual(
            (pledge.date.date, pledge.date.precision, pledge.date.year_inferred), (date(2026, 5, 12), "day", True)
        )

    def test_a_bare_month_is_the_last_one_unless_the_sentence_is_in_the_future(self):
        (past,) = pledges("Vietnam donated 15 million dollars to Cuba in September.", published="2026-02-05")
        self.assertEqual((past.date.date, past.date.precision), (date(2025, 9, 1), "month"))
        (future,) = pledges("Japan will ship 2,500 tonnes of rice to Cuba in April.", published="2026-03-12")
        self.assertEqual(future.date.date, date(2026, 4, 1))

    def test_a_stated_year_is_year_precision_and_not_inferred(self):
        (pledge,) = pledges("In 2024, China granted a donation of 100 million dollars to Cuba.")
        self.assertEqual(
            (pledge.date.date, pledge.date.precision, pledge.date.year_inferred), (date(2024, 1, 1), "year", False)
        )

    def test_the_dateline_is_not_the_date_of_the_pledge(self):
        (pledge,) = pledges("TOKYO, March 12 (Wire) — Japan donated 450 million yen to Cuba.")
        self.assertIsNone(pledge.date)


class WhatIsNotAidTests(SimpleTestCase):
    def test_a_commercial_sale_is_not_proposed(self):
        self.assertEqual(
            pledges("Russia sold 30,000 tonnes of wheat to Cuba under a commercial contract, not a donation."), []
        )

    def test_a_cumulative_total_is_not_proposed(self):
        self.assertEqual(pledges("British aid to Cuba has totalled more than £30 million since 2016."), [])

    def test_a_statement_without_an_amount_is_a_statement_never_a_zero_pledge(self):
        (statement,) = propose(
            "To Lam said his country is willing to help Cuba within its capabilities, according to Vietnam."
        )
        self.assertEqual((statement.entry, statement.kind, statement.amount), ("statement", "offer_of_help", None))

    def test_a_trade_figure_is_trade_never_aid(self):
        found = propose("Bilateral exchange between Vietnam and Cuba amounted to roughly 340 million dollars in 2024.")
        self.assertEqual(
            [(p.entry, p.kind, p.amount, p.year) for p in found], [("trade", "total_trade", Decimal(340_000_000), 2024)]
        )


class PartiesTests(SimpleTestCase):
    def test_demonyms_capitals_and_spanish_names_stand_for_their_country(self):
        for sentence, language, donor in [
            ("The Vietnamese government donated 15 million dollars to Cuba.", "en", "VNM"),
            ("Beijing signed a loan of 50 million yuan to Havana.", "en", "CHN"),
            ("Moscú aprobó un crédito de 2.000 millones de rublos a La Habana.", "es", "RUS"),
        ]:
            with self.subTest(sentence):
                (pledge,) = pledges(sentence, language=language)
                self.assertEqual((pledge.donor.code, pledge.recipient.code), (donor, "CUB"))

    def test_a_country_not_in_the_ledger_is_proposed_as_a_new_actor_with_its_iso_code(self):
        (pledge,) = pledges("Mexico donated 2 million litres of diesel to Cuba.")
        self.assertEqual((pledge.donor.code, pledge.donor.name, pledge.donor.new), ("MEX", "Mexico", True))
        self.assertIn("actor_new", pledge.flags)

    def test_extra_aliases_extend_the_list(self):
        text = "Ryabkov approved a credit of 2 billion rubles to Cuba."
        before = extract(text, published=date(2026, 5, 14), actors=LEDGER.actors)
        after = extract(
            text, published=date(2026, 5, 14), actors=LEDGER.actors, extra_aliases=[{"alias": "Ryabkov", "code": "RUS"}]
        )
        self.assertNotEqual(before[0].donor and before[0].donor.code, "RUS")
        self.assertEqual(after[0].donor.code, "RUS")

    def test_a_headline_figure_repeated_in_the_body_is_proposed_once(self):
        text = "China gives Cuba 100 million dollars\n\nChina donated 100 million dollars to Cuba on Tuesday.\n"
        found = pledges(text)
        self.assertEqual([p.evidence.paragraph for p in found], [2])
        self.assertNotIn(FROM_HEADLINE, found[0].flags)


class SeedArticleTests(SimpleTestCase):
    """The seed article through intake against the hand-made fixture (fixtures/cibercuba-2026-02-05.json)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.text = SEED_TEXT.read_text(encoding="utf-8")
        cls.proposals = extract(cls.text, published=date(2026, 2, 5), language="en", actors=[])
        cls.fixture = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))

    def test_every_evidence_span_is_the_verbatim_sentence_in_its_paragraph(self):
        for proposal in self.proposals:
            e = proposal.evidence
            self.assertEqual(self.text[e.start : e.end], e.text)
            self.assertEqual(paragraph_number(self.text, e.start), e.paragraph)

    def test_paragraphs_are_numbered_as_the_fixture_citations_number_them(self):
        for row in self.fixture:
            if row["model"] == "ledger.citation":
                excerpt = row["fields"]["excerpt"]
                self.assertEqual(
                    paragraph_number(self.text, self.text.index(excerpt)), row["fields"]["paragraph"], excerpt
                )
        self.assertEqual(sentences(self.text)[0].paragraph, 1)

    def test_on_an_empty_ledger_it_proposes_the_fixture_entries(self):
        codes = {r["pk"]: r["fields"]["code"] for r in self.fixture if r["model"] == "ledger.actor"}

        def key(entry, donor, recipient, kind, amount, quantity, when):
            return (entry, donor, recipient, kind, amount and Decimal(amount), quantity and Decimal(quantity), when)

        wanted = []
        for row in self.fixture:
            f, model = row["fields"], row["model"]
            if model == "ledger.pledge":
                when = (f["date"], f["date_precision"], f["date_qualifier"], f["year_inferred"])
                wanted.append(
                    key("pledge", codes[f["donor"]], codes[f["recipient"]], f["kind"], f["amount"], f["quantity"], when)
                )
            elif model == "ledger.tradefigure":
                wanted.append(
                    key("trade", codes[f["reporter"]], codes[f["partner"]], f["flow"], f["amount"], None, f["year"])
                )
            elif model == "ledger.statement":
                wanted.append(key("statement", codes[f["speaker"]], codes[f["subject"]], f["kind"], None, None, None))
        got = []
        for p in self.proposals:
            when = (
                (p.date.date.isoformat(), p.date.precision, p.date.qualifier, p.date.year_inferred) if p.date else None
            )
            when = p.year if p.entry == "trade" else None if p.entry == "statement" else when
            got.append(key(p.entry, p.donor.code, p.recipient.code, p.kind, p.amount, p.quantity, when))
        # One difference, by design: the fixture cites paragraphs 13 and 14 for one Russian statement; intake proposes
        # one statement per sentence, so ¶13 comes as a second proposal an editor accepts as the same statement.
        self.assertEqual(set(got), set(wanted))
        self.assertEqual(len(got), len(wanted) + 1)
