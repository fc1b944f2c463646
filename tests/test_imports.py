"""Imports: a dry run previews, every bad row is reported by line in plain words, one bad row means
nothing is written, writes go through the services (history records the importer), and an exported
ledger imported into an empty database exports again byte for byte."""

import io
import tempfile
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, TransactionTestCase

from ledger import exports, imports
from ledger.models import Actor, Citation, Pledge, Source
from tests import factories

NEW_PLEDGES_HEADER = "donor_code,recipient_code,kind,status,amount,currency,date,date_precision,sources,excerpts\n"


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.source = factories.source(url="https://example.org/article")
        cls.editor = get_user_model().objects.create_user("editor")

    def run_import(self, text, name="pledges.csv", dry_run=False):
        return imports.import_texts([(name, text)], user=self.editor, reason="batch from the desk", dry_run=dry_run)

    def new_pledges(self, *lines):
        return NEW_PLEDGES_HEADER + "".join(line + "\n" for line in lines)

    def good_line(self, amount="5000000"):
        return f"CHN,CUB,grant,pledged,{amount},USD,2026-02-01,month,{self.source.pk},the words"

    def test_a_good_file_creates_the_entries_with_the_importer_in_the_history(self):
        result = self.run_import(self.new_pledges(self.good_line(), self.good_line("7000000.50")))
        self.assertTrue(result.written)
        pledges = Pledge.objects.order_by("id")
        self.assertEqual([p.amount for p in pledges], [Decimal("5000000"), Decimal("7000000.50")])
        self.assertEqual(pledges[0].amount_usd, Decimal("5000000"))  # filled in by the model, as in the admin
        record = pledges[0].history.get()
        self.assertEqual((record.history_user, record.history_change_reason), (self.editor, "batch from the desk"))
        citation = pledges[0].citations.get()
        self.assertEqual((citation.source, citation.excerpt), (self.source, "the words"))
        self.assertEqual(citation.history.get().history_user, self.editor)

    def test_one_bad_row_and_nothing_is_written(self):
        result = self.run_import(
            self.new_pledges(
                self.good_line(),
                f"CHN,CHN,grant,pledged,5,USD,2026-02-01,month,{self.source.pk},the words",
                self.good_line(),
            )
        )
        self.assertFalse(result.written)
        self.assertEqual(
            [str(p) for p in result.problems],
            ["line 3, column recipient_code: The donor and the recipient must be different actors."],
        )
        self.assertFalse(Pledge.objects.exists())
        self.assertFalse(Citation.objects.exists())

    def test_every_bad_row_is_reported_by_line_in_plain_words(self):
        source = self.source.pk
        result = self.run_import(
            self.new_pledges(
                self.good_line(),  # line 2
                f"XYZ,CUB,grant,pledged,5,USD,2026-02-01,month,{source},words",  # line 3
                f"CHN,CUB,grant,pledged,5,DOL,2026-02-01,month,{source},words",  # line 4
                f"CHN,CUB,grant,pledged,5,,2026-02-01,month,{source},words",  # line 5
                f"CHN,CUB,grant,pledged,5,USD,05/02/2026,day,{source},words",  # line 6
                f"CHN,CHN,grant,pledged,5,USD,2026-02-01,month,{source},words",  # line 7
                'CHN,CUB,grant,pledged,"1,000",USD,2026-02-01,month,,',  # line 8
            )
        )
        messages = [str(p) for p in result.problems]
        self.assertEqual(
            messages[:5],
            [
                "line 3, column donor_code: unknown donor code 'XYZ': no actor has this code",
                "line 4, column currency: unknown currency 'DOL': use an ISO 4217 code such as USD, EUR or CNY",
                "line 5, column currency: An amount needs its currency (an ISO 4217 code such as USD).",
                "line 6, column date: malformed date '05/02/2026': write it as YYYY-MM-DD (2026-02-05)",
                "line 7, column recipient_code: The donor and the recipient must be different actors.",
            ],
        )
        self.assertIn(
            "line 8, column amount: malformed number '1,000': write digits with a dot for decimals and "
            "no thousands separators",
            messages[5],
        )
        self.assertFalse(Pledge.objects.exists())

    def test_a_figure_without_a_source_is_refused(self):
        result = self.run_import(self.new_pledges("CHN,CUB,grant,pledged,5,USD,2026-02-01,month,,"))
        self.assertEqual(
            [str(p) for p in result.problems],
            [
                "line 2: Every figure needs a source: add at least one citation with the verbatim excerpt it was read from."
            ],
        )

    def test_an_import_without_a_reason_records_the_file_it_came_from(self):
        result = imports.import_texts([("desk.csv", self.new_pledges(self.good_line()))], user=self.editor)
        self.assertTrue(result.written, result.problems)
        pledge = Pledge.objects.get()
        self.assertEqual(pledge.history.get().history_change_reason, "import of desk.csv")
        self.assertEqual(pledge.citations.get().history.get().history_change_reason, "import of desk.csv")

    def test_a_dry_run_previews_and_writes_nothing(self):
        pledge = factories.pledge(self.china, self.cuba, src=self.source, amount=Decimal("80000000"))
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all())).decode()
        text = text.replace("80000000.00", "90000000.00")
        result = self.run_import(text, dry_run=True)
        self.assertFalse(result.written)
        self.assertEqual(result.problems, [])
        (change,) = result.reports[0].changes
        self.assertEqual(change.action, "update")
        self.assertIn("amount: 80,000,000 → 90,000,000", str(change))
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.version), (Decimal("80000000.00"), 1))

    def test_an_update_goes_through_the_service_and_keeps_the_history(self):
        pledge = factories.pledge(self.china, self.cuba, src=self.source, amount=Decimal("80000000"))
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all())).decode()
        result = self.run_import(text.replace("80000000.00", "90000000.00").replace("an excerpt", "better words"))
        self.assertTrue(result.written, result.problems)
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.amount_usd, pledge.version), (Decimal("90000000"),) * 2 + (2,))
        self.assertEqual(pledge.citations.get().excerpt, "better words")
        latest = pledge.history.latest()
        self.assertEqual((latest.history_user, latest.amount), (self.editor, Decimal("90000000")))

    def test_an_unchanged_file_changes_nothing(self):
        pledge = factories.pledge(self.china, self.cuba, src=self.source)
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all())).decode()
        result = self.run_import(text)
        self.assertEqual([c.action for c in result.reports[0].changes], ["unchanged"])
        self.assertEqual(pledge.history.count(), 1)

    def test_a_single_excerpt_keeps_its_line_breaks(self):
        pledge = factories.pledge(self.china, self.cuba, src=self.source, excerpt="first line\nsecond line")
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all())).decode()
        result = self.run_import(text)
        self.assertEqual([c.action for c in result.reports[0].changes], ["unchanged"])
        Pledge.objects.all().delete()
        self.assertTrue(self.run_import(text).written)
        self.assertEqual(Pledge.objects.get(pk=pledge.pk).citations.get().excerpt, "first line\nsecond line")

    def test_line_numbers_count_the_lines_of_multiline_cells(self):
        text = 'code,name,kind,iso3,description\nVNM,Vietnam,country,VNM,"two\nlines"\nXXX,Nowhere,country,XXX,\n'
        result = self.run_import(text, name="actors.csv")
        self.assertEqual(
            [str(p) for p in result.problems], ["line 4, column iso3: This is not an ISO 3166-1 alpha-3 country code."]
        )
        self.assertFalse(Actor.objects.filter(code="VNM").exists())

    def test_unknown_columns_are_refused(self):
        result = self.run_import("donor_code,recipient_code,amount_eur\nCHN,CUB,5\n")
        self.assertIn("unknown column(s) amount_eur", str(result.problems[0]))

    def test_the_table_is_told_by_its_columns_when_the_name_does_not(self):
        result = self.run_import(self.new_pledges(self.good_line()), name="batch.csv")
        self.assertEqual(result.reports[0].table, exports.PLEDGES)
        self.assertTrue(result.written)

    def test_parts_are_imported_after_their_package_whatever_the_row_order(self):
        package = factories.pledge(self.china, self.cuba, src=self.source, amount=None, kind=Pledge.Kind.PACKAGE)
        factories.pledge(self.china, self.cuba, src=self.source, package=package)
        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.order_by("-id"))).decode()
        Pledge.objects.filter(package__isnull=False).delete()
        Pledge.objects.all().delete()
        result = self.run_import(text)
        self.assertTrue(result.written, result.problems)
        self.assertEqual(Pledge.objects.get(package__isnull=False).package_id, package.pk)


class ImportCommandTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_a_file_with_one_bad_row_is_refused_whole(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "pledges.csv"
            path.write_text(
                NEW_PLEDGES_HEADER
                + "CHN,CUB,grant,pledged,5,USD,2026-02-01,month,1,words\n"
                + "CHN,CUB,grant,pledged,5,USD,2026-02-31,day,1,words\n",
                encoding="utf-8",
            )
            out, err = io.StringIO(), io.StringIO()
            get_user_model().objects.create_user("editor")
            with self.assertRaisesMessage(CommandError, "Refused: 1 problem in the file; nothing was written."):
                call_command("import_ledger", str(path), "--user", "editor", stdout=out, stderr=err)
        self.assertIn("line 3, column date: malformed date '2026-02-31'", err.getvalue())
        self.assertEqual(Pledge.objects.count(), 5)

    def test_a_dry_run_says_what_would_change(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "pledges.csv"
            path.write_text(NEW_PLEDGES_HEADER + "CHN,CUB,grant,pledged,5,USD,2026-02-01,month,1,words\n")
            out = io.StringIO()
            call_command("import_ledger", str(path), "--dry-run", stdout=out)
        self.assertIn("pledges.csv (pledges): 1 to create, 0 to change, 0 unchanged, 0 bad rows", out.getvalue())
        self.assertIn("line 2: create pledge", out.getvalue())
        self.assertIn("Dry run: nothing was written.", out.getvalue())
        self.assertEqual(Pledge.objects.count(), 5)


class RoundTripTests(TransactionTestCase):
    """Export the ledger, import it into an empty database, export again: the same bytes."""

    fixtures = ["cibercuba-2026-02-05"]

    def test_export_import_export_is_byte_identical(self):
        with tempfile.TemporaryDirectory() as folder:
            first, second = Path(folder) / "first", Path(folder) / "second"
            call_command("export_ledger", str(first), stdout=io.StringIO(), stderr=io.StringIO())
            call_command("flush", interactive=False)
            self.assertFalse(Pledge.objects.exists())
            get_user_model().objects.create_user("restorer")  # the flush removed the users too
            call_command("import_ledger", str(first), "--user", "restorer", stdout=io.StringIO())
            call_command("export_ledger", str(second), "--no-progress", stdout=io.StringIO())
            names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
            package = ["datapackage.json", "links/citations.csv"]  # the data package's descriptor and citations
            self.assertEqual(names, sorted([*(f"{t.name}.csv" for t in exports.TABLES), *package]))
            for name in names:
                if name == "links/citations.csv":
                    continue  # derived from the tables' citation columns; the import gives citations new ids
                self.assertEqual((second / name).read_bytes(), (first / name).read_bytes(), name)
            self.assertIn("Kolokóltsev".encode(), (second / "people.csv").read_bytes())
        # Entries restored with their ids do not block new ones (PostgreSQL sequences are reset).
        self.assertGreater(factories.actor("ZWE", "Zimbabwe").pk, 13)
        self.assertGreater(
            Source.objects.create(
                url="https://example.org/new", publisher="P", headline="H", published_on="2026-02-06", language="en"
            ).pk,
            1,
        )

    def test_export_ledger_shows_a_progress_bar(self):
        with tempfile.TemporaryDirectory() as folder:
            err = io.StringIO()
            call_command("export_ledger", folder, stdout=io.StringIO(), stderr=err)
        self.assertIn("pledges: 100%", err.getvalue())
