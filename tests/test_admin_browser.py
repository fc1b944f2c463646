"""The correction flow in a real browser: an editor logs in, adds a later source's citation to the
Vietnam–Cuba trade figure, corrects its year with a reason, and finds both in the history and on
the public page. Then a second editor's stale save is refused on screen."""

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ledger import services
from ledger.models import TradeFigure
from ledger.roles import EDITORS
from tests.browser import BrowserTestCase

VIETNAM_CUBA_TRADE = 1
LATER_EXCERPT = "el intercambio comercial entre Vietnam y Cuba alcanzó unos 340 millones de dólares en 2025"
REASON = "Granma (3 Mar 2026) gives the year: 2025"


class CorrectionFlowBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.editor = get_user_model().objects.create_user("editor", password="aid-ledger-demo", is_staff=True)
        self.editor.groups.add(Group.objects.get(name=EDITORS))
        self.later = services.source_create(
            publisher="Granma",
            headline="Vietnam y Cuba amplían su comercio",
            url="https://example.org/granma-2026-03-03",
            published_on=date(2026, 3, 3),
            language="es",
            reason="A second source, for the test",
        )

    def log_in(self, username="editor"):
        self.visit("/admin/login/?next=/admin/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill("aid-ledger-demo")
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("heading", name="The ledger")).to_be_visible()

    def test_editor_corrects_a_figure_from_a_second_source(self):
        page = self.page
        self.log_in()
        self.visit(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/change/")
        expect(page.get_by_text("Correcting this entry from a later source?")).to_be_visible()

        # The later article's citation, with the source picked through the autocomplete.
        page.get_by_text(re.compile("Add another citation", re.I)).click()
        new = page.locator(".inline-related:not(.empty-form)").last
        new.locator(".select2-selection").click()
        page.locator(".select2-search__field").fill("Granma")
        page.locator(".select2-results__option", has_text="Granma").click()
        new.get_by_label("Excerpt").fill(LATER_EXCERPT)
        new.get_by_label("Paragraph").fill("4")
        new.get_by_label("Note").fill("gives the year")

        page.locator("#id_year").fill("2025")
        page.locator("#id_change_reason").fill(REASON)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

        # The admin's history: who, why, and the field's old and new value.
        self.visit(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        latest = page.locator("#change-history tbody tr").first
        expect(latest).to_contain_text(REASON)
        expect(latest).to_contain_text("editor")
        expect(latest).to_contain_text(re.compile(r"Year:\s*—\s*→\s*2025"))
        expect(latest).not_to_contain_text("None")

        # The public page: the corrected period, both sources, and the change with its reason.
        self.visit(f"/trade/{VIETNAM_CUBA_TRADE}/")
        expect(page.locator("dl.facts")).to_contain_text("2025")
        citations = page.locator("section.citations")
        expect(citations).to_contain_text("CiberCuba")
        expect(citations).to_contain_text("Granma")
        expect(citations).to_contain_text(LATER_EXCERPT)
        expect(citations).to_contain_text("gives the year")
        history = page.locator("section.history")
        expect(history).to_contain_text(REASON)
        expect(history).to_contain_text("editor")

        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version, figure.citations.count()), (2025, 2, 2))

    def test_a_stale_save_is_refused_on_screen_with_what_changed(self):
        page = self.page
        self.log_in()
        self.visit(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/change/")
        # Meanwhile another editor saves the same entry.
        other = get_user_model().objects.create_user("bruno", is_staff=True)
        services.trade_figure_update(
            trade_figure=TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE),
            data={"rank": 3},
            expected_version=1,
            user=other,
            reason="a newer ranking",
        )
        page.locator("#id_year").fill("2025")
        page.locator("#id_change_reason").fill("year from Granma")
        page.get_by_role("button", name="Save", exact=True).click()
        error = page.locator(".errorlist.nonfield")
        expect(error).to_contain_text("Someone else saved this entry while you were editing it (by bruno")
        expect(error).to_contain_text("a newer ranking")
        expect(error).to_contain_text("rank: 2 → 3")
        expect(error).to_contain_text("Nothing of yours was saved")
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.rank, figure.version), (None, 3, 2))
