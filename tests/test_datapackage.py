"""The ledger as a Frictionless Data Package: `export_ledger` writes a folder that `frictionless validate`
finds valid, a broken row makes it invalid (with the error on that row), and /data-package/ validates."""

import csv
import json
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import frictionless
import requests
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import TestCase, tag

from ledger import datapackage
from ledger.exports.columns import TABLES


def validate(folder: Path) -> frictionless.Report:
    return frictionless.validate(str(folder / "datapackage.json"))


def error_types(report: frictionless.Report) -> set[str]:
    return {error.type for task in report.tasks for error in task.errors}


class ExportedFolderTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="aidledger-package-"))
        self.addCleanup(shutil.rmtree, self.folder)
        call_command("export_ledger", str(self.folder), "--no-progress", stdout=StringIO(), stderr=StringIO())

    def edit_row(self, table: str, row_id: str, **cells: str) -> None:
        path = self.folder / f"{table}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
            header = list(rows[0])
        for row in rows:
            if row["id"] == row_id:
                row.update(cells)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)

    def first_id(self, table: str) -> str:
        with open(self.folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
            return next(csv.DictReader(handle))["id"]

    def test_the_exported_seed_ledger_is_a_valid_data_package(self):
        report = validate(self.folder)
        self.assertTrue(report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        names = [task.name for task in report.tasks]
        self.assertEqual(names, [*(table.name for table in TABLES), "citations"])
        self.assertTrue(all(task.stats["rows"] > 0 for task in report.tasks if task.name != "people"))

    def test_the_descriptor_carries_types_constraints_and_keys(self):
        descriptor = json.loads((self.folder / "datapackage.json").read_text())
        pledges = next(r for r in descriptor["resources"] if r["name"] == "pledges")
        fields = {field["name"]: field for field in pledges["schema"]["fields"]}
        self.assertEqual(pledges["schema"]["missingValues"], [""])
        self.assertEqual(pledges["schema"]["primaryKey"], ["id"])
        self.assertEqual((fields["amount"]["type"], fields["amount"]["constraints"]["minimum"]), ("number", 0))
        self.assertEqual(fields["usd_rate_date"]["type"], "date")
        self.assertIn("JPY", fields["currency"]["constraints"]["enum"])
        self.assertEqual(fields["donor_code"]["constraints"], {"required": True})
        self.assertEqual(fields["usd_rate_basis"]["constraints"]["enum"][:1], ["entry_date"])
        self.assertEqual(fields["sources"]["constraints"]["pattern"], r"\d+(; \d+)*")
        keys = {key["fields"][0]: key["reference"] for key in pledges["schema"]["foreignKeys"]}
        self.assertEqual(keys["donor_code"], {"resource": "actors", "fields": ["code"]})
        self.assertEqual(keys["package"], {"resource": "", "fields": ["id"]})
        citations = next(r for r in descriptor["resources"] if r["name"] == "citations")
        keys = {key["fields"][0]: key["reference"] for key in citations["schema"]["foreignKeys"]}
        self.assertEqual(keys["source_id"], {"resource": "sources", "fields": ["id"]})
        self.assertEqual(keys["pledge_id"], {"resource": "pledges", "fields": ["id"]})

    def test_a_status_outside_its_codes_fails_validation(self):
        self.edit_row("pledges", self.first_id("pledges"), status="promised")
        report = validate(self.folder)
        self.assertFalse(report.valid)
        self.assertIn("constraint-error", error_types(report))

    def test_a_malformed_date_fails_validation(self):
        self.edit_row("pledges", self.first_id("pledges"), date="10/03/2026")
        report = validate(self.folder)
        self.assertFalse(report.valid)
        self.assertIn("type-error", error_types(report))

    def test_a_donor_code_no_actor_has_fails_validation(self):
        self.edit_row("pledges", self.first_id("pledges"), donor_code="ZZZ")
        report = validate(self.folder)
        self.assertFalse(report.valid)
        self.assertIn("foreign-key", error_types(report))

    def test_a_citation_of_a_missing_source_fails_validation(self):
        path = self.folder / datapackage.CITATIONS_PATH
        text = path.read_text(encoding="utf-8").splitlines()
        header, first = text[0].split(","), text[1].split(",")
        first[header.index("source_id")] = "999999"
        path.write_text("\r\n".join([text[0], ",".join(first), *text[2:]]) + "\r\n", encoding="utf-8")
        report = validate(self.folder)
        self.assertFalse(report.valid)
        self.assertIn("foreign-key", error_types(report))

    def test_import_ledger_still_reads_the_folder(self):
        out = StringIO()
        call_command("import_ledger", str(self.folder), "--dry-run", stdout=out, stderr=StringIO())
        self.assertNotIn("cannot tell which table", out.getvalue())


class DataPackageViewTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_the_descriptor_points_at_each_tables_csv_on_the_site(self):
        response = self.client.get("/data-package/")
        self.assertEqual(response.status_code, 200)
        descriptor = response.json()
        paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
        self.assertEqual(paths["pledges"], "http://testserver/data-package/pledges.csv")
        self.assertEqual(paths["citations"], "http://testserver/data-package/citations.csv")
        checked = frictionless.Package.validate_descriptor(descriptor)
        self.assertTrue(checked.valid, checked.flatten(["type", "note"]))
        csv_response = self.client.get("/data-package/pledges.csv")
        self.assertEqual(csv_response.status_code, 200)
        first_line = b"".join(csv_response.streaming_content).decode().splitlines()[0]
        self.assertEqual(
            first_line.split(","), [field["name"] for field in descriptor["resources"][3]["schema"]["fields"]]
        )
        self.assertEqual(self.client.get("/data-package/nothing.csv").status_code, 404)


@tag("slow")
class LiveDataPackageTests(StaticLiveServerTestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def test_frictionless_validates_the_package_the_site_serves(self):
        descriptor = requests.get(f"{self.live_server_url}/data-package/", timeout=30).json()
        report = frictionless.validate(descriptor)
        self.assertTrue(report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        self.assertEqual(len(report.tasks), len(TABLES) + 1)
