from tests.browser import BrowserTestCase


class BrowserSmokeTests(BrowserTestCase):
    def test_home_page_renders_in_chromium(self):
        response = self.visit("/")
        self.assertEqual(response.status, 200)
        self.assertIn("Aid Ledger", self.page.title())
        self.assertTrue(self.page.get_by_role("heading", name="Aid Ledger").is_visible())
