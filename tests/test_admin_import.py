"""The admin's Import and Export for pledges, trade figures, actors and sources: a preview first, bad
rows by line, all or nothing, the editor and their reason in the history; analysts only export."""

import csv
import io
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from ledger import exports
from ledger.admin_import import ERROR_UPLOAD_GONE
from ledger.imports import uploads
from ledger.models import Actor, Pledge, Source, TradeFigure
from ledger.resources import PREVIEW_LIMIT
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


class AdminImportHardeningTests(TestCase):
    """Issue 16: the admin's import reads only its own uploads (13), lists the first rows with a
    summary and leaves no upload behind (10), keeps the reason within the history's column (12) and
    says in plain words when a file is not UTF-8 (8)."""

    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ana", EDITORS)

    def setUp(self):
        self.client.force_login(self.editor)

    def upload(self, data, reason="batch from the desk"):
        upload = SimpleUploadedFile("batch.csv", data, content_type="text/csv")
        return self.client.post(
            "/admin/ledger/pledge/import/",
            {"import_file": upload, "format": CSV_FORMAT, "change_reason": reason, "resource": ""},
        )

    def confirm_data(self, preview, **changes):
        form = preview.context["confirm_form"]
        return {**{name: form.initial.get(name, "") for name in form.fields}, **changes}

    def test_the_confirmation_never_reads_or_deletes_a_file_it_names(self):
        preview = self.upload((HEADER + GOOD).encode())
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as victim:
            victim.write(HEADER + GOOD)
        victim_path = Path(victim.name)
        try:
            for name in (f"../../{victim_path.parent.name}/{victim_path.name}", victim_path.name, str(victim_path)):
                with self.subTest(name=name):
                    data = self.confirm_data(preview, import_file_name=name)
                    response = self.client.post("/admin/ledger/pledge/process_import/", data)
                    self.assertContains(response, ERROR_UPLOAD_GONE)
                    self.assertTrue(victim_path.exists())
            self.assertEqual(Pledge.objects.count(), 5)
        finally:
            victim_path.unlink()

    def test_the_upload_is_kept_under_an_opaque_token_and_removed_once_imported(self):
        preview = self.upload((HEADER + GOOD).encode())
        token = preview.context["confirm_form"].initial["import_file_name"]
        self.assertRegex(token, r"^[0-9a-f]{32}$")
        self.assertTrue((uploads.upload_folder() / token).exists())
        self.assertEqual(
            self.client.post("/admin/ledger/pledge/process_import/", self.confirm_data(preview)).status_code, 302
        )
        self.assertFalse((uploads.upload_folder() / token).exists())
        self.assertEqual(Pledge.objects.count(), 6)

    def test_a_preview_that_cannot_be_confirmed_leaves_no_upload_behind(self):
        before = set(uploads.upload_folder().iterdir())
        preview = self.upload((HEADER + BAD).encode())
        self.assertNotIn("confirm_form", preview.context)
        self.assertEqual(set(uploads.upload_folder().iterdir()), before)

    def test_unconfirmed_uploads_are_removed_after_a_while(self):
        preview = self.upload((HEADER + GOOD).encode())
        path = uploads.upload_folder() / preview.context["confirm_form"].initial["import_file_name"]
        uploads.remove_stale_uploads(now=time.time() + uploads.UPLOAD_MAX_AGE_SECONDS - 60)
        self.assertTrue(path.exists())
        uploads.remove_stale_uploads(now=time.time() + uploads.UPLOAD_MAX_AGE_SECONDS + 60)
        self.assertFalse(path.exists())

    def test_the_preview_lists_the_first_rows_and_counts_them_all(self):
        lines = 2 * PREVIEW_LIMIT + 5
        preview = self.upload((HEADER + GOOD * lines).encode())
        result = preview.context["result"]
        self.assertEqual(len(result.valid_rows()), PREVIEW_LIMIT)
        self.assertEqual(result.totals["new"], lines)
        self.assertContains(preview, f"{lines} to create, 0 to change, 0 unchanged, 0 bad rows")
        self.assertContains(preview, f"the first {PREVIEW_LIMIT} rows that change something are listed")

    def test_the_preview_lists_the_first_bad_rows_and_counts_them_all(self):
        lines = PREVIEW_LIMIT + 7
        result = self.upload((HEADER + BAD * lines).encode()).context["result"]
        self.assertEqual(len(result.invalid_rows), PREVIEW_LIMIT)
        self.assertEqual((result.ledger_bad_rows, result.totals["invalid"]), (lines, lines))

    def test_a_reason_longer_than_the_history_keeps_is_refused_on_the_form(self):
        preview = self.upload((HEADER + GOOD).encode(), reason="r" * 101)
        self.assertEqual(
            preview.context["form"].errors["change_reason"],
            ["The reason is too long: the history keeps at most 100 characters."],
        )
        self.assertEqual(self.upload((HEADER + GOOD).encode(), reason="r" * 100).status_code, 200)

    def test_a_latin1_file_is_reported_in_plain_words(self):
        preview = self.upload((HEADER + GOOD.replace("the words", "Bohío")).encode("latin-1"))
        (error,) = preview.context["form"].errors["import_file"]
        self.assertIn("This file is not UTF-8 text", error)
        self.assertIn("save it as CSV UTF-8", error)

    def test_a_row_with_more_cells_than_the_header_is_reported_in_plain_words(self):
        preview = self.upload((HEADER + GOOD.strip() + ",extra\n").encode())
        self.assertEqual(
            preview.context["form"].errors["import_file"],
            ["Some rows have more or fewer cells than the header: every row needs one cell per column."],
        )
