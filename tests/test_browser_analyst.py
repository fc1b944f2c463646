"""Issue 14 in Debian's Chromium: a multi-select filter shared by its URL, the chart's grey "all other
donors" over a continuous year axis, and the phone layout (rows as cards, the amount on screen)."""

from datetime import date
from urllib.parse import parse_qs, urlparse

from django.core.cache import cache
from playwright.sync_api import expect

from ledger.models import Actor, Source
from tests import factories
from tests.browser import BrowserTestCase


class MultiSelectFilterBrowserTests(BrowserTestCase):
    def test_two_donors_picked_in_the_form_are_kept_in_a_url_another_analyst_opens(self):
        page = self.page
        self.visit("/pledges/")
        page.locator("select[name=donor]").select_option(["CHN", "VNM"])
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("table.data tbody tr")).to_have_count(5)
        query = parse_qs(urlparse(page.url).query)
        self.assertEqual(sorted(query["donor"]), ["CHN", "VNM"])  # repeated parameters

        shared = self.browser.new_context(viewport=self.viewport).new_page()  # another analyst, same URL
        shared.goto(page.url)
        self.assertEqual(
            sorted(shared.locator("select[name=donor] option:checked").evaluate_all("os => os.map(o => o.value)")),
            ["CHN", "VNM"],
        )
        expect(shared.locator("table.data tbody tr")).to_have_count(5)
        shared.goto(page.url.replace("donor=CHN&", "").replace("&donor=CHN", ""))
        expect(shared.locator("table.data tbody tr")).to_have_count(1)  # Vietnam's one pledge
        shared.context.close()

    def test_an_ambiguous_date_stays_in_its_box_beside_the_message(self):
        page = self.page
        self.visit("/pledges/")
        page.locator("input[name=date_after]").fill("01/02/2026")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("input[name=date_after]")).to_have_value("01/02/2026")
        expect(page.get_by_role("alert").first).to_contain_text("is not a date written YYYY-MM-DD")


class ChartBrowserTests(BrowserTestCase):
    def test_other_donors_are_grey_and_empty_years_are_on_the_axis(self):
        cache.clear()
        cuba = Actor.objects.get(code="CUB")
        for code in ("FRA", "DEU", "ITA", "ESP", "PRT", "BEL", "NLD", "AUT"):
            factories.pledge(
                factories.actor(code), cuba, src=Source.objects.get(), date=date(2019, 1, 1), date_precision="year"
            )
        self.visit("/")
        page = self.page
        page.wait_for_function("() => window.Chart && Chart.getChart('donor-chart') !== undefined")
        labels = page.evaluate("Chart.getChart('donor-chart').data.labels")
        self.assertEqual(labels, ["2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"])
        last = page.evaluate(
            "(() => { const d = Chart.getChart('donor-chart').data.datasets; return d[d.length - 1]; })()"
        )
        self.assertEqual((last["label"], last["backgroundColor"]), ("all other donors", "#bfc5ca"))
        page.get_by_text("The chart's figures as a table").click()
        expect(page.locator("table.chart-table tbody tr")).to_have_count(8)


class PhoneLayoutBrowserTests(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def test_table_rows_read_as_cards_with_the_amount_on_screen_and_no_sideways_scroll(self):
        page = self.page
        self.visit("/pledges/?sort=-amount_usd")
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        first = page.locator("table.data tbody tr").first
        usd = first.locator('td[data-label="USD value"]')
        expect(usd).to_contain_text("USD 100 million")
        box = usd.bounding_box()
        self.assertLessEqual(box["x"] + box["width"], 390)  # on screen, no horizontal scroll needed
        scroller = page.locator(".table-scroll").first
        self.assertLessEqual(scroller.evaluate("e => e.scrollWidth - e.clientWidth"), 1)

    def test_overview_totals_fit_the_phone(self):
        self.visit("/")
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 390)
        amount = self.page.locator('#by-donor ~ tbody td[data-label="Total pledged"]').first
        expect(amount).to_be_visible()
