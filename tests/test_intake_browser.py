"""Article intake in a real browser: an editor pastes a new article, reviews its proposals with the
evidence marked in the text, corrects one, accepts two (one with the keyboard), rejects one with a
reason, and finds the accepted entries on the public pages and in the totals, each citing its sentence;
what is pending or rejected is nowhere public."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ledger.models import IntakeProposal, Pledge, Source
from ledger.roles import EDITORS
from tests.browser import BrowserTestCase

ARTICLE = """Japan and Vietnam step up aid to Cuba

TOKYO, March 12 (Wire) — The Japanese government announced on Tuesday a grant of 5 million dollars to Cuba to help the island buy food and medicine.

Vietnam will donate 10,000 tonnes of rice to Cuba, the Vietnamese embassy in Havana said on Wednesday.

The donation follows the 15 million dollars the Vietnamese government gave Cuba in September 2025.

Bilateral exchange amounted to roughly 340 million dollars in 2024, making Vietnam Cuba's second-largest trading partner.

Cuban President Miguel Díaz-Canel thanked Vietnam for its solidarity.
"""
JAPAN = "The Japanese government announced on Tuesday a grant of 5 million dollars to Cuba"
RICE = "Vietnam will donate 10,000 tonnes of rice to Cuba"
REPEAT = "The donation follows the 15 million dollars the Vietnamese government gave Cuba in September 2025."
TRADE = "Bilateral exchange amounted to roughly 340 million dollars in 2024"
THANKS = "thanked Vietnam for its solidarity"
REJECTION = "a thank-you, not a statement of support"
VIETNAM_GRANT = 5


class IntakeBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        editor = get_user_model().objects.create_user("editor", password="aid-ledger-demo", is_staff=True)
        editor.groups.add(Group.objects.get(name=EDITORS))

    def log_in(self):
        self.visit("/admin/login/?next=/admin/")
        self.page.get_by_label("Username").fill("editor")
        self.page.get_by_label("Password").fill("aid-ledger-demo")
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("heading", name="The ledger")).to_be_visible()

    def card(self, sentence):
        return self.page.locator(".proposal", has=self.page.locator("blockquote.evidence", has_text=sentence))

    def expect_current(self, sentence):
        expect(self.card(sentence)).to_have_class(re.compile(r"\bcurrent\b"))

    def test_editor_takes_in_an_article_and_the_accepted_entries_are_public_and_counted(self):
        page = self.page
        self.log_in()

        # Add the article: paste, confirm the source's details, propose.
        self.visit("/admin/ledger/intakearticle/add/")
        page.get_by_label("Article text").fill(ARTICLE)
        page.get_by_label("Publisher").fill("Wire")
        page.get_by_label("Headline").fill("Japan and Vietnam step up aid to Cuba")
        page.get_by_label("Address (URL)").fill("https://example.org/wire/japan-vietnam-aid")
        page.get_by_label("Publication date").fill("2026-03-12")
        page.get_by_label("Language").select_option("en")
        page.get_by_role("button", name="Propose entries").click()
        expect(page.locator(".messagelist")).to_contain_text("5 proposals to review")
        expect(page.locator("#intake-counts")).to_contain_text("5 pending")

        # The evidence is marked in place: amount, date and party distinctly.
        rice = self.card(RICE)
        rice_id = rice.get_attribute("data-proposal")
        expect(page.locator(f'mark.m-amount[data-p~="{rice_id}"]')).to_have_text("10,000 tonnes of rice")
        expect(page.locator(f'mark.m-party[data-p~="{rice_id}"]').first).to_have_text("Vietnam")
        expect(page.locator(f'mark.m-date[data-p~="{rice_id}"]')).to_have_text("on Wednesday")
        expect(self.card(JAPAN).locator(".chip", has_text="new actor")).to_be_visible()
        expect(self.card(REPEAT).locator(".match")).to_contain_text("Refines an existing entry")

        # The most confident proposal is current; its marks are outlined. Correct it: "will donate" is a pledge.
        self.expect_current(RICE)
        expect(page.locator(f'mark.current[data-p~="{rice_id}"]').first).to_be_visible()
        page.keyboard.press("e")
        rice.locator("select[name$='-status']").select_option("pledged")
        rice.get_by_role("button", name="Accept").click()
        expect(page.locator(".messagelist")).to_contain_text("Accepted")
        expect(self.card(RICE)).to_contain_text("Accepted with corrections by editor")

        # The next pending proposal is current: the repeat of the 15 million. Accept it with the keyboard.
        self.expect_current(REPEAT)
        page.keyboard.press("a")
        expect(self.card(REPEAT)).to_contain_text("Accepted by editor")

        # Japan's grant, with the mouse (Japan is created as an actor on acceptance).
        self.card(JAPAN).get_by_role("button", name="Accept").click()
        expect(self.card(JAPAN)).to_contain_text("Accepted by editor")

        # Move down past the trade figure (left pending) and reject the thank-you with a reason.
        self.expect_current(TRADE)
        page.keyboard.press("ArrowDown")
        self.expect_current(THANKS)
        page.keyboard.press("x")
        page.keyboard.type(REJECTION)
        page.keyboard.press("Enter")
        expect(self.card(THANKS)).to_contain_text(REJECTION)
        counts = page.locator("#intake-counts")
        for text in ("1 pending", "2 accepted", "1 corrected", "1 rejected"):
            expect(counts).to_contain_text(text)

        # Public pages: each accepted entry cites its sentence.
        japan = Pledge.objects.get(donor__code="JPN")
        self.visit(japan.get_absolute_url())
        expect(page.locator("section.citations")).to_contain_text(JAPAN)
        expect(page.locator("section.citations")).to_contain_text("Wire")
        rice_pledge = IntakeProposal.objects.get(pk=rice_id).pledge
        self.visit(rice_pledge.get_absolute_url())
        expect(page.locator("section.citations")).to_contain_text(RICE)
        expect(page.locator("main")).to_contain_text("Pledged")
        self.visit(f"/pledges/{VIETNAM_GRANT}/")
        expect(page.locator("section.citations")).to_contain_text(REPEAT)
        self.visit("/pledges/")
        expect(page.locator("main")).to_contain_text("Japan")

        # The totals count Japan's 5 million once, under its donor.
        self.visit("/")
        by_donor = page.locator("section[aria-labelledby='by-donor']")
        expect(by_donor.locator("tr", has_text="Japan")).to_contain_text("5 million")
        expect(page.locator("p.big")).to_contain_text("200 million")  # 195 million in the seed, plus Japan's 5

        # Pending and rejected proposals are nowhere public.
        self.visit("/trade/1/")
        expect(page.locator("main")).not_to_contain_text(TRADE)
        expect(page.locator("dl.facts")).not_to_contain_text("2024")
        self.visit("/actors/VNM/")
        expect(page.locator("main")).not_to_contain_text(THANKS)
        source = Source.objects.get(url="https://example.org/wire/japan-vietnam-aid")
        self.visit(source.get_absolute_url())
        expect(page.locator("main")).not_to_contain_text(THANKS)
        expect(page.locator("main")).not_to_contain_text(TRADE)
