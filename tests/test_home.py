from django.test import TestCase


class HomeTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_home_page_serves(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Aid Ledger")
