"""The editors' admin as editors use it: corrections with a reason, history, revert, no lost updates."""

import threading
from decimal import Decimal
from unittest import mock, skipUnless

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, TestCase, TransactionTestCase

from ledger import services
from ledger.forms import ERROR_NO_REASON
from ledger.models import Citation, Pledge, Source, TradeFigure
from ledger.roles import ANALYSTS, EDITORS
from tests.admin_helpers import form_data

VIETNAM_CUBA_TRADE = 1  # fixture: "an exchange of approximately 340 million dollars", no year stated


def make_user(username, group=None, **fields):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


class AdminTestCase(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ana", EDITORS)
        cls.other_editor = make_user("bruno", EDITORS)
        cls.analyst = make_user("carla", ANALYSTS)
        cls.superuser = get_user_model().objects.create_superuser("root", password="pw")

    def change_url(self, model, pk):
        return f"/admin/ledger/{model._meta.model_name}/{pk}/change/"

    def open_change_form(self, model, pk, user=None):
        self.client.force_login(user or self.editor)
        response = self.client.get(self.change_url(model, pk))
        self.assertEqual(response.status_code, 200)
        return form_data(response, f"{model._meta.model_name}_form")


class CorrectionTests(AdminTestCase):
    def test_an_editor_corrects_a_figure_with_a_second_source_and_the_history_keeps_both_states(self):
        later = services.source_create(
            publisher="Granma",
            headline="Vietnam y Cuba: comercio en 2025",
            url="https://example.org/granma",
            published_on="2026-03-03",
            language="es",
            reason="A second source, for the test",
        )
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        data.update(
            {
                "year": "2025",
                "change_reason": "Granma (3 Mar 2026) gives the year: 2025",
                "citations-TOTAL_FORMS": str(int(data["citations-TOTAL_FORMS"]) + 1),
            }
        )
        new = int(data["citations-TOTAL_FORMS"]) - 1
        data.update(
            {
                f"citations-{new}-source": str(later.pk),
                f"citations-{new}-excerpt": "el intercambio comercial alcanzó 340 millones de dólares en 2025",
                f"citations-{new}-paragraph": "4",
                f"citations-{new}-note": "gives the year",
            }
        )
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertRedirects(response, "/admin/ledger/tradefigure/")

        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version), (2025, 2))
        self.assertEqual(sorted(figure.citations.values_list("source__publisher", flat=True)), ["CiberCuba", "Granma"])
        new_record, old_record = figure.history.order_by("-history_date")[:2]
        self.assertEqual((old_record.year, new_record.year), (None, 2025))
        self.assertEqual(
            (old_record.history_user, old_record.history_change_reason), (None, services.BASELINE_REASON)
        )  # the state before: nobody known made it
        self.assertEqual(new_record.history_user, self.editor)
        self.assertEqual(new_record.history_change_reason, "Granma (3 Mar 2026) gives the year: 2025")
        citation = figure.citations.get(source=later)
        self.assertEqual(citation.history.get().history_user, self.editor)

        history_page = self.client.get(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        self.assertContains(history_page, "Granma (3 Mar 2026) gives the year: 2025")
        self.assertContains(history_page, "ana")
        self.assertContains(history_page, "<strong>Year:</strong>\n                    —\n", html=False)
        self.assertNotContains(history_page, "None")
        self.assertNotContains(history_page, "<strong>Updated at:</strong>", html=False)
        self.assertNotContains(history_page, "<strong>Version:</strong>", html=False)

    def test_a_change_without_a_reason_is_refused_and_saves_nothing(self):
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        data.update({"year": "2025", "change_reason": ""})
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["adminform"].form.errors["change_reason"], [ERROR_NO_REASON])
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version, figure.history.count()), (None, 1, 0))

    def test_an_invalid_change_shows_the_error_on_the_field_and_saves_nothing(self):
        pledge = Pledge.objects.exclude(amount=None).first()
        data = self.open_change_form(Pledge, pledge.pk)
        data.update({"amount": "-5", "change_reason": "typo"})
        response = self.client.post(self.change_url(Pledge, pledge.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["adminform"].form.errors["amount"], ["The amount cannot be negative."])
        self.assertContains(response, "The amount cannot be negative.")
        stored = Pledge.objects.get(pk=pledge.pk)
        self.assertEqual((stored.amount, stored.version, stored.history.count()), (pledge.amount, 1, 0))


class ConcurrentEditTests(AdminTestCase):
    def test_the_second_of_two_editors_saving_the_same_entry_is_refused_with_what_changed(self):
        first = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE, user=self.editor)
        second = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE, user=self.other_editor)
        self.assertEqual(first["edit_token"], second["edit_token"])

        self.client.force_login(self.editor)
        first.update({"year": "2025", "change_reason": "a later article gives the year"})
        self.assertEqual(self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), first).status_code, 302)

        self.client.force_login(self.other_editor)
        second.update({"rank": "3", "change_reason": "rank corrected"})
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), second)
        self.assertEqual(response.status_code, 200)
        message = " ".join(response.context["adminform"].form.non_field_errors())
        self.assertIn("Someone else saved this entry while you were editing it (by ana", message)
        self.assertIn("a later article gives the year", message)
        self.assertIn("Nothing of yours was saved", message)
        self.assertIn("year: — → 2025", message)
        self.assertContains(response, "year: — → 2025")

        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.rank, figure.version), (2025, 2, 2))
        self.assertEqual(figure.history.count(), 2)  # the state before the first change, and ana's

    def test_a_form_without_its_version_is_refused(self):
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        data.update({"year": "2025", "change_reason": "x", "edit_token": ""})
        response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("edit_token", response.context["adminform"].form.errors)
        self.assertIsNone(TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE).year)

    def test_entries_without_a_version_are_protected_by_their_last_saved_time(self):
        source = Source.objects.get()
        notes_before = source.notes
        first = self.open_change_form(Source, source.pk, user=self.editor)
        second = self.open_change_form(Source, source.pk, user=self.other_editor)
        self.client.force_login(self.editor)
        first.update({"byline": "Redacción", "change_reason": "byline from the page"})
        self.assertEqual(self.client.post(self.change_url(Source, source.pk), first).status_code, 302)
        self.client.force_login(self.other_editor)
        second.update({"notes": "checked", "change_reason": "note"})
        response = self.client.post(self.change_url(Source, source.pk), second)
        self.assertContains(response, "Someone else saved this entry")
        self.assertContains(response, "byline: CiberCuba Editorial Team → Redacción")
        source.refresh_from_db()
        self.assertEqual((source.byline, source.notes), ("Redacción", notes_before))


