"""Issue 16, defect 1: one anonymous visitor could stall the site. The overview's cache key took every
query parameter (`/?junk=$RANDOM` recomputed the totals each time), a free-text search ran as long
as it liked, and nothing limited how many such requests one client sent. Now the key comes from the
validated filters, every public query runs under a time limit that answers a "narrow it" page
(503 with Retry-After, never a 500), and expensive requests are rate-limited per client (429)."""

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse

from ledger import selectors
from tests import factories

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}}
SLOW_SQL = {
    # Seconds to minutes of work on either database, unless the time limit stops it.
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(120)",
}


def slow_totals(**kwargs):
    with connection.cursor() as cursor:
        cursor.execute(SLOW_SQL[connection.vendor])
    raise AssertionError("the slow query was not stopped")


class LedgerCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        china, cuba = factories.actor("CHN", "China"), factories.actor("CUB", "Cuba")
        factories.pledge(china, cuba)

    def setUp(self):
        cache.clear()


@override_settings(CACHES=LOCMEM)
class OverviewCacheKeyTests(LedgerCase):
    def test_unknown_parameters_do_not_bust_the_totals_cache(self):
        with mock.patch("ledger.selectors.overview_totals", wraps=selectors.overview_totals) as totals:
            for query in ({}, {"x": "1"}, {"junk": "31337", "donor": ""}, {"x": "2", "_export": "pdf"}):
                self.assertEqual(self.client.get(reverse("ledger:home"), query).status_code, 200)
        self.assertEqual(totals.call_count, 1)

    def test_a_valid_filter_has_its_own_entry(self):
        with mock.patch("ledger.selectors.overview_totals", wraps=selectors.overview_totals) as totals:
            self.client.get(reverse("ledger:home"))
            self.client.get(reverse("ledger:home"), {"donor": "CHN"})
            self.client.get(reverse("ledger:home"), {"donor": "CHN", "junk": "1"})
        self.assertEqual(totals.call_count, 2)

    def test_invalid_filters_are_refused_before_any_totals_are_computed(self):
        with mock.patch("ledger.selectors.overview_totals") as totals:
            response = self.client.get(reverse("ledger:home"), {"donor": "NOPE", "_export": "csv"})
        self.assertEqual(response.status_code, 400)
        totals.assert_not_called()


class TimeLimitTests(LedgerCase):
    @override_settings(QUERY_TIME_LIMIT=0.3)
    def test_a_query_past_the_limit_is_stopped_with_the_narrow_it_page(self):
        with mock.patch("ledger.selectors.overview_totals", side_effect=slow_totals):
            response = self.client.get(reverse("ledger:home"), {"donor": "CHN"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "60")
        self.assertContains(response, "This query took too long; narrow it", status_code=503)

    @override_settings(QUERY_TIME_LIMIT=0)
    def test_no_query_starts_after_the_limit(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"q": "zq"})
        self.assertContains(response, "narrow it", status_code=503)

    @override_settings(QUERY_TIME_LIMIT=0)
    def test_the_admin_is_not_limited(self):
        self.assertEqual(self.client.get("/admin/login/").status_code, 200)

    def test_within_the_limit_pages_answer_as_before(self):
        self.assertEqual(self.client.get(reverse("ledger:pledge-list"), {"q": "excerpt"}).status_code, 200)


@override_settings(CACHES=LOCMEM, EXPENSIVE_REQUESTS_BURST=2, EXPENSIVE_REQUESTS_PER_MINUTE=1)
class RateLimitTests(LedgerCase):
    def test_searches_past_the_budget_are_refused_per_client_with_retry_after(self):
        pledges = reverse("ledger:pledge-list")
        for word in ("one", "two"):
            self.assertEqual(self.client.get(pledges, {"q": word}).status_code, 200)
        refused = self.client.get(pledges, {"q": "three"})
        self.assertContains(refused, "Too many searches and downloads", status_code=429)
        self.assertGreater(int(refused["Retry-After"]), 0)
        self.assertEqual(self.client.get(pledges, {"q": "three"}, REMOTE_ADDR="10.0.0.2").status_code, 200)
        self.assertEqual(self.client.get(pledges).status_code, 200)  # an ordinary page is not counted

    def test_cache_busting_overviews_spend_the_budget_only_when_they_miss(self):
        home = reverse("ledger:home")
        for n in range(5):
            self.assertEqual(self.client.get(home, {"junk": str(n)}).status_code, 200)  # one miss, then hits
        self.assertEqual(self.client.get(home, {"donor": "CHN"}).status_code, 200)
        self.assertEqual(self.client.get(home, {"donor": "CUB"}).status_code, 429)
