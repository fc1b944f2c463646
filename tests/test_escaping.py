"""Hostile text in every text field is shown as text: escaped on every page and in the admin,
exact in the JSON export, and defused in CSV and xlsx (no cell a spreadsheet would run).

Every free-text field of every ledger model gets a payload (a script tag, an attribute breakout,
a formula) through the model's own validation, then every URL of the site is read as a superuser."""

import csv
import io
import json
import re

import openpyxl
from django.core.exceptions import ValidationError
from django.db import models
from django.test import TestCase, tag
from hypothesis import given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ledger import exports
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure
from tests import hostile
from tests.hardening_data import populate, role_users
from tests.test_fuzz import QuietRequestLogs, body_of
from tests.urlmap import UrlMap

LEDGER_MODELS = (Actor, Person, Source, Pledge, TradeFigure, Statement, Citation)
# Raw markup that must never reach a page unescaped (checked case-insensitively).
FORBIDDEN = ("<script>alert(", "<img src=x onerror", '" onmouseover=', "javascript:alert")


def payload(label, max_length=None):
    text = f'=HYPERLINK("http://evil.example") <script>alert("{label}")</script><img src=x onerror=alert(1)>" onmouseover=x \'&amp;'
    return text[:max_length] if max_length else text


def text_fields(model):
    for field in model._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices and field.editable:
            yield field


def poison_every_text_field():
    """Put a payload in every free-text field of every row that accepts it; return what was set."""
    poisoned = []
    for model in LEDGER_MODELS:
        for obj in model.objects.all():
            for field in text_fields(model):
                old = getattr(obj, field.attname)
                if field.name == "url":
                    value = f'https://example.org/{obj.pk}/?q=<script>alert(1)</script>&x="onmouseover=y'
                elif field.name == "code":
                    value = f'X{obj.pk}"><SCRIPT>'
                else:
                    value = payload(f"{model._meta.model_name}.{field.name}", field.max_length)
                setattr(obj, field.attname, value)
                try:
                    obj.full_clean()
                except ValidationError:
                    setattr(obj, field.attname, old)  # the model refuses it here; an editor could not enter it
                    continue
                poisoned.append((model, field.name))
            obj._change_reason = "escaping test"
            obj.save()
    return poisoned