class RevertTests(AdminTestCase):
    def edit(self, **changes):
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        return services.trade_figure_update(
            trade_figure=figure,
            data=changes,
            expected_version=figure.version,
            user=self.other_editor,
            reason="wrong year",
        )

    def test_an_editor_reverts_to_an_earlier_version_with_a_reason(self):
        services.trade_figure_update(
            trade_figure=TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE),
            data={"description": "Checked against the source."},
            expected_version=1,
            user=self.editor,
            reason="checked",
        )  # version 2: the state to go back to (a save that changes nothing would record nothing)
        self.edit(year=1999)  # version 3
        target = TradeFigure.history.get(id=VIETNAM_CUBA_TRADE, version=2)
        url = f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/{target.history_id}/"
        self.client.force_login(self.editor)
        page = self.client.get(url)
        self.assertContains(page, 'value="Revert"')
        data = form_data(page, "historicaltradefigure_form")
        self.assertEqual(data["edit_token"], "3")  # the version stored now, not the old one shown
        data["change_reason"] = "1999 was a typo"
        response = self.client.post(url, data)
        self.assertRedirects(response, f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")

        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version), (None, 4))
        latest = figure.history.order_by("-history_date").first()
        self.assertEqual(latest.history_user, self.editor)
        self.assertEqual(latest.history_change_reason, "Revert to version 2: 1999 was a typo")
        history_page = self.client.get(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        self.assertContains(history_page, "Revert to version 2: 1999 was a typo")

    def test_a_revert_without_a_reason_is_refused_and_changes_nothing(self):
        self.edit(year=1999)
        target = TradeFigure.history.get(id=VIETNAM_CUBA_TRADE, version=1)
        url = f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/{target.history_id}/"
        self.client.force_login(self.editor)
        data = form_data(self.client.get(url), "historicaltradefigure_form")
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE).year, 1999)

    def test_a_revert_opened_before_someone_else_saved_is_refused(self):
        self.edit(year=1999)  # version 2
        target = TradeFigure.history.get(id=VIETNAM_CUBA_TRADE, version=1)
        url = f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/{target.history_id}/"
        self.client.force_login(self.editor)
        data = form_data(self.client.get(url), "historicaltradefigure_form")
        self.edit(year=2001)  # version 3, saved while the revert screen was open
        data["change_reason"] = "back to no year"
        response = self.client.post(url, data)
        self.assertContains(response, "Someone else saved this entry")
        self.assertContains(response, "year: 1999 → 2001")
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version), (2001, 3))

    def test_an_analyst_cannot_revert(self):
        self.edit(year=1999)
        target = TradeFigure.history.get(id=VIETNAM_CUBA_TRADE, version=1)
        url = f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/{target.history_id}/"
        self.client.force_login(self.analyst)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'value="Revert"')
        response = self.client.post(url, {"change_reason": "sneaky", "edit_token": "2"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE).year, 1999)


