from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase

from ledger import services
from ledger.models import Citation, Pledge
from tests import factories


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
        with self.assertRaisesMessage(ValidationError, "Every figure needs a source"):
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

    def test_an_update_against_an_old_version_is_refused(self):
        pledge = self.create()
        services.pledge_update(pledge=pledge, data={"amount": Decimal("7")}, expected_version=1, user=self.editor)
        with self.assertRaises(services.StaleEditError) as caught:
            services.pledge_update(pledge=pledge, data={"status": "disbursed"}, expected_version=1, user=self.editor)
        self.assertIn("amount", caught.exception.changes)
        pledge.refresh_from_db()
        self.assertEqual((pledge.amount, pledge.status, pledge.version), (Decimal("7"), "announced", 2))

    def test_an_invalid_update_changes_nothing(self):
        pledge = self.create()
        with self.assertRaises(ValidationError):
            services.pledge_update(pledge=pledge, data={"recipient": self.china}, user=self.editor)
        pledge.refresh_from_db()
        self.assertEqual((pledge.recipient, pledge.version), (self.cuba, 1))
