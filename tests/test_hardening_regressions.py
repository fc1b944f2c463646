"""Failures the hardening tests found, each pinned by a plain test."""

from django.test import TestCase

from ledger.models import Actor


class SameNamedDonorsTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_the_overview_chart_keeps_two_donors_with_the_same_name_apart_and_labels_each_with_its_code(self):
        # Found by tests/test_escaping.py: every country has a "Ministry of Foreign Affairs", and the
        # overview's chart merged same-named donors into one column of text (a server error).
        # The seed's two donors: China (USD 100 million in 2024, 80 million in January 2026) and
        # Vietnam (USD 15 million in September 2025).
        renamed = Actor.objects.filter(code__in=["CHN", "VNM"]).update(name="Ministry of Foreign Affairs")
        self.assertEqual(renamed, 2)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        chart = response.context["chart"]
        self.assertEqual(chart["labels"], ["2024", "2025", "2026"])
        self.assertEqual(
            chart["datasets"],
            [
                {
                    "label": "Ministry of Foreign Affairs (CHN)",
                    "other": False,
                    "data": [100_000_000.0, None, 80_000_000.0],
                },
                {"label": "Ministry of Foreign Affairs (VNM)", "other": False, "data": [None, 15_000_000.0, None]},
            ],
        )
