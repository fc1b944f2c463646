"""An actor's statements are read as a union of small index-ordered reads (ledger/timeline.py first_rows: one
per side, along the (speaker or subject, date, id) indexes), not an OR that sorts all of them: the rows
and their order must be exactly those of the plain query, on a generated ledger with many statements,
ties on dates, undated statements and statements between the same actors both ways."""

import datetime
import random
from unittest import mock

from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ledger import selectors
from ledger import timeline as tl
from ledger.models import Citation, Source, Statement
from ledger.selectors import PAGE_LIST_LIMIT
from ledger.timeline import first_rows
from tests import factories

DATES = [datetime.date(2023, 5, 1), datetime.date(2024, 1, 1), datetime.date(2024, 1, 2), datetime.date(2025, 6, 15)]


def ordered_statements(*, order=("-date", "-id")):
    """The actor page's statements query, before the choice of actor."""
    return Statement.objects.select_related("speaker", "subject", "person").order_by(*order)


class StatementReadsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.busy, *others = [factories.actor(code) for code in ("HUN", "CUB", "VNM", "CHN", "RUS", "MEX")]
        cls.others = others
        cls.silent = factories.actor("ZWE")
        rng = random.Random(13)
        rows = []
        for i in range(900):  # the busy actor in about half of them, as speaker or subject
            speaker = cls.busy if rng.random() < 0.3 else rng.choice(others)
            subject = rng.choice([a for a in [cls.busy, *others] if a != speaker])
            undated = rng.random() < 0.15  # a few dates only: many ties, broken by the id
            rows.append(
                Statement(
                    speaker=speaker,
                    subject=subject,
                    kind=Statement.Kind.SUPPORT,
                    summary=f"statement {i}",
                    date=None if undated else rng.choice(DATES),
                    date_precision="" if undated else "day",
                )
            )
        Statement.objects.bulk_create(rows)
        sources = [factories.source(url=f"https://example.org/s{i}") for i in range(3)]
        Citation.objects.bulk_create(
            Citation(statement=statement, source=rng.choice(sources), excerpt="words", paragraph=rng.randint(1, 9))
            for statement in Statement.objects.order_by("id")[::7]
        )

    def plain(self, queryset, ids, n):
        return [row.pk for row in queryset.filter(Q(speaker__in=ids) | Q(subject__in=ids))[:n]]

    def test_the_rows_and_their_order_are_the_plain_querys(self):
        for actors in ([self.busy], [self.others[0]], [self.busy, self.others[1]], [self.silent]):
            ids = [a.pk for a in actors]
            for order in (("-date", "-id"), ("date", "id")):
                for n in (1, 2, 7, 51, 5000):
                    with self.subTest(actors=[a.code for a in actors], order=order, n=n):
                        queryset = ordered_statements(order=order)
                        rows = first_rows(queryset, fields=("speaker", "subject"), ids=ids, n=n)
                        self.assertEqual([row.pk for row in rows], self.plain(queryset, ids, n))

    def test_too_many_parts_fall_back_to_the_plain_query(self):
        queryset, ids = ordered_statements(), [self.busy.pk]
        with mock.patch.object(tl, "MAX_BRANCHES", 1), CaptureQueriesContext(connection) as queries:
            rows = [row.pk for row in first_rows(queryset, fields=("speaker", "subject"), ids=ids, n=20)]
        self.assertIn(" OR ", queries.captured_queries[0]["sql"])
        self.assertEqual(rows, self.plain(queryset, ids, 20))

    def test_no_actor_reads_nothing(self):
        with self.assertNumQueries(0):
            self.assertEqual(list(first_rows(ordered_statements(), fields=("speaker", "subject"), ids=[], n=5)), [])

    def test_one_query_with_no_or_over_the_sides_and_the_related_rows_in_it(self):
        queryset = ordered_statements()
        with CaptureQueriesContext(connection) as queries:
            rows = list(first_rows(queryset, fields=("speaker", "subject"), ids=[self.busy.pk], n=11))
            names = [(row.speaker.name, row.subject.name, row.person) for row in rows]
        (query,) = queries.captured_queries
        self.assertNotIn(" OR ", query["sql"])
        self.assertEqual(query["sql"].count("LIMIT"), 3)  # the speaker side, the subject side, then the cut
        self.assertEqual(len(names), 11)

    def test_the_actor_page_lists_the_same_statements_as_the_plain_query(self):
        for actor in (self.busy, self.others[2], self.silent):
            with self.subTest(actor=actor.code):
                detail = selectors.actor_detail(code=actor.code)
                plain = list(
                    Statement.objects.filter(Q(speaker=actor) | Q(subject=actor)).order_by("-date", "-id")[
                        : PAGE_LIST_LIMIT + 1
                    ]
                )
                self.assertEqual([s.pk for s in detail["statements"]], [s.pk for s in plain[:PAGE_LIST_LIMIT]])
                self.assertEqual(detail["more_statements"], len(plain) > PAGE_LIST_LIMIT)

    def test_the_actor_pages_statements_come_with_their_citations_and_sources(self):
        detail = selectors.actor_detail(code=self.busy.code)
        self.assertTrue(detail["more_statements"])
        with self.assertNumQueries(0):
            cited = {s.pk: [(c.source.url, c.paragraph, c.pk) for c in s.citations.all()] for s in detail["statements"]}
            sides = {(s.speaker.code, s.subject.code) for s in detail["statements"]}
        self.assertTrue(all(self.busy.code in side for side in sides))
        for pk, citations in cited.items():  # in the citations' own order: the source's date, paragraph, id
            expected = Citation.objects.filter(statement_id=pk).select_related("source")
            self.assertEqual(citations, [(c.source.url, c.paragraph, c.pk) for c in expected])
        self.assertTrue(any(cited.values()))
        self.assertEqual(Source.objects.count(), 3)

    def test_an_actor_with_no_statement_lists_none(self):
        detail = selectors.actor_detail(code=self.silent.code)
        self.assertEqual((detail["statements"], detail["more_statements"]), ([], False))
