"""The CSV built inside the database (ledger/exports/sql.py) on what the page tests do not reach: every
digit of large and small decimals, the pages' own orderings (unknown values last, expressions, related
names), filtered rows with other entries' citations around them, and the downloads using it on both
databases. Each is compared byte for byte with the Python writer; run on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ledger import exports
from ledger.exports import sql
from ledger.models import Citation, Pledge
from ledger.models.base import UsdRateBasis
from ledger.tables.base import order_unknown_last
from tests import factories


def python_csv(table, queryset) -> bytes:
    return b"".join(exports.stream_csv(table, queryset, raw_dates=False))


def database_csv(table, queryset) -> bytes | None:
    built = sql.stream_csv(table, queryset)  # the downloads' default: both databases
    return None if built is None else b"".join(built)


class DownloadsUseTheDatabaseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china, cls.cuba = factories.actor("CHN", "China"), factories.actor("CUB", "Cuba, Republic of")
        cls.first = factories.pledge(cls.china, cls.cuba, description='a "quoted", cell')

    def test_both_databases_build_the_download_in_one_query(self):
        self.assertIn(connection.vendor, sql.DOWNLOAD_VENDORS)
        with self.assertNumQueries(1):
            built = database_csv(exports.PLEDGES, Pledge.objects.all())
        self.assertEqual(built, python_csv(exports.PLEDGES, Pledge.objects.all()))

    def test_sqlite_lines_come_as_bytes_with_their_crlf(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's line builder")
        built, params = sql.export_sql(exports.PLEDGES, Pledge.objects.all())
        with connection.cursor() as cursor:
            cursor.execute(built, params)
            (line,) = cursor.fetchone()
        self.assertIsInstance(line, bytes)
        self.assertTrue(line.endswith(b"\r\n"))
        self.assertIn(b'"a ""quoted"", cell"', line)
        self.assertIn(b'"Cuba, Republic of"', line)


class DecimalDigitsTests(HypothesisTestCase):
    """Every stored digit, as the Python writer writes it: on SQLite printf writes the usual values
    and Python (a function registered on the connection) the ones past printf's 15 exact digits (up to
    10**15: SQLite cannot store some larger ones at all)."""

    @settings(deadline=None, max_examples=40)
    @given(
        amount=st.decimals(min_value=0, max_value=Decimal("999999999999999.99"), places=2),
        rate=st.decimals(min_value=Decimal("0.0000000001"), max_value=Decimal("9999999999.9999999999"), places=10),
        quantity=st.decimals(min_value=0, max_value=Decimal("99999999999999.999"), places=3),
    )
    def test_decimals_match_the_python_writer(self, amount, rate, quantity):
        china = factories.actor("CHN", "China")
        cuba = factories.actor("CUB", "Cuba")
        pledge = factories.pledge(china, cuba, amount=amount, currency="EUR")
        Pledge.objects.filter(pk=pledge.pk).update(
            amount_usd=amount,
            usd_rate=rate,
            usd_rate_date=date(2026, 2, 5),
            usd_rate_source="the article",
            usd_rate_basis=UsdRateBasis.STATED,
            kind=Pledge.Kind.IN_KIND,
            quantity=quantity,
            unit="t",
            commodity="rice",
            valuation="reported",
        )
        queryset = Pledge.objects.order_by("id")
        self.assertEqual(database_csv(exports.PLEDGES, queryset), python_csv(exports.PLEDGES, queryset))

    def test_the_edges_of_printf(self):
        china, cuba = factories.actor("CHN", "China"), factories.actor("CUB", "Cuba")
        for value in ("9999999999999.99", "10000000000000.00", "12345678901234.99", "0.01", "0.00", "1.00"):
            factories.pledge(china, cuba, amount=Decimal(value))
        tiny = factories.pledge(china, cuba, amount=Decimal("1000000000"), currency="VND")
        Pledge.objects.filter(pk=tiny.pk).update(
            amount_usd=Decimal("68.50"),
            usd_rate=Decimal("0.0000000685"),
            usd_rate_date=date(2026, 2, 5),
            usd_rate_source="the article",
            usd_rate_basis=UsdRateBasis.STATED,
        )
        queryset = Pledge.objects.order_by("id")
        text = database_csv(exports.PLEDGES, queryset)
        self.assertEqual(text, python_csv(exports.PLEDGES, queryset))
        self.assertIn(b",0.0000000685,", text)


class OrderAndFilterTests(TestCase):
    """The rows come in the page's order (the outer query repeats it on PostgreSQL), with their own
    citations only (the grouped citations are limited to the filtered ids)."""

    @classmethod
    def setUpTestData(cls):
        china, cuba, vietnam = (
            factories.actor("CHN", "China"),
            factories.actor("CUB", "Cuba"),
            factories.actor("VNM", "Viet Nam"),
        )
        source = factories.source(url="https://example.org/a")
        cls.pledges = [
            factories.pledge(china, cuba, src=source, amount=Decimal("5.00"), description="rice"),
            factories.pledge(vietnam, cuba, src=source, amount=None, description=""),
            factories.pledge(china, vietnam, src=source, amount=Decimal("7.50"), description="=oil"),
            factories.pledge(cuba, china, src=source, amount=Decimal("5.00"), description=""),
            factories.pledge(
                vietnam,
                china,
                src=source,
                amount=None,
                description="beans",
                date=date(2025, 3, 1),
                date_precision="month",
            ),
        ]
        Citation.objects.create(source=source, pledge=cls.pledges[0], excerpt="-second", note="=why", paragraph=None)
        Citation.objects.create(source=source, pledge=cls.pledges[1], excerpt="third, with a comma", note="")
        Pledge.objects.filter(pk=cls.pledges[2].pk).update(updated_at=datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC))

    def assertSameRows(self, queryset):
        built = database_csv(exports.PLEDGES, queryset)
        if built is None:  # an order the outer query cannot repeat: the Python writer serves it
            self.assertEqual(connection.vendor, "postgresql")
            return
        self.assertEqual(built, python_csv(exports.PLEDGES, queryset))

    def test_the_pages_orderings(self):
        pledges = Pledge.objects.all()
        for ordered in (
            pledges,  # the model's ordering: -date (unknown last), -id
            pledges.order_by("id"),
            pledges.order_by("-id"),
            pledges.order_by(F("amount_usd").desc(nulls_last=True), "-pk"),
            pledges.order_by(F("amount_usd").asc(nulls_last=True), "pk"),
            order_unknown_last(pledges, "description", False, blank=True)[0],
            order_unknown_last(pledges, "description", True, blank=True)[0],
            pledges.order_by("donor__name", "id"),
            pledges.order_by("-recipient__code", "-id"),
            pledges.with_counted_in_totals().order_by("counted_in_totals", "id"),
        ):
            with self.subTest(order=str(ordered.query.order_by)):
                self.assertSameRows(ordered)

    def test_a_bare_relation_order_is_left_to_the_python_writer_on_postgresql(self):
        ordered = Pledge.objects.order_by("donor", "id")  # sorts by Actor's own ordering
        self.assertEqual(sql.export_sql(exports.PLEDGES, ordered) is None, connection.vendor == "postgresql")
        self.assertSameRows(ordered)

    def test_filtered_rows_carry_only_their_own_citations(self):
        for filtered in (
            Pledge.objects.filter(donor__code="CHN"),
            Pledge.objects.filter(pk=self.pledges[1].pk),
            Pledge.objects.filter(description="").order_by("-id"),
            Pledge.objects.filter(donor__code="NONE"),
        ):
            with self.subTest(filtered=str(filtered.query.where)):
                self.assertSameRows(filtered)
