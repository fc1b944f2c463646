"""The admin's Import and Export for pledges, trade figures, actors and sources: a preview first, bad
rows by line, all or nothing, the editor and their reason in the history; analysts only export."""

import csv
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from ledger import exports
from ledger.models import Actor, Pledge, Source, TradeFigure
from ledger.roles import ANALYSTS, EDITORS
from tests.test_admin import make_user

HEADER = "donor_code,recipient_code,kind,status,amount,currency,date,date_precision,sources,excerpts\n"
GOOD = "CHN,CUB,grant,pledged,5000000,USD,2026-02-01,month,1,the words\n"
BAD = "CHN,CHN,grant,pledged,5,USD,2026-02-01,month,1,the words\n"
CSV_FORMAT = "0"  # the first of the admin's import formats


class AdminImportTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ana", EDITORS)
        cls.analyst = make_user("carla", ANALYSTS)

    def upload(self, text, model="pledge", reason="batch from the desk"):
        self.client.force_login(self.editor)
        upload = SimpleUploadedFile("batch.csv", text.encode(), content_type="text/csv")
        return self.client.post(
            f"/admin/ledger/{model}/import/",
            {
                "import_file": upload,
                "format": CSV_FORMAT,
                "change_reason": reason,
                "resource": "",
            },
        )

    def confirm(self, preview):
        form = preview.context["confirm_form"]
        data = {name: form.initial.get(name, "") for name in form.fields}
        return self.client.post("/admin/ledger/pledge/process_import/", data)

    def test_upload_previews_without_writing_then_confirm_writes_with_the_reason(self):
        preview = self.upload(HEADER + GOOD + GOOD)
        self.assertEqual(preview.status_code, 200)
        self.assertContains(preview, "China → Cuba: USD 5 million")
        self.assertEqual(Pledge.objects.count(), 5)  # the preview wrote nothing
        response = self.confirm(preview)
        self.assertEqual(response.status_code, 302)
        created = Pledge.objects.filter(amount=Decimal("5000000"))
        self.assertEqual(created.count(), 2)
        record = created.first().history.get()
        self.assertEqual((record.history_user, record.history_change_reason), (self.editor, "batch from the desk"))

    def test_one_bad_row_shows_its_line_and_reason_and_offers_no_confirmation(self):
        preview = self.upload(HEADER + GOOD + BAD)
        self.assertNotIn("confirm_form", preview.context)
        self.assertContains(preview, "The donor and the recipient must be different actors.")
        (invalid,) = preview.context["result"].invalid_rows
        self.assertEqual(invalid.number, 3)
        self.assertEqual(
            invalid.field_specific_errors, {"recipient_code": ["The donor and the recipient must be different actors."]}
        )
        self.assertEqual(Pledge.objects.count(), 5)

    def test_an_upload_without_a_reason_is_refused_and_previews_nothing(self):
        preview = self.upload(HEADER + GOOD, reason="")
        self.assertTrue(preview.context["form"].errors["change_reason"])
        self.assertNotIn("result", preview.context)
        self.assertEqual(Pledge.objects.count(), 5)

    def test_an_actors_upload_previews_the_new_actor_without_writing_it(self):
        preview = self.upload("code,name,kind,iso3\nZWE,Zimbabwe,country,ZWE\n", model="actor")
        self.assertEqual(preview.context["result"].totals["new"], 1)
        self.assertFalse(Actor.objects.filter(code="ZWE").exists())

    def test_analysts_export_but_cannot_import(self):
        self.client.force_login(self.analyst)
        self.assertEqual(self.client.get("/admin/ledger/pledge/import/").status_code, 403)
        response = self.client.post("/admin/ledger/tradefigure/export/", {"format": "0", "resource": ""})
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0], exports.TRADE_FIGURES.header)
        self.assertEqual(len(rows) - 1, TradeFigure.objects.count())

    def test_editors_can_import_every_table_with_an_import_button(self):
        self.client.force_login(self.editor)
        for model in (Pledge, TradeFigure, Actor, Source):
            response = self.client.get(f"/admin/ledger/{model._meta.model_name}/import/")
            self.assertEqual(response.status_code, 200, model)
