"""Every table page says how many rows its filters select ("12,345 pledges match"), and the pledges
table what they add to the totals, linking to the overview of the same pledges. Exact from the
maintained totals when they can answer; otherwise counted with a time limit, "more than N" past it."""

import re
from decimal import Decimal
from unittest import mock
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Value
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse

from ledger import selectors_counts, services
from ledger.models import Actor, Pledge, Source

FIXTURE = "cibercuba-2026-02-05"
# Counting from the live rows: one query on SQLite; on PostgreSQL (inside the test's transaction)
# also the savepoint, SET LOCAL statement_timeout, its reset and the savepoint's release.
TIMED = 1 if connection.vendor == "sqlite" else 5


def count_line(response):
    match = re.search(r'<p class="match-count" role="status">(.*?)</p>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


class TableCountTests(TestCase):
    fixtures = [FIXTURE]

    def setUp(self):
        cache.clear()

    def test_pledges_table_counts_every_listed_pledge_and_what_the_totals_add(self):
        with self.assertNumQueries(5):  # the page's 4, and one read of the maintained totals
            response = self.client.get(reverse("ledger:pledge-list"))
        # 5 entries listed (the package and its parts); 195 million counted (the package only through them)
        self.assertEqual(count_line(response), "5 pledges match · USD 195 million counted in totals")
        self.assertContains(response, 'href="/"')

    def test_a_filter_on_one_summed_dimension_is_answered_from_the_totals_and_links_to_the_overview(self):
        with self.assertNumQueries(6):  # as the unfiltered page, and the donor's code looked up
            response = self.client.get(reverse("ledger:pledge-list"), {"donor": "VNM", "sort": "-value"})
        self.assertEqual(count_line(response), "1 pledge matches · USD 15 million counted in totals")
        self.assertContains(response, 'href="/?donor=VNM"')

    def test_other_filters_are_counted_from_the_live_rows_with_the_same_figures(self):
        kept = self.client.get(reverse("ledger:pledge-list"), {"donor": "CHN"})
        live = self.client.get(reverse("ledger:pledge-list"), {"donor": "CHN", "has_value": ""})
        both = self.client.get(reverse("ledger:pledge-list"), {"donor": "CHN", "kind": "grant"})
        self.assertEqual(count_line(kept), count_line(live))
        self.assertEqual(count_line(both), "1 pledge matches · USD 100 million counted in totals")
        unvalued = self.client.get(reverse("ledger:pledge-list"), {"has_value": "no"})
        self.assertRegex(count_line(unvalued), r"^2 pledges match · no USD value counted in totals$")

    def test_the_count_follows_a_write_at_once(self):
        before = count_line(self.client.get(reverse("ledger:pledge-list")))
        services.pledge_create(
            donor=Actor.objects.get(code="CHN"),
            recipient=Actor.objects.get(code="CUB"),
            kind=Pledge.Kind.GRANT,
            amount=Decimal("5000000"),
            currency="USD",
            amount_qualifier="approximately",
            citations=[{"source": Source.objects.get(), "excerpt": "a test excerpt", "paragraph": 2}],
            reason="test",
        )
        after = count_line(self.client.get(reverse("ledger:pledge-list")))
        self.assertEqual(before, "5 pledges match · USD 195 million counted in totals")
        self.assertEqual(after, "6 pledges match · ≈ USD 200 million counted in totals")

    def test_trade_actors_and_sources_tables_count_their_rows(self):
        for name, base, line in (
            ("ledger:trade-list", 4, "3 trade figures match"),
            ("ledger:actor-list", 2, None),
            ("ledger:source-list", 1, "1 source matches"),
        ):
            with self.subTest(page=name), self.assertNumQueries(base + TIMED):
                response = self.client.get(reverse(name))
            expected = line or f"{Actor.objects.count()} actors match"
            self.assertEqual(count_line(response), expected)

    def test_invalid_filters_show_no_count(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"donor": "ZZZ"})
        self.assertIsNone(count_line(response))

    def test_a_count_that_runs_out_of_time_says_more_than(self):
        real = selectors_counts.within_time_limit
        calls = iter([lambda compute, **kw: (False, None), real])
        with (
            mock.patch.object(selectors_counts, "COUNT_CAP", 2),
            mock.patch.object(selectors_counts, "within_time_limit", lambda c, **kw: next(calls)(c, **kw)),
        ):
            response = self.client.get(reverse("ledger:trade-list"))
        self.assertEqual(count_line(response), "more than 2 trade figures match")


