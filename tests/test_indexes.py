"""PostgreSQL gets indexes in the tables' own sort order (unknowns lowest), so no page sorts the ledger."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase


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
