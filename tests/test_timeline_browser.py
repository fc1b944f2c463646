"""The Cuba – Vietnam timeline in Chromium: the September 2025 donation, then the visit and the call of
early February 2026, with the undated trade figure listed apart as undated."""

from tests.browser import BrowserTestCase


class PairTimelineBrowserTests(BrowserTestCase):
    def test_cuba_vietnam_timeline_reads_in_order_with_the_undated_trade_apart(self):
        response = self.visit("/timeline/?country=CUB&country=VNM")
        self.assertEqual(response.status, 200)
        self.assertTrue(self.page.get_by_role("heading", name="Cuba – Vietnam: timeline").is_visible())

        dated = self.page.locator("section[aria-labelledby=dated-heading] tr.timeline-entry")
        rows = [" ".join(text.split()) for text in dated.all_inner_texts()]
        donation = next(i for i, row in enumerate(rows) if "Pledge" in row and "USD 15 million" in row)
        visit = next(i for i, row in enumerate(rows) if "Visit in Vietnam" in row)
        call = next(i for i, row in enumerate(rows) if "Phone call from Vietnam" in row)
        self.assertLess(donation, visit)
        self.assertLess(visit, call)
        self.assertIn("Sep 2025 (year inferred)", rows[donation])
        for row in (rows[visit], rows[call]):
            self.assertIn("early Feb 2026 (year inferred)", row)
            self.assertIn("month known", row.lower())  # the month is marked as all that is known, never a made-up day
        self.assertFalse(any("Trade figure" in row for row in rows))

        undated = self.page.locator("section[aria-labelledby=undated-heading]")
        self.assertTrue(undated.get_by_role("heading", name="Undated").is_visible())
        trade = [" ".join(t.split()) for t in undated.locator("tr.timeline-entry").all_inner_texts()]
        self.assertTrue(
            any("Trade figure" in row and "≈ USD 340 million" in row and "undated" in row.lower() for row in trade)
        )

    def test_the_timeline_filters_keep_their_state_in_the_address(self):
        self.visit("/timeline/")
        self.page.select_option("#id_country", ["CUB", "VNM"])
        self.page.select_option("#id_kind", ["engagement"])
        self.page.get_by_role("button", name="Apply filters").click()
        self.page.wait_for_load_state()
        self.assertIn("country=CUB", self.page.url)
        self.assertIn("country=VNM", self.page.url)
        self.assertIn("kind=engagement", self.page.url)
        kinds = set(self.page.locator("tr.timeline-entry").evaluate_all("rows => rows.map(r => r.dataset.kind)"))
        self.assertEqual(kinds, {"engagement"})