JSON_SCRIPT = re.compile(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', re.S | re.I)


def assert_escaped(test, url, text):
    # Data for charts rides in json_script blocks: JSON, with <, > and & escaped, so it can neither
    # close the script element nor be read as markup. Check that, then look at the rest of the page.
    for block in JSON_SCRIPT.findall(text):
        test.assertNotIn("<", block, f"{url}: raw '<' inside a JSON script block")
        json.loads(block)
    text = JSON_SCRIPT.sub("", text)
    lowered = text.lower()
    for raw in FORBIDDEN:
        at = lowered.find(raw.lower())
        test.assertEqual(at, -1, f"{url}: unescaped {raw!r} at …{text[max(0, at - 80) : at + 80]}…")


class EscapingOnEveryPageTests(QuietRequestLogs, TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.superuser = role_users()["superuser"]
        populate(cls.superuser)
        cls.poisoned = poison_every_text_field()
        cls.urls = UrlMap()

    def setUp(self):
        self.client.force_login(self.superuser)

    # Free-text fields whose validation admits only codes from a list: no payload fits.
    CODE_FIELDS = {("actor", "iso3"), ("actor", "code")}  # codes are [A-Z0-9-]+, refused otherwise
    # Written by the app, never by an editor: why an amount has no USD value ("no ECB rate for CUP").
    CODE_FIELDS |= {("pledge", "usd_missing_reason"), ("tradefigure", "usd_missing_reason")}

    def test_every_free_text_field_was_poisoned(self):
        fields = {(m._meta.model_name, name) for m, name in self.poisoned}
        for model in LEDGER_MODELS:
            for field in text_fields(model):
                if (model._meta.model_name, field.name) in self.CODE_FIELDS:
                    continue
                with self.subTest(f"{model._meta.model_name}.{field.name}"):
                    self.assertIn((model._meta.model_name, field.name), fields)

    def test_every_page_and_admin_page_shows_hostile_text_escaped(self):
        shown = 0
        for endpoint in self.urls.endpoints:
            with self.subTest(str(endpoint)):
                response = self.client.get(endpoint.url)
                self.assertLess(response.status_code, 500)
                content_type = response.get("Content-Type", "")
                if "html" not in content_type:
                    continue
                text = body_of(response).decode()
                assert_escaped(self, endpoint.url, text)
                shown += "&lt;script&gt;alert(" in text
        self.assertGreater(shown, 10, "the payload should be visible, escaped, on many pages")

    def test_entry_pages_show_the_payload_as_text(self):
        pledge = Pledge.objects.order_by("pk").first()
        text = self.client.get(pledge.get_absolute_url()).content.decode()
        self.assertIn("&lt;script&gt;alert(&quot;pledge.description&quot;)&lt;/script&gt;", text)
        self.assertIn("&lt;script&gt;alert(&quot;citation.excerpt&quot;)&lt;/script&gt;", text)

    def test_json_exports_carry_the_text_exactly(self):
        checked = 0
        for endpoint in self.urls.public():
            response = self.client.get(f"{endpoint.url}?_export=json")
            if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
                continue
            if endpoint.url.startswith("/data-package/"):
                continue  # the package's description (field names, types), not the entries' text
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            data = json.loads(body_of(response))
            strings = set(re.findall(r'"((?:[^"\\]|\\.)*)"', json.dumps(data)))
            self.assertTrue(any("<script>alert(" in json.loads(f'"{s}"') for s in strings), endpoint.url)
            checked += 1
        if not checked:
            self.skipTest("no public JSON export yet")


class EscapingInExportsTests(QuietRequestLogs, TestCase):
    """The pledges table's own exports (ledger/exports.py through its ExportMixin)."""

    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        poison_every_text_field()

    def test_json_export_keeps_hostile_text_exact_and_is_not_html(self):
        response = self.client.get("/pledges/?_export=json")
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/json", response["Content-Type"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        rows = json.loads(body_of(response))
        descriptions = [row["description"] for row in rows]
        self.assertIn(payload("pledge.description"), descriptions)

    def test_csv_export_defuses_formulas_in_every_cell(self):
        response = self.client.get("/pledges/?_export=csv")
        rows = list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        self.assertTrue(any("HYPERLINK" in cell for cell in cells))
        for cell in cells:
            if cell and cell[0] in exports.FORMULA_TRIGGERS:
                # a number may start with "-"; text never starts with a trigger
                self.assertRegex(cell, r"^-?\d+(\.\d+)?$", f"formula-like cell {cell[:60]!r}")

    def test_xlsx_export_has_no_formula_cells(self):
        response = self.client.get("/pledges/?_export=xlsx")
        book = openpyxl.load_workbook(io.BytesIO(body_of(response)))
        texts = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", f"formula in {cell.coordinate}: {cell.value!r}")
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
        self.assertTrue(any("HYPERLINK" in t for t in texts))


@tag("slow")
class GeneratedTextIsEscapedTests(QuietRequestLogs, HypothesisTestCase):
    """Any text an editor can save reads back as that text on the entry's page and the lists."""

    fixtures = ["cibercuba-2026-02-05"]

    # NUL is left out: the admin's and the importer's forms refuse it before the model sees it
    # (PostgreSQL cannot store it), and these examples write through the model directly.
    @hypothesis_settings(max_examples=25)
    @given(
        description=st.one_of(hostile.any_unicode, hostile.control_text, st.sampled_from(hostile.SQL_FRAGMENTS)).filter(
            lambda s: "\x00" not in s
        ),
        name=st.text(min_size=1, max_size=80).filter(lambda s: s.strip() and "\x00" not in s),
    )
    def test_generated_text_reads_back_escaped(self, description, name):
        from django.utils.html import escape

        hostile.count_case("escaping")
        pledge = Pledge.objects.order_by("pk").first()
        pledge.description = description
        pledge.donor.name = name
        try:
            pledge.full_clean()
            pledge.donor.full_clean()
        except ValidationError:
            return  # refused with a message: an editor could not save it
        pledge.save()
        pledge.donor.save()
        pledge.refresh_from_db()
        for url in (pledge.get_absolute_url(), "/pledges/", pledge.donor.get_absolute_url()):
            note(url)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            text = response.content.decode()
            assert_escaped(self, url, text)
            if url != "/pledges/":
                self.assertIn(escape(pledge.donor.name.strip()), text)
