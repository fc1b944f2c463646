"""In Chromium: the analyst filters and sorts the pledges, clicks CSV, and the file holds those rows;
the data dictionary the link leads to documents every column of it."""

import csv
import io
from pathlib import Path

from ledger import exports
from tests.browser import BrowserTestCase


class BrowserExportTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.context.close()
        self.context = self.browser.new_context(viewport=self.viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def test_the_csv_link_downloads_the_filtered_sorted_rows_shown(self):
        self.visit("/pledges/?donor=CHN&sort=-amount_usd")
        shown = self.page.locator("table tbody tr").count()
        with self.page.expect_download() as waiting:
            self.page.get_by_role("link", name="CSV").click()
        download = waiting.value
        self.assertRegex(download.suggested_filename, r"^pledges-\d{4}-\d{2}-\d{2}\.csv$")
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"), newline="")))
        self.assertEqual(len(rows), shown)
        self.assertEqual({row["donor_code"] for row in rows}, {"CHN"})
        self.assertEqual([row["amount_usd"] for row in rows[:2]], ["100000000.00", "80000000.00"])

        self.page.get_by_role("link", name="what the columns mean").first.click()
        self.assertEqual(self.page.url, f"{self.live_server_url}/data-dictionary/")
        section = self.page.locator("#pledges")
        for column in exports.PLEDGES.header:
            self.assertTrue(section.locator("code", has_text=column).first.is_visible(), column)
