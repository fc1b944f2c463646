from django.test import TestCase


class HomeTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_home_page_shows_the_ledger_total_of_the_seed_article(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Aid Ledger</h1>", html=True)
        self.assertContains(response, '<p class="big">USD 195 million</p>', html=True)
