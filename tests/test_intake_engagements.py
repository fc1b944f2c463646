"""Intake proposes engagements: the seed article's visits, call and meeting with their participants, roles
and evidence, only when asked (extract(engagements=True), propose_entries --engagements)."""

import io
import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from ledger.intake import extract
from ledger.intake.engagements import SIDE_A_INFERRED, match_engagements
from tests.test_fixtures import article_text


class EngagementIntakeTests(TestCase):
    """What intake proposes for the seed article: one engagement per reported visit, call or meeting."""

    def test_the_seed_article_yields_its_engagements_with_participants_and_evidence(self):
        actors = [
            {"code": code, "name": name, "kind": "country", "iso3": code, "parent": ""}
            for code, name in (("CUB", "Cuba"), ("VNM", "Vietnam"), ("RUS", "Russia"), ("CHN", "China"))
        ]
        people_aliases = [
            {"alias": name, "code": code}
            for name, code in (
                ("Bruno Rodríguez", "CUB"),
                ("To Lam", "VNM"),
                ("Luong Cuong", "VNM"),
                ("Sergey Lavrov", "RUS"),
                ("Vladimir Kolokóltsev", "RUS"),
                ("Miguel Díaz-Canel", "CUB"),
                ("Raúl Castro", "CUB"),
                ("Chen Xiaodong", "CHN"),
                ("Liu Haixing", "CHN"),
            )
        ]
        text = article_text()
        proposals = [
            p
            for p in extract(
                text, published=date(2026, 2, 5), actors=actors, extra_aliases=people_aliases, engagements=True
            )
            if p.entry == "engagement"
        ]
        found = [
            (p.evidence.paragraph, p.kind, p.donor.code, p.recipient.code, p.place.code if p.place else None)
            for p in proposals
        ]
        self.assertEqual(
            found,
            [
                (9, "visit", "CUB", "VNM", "VNM"),
                (12, "phone_call", "CUB", "RUS", "VNM"),
                (16, "visit", "RUS", "CUB", "CUB"),
                (17, "meeting", "CUB", "CHN", "CHN"),
            ],
        )
        for proposal in proposals:
            self.assertEqual(text[proposal.evidence.start : proposal.evidence.end], proposal.evidence.text)
        visit = proposals[0]
        self.assertEqual(
            [(p["name"], p["side"], p["role"]) for p in visit.participants],
            [
                ("Bruno Rodríguez", "a", ""),
                ("To Lam", "b", "General Secretary of the Communist Party"),
                ("Luong Cuong", "b", "President of the Republic"),
            ],
        )
        self.assertIn(SIDE_A_INFERRED, proposals[3].flags)  # "In ChinaRodríguez": no named visitor
        existing = [
            {
                "id": 7,
                "kind": "visit",
                "side_a": "CUB",
                "side_b": "VNM",
                "people": ["Bruno Rodríguez", "To Lam", "Luong Cuong"],
            }
        ]
        match_engagements(proposals, existing)
        self.assertEqual((proposals[0].existing.id, proposals[0].existing.relation), (7, "same"))
        self.assertIsNone(proposals[1].existing)

    def test_engagements_are_proposed_only_when_asked(self):
        proposals = extract("Cuba's minister met with Vietnam's president.", published=date(2026, 2, 5))
        self.assertEqual([p for p in proposals if p.entry == "engagement"], [])

    def test_the_command_prints_engagements_as_json(self):
        out = io.StringIO()
        article = Path(settings.BASE_DIR) / "fixtures" / "sources" / "cibercuba-2026-02-05.txt"
        call_command(
            "propose_entries",
            str(article),
            "--published",
            "2026-02-05",
            "--engagements",
            "--format",
            "json",
            stdout=out,
        )
        printed = [p for p in json.loads(out.getvalue())["proposals"] if p["entry"] == "engagement"]
        self.assertEqual([p["kind"] for p in printed], ["visit", "phone_call", "visit", "meeting"])
        self.assertEqual(set(printed[0]), set(printed[1]))
        self.assertIn("participants", printed[0])