class TimeLimitTests(TestCase):
    def test_a_query_longer_than_the_limit_is_interrupted_and_the_connection_still_works(self):
        if connection.vendor == "sqlite":
            slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT COUNT(*) FROM n"
        else:
            slow = "SELECT COUNT(*) FROM generate_series(1, 500000000)"

        def run():
            with connection.cursor() as cursor:
                cursor.execute(slow)
                return cursor.fetchone()[0]

        self.assertEqual(selectors_counts.within_time_limit(run, milliseconds=20), (False, None))
        finished, value = selectors_counts.within_time_limit(
            lambda: Source.objects.annotate(one=Value(1)).count(), milliseconds=5000
        )
        self.assertEqual((finished, value), (True, 0))


class TwoDimensionCountTests(TestCase):
    """A filter on two of the totals' dimensions, one of them a donor, recipient or kind, is counted
    from the maintained totals (the packages counted through their parts found live): the same count,
    USD sum and qualifier as counting the live rows, on a generated ledger with packages."""

    @classmethod
    def setUpTestData(cls):
        from django.core.management import call_command

        call_command("generate_ledger", pledges=1500, trade=10, seed=7, verbosity=0)

    def test_same_figures_as_the_live_rows(self):
        from ledger import selectors, summary_reads
        from ledger.filters.pledges import PledgeFilterSet

        packages = Pledge.objects.filter(package__isnull=False).values("package_id").distinct().count()
        self.assertGreater(packages, 3)  # the generated ledger has packages with parts
        donors = list(Pledge.objects.values_list("donor__code", flat=True).distinct()[:3])
        recipients = list(Pledge.objects.values_list("recipient__code", flat=True).distinct()[:2])
        queries = [
            {"donor": donors[0], "kind": "in_kind"},
            {"donor": donors[0], "kind": "package"},
            {"donor": donors[:2], "kind": ["grant", "package"]},
            {"donor": donors[1], "recipient": recipients[0]},
            {"recipient": recipients, "status": "committed"},
            {"kind": "package", "currency": "USD"},
            {"kind": "grant", "year_min": 2018, "year_max": 2022},
            {"donor": donors[2], "year_min": 2020},
        ]
        for query in queries:
            with self.subTest(query=query):
                data = QueryDict(urlencode(query, doseq=True))  # as the page's URL gives them
                filterset = PledgeFilterSet(data, queryset=selectors.pledges_for_table())
                self.assertTrue(filterset.is_valid(), filterset.errors)
                filters = selectors.bound_filters(filterset)
                self.assertIsNotNone(summary_reads.summary_pair(filters))
                with self.assertNumQueries(1 + TIMED):  # the totals' cells, the packages with parts
                    from_totals = selectors_counts.pledges_table_count(pledges=filterset.qs, filters=filters)
                live = selectors_counts.pledges_table_count(pledges=filterset.qs, filters=None)
                self.assertEqual(from_totals, live)
                self.assertEqual(from_totals.rows, filterset.qs.count())

    def test_other_pairs_and_three_dimensions_stay_live(self):
        from ledger import summary_reads

        self.assertIsNone(summary_reads.summary_pair({"status": ["committed"], "currency": "USD"}))
        self.assertIsNone(summary_reads.summary_pair({"donor": [1], "kind": ["grant"], "status": ["committed"]}))
        self.assertIsNone(summary_reads.summary_pair({"donor": [1], "q": "rice"}))
