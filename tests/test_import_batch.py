"""New pledge rows are imported in batches (ledger/services/batch.py): the ledger ends exactly as the
row-at-a-time import leaves it (entries, citations, history with user and reason, maintained totals,
search index, restored ids and times, package parts), a bad row anywhere still refuses the whole file
with its line's message and writes nothing, and the queries do not grow with the rows."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ledger import imports, search, summaries
from ledger.imports.applying import Batch
from ledger.models import Citation, Person, Pledge, PledgeTotal, Statement, TradeFigure
from ledger.services import pledge_create
from tests import factories

HEADER = [
    "id",
    "donor_code",
    "recipient_code",
    "kind",
    "status",
    "amount",
    "currency",
    "amount_qualifier",
    "usd_rate",
    "usd_rate_source",
    "quantity",
    "unit",
    "commodity",
    "valuation",
    "date",
    "date_precision",
    "package",
    "official",
    "description",
    "sources",
    "paragraphs",
    "excerpts",
    "citation_notes",
    "updated_at",
]
RESTORED_AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


class Rollback(Exception):
    pass


class BatchImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.actors = [factories.actor(code, code) for code in ("CHN", "CUB", "VNM", "RUS", "MEX")]
        cls.sources = [
            factories.source(url=f"https://example.org/{n}", published_on=datetime(2025, 1 + n, 10).date())
            for n in range(4)
        ]
        cls.person = Person.objects.create(name="Li Qiang", role="Premier", actor=cls.actors[0])
        cls.editor = get_user_model().objects.create_user("editor")
        citation = [dict(source=cls.sources[0], excerpt="an existing package", paragraph=2, note="")]
        cls.package = pledge_create(
            citations=citation,
            user=cls.editor,
            reason="set up",
            donor=cls.actors[0],
            recipient=cls.actors[1],
            kind=Pledge.Kind.PACKAGE,
        )
        cls.existing = pledge_create(
            citations=citation,
            user=cls.editor,
            reason="set up",
            donor=cls.actors[2],
            recipient=cls.actors[1],
            kind=Pledge.Kind.GRANT,
            amount=Decimal("100"),
            currency="USD",
        )

    # --- files --------------------------------------------------------------------------------

    def row(self, n: int, **cells) -> dict:
        """A varied new pledge: money in USD and EUR, goods, parts of the package, several citations."""
        donor, recipient = self.actors[n % 5], self.actors[(n + 1 + n // 5) % 5]
        if donor == recipient:
            recipient = self.actors[(n + 2) % 5]
        row = dict.fromkeys(HEADER, "")
        row.update(
            donor_code=donor.code,
            recipient_code=recipient.code,
            kind=["grant", "loan", "in_kind", "financial_assistance"][n % 4],
            status="pledged",
            date=f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}",
            date_precision="day",
            description=f"row{n} batchword{n % 3}",
            sources=str(self.sources[n % 4].pk),
            paragraphs=str(1 + n % 9),
            excerpts=f"the words of row {n} excerptword{n % 2}",
        )
        if n % 3 == 0:
            row.update(amount=f"{1000 + n}.50", currency="USD")
        elif n % 3 == 1:
            row.update(amount=f"{2000 + n}", currency="EUR", amount_qualifier="approximately")
        if n % 7 == 0:
            row.update(
                quantity=f"{n + 1}.250", unit="t", commodity="rice", valuation="not_stated", amount="", currency=""
            )
            row["amount_qualifier"] = ""
        if n % 11 == 0:
            row.update(donor_code="CHN", recipient_code="CUB", package=str(self.package.pk), kind="grant")
        if n % 5 == 0:
            row.update(
                sources=f"{self.sources[1].pk}; {self.sources[3].pk}",
                paragraphs="3; 4",
                excerpts="first words\nsecond words",
                citation_notes="one\ntwo",
            )
        if n % 13 == 0:
            row.update(official=str(self.person.pk), date="2025-06", date_precision="")
        row.update(cells)
        return row

    def csv_text(self, rows: list[dict]) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def mixed_rows(self, count: int = 60) -> list[dict]:
        top = Pledge.objects.aggregate(top=Max("id"))["top"]
        rows = [self.row(n) for n in range(count)]
        # A restored package (its id beyond the table's), with its parts after it in the same file.
        rows[20] = self.row(20, id=str(top + 5000), kind="package", amount="", currency="", package="")
        rows[20]["amount_qualifier"] = ""
        rows[20]["updated_at"] = RESTORED_AT.isoformat()
        for n in (21, 22):
            rows[n] = self.row(n, package=str(top + 5000), donor_code=rows[20]["donor_code"])
            rows[n]["recipient_code"] = rows[20]["recipient_code"]
        # A restored entry with its updated_at, and an update of an existing entry in the middle.
        rows[30] = self.row(30, id=str(top + 7000), updated_at=RESTORED_AT.isoformat())
        rows[40] = dict.fromkeys(HEADER, "") | {
            "id": str(self.existing.pk),
            "donor_code": "VNM",
            "recipient_code": "CUB",
            "kind": "grant",
            "status": "committed",
            "amount": "100",
            "currency": "USD",
            "amount_qualifier": "exact",
            "sources": str(self.sources[0].pk),
            "excerpts": "an existing package",
            "paragraphs": "2",
        }
        return rows

    # --- running both paths -------------------------------------------------------------------

    def run_import(self, text, *, row_at_a_time=False, dry_run=False):
        return imports.import_texts(
            [("pledges.csv", text)],
            user=self.editor,
            reason="batch from the desk",
            row_at_a_time=row_at_a_time,
            dry_run=dry_run,
        )

    def state(self, result) -> dict:
        """The ledger's state after an import, without the ids and times a second run gives anew."""
        created = [change.pk for change in result.reports[0].changes if change.action == "create"]
        renumber = {pk: f"new{index}" for index, pk in enumerate(created)}

        def same(value):
            return renumber.get(value, value)

        def renumbered(values: dict) -> dict:  # the ids of entries this import created, by their order
            return {k: same(v) if k == "package_id" else v for k, v in values.items() if k not in skip}

        skip = {"id", "created_at", "updated_at", "history_date", "history_id"}
        pledges = []
        for pk in created:
            pledge = Pledge.objects.get(pk=pk)
            values = {f.attname: getattr(pledge, f.attname) for f in Pledge._meta.concrete_fields}
            restored = values.pop("updated_at") if pledge.updated_at == RESTORED_AT else "now"
            citations = [
                (c.source_id, c.paragraph, c.excerpt, c.note) for c in Citation.objects.filter(pledge=pk).order_by("id")
            ]
            records = [
                renumbered({k: v for k, v in vars(r).items() if not k.startswith("_")})
                | {"restored": r.updated_at == RESTORED_AT}
                for r in Pledge.history.filter(id=pk).order_by("history_id")
            ]
            citation_records = [
                (r.history_type, r.history_user_id, r.history_change_reason, r.excerpt, r.source_id)
                for r in Citation.history.filter(pledge_id=pk).order_by("history_id")
            ]
            values = renumbered(values)
            pledges.append((values, restored, citations, records, citation_records))
        changes = [
            (c.line, c.action, c.entry.replace(f"pledge {c.pk}", f"pledge {same(c.pk)}", 1))
            for c in result.reports[0].changes
        ]
        totals = summaries.stored_totals()
        return {
            "pledges": pledges,
            "changes": changes,
            "problems": [str(problem) for problem in result.problems],
            "totals": totals,
            "existing": Pledge.objects.filter(pk=self.existing.pk).values("status", "version").get(),
            "found": sorted(
                same(pk)
                for pk in Pledge.objects.filter(
                    pk__in=search.matching_ids("pledge", "batchword1", vendor=connection.vendor)
                ).values_list("pk", flat=True)
            ),
            "found_by_excerpt": sorted(
                same(pk)
                for pk in Pledge.objects.filter(
                    pk__in=search.matching_ids("pledge", "excerptword1", vendor=connection.vendor)
                ).values_list("pk", flat=True)
            ),
        }

    def imported_state(self, text, *, row_at_a_time) -> dict:
        try:
            with transaction.atomic():
                result = self.run_import(text, row_at_a_time=row_at_a_time)
                state = self.state(result)
                state["written"] = result.written
                state["rebuilt"] = summaries.computed_totals()
                raise Rollback
        except Rollback:
            pass
        return state

    def counts(self):
        return (
            Pledge.objects.count(),
            Citation.objects.count(),
            Pledge.history.count(),
            Citation.history.count(),
            PledgeTotal.objects.count(),
            sorted(summaries.stored_totals().items()),
        )

    # --- the tests ----------------------------------------------------------------------------

    def test_the_batch_path_leaves_the_ledger_as_the_row_path_does(self):
        text = self.csv_text(self.mixed_rows())
        by_row = self.imported_state(text, row_at_a_time=True)
        with CaptureQueriesContext(connection) as queries:
            batched = self.imported_state(text, row_at_a_time=False)
        self.assertTrue(batched["written"], batched["problems"])
        self.assertEqual(len([c for c in batched["changes"] if c[1] == "create"]), 59)
        for key in ("changes", "problems", "existing", "found", "found_by_excerpt", "written"):
            self.assertEqual(batched[key], by_row[key], key)
        self.assertEqual(len(batched["pledges"]), len(by_row["pledges"]))
        for index, (ours, theirs) in enumerate(zip(batched["pledges"], by_row["pledges"], strict=True)):
            self.assertEqual(ours, theirs, f"created pledge {index}")
        self.assertEqual(batched["totals"], by_row["totals"])
        self.assertEqual(batched["totals"], batched["rebuilt"])  # what rebuild_totals would write
        self.assertEqual(batched["existing"], {"status": "committed", "version": 2})
        self.assertTrue(batched["found"])  # the search index has the new rows, by their text
        self.assertTrue(batched["found_by_excerpt"])  # and by their citations' excerpts
        # The rows before the update and after it: two batches, not one write per row.
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "ledger_pledge" ')]
        self.assertLess(len(inserts), 10)

    def test_each_new_entry_has_its_history_with_user_and_reason(self):
        text = self.csv_text([self.row(n) for n in range(30)])
        result = self.run_import(text)
        self.assertTrue(result.written, result.problems)
        for change in result.reports[0].changes:
            record = Pledge.history.get(id=change.pk)
            self.assertEqual(
                (record.history_type, record.history_user, record.history_change_reason),
                ("+", self.editor, "batch from the desk"),
            )
            for citation in Citation.objects.filter(pledge=change.pk):
                self.assertEqual(citation.history.get().history_date, record.history_date)  # one version time
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())
        part = Pledge.objects.filter(package=self.package).first()
        self.assertIsNotNone(part)
        self.assertFalse(Pledge.objects.filter(pk=self.package.pk).counted_in_totals().exists())

    def test_a_bad_row_anywhere_refuses_the_file_with_its_lines_message(self):
        rows = [self.row(n) for n in range(40)]
        rows[5] = self.row(5, recipient_code=rows[5]["donor_code"])  # a CHECK constraint: the database's
        # A rule of Pledge.clean: a part has its package's donor and recipient.
        rows[17] = self.row(17, package=str(self.package.pk), donor_code="VNM", recipient_code="CUB")
        rows[25] = self.row(25, donor_code="XYZ")  # a cell: unknown actor
        rows[33] = self.row(33, sources="")  # no citation
        rows[33]["paragraphs"] = rows[33]["excerpts"] = rows[33]["citation_notes"] = ""
        text = self.csv_text(rows)
        before = self.counts()
        by_row = self.run_import(text, row_at_a_time=True)
        self.assertEqual(self.counts(), before)
        result = self.run_import(text)
        self.assertFalse(result.written)
        self.assertEqual([str(p) for p in result.problems], [str(p) for p in by_row.problems])
        self.assertEqual(len(result.problems), 4)  # rows 5, 17, 25 and 33 (lines count multi-line cells)
        self.assertIn("different actors", str(result.problems[0]))
        self.assertEqual(self.counts(), before)  # nothing written, totals untouched

    def test_a_dry_run_previews_the_batch_and_writes_nothing(self):
        text = self.csv_text([self.row(n) for n in range(20)])
        before = self.counts()
        result = self.run_import(text, dry_run=True)
        self.assertFalse(result.written)
        self.assertEqual(result.reports[0].count("create"), 20)
        self.assertEqual(self.counts(), before)

    def test_an_id_far_above_the_table_is_refused_in_a_batch_too(self):
        rows = [self.row(n) for n in range(20)]
        rows[9]["id"] = str(10**15)
        text = self.csv_text(rows)
        by_row = self.run_import(text, row_at_a_time=True)
        result = self.run_import(text)
        self.assertFalse(result.written)
        self.assertEqual([(p.line, p.column) for p in result.problems], [(15, "id")])  # row 9, after multi-line cells
        self.assertEqual([str(p) for p in result.problems], [str(p) for p in by_row.problems])

    def test_the_queries_do_not_grow_with_the_rows(self):
        def queries(count):
            text = self.csv_text([self.row(n) for n in range(count)])
            with CaptureQueriesContext(connection) as captured:
                try:
                    with transaction.atomic():
                        result = self.run_import(text)
                        raise Rollback
                except Rollback:
                    pass
            self.assertEqual(result.reports[0].count("create"), count)
            return len(captured.captured_queries)

        small, large = queries(20), queries(400)
        # About 110 queries a row written one at a time. In a batch the count is fixed on PostgreSQL;
        # SQLite's bulk inserts take at most 999 parameters, about 30 rows a statement.
        per_row = 0.15 if connection.vendor == "sqlite" else 0.0
        self.assertLessEqual(large - small, 380 * per_row)
        self.assertLess(small, 40)

    def test_batches_are_bounded_and_parts_follow_their_package(self):
        rows = self.mixed_rows()
        original = Batch.BATCH_ROWS
        Batch.BATCH_ROWS = 16  # several batches in one file
        try:
            batched = self.imported_state(self.csv_text(rows), row_at_a_time=False)
        finally:
            Batch.BATCH_ROWS = original
        by_row = self.imported_state(self.csv_text(rows), row_at_a_time=True)
        self.assertEqual(batched["pledges"], by_row["pledges"])
        self.assertEqual(batched["totals"], batched["rebuilt"])

    def test_a_file_of_restores_is_written_as_the_row_path_writes_it(self):
        top = Pledge.objects.aggregate(top=Max("id"))["top"]
        rows = [self.row(n, id=str(top + 1000 + n), updated_at=RESTORED_AT.isoformat()) for n in range(20)]
        text = self.csv_text(rows)
        by_row = self.imported_state(text, row_at_a_time=True)
        with CaptureQueriesContext(connection) as queries:
            batched = self.imported_state(text, row_at_a_time=False)
        # Every id is known: the citations go in before their entries, in one batch (not refused
        # and retried row by row).
        tables = [q["sql"].split('"')[1] for q in queries.captured_queries if q["sql"].startswith("INSERT INTO")]
        self.assertLess(tables.index("ledger_citation"), tables.index("ledger_pledge"))
        self.assertEqual(tables.count("ledger_pledge"), 1)
        self.assertTrue(batched["written"], batched["problems"])
        for key in ("pledges", "changes", "totals", "found", "found_by_excerpt"):
            self.assertEqual(batched[key], by_row[key], key)
        self.assertEqual(batched["totals"], batched["rebuilt"])
        self.assertEqual({restored for _, restored, *_ in batched["pledges"]}, {RESTORED_AT})  # their updated_at

    def test_a_part_waits_for_its_package_written_with_leading_zeros(self):
        # A part names its package by id, however the id is written: the package's row goes in first.
        top = Pledge.objects.aggregate(top=Max("id"))["top"]
        rows = [self.row(n) for n in range(1, 10) if n % 11]
        package = self.row(12, id=f"000{top + 900}", kind="package", amount="", currency="", package="")
        package["amount_qualifier"] = ""
        parts = [self.row(n, package=str(top + 900)) for n in (13, 14, 16)]
        for part in parts:
            part.update(donor_code=package["donor_code"], recipient_code=package["recipient_code"])
        text = self.csv_text([package, *rows, *parts])
        by_row = self.imported_state(text, row_at_a_time=True)
        batched = self.imported_state(text, row_at_a_time=False)
        self.assertTrue(batched["written"], batched["problems"])
        self.assertEqual(batched["pledges"], by_row["pledges"])
        self.assertEqual(sum(1 for values, *_ in batched["pledges"] if values["package_id"] == "new0"), 3)


