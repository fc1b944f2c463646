"""The actor page's timeline section reads a country's latest entries as a union of small index-ordered
reads (ledger/timeline.py _first_rows), not an OR that sorts every entry of the country: the rows and
their order must be exactly those of the plain query, on a generated ledger with bodies, ties on dates,
qualified and undated entries, and entries between a country and its own bodies."""

import datetime
import heapq
import random
from decimal import Decimal
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import TestCase, tag
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger import timeline as tl
from ledger.models import Actor, Delivery, Engagement, Pledge, Statement, TradeFigure
from ledger.timeline import Timeline, TimelineFilter

USD = {"amount": Decimal(1000), "currency": "USD", "amount_qualifier": "exact", "amount_usd": Decimal(1000)}
DATES = [datetime.date(2024, 1, 1), datetime.date(2024, 3, 1), datetime.date(2025, 1, 1), datetime.date(2025, 6, 15)]
PRECISIONS = [("day", ""), ("month", ""), ("month", "end"), ("year", ""), ("year", "mid")]


def dated(rng):
    """A date drawn from a few (so many entries tie on it), at a precision its day allows; or none."""
    if rng.random() < 0.15:
        return {"date": None, "date_precision": "", "date_qualifier": ""}
    date = rng.choice(DATES)
    allowed = [(p, q) for p, q in PRECISIONS if p == "day" or (date.day == 1 and (p == "month" or date.month == 1))]
    precision, qualifier = rng.choice(allowed)
    return {"date": date, "date_precision": precision, "date_qualifier": qualifier}


def reference_timeline(flt: TimelineFilter, *, limit: int, newest: bool, undated: bool) -> Timeline:
    """The timeline as it was read before the union: each kind's plain query (an OR over the party
    fields) cut at limit + 1, then merged."""
    dated_lists, undated_lists = [], []
    for kind, (dated_qs, without_date) in tl.timeline_querysets(flt, newest=newest, undated=undated).items():
        dated_lists.append(sorted(tl._entries(kind, dated_qs[: limit + 1]), key=lambda e: e.sort_key, reverse=newest))
        if without_date is not None:
            undated_lists.append(list(tl._entries(kind, without_date[: limit + 1])))
    dated_all = list(heapq.merge(*dated_lists, key=lambda e: e.sort_key, reverse=newest))
    undated_all = sorted((e for group in undated_lists for e in group), key=lambda e: e.sort_key)
    result = Timeline(dated_all[:limit], undated_all[:limit], len(dated_all) > limit, len(undated_all) > limit)
    if newest:
        result.dated.reverse()
    return result


