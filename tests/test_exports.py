"""Exports hold exactly the rows asked for, in flat documented columns, with exact values, safe to
open in a spreadsheet, and streamed."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
from django.http import StreamingHttpResponse
from django.test import SimpleTestCase, TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ledger import exports
from ledger.exports import rows, sql
from ledger.exports.codec import datetime_cell, decimal_cell, decode_cell
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement
from ledger.views.exporting import export_response
from tests import factories


def csv_rows(table, queryset, **kwargs):
    text = b"".join(exports.stream_csv(table, queryset, **kwargs)).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


class PledgeExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.vietnam = factories.actor("VNM", "Vietnam")
        cls.source = factories.source(url="https://example.org/article")
        cls.grant = factories.pledge(
            cls.china,
            cls.cuba,
            src=cls.source,
            amount=Decimal("1234567.89"),
            date=date(2024, 1, 1),
            date_precision="year",
        )
        cls.rice = factories.pledge(
            cls.china,
            cls.cuba,
            src=cls.source,
            amount=None,
            kind=Pledge.Kind.IN_KIND,
            quantity=Decimal("60000.000"),
            unit="t",
            commodity="rice",
            valuation="not_stated",
        )
        cls.yuan = factories.pledge(
            cls.vietnam,
            cls.cuba,
            src=cls.source,
            amount=Decimal("100.00"),
            currency="CNY",
            amount_usd=Decimal("0.01"),
            usd_rate=Decimal("0.0000000685"),
            usd_rate_date=date(2026, 2, 5),
            usd_rate_source="a central bank",
            date=date(2026, 1, 1),
            date_precision="month",
            date_qualifier="end",
            year_inferred=True,
        )

    def test_header_is_the_documented_column_list(self):
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all())).decode()
        self.assertEqual(text.split("\r\n")[0], ",".join(exports.PLEDGES.header))
        for name in (
            "id",
            "donor",
            "donor_code",
            "recipient",
            "recipient_code",
            "kind",
            "status",
            "amount",
            "currency",
            "amount_qualifier",
            "amount_usd",
            "usd_rate",
            "usd_rate_date",
            "usd_rate_source",
            "quantity",
            "unit",
            "commodity",
            "valuation",
            "date",
            "date_precision",
            "date_qualifier",
            "year_inferred",
            "package",
            "counted_in_totals",
            "description",
            "sources",
            "excerpts",
            "updated_at",
        ):
            self.assertIn(name, exports.PLEDGES.header)

    def test_unknown_values_are_empty_never_zero(self):
        row = next(r for r in csv_rows(exports.PLEDGES, Pledge.objects.all()) if r["id"] == str(self.rice.pk))
        for name in (
            "amount",
            "currency",
            "amount_usd",
            "usd_rate",
            "usd_rate_date",
            "date",
            "date_precision",
            "package",
            "official",
        ):
            self.assertEqual(row[name], "", name)
        self.assertEqual(row["quantity"], "60000.000")

    def test_numbers_are_plain_and_exact_and_dates_iso(self):
        row = next(r for r in csv_rows(exports.PLEDGES, Pledge.objects.all()) if r["id"] == str(self.yuan.pk))
        self.assertEqual(row["amount"], "100.00")
        self.assertEqual(row["usd_rate"], "0.0000000685")  # str(Decimal) would give 6.85E-8
        self.assertEqual(row["usd_rate_date"], "2026-02-05")
        self.assertEqual(
            (row["date"], row["date_precision"], row["date_qualifier"], row["year_inferred"]),
            ("2026-01-01", "month", "end", "True"),
        )
        grant = next(r for r in csv_rows(exports.PLEDGES, Pledge.objects.all()) if r["id"] == str(self.grant.pk))
        self.assertEqual((grant["amount"], grant["amount_usd"]), ("1234567.89", "1234567.89"))
        self.grant.refresh_from_db()
        self.assertEqual(grant["updated_at"], self.grant.updated_at.isoformat())

    def test_exports_exactly_the_filtered_sorted_rows_across_batches(self):
        for index in range(20):
            factories.pledge(self.vietnam, self.cuba, src=self.source, amount=Decimal(1000 + index))
        queryset = Pledge.objects.filter(donor=self.vietnam).order_by("-amount_usd", "id")
        rows = csv_rows(exports.PLEDGES, queryset, batch_size=7)
        self.assertEqual([int(r["id"]) for r in rows], list(queryset.values_list("id", flat=True)))
        self.assertEqual(len(rows), 21)
        self.assertEqual({r["donor_code"] for r in rows}, {"VNM"})

    def test_citations_are_fetched_once_per_batch_not_per_row(self):
        for index in range(20):
            factories.pledge(self.vietnam, self.cuba, src=self.source, amount=Decimal(1000 + index))
        # 23 pledges in batches of 7: one streamed query for the rows and one citation query per batch.
        with self.assertNumQueries(1 + 4):
            rows = csv_rows(exports.PLEDGES, Pledge.objects.all(), batch_size=7)
        self.assertEqual(len(rows), 23)
        self.assertTrue(all(r["sources"] == str(self.source.pk) for r in rows))

    def test_several_citations_are_listed_in_order(self):
        other = factories.source(url="https://example.org/other")
        Citation.objects.create(source=other, pledge=self.grant, excerpt="second words", paragraph=None, note="why")
        row = next(r for r in csv_rows(exports.PLEDGES, Pledge.objects.all()) if r["id"] == str(self.grant.pk))
        self.assertEqual(row["sources"], f"{self.source.pk}; {other.pk}")
        self.assertEqual(row["paragraphs"], "1; ")
        self.assertEqual(row["excerpts"], "an excerpt\nsecond words")
        self.assertEqual(row["citation_notes"], "\nwhy")

    def test_a_package_with_parts_is_not_counted_in_totals(self):
        package = factories.pledge(self.china, self.cuba, src=self.source, amount=None, kind=Pledge.Kind.PACKAGE)
        part = factories.pledge(self.china, self.cuba, src=self.source, package=package)
        rows = {r["id"]: r for r in csv_rows(exports.PLEDGES, Pledge.objects.all())}
        self.assertEqual(rows[str(package.pk)]["counted_in_totals"], "False")
        self.assertEqual(rows[str(part.pk)]["counted_in_totals"], "True")
        self.assertEqual(rows[str(part.pk)]["package"], str(package.pk))

    def test_text_that_a_spreadsheet_would_run_is_neutralised(self):
        for text in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
            Pledge.objects.filter(pk=self.grant.pk).update(description=text)
            row = next(r for r in csv_rows(exports.PLEDGES, Pledge.objects.all()) if r["id"] == str(self.grant.pk))
            self.assertEqual(row["description"], "'" + text)
            self.assertEqual(exports.unescape_text(row["description"]), text)

    def test_negative_numbers_stay_numeric(self):
        # The model forbids a negative amount, so the row is read from the database and altered.
        (values,) = rows.export_queryset(exports.PLEDGES, Pledge.objects.filter(pk=self.grant.pk))
        amount = [c.name for c in exports.PLEDGES.query_columns].index("amount")
        convert = rows.row_converter(exports.PLEDGES, escape=True)
        for stored in (Decimal("-5.50"), -5.5):  # as PostgreSQL and as SQLite hand it back
            values = list(values)
            values[amount] = stored
            cells = convert(values, rows.NO_CITATIONS)
            self.assertEqual(cells[exports.PLEDGES.header.index("amount")], "-5.50")

    def test_json_keeps_every_digit_and_leaves_unknown_null(self):
        body = b"".join(exports.stream_json(exports.PLEDGES, Pledge.objects.order_by("id"))).decode()
        rows = json.loads(body, parse_float=Decimal)
        self.assertEqual([r["id"] for r in rows], [self.grant.pk, self.rice.pk, self.yuan.pk])
        self.assertEqual(rows[2]["usd_rate"], Decimal("0.0000000685"))
        self.assertEqual(rows[0]["amount"], Decimal("1234567.89"))
        self.assertIsNone(rows[1]["amount"])
        self.assertIs(rows[2]["year_inferred"], True)

    def test_xlsx_holds_the_rows_and_no_formula(self):
        Pledge.objects.filter(pk=self.grant.pk).update(description="=1+1")
        workbook = openpyxl.load_workbook(
            io.BytesIO(exports.xlsx_bytes(exports.PLEDGES, Pledge.objects.order_by("id")))
        )
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), exports.PLEDGES.header)
        header = exports.PLEDGES.header
        self.assertEqual(rows[1][header.index("description")], "=1+1")
        self.assertEqual(sheet.cell(row=2, column=header.index("description") + 1).data_type, "s")
        self.assertEqual(rows[1][header.index("amount")], 1234567.89)
        self.assertIsNone(rows[2][header.index("amount")])

    def test_download_is_streamed_with_the_table_and_date_in_its_name(self):
        response = export_response(exports.PLEDGES, Pledge.objects.all(), "csv", day=date(2026, 11, 27))
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="pledges-2026-11-27.csv"')
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        response = export_response(exports.PLEDGES, Pledge.objects.all(), "xlsx", day=date(2026, 11, 27))
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="pledges-2026-11-27.xlsx"')


class FastCsvPathTests(TestCase):
    """The CSV reads dates as stored text on SQLite (no Python date parsing): its bytes must be the
    ones the Python date path (`raw_dates=False`) writes, on every table and on awkward values."""

    @classmethod
    def setUpTestData(cls):
        china = factories.actor("CHN", "China")
        cuba = factories.actor("CUB", "Cuba", description='Quotes "here", a comma, and\na newline')
        cls.source = factories.source(
            url="https://example.org/ü",
            headline="Díaz-Canel: «=1+1»",
            notes="-note",
            wire_date=date(2026, 2, 4),
            published_on=date(999, 12, 31),
        )
        cls.tiny = factories.pledge(
            china,
            cuba,
            src=cls.source,
            amount=Decimal("100.00"),
            currency="CNY",
            amount_usd=Decimal("0.01"),
            usd_rate=Decimal("0.0000000685"),
            usd_rate_date=date(2026, 2, 5),
            usd_rate_source="=cmd|' /C calc'!A0",
            date=date(2026, 1, 1),
            date_precision="month",
            date_qualifier="end",
            year_inferred=True,
            description="'+already escaped\r\nand a CR",
            excerpt='@SUM(A1)\n"quoted"',
        )
        cls.empty = factories.pledge(
            china,
            cuba,
            src=cls.source,
            amount=None,
            kind=Pledge.Kind.IN_KIND,
            quantity=Decimal("0.001"),
            unit="t",
            commodity="\trice 米",
            valuation="not_stated",
        )
        factories.pledge(
            china,
            cuba,
            src=cls.source,
            amount=Decimal("12345678901234.99"),
            date=date(2026, 12, 31),
            date_precision="day",
            description="",
        )
        factories.trade(china, cuba, src=cls.source, year=2025)
        Statement.objects.create(
            speaker=china,
            subject=cuba,
            kind=Statement.Kind.choices[0][0],
            summary="+ support",
            date=date(2026, 2, 1),
            date_precision="day",
        )

    def assertSameBytes(self, table, queryset, **kwargs):
        fast = b"".join(exports.stream_csv(table, queryset, **kwargs))
        python = b"".join(exports.stream_csv(table, queryset, raw_dates=False, **kwargs))
        self.assertEqual(fast, python, table.name)
        return fast.decode()

    def test_every_table_is_byte_identical_to_the_python_date_path(self):
        for table in exports.TABLES:
            self.assertSameBytes(table, table.model.objects.all())
            self.assertSameBytes(table, table.model.objects.order_by("-id"), batch_size=2)

    def test_datetimes_with_and_without_microseconds_and_dates_stay_iso(self):
        Pledge.objects.filter(pk=self.tiny.pk).update(updated_at=datetime(2026, 11, 27, 14, 5, 0, tzinfo=UTC))
        Pledge.objects.filter(pk=self.empty.pk).update(updated_at=datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC))
        text = self.assertSameBytes(exports.PLEDGES, Pledge.objects.order_by("id"))
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
        tiny, empty = rows[str(self.tiny.pk)], rows[str(self.empty.pk)]
        self.assertEqual(tiny["updated_at"], "2026-11-27T14:05:00+00:00")
        self.assertEqual(empty["updated_at"], "2026-01-02T03:04:05.000600+00:00")
        self.assertEqual(
            (tiny["date"], tiny["usd_rate_date"], tiny["usd_rate"]), ("2026-01-01", "2026-02-05", "0.0000000685")
        )
        self.assertEqual((empty["date"], empty["usd_rate_date"], empty["amount"]), ("", "", ""))
        self.assertEqual(tiny["usd_rate_source"], "'=cmd|' /C calc'!A0")
        self.assertEqual(empty["commodity"], "'\trice 米")
        source = next(
            csv.DictReader(io.StringIO(self.assertSameBytes(exports.SOURCES, Source.objects.all()), newline=""))
        )
        self.assertEqual((source["published_on"], source["wire_date"]), ("0999-12-31", "2026-02-04"))

    def test_an_amount_of_sixteen_digits_keeps_every_digit(self):
        # Django's SQLite converter keeps 15 significant digits (12345678901235.00); the export must not.
        text = self.assertSameBytes(exports.PLEDGES, Pledge.objects.order_by("id"))
        amounts = [r["amount"] for r in csv.DictReader(io.StringIO(text, newline=""))]
        self.assertIn("12345678901234.99", amounts)

    def test_the_text_date_path_reads_the_rows_in_one_query_and_citations_once_per_batch(self):
        with self.assertNumQueries(1 + 2):
            b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all(), batch_size=2))


class DatabaseBuiltCsvTests(FastCsvPathTests):
    """The download built inside the database (exports/sql.py: SQL string building on SQLite, COPY on
    PostgreSQL) writes the bytes the Python writer writes, on every table and on the awkward values
    above; run on both databases."""

    def assertSameBytes(self, table, queryset, **kwargs):
        python = b"".join(exports.stream_csv(table, queryset, raw_dates=False))
        built = sql.stream_csv(table, queryset, vendors=sql.VENDORS)
        self.assertIsNotNone(built, f"{table.name}: the database should build this table's CSV")
        self.assertEqual(b"".join(built), python, table.name)
        return python.decode()

    def test_several_citations_are_joined_in_citation_order_and_escaped(self):
        Citation.objects.create(source=self.source, pledge=self.tiny, excerpt="second, with a comma", note="=note")
        Citation.objects.create(source=self.source, pledge=self.empty, excerpt="-first?", paragraph=3, note="")
        self.assertSameBytes(exports.PLEDGES, Pledge.objects.order_by("id"))
        self.assertSameBytes(exports.PLEDGES, Pledge.objects.order_by("-date", "id"))

    def test_the_filters_and_order_of_the_page_are_kept(self):
        self.assertSameBytes(exports.PLEDGES, Pledge.objects.filter(currency="CNY").order_by("-amount_usd"))
        self.assertSameBytes(exports.PLEDGES, Pledge.objects.none())

    def test_the_text_date_path_reads_the_rows_in_one_query_and_citations_once_per_batch(self):
        with self.assertNumQueries(1):  # rows and citations in one query
            b"".join(sql.stream_csv(exports.PLEDGES, Pledge.objects.all(), vendors=sql.VENDORS))


class DatabaseBuiltCsvTextTests(HypothesisTestCase):
    """Any text (bar NUL, which PostgreSQL refuses) in a description, goods or an excerpt comes out
    of the database-built CSV as the Python writer writes it: quoting, doubled quotes, line breaks and
    formula escapes included."""

    @settings(deadline=None, max_examples=40)
    @given(
        st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30),
        st.text(alphabet=st.sampled_from("=+-@'\t\r\n,\" ab"), max_size=8),
    )
    def test_text_cells_match_the_python_writer(self, text, tricky):
        china = Actor.objects.get_or_create(code="CHN", defaults={"name": "China", "iso3": "CHN"})[0]
        cuba = Actor.objects.get_or_create(code="CUB", defaults={"name": tricky or "Cuba", "iso3": "CUB"})[0]
        factories.pledge(china, cuba, description=text + tricky, excerpt=tricky + text + ".", commodity="")
        queryset = Pledge.objects.order_by("id")
        python = b"".join(exports.stream_csv(exports.PLEDGES, queryset, raw_dates=False))
        self.assertEqual(b"".join(sql.stream_csv(exports.PLEDGES, queryset, vendors=sql.VENDORS)), python)


class OtherTablesExportTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_names_with_accents_survive_in_utf8(self):
        body = b"".join(exports.stream_csv(exports.PEOPLE, Person.objects.all()))
        text = body.decode("utf-8")
        self.assertIn("Vladimir Kolokóltsev", text)
        self.assertIn("Miguel Díaz-Canel", text)

    def test_every_table_exports_one_row_per_entry(self):
        for table in exports.TABLES:
            rows = csv_rows(table, table.model.objects.all())
            self.assertEqual(len(rows), table.model.objects.count(), table.name)
            self.assertEqual(list(rows[0]), table.header)

    def test_an_actor_exports_its_parent_by_code(self):
        rows = {r["code"]: r for r in csv_rows(exports.ACTORS, Actor.objects.all())}
        self.assertEqual((rows["CHN-CIDCA"]["parent_code"], rows["CHN-CIDCA"]["parent"]), ("CHN", "China"))
        self.assertEqual(rows["CHN"]["parent_code"], "")


class FormulaEscapeTests(HypothesisTestCase):
    @given(st.text())
    def test_escaping_is_undone_exactly_and_never_leaves_a_trigger_first(self, text):
        escaped = exports.escape_text(text)
        self.assertEqual(exports.unescape_text(escaped), text)
        self.assertFalse(escaped[:1] in exports.FORMULA_TRIGGERS)


class CellCodecTests(SimpleTestCase):
    """What the writers write, the importer reads back as the same value (one codec, both directions)."""

    @given(st.decimals(min_value=-(10**17), max_value=10**17, places=2, allow_nan=False))
    def test_a_written_amount_reads_back_as_the_same_decimal(self, value):
        cell = decimal_cell(value, 2)
        self.assertNotIn("E", cell)
        self.assertEqual(decode_cell(exports.PLEDGES.column("amount"), cell), value)

    @given(st.dates())
    def test_a_written_date_reads_back_as_the_same_date(self, value):
        self.assertEqual(decode_cell(exports.PLEDGES.column("date"), value.isoformat()), value)

    @given(st.datetimes(timezones=st.just(UTC)))
    def test_a_written_datetime_reads_back_as_the_same_instant(self, value):
        self.assertEqual(decode_cell(exports.PLEDGES.column("updated_at"), datetime_cell(value)), value)
        stored = str(value.replace(tzinfo=None))  # as SQLite stores it, read as text
        self.assertEqual(datetime_cell(stored), datetime_cell(value))

    def test_booleans_read_back_and_anything_else_is_refused_in_plain_words(self):
        column = exports.PLEDGES.column("year_inferred")
        self.assertEqual([decode_cell(column, str(value)) for value in (True, False)], [True, False])
        with self.assertRaisesMessage(ValueError, "malformed year_inferred 'maybe': write True or False"):
            decode_cell(column, "maybe")