class TradeBatchImportTests(TestCase):
    """New trade figures go through the same batch path (without totals: trade is never in them)."""

    HEADER = ["reporter_code", "partner_code", "flow", "year", "amount", "currency", "rank_statement"]
    HEADER += ["description", "sources", "paragraphs", "excerpts"]

    @classmethod
    def setUpTestData(cls):
        cls.actors = [factories.actor(code, code) for code in ("CHN", "CUB", "VNM")]
        cls.source = factories.source()
        cls.editor = get_user_model().objects.create_user("editor")

    def text(self, bad: int | None = None) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.HEADER)
        for n in range(24):
            reporter, partner = self.actors[n % 3], self.actors[(n + 1) % 3]
            amount, currency = [("", ""), (f"{5000 + n}", "USD"), (f"{700 + n}.25", "EUR")][n % 3]
            writer.writerow(
                [
                    reporter.code,
                    reporter.code if n == bad else partner.code,
                    ["total_trade", "exports", "imports"][n % 3],
                    str(2000 + n) if n % 4 else "",
                    amount,
                    currency,
                    "a main partner" if not amount else "",
                    f"trade row {n} tradeword",
                    str(self.source.pk),
                    str(1 + n % 5),
                    f"trade words {n}",
                ]
            )
        return out.getvalue()

    def outcome(self, text, *, row_at_a_time):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    result = imports.import_texts(
                        [("trade-figures.csv", text)],
                        user=self.editor,
                        reason="trade desk",
                        row_at_a_time=row_at_a_time,
                    )
                self.queries = len(queries.captured_queries)
                skip = {"id", "created_at", "updated_at"}
                created = [c.pk for c in result.reports[0].changes] if result.written else []
                entries = [
                    (
                        {k: v for k, v in TradeFigure.objects.filter(pk=pk).values().get().items() if k not in skip},
                        list(Citation.objects.filter(trade_figure=pk).values_list("source_id", "paragraph", "excerpt")),
                        list(
                            TradeFigure.history.filter(id=pk).values_list(
                                "history_type", "history_user", "history_change_reason", "amount_usd"
                            )
                        ),
                        Citation.history.filter(trade_figure_id=pk).count(),
                    )
                    for pk in created
                ]
                found = TradeFigure.objects.filter(
                    pk__in=search.matching_ids("tradefigure", "tradeword", vendor=connection.vendor)
                ).count()
                outcome = ([str(p) for p in result.problems], result.written, entries, found)
                raise Rollback
        except Rollback:
            pass
        return outcome

    def test_the_batch_path_leaves_the_ledger_as_the_row_path_does(self):
        batched = self.outcome(self.text(), row_at_a_time=False)
        self.assertLess(self.queries, 30)  # one batch: a few queries, not about a hundred a row
        self.assertEqual(batched, self.outcome(self.text(), row_at_a_time=True))
        problems, written, entries, found = batched
        self.assertTrue(written, problems)
        self.assertEqual((len(entries), found), (24, 24))

    def test_a_bad_row_refuses_the_file_with_the_row_paths_message(self):
        before = (TradeFigure.objects.count(), Citation.objects.count(), TradeFigure.history.count())
        batched = self.outcome(self.text(bad=13), row_at_a_time=False)
        self.assertEqual(batched[0], self.outcome(self.text(bad=13), row_at_a_time=True)[0])
        self.assertEqual(len(batched[0]), 1)
        self.assertIn("line 15", batched[0][0])
        self.assertFalse(batched[1])
        self.assertEqual((TradeFigure.objects.count(), Citation.objects.count(), TradeFigure.history.count()), before)


