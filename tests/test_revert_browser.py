"""The revert of a correction that added a citation, in a real browser (issue 14.1): an editor adds a
later source's citation and corrects the year in one save; the history lists both; the revert screen
previews both; after the revert the public page shows neither the year nor the quote."""

import re
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ledger import services
from ledger.roles import EDITORS
from tests.browser import BrowserTestCase

VIETNAM_CUBA_TRADE = 1
LATER_EXCERPT = "el intercambio comercial entre Vietnam y Cuba alcanzó unos 340 millones de dólares en 2025"
SCREENSHOT = settings.BASE_DIR / "docs" / "screenshots" / "revert-after.png"


class RevertWithCitationBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        editor = get_user_model().objects.create_user("editor", password="aid-ledger-demo", is_staff=True)
        editor.groups.add(Group.objects.get(name=EDITORS))
        services.source_create(
            publisher="Granma",
            headline="Vietnam y Cuba amplían su comercio",
            url="https://example.org/granma-2026-03-03",
            published_on=date(2026, 3, 3),
            language="es",
            reason="A second source, for the test",
        )
        self.visit("/admin/login/?next=/admin/")
        self.page.get_by_label("Username").fill("editor")
        self.page.get_by_label("Password").fill("aid-ledger-demo")
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("heading", name="The ledger")).to_be_visible()

    def test_a_revert_takes_back_the_corrected_year_and_the_citation_added_with_it(self):
        page = self.page
        self.visit(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/change/")
        page.get_by_text(re.compile("Add another citation", re.I)).click()
        new = page.locator(".inline-related:not(.empty-form)").last
        new.locator(".select2-selection").click()
        page.locator(".select2-search__field").fill("Granma")
        page.locator(".select2-results__option", has_text="Granma").click()
        new.get_by_label("Excerpt").fill(LATER_EXCERPT)
        new.get_by_label("Paragraph").fill("4")
        new.get_by_label("Note").fill("gives the year")
        page.locator("#id_year").fill("2025")
        page.locator("#id_change_reason").fill("Granma gives the year: 2025")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

        # The history lists the year and the citation in one version.
        self.visit(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        latest = page.locator("#change-history tbody tr").first
        expect(latest).to_contain_text(re.compile(r"Year:\s*—\s*→\s*2025"))
        expect(latest).to_contain_text("Citation added:")
        expect(latest).to_contain_text(LATER_EXCERPT)

        # The revert screen of the version before previews both, and the revert takes both back.
        page.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
        preview = page.locator(".ledger-revert-preview")
        expect(preview).to_contain_text(re.compile(r"year:\s*2025\s*→\s*—"))
        expect(preview).to_contain_text("citation removed")
        expect(preview).to_contain_text(LATER_EXCERPT)
        page.locator("#id_change_reason").fill("the Granma article is about another year")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.get_by_role("button", name="Revert").first.click()
        expect(page.locator(".messagelist")).to_contain_text("Reverted")

        self.visit(f"/trade/{VIETNAM_CUBA_TRADE}/")
        expect(page.locator("dl.facts")).to_contain_text("year not stated")
        citations = page.locator("section.citations")
        expect(citations).to_contain_text("CiberCuba")
        expect(citations).not_to_contain_text("Granma")
        expect(citations).not_to_contain_text(LATER_EXCERPT)
        history = page.locator("section.history tbody tr").first
        expect(history).to_contain_text("Revert to version 1: the Granma article is about another year")
        expect(history).to_contain_text("citation removed")
