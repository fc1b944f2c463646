"""Issue 16, defect 6: exporting the CSV, editing the pledge in the admin, then importing the old CSV
silently reverted the edit. A row older than its stored entry is now refused as stale, naming who
changed the entry since, in the dry run too."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import TestCase

from ledger import exports, imports, services
from ledger.models import Pledge
from tests import factories


class StaleImportRowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pledge = factories.pledge(factories.actor("CHN", "China"), factories.actor("CUB", "Cuba"))
        cls.importer = get_user_model().objects.create_user("importer")
        cls.alice = get_user_model().objects.create_user("alice")

    def exported_csv(self) -> str:
        return b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.order_by("pk"))).decode()

    def edit_in_the_admin(self) -> None:
        services.pledge_update(
            pledge=Pledge.objects.get(pk=self.pledge.pk),
            data={"amount": Decimal("2500000"), "amount_usd": Decimal("2500000")},
            user=self.alice,
            reason="corrected from the source",
        )

    def test_importing_an_export_older_than_an_edit_is_refused_and_keeps_the_edit(self):
        old = self.exported_csv()
        self.edit_in_the_admin()
        result = imports.import_texts([("pledges.csv", old)], user=self.importer, reason="restore")
        self.assertFalse(result.written)
        [problem] = result.problems
        self.assertEqual((problem.line, problem.column), (2, "updated_at"))
        self.assertIn("stale", problem.message)
        self.assertIn("alice", problem.message)
        self.assertEqual(Pledge.objects.get(pk=self.pledge.pk).amount, Decimal("2500000"))

    def test_the_dry_run_reports_the_stale_row_too(self):
        old = self.exported_csv()
        self.edit_in_the_admin()
        result = imports.import_texts([("pledges.csv", old)], user=self.importer, reason="check", dry_run=True)
        self.assertEqual([p.column for p in result.problems], ["updated_at"])
        self.assertIn("alice", result.problems[0].message)

    def test_an_export_taken_after_the_edit_imports_as_unchanged(self):
        self.edit_in_the_admin()
        fresh = self.exported_csv()
        result = imports.import_texts([("pledges.csv", fresh)], user=self.importer, reason="restore")
        self.assertEqual(result.problems, [])
        self.assertEqual([c.action for report in result.reports for c in report.changes], ["unchanged"])
