"""Matching proposals with existing entries: same, refines, delivers; never counted twice."""

from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from ledger.intake import extract, match
from ledger.intake.quality import seed_ledger

LEDGER = seed_ledger()


def matched(text, published, language="en"):
    proposals = extract(text, published=date.fromisoformat(published), language=language, actors=LEDGER.actors)
    return [
        p.existing and (p.existing.entry, p.existing.id, p.existing.relation) for p in match(proposals, LEDGER.entries)
    ]


class MatchingTests(SimpleTestCase):
    def test_a_repeat_of_a_pledge_is_the_same_entry(self):
        self.assertEqual(
            matched("In 2024, China granted a donation of 100 million dollars to Cuba.", "2026-03-01"),
            [("pledge", 4, "same")],
        )

    def test_a_stated_year_refines_an_entry_whose_year_was_inferred(self):
        text = "The Vietnamese government donated 15 million dollars to Cuba in September 2025."
        proposals = match(extract(text, published=date(2026, 2, 20), actors=LEDGER.actors), LEDGER.entries)
        self.assertEqual((proposals[0].existing.id, proposals[0].existing.relation), (5, "refines"))
        self.assertIn(("year_inferred", "False"), proposals[0].existing.changes)

    def test_a_trade_figure_with_its_year_refines_the_yearless_one(self):
        text = "Bilateral exchange between Vietnam and Cuba amounted to roughly 340 million dollars in 2024."
        self.assertEqual(matched(text, "2026-02-20"), [("trade", 1, "refines")])

    def test_a_partial_delivery_delivers_against_the_pledge(self):
        text = "China delivered 30,000 tonnes of rice to Cuba on Monday as the first part of the emergency package."
        self.assertEqual(matched(text, "2026-03-03"), [("pledge", 3, "delivers")])

    def test_a_different_amount_or_year_is_a_new_entry(self):
        self.assertEqual(
            matched("In 2025, China granted a donation of 100 million dollars to Cuba.", "2026-03-01"), [None]
        )
        self.assertEqual(
            matched("China granted a donation of 90 million dollars to Cuba in 2024.", "2026-03-01"), [None]
        )

    def test_no_existing_entries_no_match(self):
        proposals = extract("China granted 100 million dollars to Cuba in 2024.", published=date(2026, 3, 1))
        self.assertIsNone(match(proposals, [])[0].existing)
        self.assertEqual(proposals[0].amount, Decimal(100_000_000))