class StatementBatchImportTests(TestCase):
    """New statements go through the batch path too."""

    HEADER = ["speaker_code", "subject_code", "person", "kind", "summary", "date", "date_precision"]
    HEADER += ["sources", "paragraphs", "excerpts", "citation_notes"]

    @classmethod
    def setUpTestData(cls):
        cls.actors = [factories.actor(code, code) for code in ("CHN", "CUB", "VNM")]
        cls.person = Person.objects.create(name="Wang Yi", role="Foreign Minister", actor=cls.actors[0])
        cls.sources = [factories.source(url=f"https://example.org/s{n}") for n in range(2)]
        cls.editor = get_user_model().objects.create_user("editor")

    def text(self, bad: int | None = None) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.HEADER)
        for n in range(20):
            speaker, subject = self.actors[n % 3], self.actors[(n + 1) % 3]
            writer.writerow(
                [
                    speaker.code,
                    speaker.code if n == bad else subject.code,
                    str(self.person.pk) if n % 4 == 0 else "",
                    ["support", "offer_of_help", "rejection_of_pressure"][n % 3],
                    f"statement {n}",
                    f"2025-{1 + n % 12:02d}" if n % 2 else "",
                    "",
                    f"{self.sources[0].pk}; {self.sources[1].pk}" if n % 5 == 0 else str(self.sources[0].pk),
                    "",
                    "said this\nand that" if n % 5 == 0 else f"said {n}",
                    "",
                ]
            )
        return out.getvalue()

    def outcome(self, text, *, row_at_a_time):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    result = imports.import_texts(
                        [("statements.csv", text)], user=self.editor, reason="desk", row_at_a_time=row_at_a_time
                    )
                self.queries = len(queries.captured_queries)
                skip = {"id", "created_at", "updated_at"}
                created = [c.pk for c in result.reports[0].changes] if result.written else []
                entries = [
                    (
                        {k: v for k, v in Statement.objects.filter(pk=pk).values().get().items() if k not in skip},
                        list(Citation.objects.filter(statement=pk).values_list("source_id", "paragraph", "excerpt")),
                        list(
                            Statement.history.filter(id=pk).values_list(
                                "history_type", "history_user", "history_change_reason"
                            )
                        ),
                        list(Citation.history.filter(statement_id=pk).values_list("history_type", "history_user")),
                    )
                    for pk in created
                ]
                outcome = ([str(p) for p in result.problems], result.written, entries)
                raise Rollback
        except Rollback:
            pass
        return outcome

    def test_the_batch_path_leaves_the_ledger_as_the_row_path_does(self):
        batched = self.outcome(self.text(), row_at_a_time=False)
        self.assertLess(self.queries, 30)
        self.assertEqual(batched, self.outcome(self.text(), row_at_a_time=True))
        self.assertTrue(batched[1], batched[0])
        self.assertEqual(len(batched[2]), 20)

    def test_a_bad_row_refuses_the_file_with_the_row_paths_message(self):
        batched = self.outcome(self.text(bad=7), row_at_a_time=False)
        self.assertEqual(batched[0], self.outcome(self.text(bad=7), row_at_a_time=True)[0])
        self.assertEqual(len(batched[0]), 1)
        self.assertFalse(batched[1])
        self.assertFalse(Statement.objects.exists())
