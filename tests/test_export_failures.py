"""Issue 16, defects 2 and 16: downloads that fail must not look like successes, and the anonymous
xlsx download must not run without bounds.

16: with the database down, the CSV export got a bare 500 and the JSON export a 200 with `[` and a
reset; a stream cut off mid-way gave a CSV that parsed cleanly. Now the rows are counted before the
response starts (a database that is down answers the 503 page with Retry-After), a broken CSV ends in an `#ERROR` line and a broken
JSON array lacks its closing bracket, and X-Row-Count says how many rows a complete file has.
2: xlsx above XLSX_MAX_ROWS is refused with a pointer to the CSV; HEAD builds nothing; closing the
response (the client went away) closes the query's generator."""

import contextlib
import csv
import io
import json
from unittest import mock

from django.core.signals import request_finished
from django.db import OperationalError, connection
from django.test import TestCase, override_settings

from ledger.exports import sql
from tests import factories

PLEDGES = "/pledges/"


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


def database_gone(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")
    yield  # a generator, as the chunk sources are


def consume(response) -> tuple[bytes, BaseException | None]:
    """The bytes a client received before the stream ended, and the error that ended it (if any)."""
    received = []
    try:
        for chunk in response.streaming_content:
            received.append(chunk)
    except Exception as error:  # noqa: BLE001 - the server would drop the connection here
        return b"".join(received), error
    return b"".join(received), None


def close(response) -> None:
    """What the WSGI server does when a write to the client fails, without request_finished (which
    would close the test's own database connection)."""
    with mock.patch.object(request_finished, "send"):
        response.close()


class ExportCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        china, cuba = factories.actor("CHN", "China"), factories.actor("CUB", "Cuba")
        for _ in range(3):
            factories.pledge(china, cuba)


class DatabaseDownTests(ExportCase):
    def test_csv_and_json_answer_the_503_page_before_the_first_byte(self):
        def down(execute, sql_text, params, many, context):
            raise OperationalError("server closed the connection unexpectedly")

        for export_format, python_writer in (("csv", False), ("csv", True), ("json", True)):
            with self.subTest(export_format=export_format, python_writer=python_writer):
                database_csv = mock.patch.object(sql, "stream_csv", return_value=None) if python_writer else None
                with (
                    mock.patch.object(sql, "_sqlite_chunks", database_gone),
                    mock.patch.object(sql, "_postgresql_chunks", database_gone),
                    mock.patch("ledger.exports.writers.iter_row_batches", database_gone),
                    database_csv or contextlib.nullcontext(),
                    connection.execute_wrapper(down),
                ):
                    response = self.client.get(PLEDGES, {"_export": export_format})
                self.assertFalse(response.streaming)
                self.assertEqual(response.status_code, 503)
                self.assertEqual(response["Retry-After"], "30")
                self.assertContains(response, "briefly unavailable", status_code=503)


def rows_then_lost(table, queryset, **kwargs):
    """Three batches of rows (3, 2 and 1), then the connection is lost."""
    width = len(table.header)
    for size in (3, 2, 1):
        yield [[f"r{size}c{i}" for i in range(width)] for _ in range(size)]
    raise OperationalError("server closed the connection unexpectedly")


class CutShortTests(ExportCase):
    @mock.patch.object(sql, "stream_csv", return_value=None)
    @mock.patch("ledger.exports.writers.iter_row_batches", rows_then_lost)
    def test_a_csv_cut_short_ends_in_a_line_saying_so_and_the_connection_drops(self, _sql):
        response = self.client.get(PLEDGES, {"_export": "csv"})
        self.assertEqual(response.status_code, 200)
        with self.assertLogs("ledger.exports", "ERROR"):
            received, error = consume(response)
        self.assertIsInstance(error, OperationalError)
        lines = read_csv(received)
        self.assertEqual(lines[-1], ["#ERROR: export cut short after 6 rows"])
        self.assertEqual(len(lines), 1 + 6 + 1)  # header, the rows sent, the error line

    def test_a_database_built_csv_cut_short_says_so_too(self):
        def lines_then_lost(connection, sql_text, params):
            yield b'1,"a ""quoted"" cell\r\nacross lines",x\r\n2,b,y\r\n'
            yield b"3,c,z\r\n"
            raise OperationalError("terminating connection due to administrator command")

        with (
            mock.patch.object(sql, "_sqlite_chunks", lines_then_lost),
            mock.patch.object(sql, "_postgresql_chunks", lines_then_lost),
            self.assertLogs("ledger.exports", "ERROR"),
        ):
            received, error = consume(self.client.get(PLEDGES, {"_export": "csv"}))
        self.assertIsNotNone(error)
        self.assertTrue(received.endswith(b"#ERROR: export cut short after 3 rows\r\n"), received[-80:])

    @mock.patch("ledger.exports.writers.iter_row_batches", rows_then_lost)
    def test_a_json_array_cut_short_does_not_parse(self):
        response = self.client.get(PLEDGES, {"_export": "json"})
        with self.assertLogs("ledger.exports", "ERROR"):
            received, error = consume(response)
        self.assertIsNotNone(error)
        self.assertTrue(received.startswith(b"["))
        with self.assertRaises(json.JSONDecodeError):
            json.loads(received)


class RowCountHeaderTests(ExportCase):
    def test_a_complete_download_has_as_many_rows_as_its_row_count_header(self):
        csv_response = self.client.get(PLEDGES, {"_export": "csv"})
        self.assertEqual(csv_response["X-Row-Count"], "3")
        self.assertEqual(len(read_csv(b"".join(csv_response.streaming_content))) - 1, 3)
        json_response = self.client.get(PLEDGES, {"_export": "json"})
        self.assertEqual(len(json.loads(b"".join(json_response.streaming_content))), 3)
        self.assertEqual(json_response["X-Row-Count"], "3")
        filtered = self.client.get(PLEDGES, {"_export": "csv", "donor": "CUB"})
        self.assertEqual(filtered["X-Row-Count"], "0")

    def test_the_header_is_left_out_when_the_count_is_not_cheap(self):
        with mock.patch("ledger.views.exporting.within_time_limit", return_value=(False, None)):
            response = self.client.get(PLEDGES, {"_export": "csv"})
        self.assertNotIn("X-Row-Count", response)
        self.assertEqual(len(read_csv(b"".join(response.streaming_content))), 4)


class XlsxBoundsTests(ExportCase):
    @override_settings(XLSX_MAX_ROWS=2)
    def test_xlsx_above_the_row_limit_is_refused_pointing_at_the_csv(self):
        with mock.patch("ledger.views.exporting.xlsx_bytes") as build:
            response = self.client.get(PLEDGES, {"_export": "xlsx"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Download the CSV instead", status_code=400)
        build.assert_not_called()
        self.assertEqual(self.client.get(PLEDGES, {"_export": "xlsx", "donor": "NONE"}).status_code, 400)

    @override_settings(IATI_MAX_ROWS=2)
    def test_iati_above_the_row_limit_is_refused_pointing_at_the_csv(self):
        with mock.patch("ledger.iati.iati_activities") as build:
            response = self.client.get(PLEDGES, {"_export": "iati"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "an IATI file holds at most 2 activities", status_code=400)
        self.assertContains(response, "replace _export=iati with _export=csv", status_code=400)
        build.assert_not_called()
        with override_settings(IATI_MAX_ROWS=3):
            built = self.client.get(PLEDGES, {"_export": "iati"})
        self.assertEqual(built.status_code, 200)
        self.assertIn(b"<iati-activities", b"".join(built.streaming_content))

    @override_settings(XLSX_MAX_ROWS=3)
    def test_xlsx_at_the_row_limit_is_built(self):
        response = self.client.get(PLEDGES, {"_export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Row-Count"], "3")

    def test_head_answers_the_headers_without_building_the_file(self):
        for export_format in ("xlsx", "csv", "json", "iati"):
            with (
                self.subTest(export_format=export_format),
                mock.patch("ledger.views.exporting.xlsx_bytes") as build,
                mock.patch.object(sql, "stream_csv") as database_csv,
            ):
                response = self.client.head(PLEDGES, {"_export": export_format})
                self.assertEqual(response.status_code, 200)
                self.assertIn("attachment; filename=", response["Content-Disposition"])
                self.assertEqual(response["X-Row-Count"], "3")
                self.assertEqual(response.content, b"")
                build.assert_not_called()
                database_csv.assert_not_called()


class ClientGoneTests(ExportCase):
    def test_closing_the_response_mid_stream_closes_the_query_generator(self):
        closed = []

        def batches(table, queryset, **kwargs):
            try:
                width = len(table.header)
                for _ in range(100):
                    yield [["x"] * width]
            finally:
                closed.append(True)  # where the cursor is released

        with mock.patch("ledger.exports.writers.iter_row_batches", batches):
            response = self.client.get(PLEDGES, {"_export": "json"})
            stream = iter(response.streaming_content)
            next(stream), next(stream)  # "[" and the first batch: the rows' query is open
            close(response)
        self.assertEqual(closed, [True])

    def test_closing_a_database_built_csv_mid_stream_ends_its_query_first(self):
        # On PostgreSQL the COPY holds the connection's lock until it is closed: the request's limit
        # (RESET statement_timeout) must be lifted after the stream's generator is closed, or it waits
        # on that lock for ever.
        response = self.client.get(PLEDGES, {"_export": "csv"})
        stream = iter(response.streaming_content)
        header, rows = next(stream), next(stream)  # the COPY (or SQLite's statement) is open
        close(response)
        self.assertTrue(header.startswith(b"id,"))
        self.assertEqual(len(read_csv(rows)), 3)
