"""PostgreSQL gets indexes in the tables' own sort order (unknowns lowest), so no page sorts the ledger.
Both databases get partial indexes on the citations' mostly-empty links, chosen whatever the statistics say,
and the indexes that let an actor's latest statements (and, on SQLite, the timeline's deliveries) be read in date
order."""

from datetime import date
from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from ledger import timeline as tl
from ledger.models import Citation, Pledge, Source, Statement
from ledger.timeline import TimelineFilter, first_rows
from tests import factories

# The indexes of migrations 0012 and 0014: name -> (table, columns, the condition of a partial index).
READ_INDEXES = {
    "citation_statement_nn": ("ledger_citation", ["statement_id"], "statement_id"),
    "citation_engagement_nn": ("ledger_citation", ["engagement_id"], "engagement_id"),
    "citation_trade_figure_nn": ("ledger_citation", ["trade_figure_id"], "trade_figure_id"),
    "statement_date_id": ("ledger_statement", ["date", "id"], None),
    "statement_speaker_date_id": ("ledger_statement", ["speaker_id", "date", "id"], None),
    "statement_subject_date_id": ("ledger_statement", ["subject_id", "date", "id"], None),
    "engagement_place_date_id": ("ledger_engagement", ["place_country_id", "date", "id"], None),
}
# SQLite only (migration 0012 says why). A later migration that rebuilds ledger_delivery on SQLite (Django remakes
# the table for most field changes) drops it: create it again there.
SQLITE_DELIVERY_INDEX = ("delivery_date_id_pledge", "ledger_delivery", ["date", "id", "pledge_id"])


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@skipUnless(connection.vendor == "postgresql", "SQLite's (field, id) indexes already sort unknowns lowest")
class PostgresqlSortIndexTests(TestCase):
    def test_table_sorts_have_nulls_first_indexes(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_nf_id"])
            indexes = dict(cursor.fetchall())
        self.assertIn("date NULLS FIRST, id", indexes["pledge_date_nf_id"])
        self.assertIn("amount_usd NULLS FIRST, id", indexes["pledge_amount_usd_nf_id"])
        self.assertIn("donor_id, date NULLS FIRST, id", indexes["pledge_donor_date_nf_id"])
        self.assertIn("year NULLS FIRST, id", indexes["trade_year_nf_id"])
        self.assertEqual(len(indexes), 8)


class ReadIndexTests(TestCase):
    def test_the_read_indexes_exist_with_their_columns_and_conditions(self):
        with connection.cursor() as cursor:
            for name, (table, columns, not_null) in READ_INDEXES.items():
                with self.subTest(index=name):
                    constraints = connection.introspection.get_constraints(cursor, table)
                    self.assertEqual(constraints[name]["columns"], columns)
                    self.assertTrue(constraints[name]["index"])
                    if connection.vendor == "postgresql":
                        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
                        definition = cursor.fetchone()[0]
                    else:
                        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
                        definition = cursor.fetchone()[0]
                    if not_null:
                        self.assertRegex(definition, rf'WHERE \(?"?{not_null}"? IS NOT NULL\)?')
                    else:
                        self.assertNotIn("WHERE", definition)

    def test_the_timelines_delivery_index_is_sqlites_only(self):
        name, table, columns = SQLITE_DELIVERY_INDEX
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        if connection.vendor == "sqlite":
            self.assertEqual(constraints[name]["columns"], columns)
        else:
            self.assertNotIn(name, constraints)


@skipUnless(connection.vendor == "sqlite", "EXPLAIN QUERY PLAN is SQLite's")
class SqlitePlanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hun, cls.cub = factories.actor("HUN"), factories.actor("CUB")
        # Many sources, each with a pledge's citation, as on a ledger that never cited a statement.
        sources = Source.objects.bulk_create(
            Source(
                url=f"https://example.org/{i}",
                publisher="P",
                headline="H",
                published_on=date(2025, 1, 1),
                language="en",
            )
            for i in range(400)
        )
        pledges = Pledge.objects.bulk_create(
            Pledge(donor=cls.hun, recipient=cls.cub, kind="grant", status="committed") for _ in sources
        )
        Citation.objects.bulk_create(
            Citation(source=source, pledge=pledge, excerpt="words") for source, pledge in zip(sources, pledges)
        )
        Statement.objects.bulk_create(
            Statement(speaker=cls.hun, subject=cls.cub, kind="support", summary=f"s{i}") for i in range(30)
        )

    def test_a_statements_citations_use_the_partial_index_whatever_the_statistics_say(self):
        # Statistics taken now say the statement link has one value (empty) for every citation: the plain
        # foreign-key index then looks useless, and the planner would walk the sources by date instead.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        statements = list(Statement.objects.values_list("pk", flat=True)[:5])
        for field in ("statement", "engagement", "trade_figure"):
            with self.subTest(link=field):
                plan = explain(Citation.objects.filter(**{f"{field}__in": statements}).select_related("source"))
                self.assertIn(f"USING INDEX citation_{field}_nn ({field}_id=?)", plan)

    def test_an_actors_latest_statements_are_read_along_each_sides_index(self):
        rows = first_rows(
            Statement.objects.order_by("-date", "-id"), fields=("speaker", "subject"), ids=[self.hun.pk], n=11
        )
        plan = explain(rows)
        self.assertIn("USING COVERING INDEX statement_speaker_date_id (speaker_id=?)", plan)
        self.assertIn("USING COVERING INDEX statement_subject_date_id (subject_id=?)", plan)
        self.assertEqual(len(list(rows)), 11)

    def test_the_timelines_deliveries_are_read_in_date_order_along_the_index(self):
        flt = TimelineFilter(countries=(self.hun,))
        groups = tl.country_actor_ids(flt.countries)
        for newest in (True, False):
            for kind, dated, _undated in tl._unfiltered_querysets(flt, newest=newest, undated=False):
                if kind == "delivery":
                    plan = explain(tl._first_rows(kind, dated, groups, 11))
                    self.assertIn("USING INDEX delivery_date_id_pledge (date>?)", plan)
                    self.assertNotIn("TEMP B-TREE", plan)