class AddEntryTests(AdminTestCase):
    def add_form(self):
        self.client.force_login(self.editor)
        data = form_data(self.client.get("/admin/ledger/pledge/add/"), "pledge_form")
        from ledger.models import Actor

        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        data.update(
            {
                "donor": str(china.pk),
                "recipient": str(cuba.pk),
                "kind": "grant",
                "status": "announced",
                "amount": "1000000",
                "currency": "CNY",
                "change_reason": "new article",
            }
        )
        return data

    def test_an_editor_adds_a_pledge_with_its_citation_through_the_service(self):
        data = self.add_form()
        data.update(
            {
                "citations-0-source": str(Source.objects.get().pk),
                "citations-0-excerpt": "un millón de yuanes",
                "citations-0-paragraph": "3",
            }
        )
        response = self.client.post("/admin/ledger/pledge/add/", data)
        self.assertEqual(response.status_code, 302)
        pledge = Pledge.objects.latest("id")
        self.assertEqual(
            (pledge.amount, pledge.currency, pledge.amount_qualifier), (Decimal("1000000"), "CNY", "exact")
        )
        self.assertEqual(pledge.citations.get().excerpt, "un millón de yuanes")
        record = pledge.history.get()
        self.assertEqual((record.history_user, record.history_change_reason), (self.editor, "new article"))

    def test_a_pledge_without_a_citation_is_refused_and_nothing_is_saved(self):
        before = Pledge.objects.count()
        response = self.client.post("/admin/ledger/pledge/add/", self.add_form())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Every figure needs a source")
        self.assertEqual(Pledge.objects.count(), before)
        self.assertEqual(
            Citation.objects.filter(pledge=None, trade_figure=None, statement=None, engagement=None).count(), 0
        )


