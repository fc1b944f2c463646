"""Citations are part of the versioned entry (issue 14.1, 16.4, 16.5), honest figures on entry (14.3) and
a package's parties (16.7): what an editor relies on when correcting an entry and its sources."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from ledger import services
from ledger.history import entry_history
from ledger.models import Citation, Pledge, Source, Statement, TradeFigure
from tests.admin_helpers import form_data
from tests.test_admin import VIETNAM_CUBA_TRADE, AdminTestCase

GRANMA_EXCERPT = "el intercambio comercial alcanzó 340 millones de dólares en 2025"
PACKAGE, PART, GRANT = 1, 2, 4  # fixture: China's package to Cuba, one of its parts, a grant with one citation


class CitationVersionTestCase(AdminTestCase):
    def granma(self) -> Source:
        return services.source_create(
            publisher="Granma",
            headline="Vietnam y Cuba: comercio en 2025",
            url="https://example.org/granma",
            published_on="2026-03-03",
            language="es",
            reason="A second source, for the test",
        )

    def add_citation_and_year_in_the_admin(self, source: Source) -> None:
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        new = int(data["citations-TOTAL_FORMS"])
        data.update(
            {
                "year": "2025",
                "change_reason": "Granma gives the year: 2025",
                "citations-TOTAL_FORMS": str(new + 1),
                f"citations-{new}-source": str(source.pk),
                f"citations-{new}-excerpt": GRANMA_EXCERPT,
                f"citations-{new}-paragraph": "4",
                f"citations-{new}-note": "gives the year",
            }
        )
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertRedirects(response, "/admin/ledger/tradefigure/")


class RevertWithCitationTests(CitationVersionTestCase):
    def test_a_citation_added_with_a_correction_is_listed_with_it_and_reverted_with_it(self):
        self.add_citation_and_year_in_the_admin(self.granma())
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version, figure.citations.count()), (2025, 2, 2))

        # The public history lists the field and the citation in one version, with who and why.
        latest = entry_history(figure)[0]
        self.assertEqual((latest["who"], latest["reason"]), ("an editor", "Granma gives the year: 2025"))
        fields = [change["field"] for change in latest["changes"]]
        self.assertEqual(fields, ["year", "citation added"])
        self.assertIn(GRANMA_EXCERPT, latest["changes"][1]["new"])
        # So does the admin's history.
        admin_history = self.client.get(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        self.assertContains(admin_history, "Citation added:")
        self.assertContains(admin_history, GRANMA_EXCERPT)

        # The revert screen previews the whole difference: the field and the citation.
        baseline = figure.history.get(version=1)
        url = f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/{baseline.history_id}/"
        screen = self.client.get(url)
        self.assertContains(screen, "What this revert changes")
        self.assertContains(screen, "<strong>year</strong>: <del>2025</del>", html=False)
        self.assertContains(screen, "<strong>citation removed</strong>", html=False)
        data = form_data(screen, "historicaltradefigure_form")
        data["change_reason"] = "the Granma article is about another year"
        self.assertRedirects(self.client.post(url, data), f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")

        figure.refresh_from_db()
        self.assertEqual((figure.year, figure.version), (None, 3))
        self.assertEqual(list(figure.citations.values_list("source__publisher", flat=True)), ["CiberCuba"])
        page = self.client.get(f"/trade/{VIETNAM_CUBA_TRADE}/").content.decode()
        facts_and_sources, public_history = page.split('id="history-heading"')
        self.assertIn("<dd>year not stated</dd>", facts_and_sources)
        self.assertNotIn("340 millones", facts_and_sources)  # the quote is gone from the page's sources…
        self.assertIn("<strong>citation removed</strong>", public_history)  # …and its removal is in the history
        revert = entry_history(figure)[0]
        self.assertEqual(revert["reason"], "Revert to version 1: the Granma article is about another year")
        self.assertEqual([c["field"] for c in revert["changes"]], ["year", "citation removed"])

    def test_a_revert_restores_a_removed_citation_and_a_changed_excerpt(self):
        pledge = Pledge.objects.get(pk=PART)
        first = pledge.citations.get()
        second_source = self.granma()
        services.citation_create(
            pledge=pledge, source=second_source, excerpt="80 millones", paragraph=2, user=self.editor, reason="second"
        )
        version = Pledge.objects.get(pk=PART).version
        services.citation_update(citation=first, data={"excerpt": "a wrong excerpt"}, user=self.editor, reason="typo")
        services.citation_delete(
            citation=pledge.citations.get(source=second_source), user=self.editor, reason="duplicate"
        )
        target = pledge.history.get(version=version)
        services.pledge_revert(pledge=pledge, history_id=target.history_id, user=self.editor, reason="undo")

        restored = {c.source.publisher: c.excerpt for c in Pledge.objects.get(pk=PART).citations.all()}
        self.assertEqual(restored, {"CiberCuba": Citation.objects.get(pk=first.pk).excerpt, "Granma": "80 millones"})
        self.assertNotEqual(restored["CiberCuba"], "a wrong excerpt")
        fields = [change["field"] for change in entry_history(pledge)[0]["changes"]]
        self.assertIn("citation added", fields)
        self.assertTrue(any(field.endswith(": excerpt") for field in fields), fields)

    def test_each_citation_change_is_a_new_version_of_its_entry(self):
        pledge = Pledge.objects.get(pk=GRANT)
        citation = pledge.citations.get()
        services.citation_update(citation=citation, data={"note": "the headline"}, user=self.editor, reason="note")
        pledge.refresh_from_db()
        self.assertEqual(pledge.version, 2)
        self.assertEqual(entry_history(pledge)[0]["reason"], "note")
        self.assertIn(": note", entry_history(pledge)[0]["changes"][0]["field"])


class NothingChangedTests(CitationVersionTestCase):
    def test_a_save_that_changes_nothing_records_nothing_for_every_entry_type(self):
        entries = [
            (Pledge.objects.get(pk=GRANT), services.pledge_update, "pledge", {"amount": "100000000.00"}),
            (TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE), services.trade_figure_update, "trade_figure", {}),
            (Statement.objects.get(pk=1), services.statement_update, "statement", {}),
        ]
        for entry, update, keyword, data in entries:
            with self.subTest(model=type(entry).__name__):
                before = (entry.history.count(), getattr(entry, "version", None), entry.updated_at)
                update(**{keyword: entry}, data=data, user=self.editor, reason="looked at it")
                entry.refresh_from_db()
                self.assertEqual((entry.history.count(), getattr(entry, "version", None), entry.updated_at), before)

    def test_an_unchanged_admin_form_saves_no_version(self):
        data = self.open_change_form(Pledge, GRANT)
        data["change_reason"] = "opened and saved"
        response = self.client.post(self.change_url(Pledge, GRANT), data, follow=True)
        self.assertContains(response, "so no new version was recorded")
        self.assertNotContains(response, "was changed successfully")
        pledge = Pledge.objects.get(pk=GRANT)
        self.assertEqual((pledge.version, pledge.history.count()), (1, 0))


class HonestFigureTests(CitationVersionTestCase):
    def test_a_zero_amount_needs_the_source_says_zero_and_a_reason(self):
        pledge = Pledge.objects.get(pk=GRANT)
        with self.assertRaises(ValidationError) as refused:
            services.pledge_update(pledge=pledge, data={"amount": Decimal("0")}, user=self.editor, reason="zero")
        self.assertIn("the source says zero", str(refused.exception.message_dict["amount"]).lower())
        self.assertEqual(Pledge.objects.get(pk=GRANT).amount, Decimal("100000000.00"))

        saved = services.pledge_update(
            pledge=pledge,
            data={"amount": Decimal("0")},
            user=self.editor,
            reason="the source says zero",
            zero_confirmed=True,
        )
        self.assertEqual(saved.amount, Decimal("0"))

    def test_the_admin_shows_the_zero_refusal_on_the_amount_and_accepts_the_confirmation(self):
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        data.update({"amount": "0", "change_reason": "no trade"})
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The source says zero")
        self.assertEqual(TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE).amount, Decimal("340000000.00"))

        data.update({"zero_confirmed": "on", "change_reason": "the source says zero"})
        self.assertRedirects(
            self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data), "/admin/ledger/tradefigure/"
        )
        self.assertEqual(TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE).amount, Decimal("0"))

    def test_a_usd_value_contradicting_a_usd_amount_is_refused_not_replaced(self):
        source = Source.objects.get(pk=1)
        with self.assertRaises(ValidationError) as refused:
            services.pledge_create(
                citations=[{"source": source, "excerpt": "100 million dollars"}],
                donor_id=2,
                recipient_id=1,
                kind="grant",
                amount=Decimal("100"),
                currency="USD",
                amount_usd=Decimal("90"),
                user=self.editor,
                reason="new",
            )
        self.assertIn("contradicts", refused.exception.message_dict["amount_usd"][0])
        self.assertFalse(Pledge.objects.filter(amount=Decimal("100")).exists())

    def test_the_usd_fields_are_read_only_for_an_amount_in_usd(self):
        self.client.force_login(self.editor)
        page = self.client.get(self.change_url(Pledge, GRANT))
        self.assertNotContains(page, 'name="amount_usd"')
        self.assertContains(page, 'name="amount"')


class CitationEntryFixedTests(CitationVersionTestCase):
    def test_a_citation_cannot_move_to_another_entry(self):
        citation = Pledge.objects.get(pk=GRANT).citations.get()
        with self.assertRaises(ValidationError):
            services.citation_update(
                citation=citation, data={"pledge": Pledge.objects.get(pk=5)}, user=self.editor, reason="move"
            )
        self.assertEqual(Citation.objects.get(pk=citation.pk).pledge_id, GRANT)

    def test_the_citation_admin_shows_its_entry_read_only(self):
        citation = Pledge.objects.get(pk=GRANT).citations.get()
        data = self.open_change_form(Citation, citation.pk)
        self.assertNotIn("pledge", data)
        data.update({"pledge": "5", "change_reason": "move it"})
        self.client.post(self.change_url(Citation, citation.pk), data)
        self.assertEqual(Citation.objects.get(pk=citation.pk).pledge_id, GRANT)
        self.assertEqual(Pledge.objects.get(pk=GRANT).citations.count(), 1)

    def test_the_last_citation_cannot_be_deleted(self):
        citation = Pledge.objects.get(pk=GRANT).citations.get()
        with self.assertRaises(ValidationError):
            services.citation_delete(citation=citation, user=self.superuser, reason="gone")
        self.assertTrue(Citation.objects.filter(pk=citation.pk).exists())


class CitationLockingTests(CitationVersionTestCase):
    def test_an_inline_citation_edit_on_a_stale_form_is_refused_and_saves_nothing(self):
        data = self.open_change_form(Pledge, GRANT)  # editor B opens the pledge
        citation = Pledge.objects.get(pk=GRANT).citations.get()
        services.citation_update(  # editor A fixes the excerpt in the citation admin
            citation=citation,
            data={"excerpt": "A's fixed excerpt"},
            user=self.other_editor,
            reason="typo",
            expected_updated_at=citation.updated_at,
        )
        data.update({"citations-0-note": "B's note", "change_reason": "note"})
        response = self.client.post(self.change_url(Pledge, GRANT), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this entry while you were editing it")
        self.assertContains(response, "excerpt: ")  # what changed in between: the citation's excerpt…
        self.assertContains(response, "A&#x27;s fixed excerpt")  # …and its new words
        citation.refresh_from_db()
        self.assertEqual((citation.excerpt, citation.note), ("A's fixed excerpt", ""))

    def test_a_citation_admin_edit_on_a_stale_citation_is_refused(self):
        citation = Pledge.objects.get(pk=GRANT).citations.get()
        data = self.open_change_form(Citation, citation.pk)
        services.citation_update(citation=citation, data={"note": "A"}, user=self.other_editor, reason="a")
        data.update({"excerpt": "B's excerpt", "change_reason": "b"})
        response = self.client.post(self.change_url(Citation, citation.pk), data)
        self.assertContains(response, "Someone else saved this entry while you were editing it")
        self.assertEqual(Citation.objects.get(pk=citation.pk).note, "A")


class PackagePartiesTests(CitationVersionTestCase):
    def test_a_package_with_parts_keeps_its_parties(self):
        package = Pledge.objects.get(pk=PACKAGE)
        with self.assertRaises(ValidationError) as refused:
            services.pledge_update(pledge=package, data={"donor_id": 3}, user=self.editor, reason="Vietnam")
        self.assertIn("Change the parts' donor or recipient first", refused.exception.message_dict["donor"][0])
        self.assertEqual(Pledge.objects.get(pk=PACKAGE).donor_id, 2)

    def test_the_admin_shows_the_refusal_on_the_donor(self):
        data = self.open_change_form(Pledge, PACKAGE)
        data.update({"donor": "3", "change_reason": "Vietnam"})
        response = self.client.post(self.change_url(Pledge, PACKAGE), data)
        self.assertContains(response, "Change the parts&#x27; donor or recipient first")
        self.assertEqual(Pledge.objects.get(pk=PACKAGE).donor_id, 2)
        self.assertEqual(Pledge.objects.get(pk=PART).donor_id, 2)
