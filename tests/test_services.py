"""The write services: validation, one transaction, a reason for every change, the row lock and the
version check, and the history's who and why, for the admin and the importer alike."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import TestCase

from ledger import exports, imports, services
from ledger.models import Actor, Citation, Pledge, Source
from ledger.roles import EDITORS
from tests import factories
from tests.admin_helpers import form_data


class ServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.source = factories.source()
        cls.editor = get_user_model().objects.create_user("editor")

    def create(self, **fields):
        base = dict(
            donor=self.china,
            recipient=self.cuba,
            kind="grant",
            amount=Decimal("5"),
            currency="USD",
            citations=[dict(source=self.source, excerpt="five dollars", paragraph=2)],
        )
        return services.pledge_create(user=self.editor, reason="seed", **{**base, **fields})

    def test_create_fills_usd_value_and_records_who_and_why(self):
        pledge = self.create()
        self.assertEqual(pledge.amount_usd, Decimal("5"))
        self.assertEqual(pledge.amount_qualifier, "exact")
        record = pledge.history.get()
        self.assertEqual((record.history_user, record.history_change_reason), (self.editor, "seed"))

    def test_a_figure_without_a_citation_is_refused(self):
        with self.assertRaisesMessage(ValidationError, services.ERROR_NO_CITATION):
            self.create(citations=[])
        self.assertFalse(Pledge.objects.exists())

    def test_a_bad_citation_rolls_back_the_pledge(self):
        with self.assertRaises(ValidationError):
            self.create(citations=[dict(source=self.source, excerpt="")])
        self.assertFalse(Pledge.objects.exists())
        self.assertFalse(Citation.objects.exists())

    def test_update_bumps_the_version_and_keeps_the_old_state(self):
        pledge = self.create()
        updated = services.pledge_update(
            pledge=pledge,
            data={"amount": Decimal("7"), "amount_usd": None},
            expected_version=1,
            user=self.editor,
            reason="a later source",
        )
        self.assertEqual((updated.amount, updated.amount_usd, updated.version), (Decimal("7"), Decimal("7"), 2))
        self.assertEqual([h.amount for h in pledge.history.order_by("history_date")], [Decimal("5"), Decimal("7")])

    def test_an_update_against_an_old_version_is_refused_and_writes_nothing(self):
        pledge = self.create()
        services.pledge_update(
            pledge=pledge, data={"amount": Decimal("7")}, expected_version=1, user=self.editor, reason="newer"
        )
        with self.assertRaises(services.StaleEditError) as caught:
            services.pledge_update(
                pledge=pledge, data={"status": "disbursed"}, expected_version=1, user=self.editor, reason="stale"
            )
        self.assertIn("amount", caught.exception.changes)
        self.assertIn("amount: 5 → 7", caught.exception.messages[0])
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.status, pledge.version), (Decimal("7"), "announced", 2))
        self.assertFalse(pledge.history.filter(history_change_reason="stale").exists())
        self.assertEqual(pledge.history.count(), 2)

    def test_a_stale_revert_is_refused_and_writes_nothing(self):
        pledge = self.create()
        first = pledge.history.get()
        services.pledge_update(
            pledge=pledge, data={"amount": Decimal("7")}, expected_version=1, user=self.editor, reason="newer"
        )
        with self.assertRaises(services.StaleEditError):
            services.pledge_revert(
                pledge=pledge, history_id=first.history_id, expected_version=1, user=self.editor, reason="undo"
            )
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.version, pledge.history.count()), (Decimal("7"), 2, 2))

    def test_a_revert_brings_back_the_old_values_as_a_new_version_with_its_reason(self):
        pledge = self.create()
        first = pledge.history.get()
        services.pledge_update(
            pledge=pledge, data={"amount": Decimal("7")}, expected_version=1, user=self.editor, reason="newer"
        )
        reverted = services.pledge_revert(
            pledge=pledge, history_id=first.history_id, expected_version=2, user=self.editor, reason="misread"
        )
        self.assertEqual((reverted.amount, reverted.version), (Decimal("5"), 3))
        self.assertEqual(pledge.history.latest().history_change_reason, "Revert to version 1: misread")

    def test_an_update_without_a_reason_is_refused_and_writes_nothing(self):
        pledge = self.create()
        for reason in ("", "   "):
            with self.subTest(reason=reason), self.assertRaisesMessage(ValidationError, services.ERROR_NO_REASON):
                services.pledge_update(
                    pledge=pledge, data={"amount": Decimal("7")}, expected_version=1, user=self.editor, reason=reason
                )
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.version, pledge.history.count()), (Decimal("5"), 1, 1))

    def test_every_kind_of_change_needs_a_reason(self):
        pledge = self.create()
        citation = pledge.citations.get()
        refused = {
            "actor_update": lambda: services.actor_update(actor=self.china, data={"name": "PRC"}, reason=""),
            "source_update": lambda: services.source_update(source=self.source, data={"byline": "X"}, reason=""),
            "citation_update": lambda: services.citation_update(citation=citation, data={"note": "n"}, reason=""),
            "pledge_revert": lambda: services.pledge_revert(
                pledge=pledge, history_id=pledge.history.get().history_id, reason=""
            ),
            "pledge_delete": lambda: services.pledge_delete(pledge=pledge, reason=""),
            "citations_replace": lambda: services.citations_replace(
                entry=pledge, citations=[dict(source=self.source, excerpt="new words")], reason=""
            ),
        }
        for name, write in refused.items():
            with self.subTest(name), self.assertRaisesMessage(ValidationError, services.ERROR_NO_REASON):
                write()
        self.assertEqual((Actor.objects.get(code="CHN").name, Source.objects.get().byline), ("China", ""))
        self.assertEqual(list(Citation.objects.values_list("excerpt", "note")), [("five dollars", "")])
        self.assertEqual((Pledge.objects.get().version, Pledge.history.count()), (1, 1))

    def test_an_invalid_update_changes_nothing(self):
        pledge = self.create()
        with self.assertRaises(ValidationError):
            services.pledge_update(pledge=pledge, data={"recipient": self.china}, user=self.editor, reason="oops")
        pledge.refresh_from_db()
        self.assertEqual((pledge.recipient, pledge.version, pledge.history.count()), (self.cuba, 1, 1))


class OneSavePathTests(TestCase):
    """The admin and the importer save through the same services: the same change leaves the same
    history (the state before, recorded once; then who and why) and the same version."""

    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_user("ana", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITORS))

    def history_of(self, pledge):
        return [
            (record.history_user, record.history_change_reason, record.status)
            for record in pledge.history.order_by("history_date", "history_id")
        ]

    def test_the_admin_and_the_importer_record_a_change_alike(self):
        by_admin, by_import = Pledge.objects.filter(status="committed").order_by("pk")[:2]  # loaded without history

        self.client.force_login(self.editor)
        url = f"/admin/ledger/pledge/{by_admin.pk}/change/"
        data = form_data(self.client.get(url), "pledge_form")
        data.update({"status": "disbursed", "change_reason": "disbursed per a later article"})
        self.assertEqual(self.client.post(url, data).status_code, 302)

        text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.filter(pk=by_import.pk))).decode()
        header, row = text.splitlines()[:2]
        row = row.replace(",committed,", ",disbursed,")
        result = imports.import_texts(
            [("pledges.csv", f"{header}\n{row}\n")], user=self.editor, reason="disbursed per a later article"
        )
        self.assertTrue(result.written, result.problems)

        expected = [
            (None, services.BASELINE_REASON, "committed"),
            (self.editor, "disbursed per a later article", "disbursed"),
        ]
        for pledge in (by_admin, by_import):
            pledge.refresh_from_db()
            self.assertEqual((pledge.status, pledge.version), ("disbursed", 2))
            self.assertEqual(self.history_of(pledge), expected)