@skipUnless(connection.vendor == "postgresql", "needs row locks and a connection per thread (PostgreSQL)")
class TrulyConcurrentEditTests(TransactionTestCase):
    """Two editors' saves of the same entry racing in two threads, each on its own connection."""

    fixtures = ["cibercuba-2026-02-05"]

    def test_of_two_simultaneous_saves_exactly_one_lands(self):
        editors = [make_user("ana", EDITORS), make_user("bruno", EDITORS)]
        clients, forms = [], []
        for editor, year in zip(editors, ("2024", "2025")):
            client = Client()
            client.force_login(editor)
            data = form_data(client.get(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/change/"), "tradefigure_form")
            data.update({"year": year, "change_reason": f"year {year}"})
            clients.append(client)
            forms.append(data)
        start = threading.Barrier(2)
        statuses = [None, None]

        def save(index):
            try:
                start.wait()
                response = clients[index].post(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/change/", forms[index])
                statuses[index] = (response.status_code, "Someone else saved this entry" in response.content.decode())
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(sorted(statuses), [(200, True), (302, False)])
        winner = statuses.index((302, False))
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.version), (int(forms[winner]["year"]), 2))
        changes = figure.history.exclude(history_change_reason=services.BASELINE_REASON)
        self.assertEqual([record.history_user.username for record in changes], [editors[winner].username])


class StaleMessageTests(AdminTestCase):
    def test_the_refusal_reads_values_as_an_editor_would(self):
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        services.trade_figure_update(
            trade_figure=figure,
            data={"amount": Decimal("350000000"), "amount_usd": None, "flow": "exports"},
            expected_version=1,
            user=self.other_editor,
            reason="newer figure",
        )
        with self.assertRaises(services.StaleEditError) as caught:
            services.trade_figure_update(
                trade_figure=figure, data={"rank": 3}, expected_version=1, user=self.editor, reason="rank"
            )
        message = caught.exception.messages[0]
        self.assertIn("amount: 340,000,000 → 350,000,000", message)
        self.assertIn("flow: Total trade → Exports", message)
        self.assertIn("(by bruno, at ", message)
        self.assertIn("reason: \u201cnewer figure\u201d", message)


class RaceBehindTheFormTests(AdminTestCase):
    def test_a_save_that_lands_after_the_forms_check_is_refused_on_the_form_and_rolled_back(self):
        # The form checks the version without a lock; another save can land between that check and
        # the write (simulated here by letting the form's first check pass). The service, under the
        # row lock, refuses; the editor sees the refusal on the form and nothing of theirs is saved.
        later = services.source_create(
            publisher="Granma",
            headline="Comercio",
            url="https://example.org/granma",
            published_on="2026-03-03",
            language="es",
            reason="a second source",
        )
        data = self.open_change_form(TradeFigure, VIETNAM_CUBA_TRADE)
        services.trade_figure_update(
            trade_figure=TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE),
            data={"rank": 3},
            expected_version=1,
            user=self.other_editor,
            reason="newer ranking",
        )
        new = int(data["citations-TOTAL_FORMS"])
        data.update(
            {
                "year": "2025",
                "change_reason": "year from Granma",
                "citations-TOTAL_FORMS": str(new + 1),
                f"citations-{new}-source": str(later.pk),
                f"citations-{new}-excerpt": "en 2025",
                f"citations-{new}-paragraph": "4",
            }
        )
        real_check, checks = services.refuse_stale_edit, []

        def check_passing_once(**kwargs):
            checks.append(kwargs)
            if len(checks) > 1:  # the first check ran before the other save landed
                real_check(**kwargs)

        with mock.patch.object(services, "refuse_stale_edit", side_effect=check_passing_once):
            response = self.client.post(self.change_url(TradeFigure, VIETNAM_CUBA_TRADE), data)
        self.assertEqual(response.status_code, 200)
        message = " ".join(response.context["adminform"].form.non_field_errors())
        self.assertIn("Someone else saved this entry while you were editing it (by bruno", message)
        self.assertIn("rank: 2 → 3", message)
        self.assertContains(response, "rank: 2 → 3")
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        self.assertEqual((figure.year, figure.rank, figure.version), (None, 3, 2))
        self.assertFalse(figure.citations.filter(source=later).exists())
        self.assertFalse(figure.history.filter(history_change_reason="year from Granma").exists())


class ValueWordingTests(AdminTestCase):
    """A changed value reads the same in the admin's history, on the public page's history and in
    the stale-edit refusal (formatting.format_field_value): empty is "—", a flag is yes/no."""

    def test_history_and_refusal_word_empty_and_flags_alike(self):
        figure = TradeFigure.objects.get(pk=VIETNAM_CUBA_TRADE)
        services.trade_figure_update(
            trade_figure=figure,
            data={"year": 2025, "year_inferred": True},
            expected_version=1,
            user=self.other_editor,
            reason="year from Granma",
        )
        with self.assertRaises(services.StaleEditError) as caught:
            services.trade_figure_update(
                trade_figure=figure, data={"rank": 3}, expected_version=1, user=self.editor, reason="rank"
            )
        self.assertIn("year: — → 2025; year inferred: no → yes", caught.exception.messages[0])

        public = self.client.get(figure.get_absolute_url())
        self.assertContains(public, "<del>—</del> → <ins>2025</ins>", html=False)
        self.assertContains(public, "<del>no</del> → <ins>yes</ins>", html=False)
        self.assertNotContains(public, "<del>empty</del>", html=False)

        self.client.force_login(self.editor)
        admin_history = self.client.get(f"/admin/ledger/tradefigure/{VIETNAM_CUBA_TRADE}/history/")
        self.assertContains(admin_history, "<strong>Year:</strong>\n                    —\n", html=False)
        self.assertContains(admin_history, "<strong>Year inferred:</strong>\n                    no\n", html=False)
