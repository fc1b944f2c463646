"""An analyst's walk through the pages in Debian's Chromium: overview → pledges → sort by amount →
filter by donor → open an entry → read its excerpt → the donor's actor page. Also checks the pages
work without JavaScript and fit a phone's width.

With UPDATE_DOCS_SCREENSHOTS=1 the walk also saves docs/overview.png and docs/pledges.png."""

import os
import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from tests.browser import BrowserTestCase

DOCS = Path(settings.BASE_DIR) / "docs"


class AnalystWalkTests(BrowserTestCase):
    def docs_screenshot(self, name):
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            self.page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)

    def first_row(self):
        return self.page.locator("table.data tbody tr").first

    def test_overview_to_the_sentence_and_the_donor(self):
        page = self.page
        self.visit("/")
        expect(page.get_by_role("heading", name="Total pledged")).to_be_visible()
        expect(page.locator(".headline .big")).to_have_text("USD 195 million")
        expect(page.get_by_text("Trade and investment figures, never added to aid")).to_be_visible()
        # The chart is drawn from the vendored Chart.js, offline.
        page.wait_for_function("() => window.Chart && Chart.getChart('donor-chart') !== undefined")
        self.assertEqual(page.evaluate("Chart.getChart('donor-chart').data.datasets.length"), 2)
        self.docs_screenshot("overview")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Pledges").click()
        expect(page.get_by_role("heading", name="Pledges", exact=True)).to_be_visible()

        header = page.get_by_role("link", name="What (as the source states it)")
        header.click()
        expect(page).to_have_url(re.compile(r"sort=value"))
        page.get_by_role("link", name="What (as the source states it)").click()
        expect(page).to_have_url(re.compile(r"sort=-value"))
        expect(self.first_row()).to_contain_text("USD 100 million")  # the largest first
        self.docs_screenshot("pledges")

        page.get_by_label("Donor").select_option("CHN")
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"donor=CHN"))
        expect(page).to_have_url(re.compile(r"sort=-value"))  # filtering keeps the sort
        donors = page.locator("table.data tbody tr td:nth-child(3)").all_inner_texts()
        self.assertEqual(len(donors), 4)
        self.assertTrue(all(d.startswith("China") for d in donors), donors)

        page.get_by_role("link", name="USD 80 million").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("China → Cuba: USD 80 million")
        excerpt = page.locator("figure.citation blockquote").first
        expect(excerpt).to_contain_text("which includes 80 million dollars in financial assistance")
        expect(page.locator("figure.citation figcaption").first).to_contain_text("¶ 18 of CiberCuba, 5 Feb 2026")
        expect(page.get_by_text("end of Jan 2026 (year inferred)").first).to_be_visible()

        page.locator("dl.facts").get_by_role("link", name="China").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("China")
        expect(page).to_have_url(re.compile(r"/actors/CHN/$"))
        expect(page.locator("p.total").first).to_contain_text("USD 180 million")

    def test_vietnam_trade_and_how_certain_it_is(self):
        page = self.page
        self.visit("/trade/?country=VNM")
        row = page.locator("table.data tbody tr", has_text="340 million")
        expect(row).to_contain_text("≈ USD 340 million")
        expect(row).to_contain_text("approximate")
        row.get_by_role("link", name="≈ USD 340 million").click()
        expect(page.locator("dl.facts")).to_contain_text("approximate: the source says “approximately”")
        expect(page.locator("dl.facts")).to_contain_text("year not stated")
        expect(page.locator("figure.citation blockquote")).to_contain_text(
            "with an exchange of approximately 340 million dollars."
        )


class WithoutJavaScriptTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.context.close()
        self.context = self.browser.new_context(viewport=self.viewport, java_script_enabled=False)
        self.page = self.context.new_page()

    def test_sorting_and_filtering_work_without_javascript(self):
        page = self.page
        self.visit("/pledges/")
        page.get_by_label("Donor").select_option("VNM")
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"donor=VNM"))
        expect(page.locator("table.data tbody tr")).to_have_count(1)
        expect(self.page.locator("table.data tbody")).to_contain_text("USD 15 million")
        page.get_by_role("link", name="Entry").click()
        expect(page).to_have_url(re.compile(r"donor=VNM.*sort=id|sort=id.*donor=VNM"))

    def test_overview_reads_without_javascript(self):
        self.visit("/")
        expect(self.page.locator(".headline .big")).to_have_text("USD 195 million")
        expect(self.page.locator("table.totals").first).to_contain_text("China")


class PhoneTests(BrowserTestCase):
    viewport = {"width": 375, "height": 740}

    def test_pages_fit_a_phone_screen(self):
        for path in ("/", "/pledges/", "/trade/", "/pledges/2/", "/actors/CHN/", "/sources/1/"):
            with self.subTest(path=path):
                self.visit(path)
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"{path} is wider than the screen by {overflow}px")