@tag("slow")  # generates a ledger of 1,500 pledges
class ActorTimelineSameRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("generate_ledger", pledges=1500, trade=300, actors=40, sources=60, seed=11, verbosity=0)
        busiest = Pledge.objects.values("donor").annotate(n=Count("id")).order_by("-n", "donor")[0]["donor"]
        cls.country = Actor.objects.get(pk=busiest)
        if cls.country.parent_id:
            cls.country = cls.country.country
        countries = list(Actor.objects.filter(kind=Actor.Kind.COUNTRY).exclude(pk=cls.country.pk).order_by("id"))
        cls.bodies = [
            Actor.objects.create(
                code=f"{cls.country.code}-B{i}", name=f"Body {i}", kind=Actor.Kind.GOVERNMENT_BODY, parent=cls.country
            )
            for i in range(3)
        ]
        involved = [cls.country, *cls.bodies]
        everyone = involved + countries[:12]
        rng = random.Random(11)
        pledges = []
        for _ in range(300):
            donor = rng.choice(involved if rng.random() < 0.6 else everyone)
            recipient = rng.choice([a for a in everyone if a != donor])
            pledges.append(Pledge(donor=donor, recipient=recipient, kind="grant", **USD, **dated(rng)))
        # The country and its own bodies on both sides: such an entry is read by two parts of the union.
        for body in cls.bodies:
            pledges.append(Pledge(donor=body, recipient=cls.country, kind="grant", **USD, **dated(rng)))
        Pledge.objects.bulk_create(pledges)
        some_pledges = list(Pledge.objects.order_by("?")[:200]) + pledges
        Delivery.objects.bulk_create(
            Delivery(pledge=rng.choice(some_pledges), amount=Decimal(10), currency="USD", **dated(rng))
            for _ in range(250)
        )
        Statement.objects.bulk_create(
            Statement(
                speaker=(speaker := rng.choice(everyone)),
                subject=rng.choice([a for a in everyone if a != speaker]),
                kind="support",
                summary="supports",
                **dated(rng),
            )
            for _ in range(200)
        )
        Engagement.objects.bulk_create(
            Engagement(
                kind="meeting",
                side_a=(side_a := rng.choice(everyone)),
                side_b=rng.choice([a for a in everyone if a != side_a]),
                place_country=rng.choice([None, *countries[:5], cls.country]),
                **dated(rng),
            )
            for _ in range(200)
        )
        # Some of the country's trade figures in the latest year, tied with the entries dated in it.
        traded = TradeFigure.objects.filter(Q(reporter=cls.country) | Q(partner=cls.country)).order_by("id")
        TradeFigure.objects.filter(pk__in=list(traded.values_list("pk", flat=True)[:8])).update(year=2025)
        cls.partner = countries[0]

    def actors(self):
        """The busy country, one of its bodies, a quiet country, and an actor with no entry at all."""
        quiet = Actor.objects.create(code="ZQQ-Q", name="Quiet", kind=Actor.Kind.INTERNATIONAL_ORGANISATION)
        return [self.country, self.bodies[0], self.partner, quiet]

    def assertSameRows(self, flt: TimelineFilter, n: int, newest: bool):
        groups = tl.country_actor_ids(flt.countries)
        for kind, dated_qs, without_date in tl._unfiltered_querysets(flt, newest=newest, undated=True):
            for name, queryset in (("dated", dated_qs), ("undated", without_date)):
                if queryset is None:  # a period leaves the undated out
                    continue
                expected = [row.pk for row in tl._filtered(kind, queryset, groups)[:n]]
                with self.subTest(kind=kind, list=name, n=n, newest=newest):
                    self.assertEqual([row.pk for row in tl._first_rows(kind, queryset, groups, n)], expected)

    def test_each_kind_reads_the_same_rows_in_the_same_order_as_the_plain_query(self):
        for actor in self.actors():
            for n in (1, 3, 11, 60, 2000):
                for newest in (True, False):
                    with self.subTest(actor=actor.code):
                        self.assertSameRows(TimelineFilter(countries=(actor.country or actor,)), n, newest)

    def test_a_pair_and_a_period_read_the_same_rows(self):
        pair = TimelineFilter(countries=(self.country, self.partner))
        period = TimelineFilter(
            countries=(self.country,), start=datetime.date(2024, 2, 10), end=datetime.date(2025, 1, 31)
        )
        for flt in (pair, period):
            for n in (1, 5, 501):
                self.assertSameRows(flt, n, newest=False)
                self.assertSameRows(flt, n, newest=True)

    def test_too_many_parts_fall_back_to_the_plain_query(self):
        with mock.patch.object(tl, "MAX_BRANCHES", 1):
            self.assertSameRows(TimelineFilter(countries=(self.country,)), 11, newest=True)

    def test_the_actor_section_and_the_timeline_page_equal_the_reference(self):
        for actor in self.actors():
            flt = TimelineFilter(countries=(actor.country or actor,))
            with self.subTest(actor=actor.code):
                self.assertEqual(
                    tl.actor_timeline(actor=actor), reference_timeline(flt, limit=10, newest=True, undated=False)
                )
                self.assertEqual(tl.timeline(flt), reference_timeline(flt, limit=500, newest=False, undated=True))
                self.assertEqual(
                    tl.timeline(flt, limit=7), reference_timeline(flt, limit=7, newest=False, undated=True)
                )

    def test_the_section_holds_entries_of_every_kind_and_of_the_bodies(self):
        section = tl.actor_timeline(actor=self.country, limit=5000)
        self.assertEqual({e.kind for e in section.dated}, {"pledge", "delivery", "trade", "statement", "engagement"})
        self.assertTrue(any(self.bodies[0].name in e.parties for e in section.dated))

    def test_the_pledge_query_asks_no_or_over_the_parties(self):
        dated_qs, groups = self.pledge_query()
        with CaptureQueriesContext(connection) as queries:
            list(tl._first_rows("pledge", dated_qs, groups, 11))
        (query,) = queries.captured_queries
        self.assertNotIn(" OR ", query["sql"])
        # A donor and a recipient side for the country and each of its bodies, then the cut.
        self.assertEqual(query["sql"].count("LIMIT"), 2 * len(groups[0]) + 1)
        self.assertGreater(len(groups[0]), 3)

    def pledge_query(self):
        flt = TimelineFilter(countries=(self.country,))
        _kind, dated_qs, _undated = next(tl._unfiltered_querysets(flt, newest=True, undated=False))
        return dated_qs, tl.country_actor_ids(flt.countries)

    def test_the_actor_page_lists_the_section_with_as_many_queries_for_a_busy_country_with_bodies(self):
        # As tests/test_pages.py's actor page (20 queries for China, which received nothing): the actor,
        # latest pledged and received, trade, statements and their citations with sources, agencies,
        # people, the totals' cells (9); the timeline's actors and one query per kind (6); the breakdown
        # (the cache stamp, a query per role, the partners' names: 4), here read a second time (4) for the
        # second list, since the test suite runs without a cache. Whatever the bodies and entries.
        url = reverse("ledger:actor-detail", args=[self.country.code])
        with self.assertNumQueries(23):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        start, end = body.index('id="timeline-heading"'), body.index('id="pledged-heading"')
        section = tl.actor_timeline(actor=self.country)
        self.assertEqual(len(section.dated), 10)
        position = start
        for entry in section.dated:  # every entry, in order, in the page's section
            position = body.index(f'href="{entry.url}"', position) + 1
        self.assertLess(position, end)
