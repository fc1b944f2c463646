"""Nothing is lost when an entry is deleted (services/deleting.py): the rows deleted with it (its
citations, an engagement's participants) are recorded with the same user, reason and time as the entry,
and the links the database would empty (a pledge's official, a statement's person or engagement) are
emptied through the update services, as new versions with a reason. A revert of a restored entry to a
version before its deletion brings its citations back; the maintained totals stay equal to a rebuild."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import TestCase

from ledger import history, services, summaries
from ledger.admin.base import BULK_DELETE_REASON, DELETE_REASON
from ledger.models import Citation, Delivery, Engagement, Participant, Person, Pledge, Statement, TradeFigure
from ledger.services.deleting import DETACHED_REASON

FIXTURE = "cibercuba-2026-02-05"
REASON = "Duplicate of another entry (test)"
# The seed article: pledge 5 has citation 5; trade figure 1 citation 6; statement 2 citations 10 and 11
# and engagement 2; engagement 2 has citations 15-18 and participants 4 and 5; Xi Jinping (person 12)
# is the official of pledges 1, 2 and 3 and takes part in no engagement.
PLEDGE, TRADE, STATEMENT, ENGAGEMENT, XI = 5, 1, 2, 2, 12


class DeleteHistoryTestCase(TestCase):
    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("root", password="x")

    def deletion(self, model, pk):
        return model.history.get(id=pk, history_type="-")

    def assertRecordedLike(self, records, entry_record, count):
        """`records` are `count` "-" records with the entry's user, reason and time."""
        records = list(records)
        self.assertEqual(len(records), count)
        for record in records:
            self.assertEqual(record.history_type, "-")
            self.assertEqual(
                (record.history_user_id, record.history_change_reason, record.history_date),
                (entry_record.history_user_id, entry_record.history_change_reason, entry_record.history_date),
            )


class CascadedRowsTests(DeleteHistoryTestCase):
    def test_a_pledges_citations_are_recorded_with_its_user_reason_and_time(self):
        services.pledge_delete(pledge=Pledge.objects.get(pk=PLEDGE), user=self.user, reason=REASON)
        entry = self.deletion(Pledge, PLEDGE)
        self.assertEqual((entry.history_user_id, entry.history_change_reason), (self.user.pk, REASON))
        self.assertRecordedLike(Citation.history.filter(pledge_id=PLEDGE, history_type="-"), entry, 1)
        # Loaded without history, the citation's state before the deletion is recorded too.
        self.assertTrue(Citation.history.filter(id=5, history_type="+").exists())
        self.assertFalse(Citation.objects.filter(pk=5).exists())
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    def test_a_trade_figures_and_a_statements_citations_are_recorded_alike(self):
        services.trade_figure_delete(trade_figure=TradeFigure.objects.get(pk=TRADE), user=self.user, reason=REASON)
        entry = self.deletion(TradeFigure, TRADE)
        self.assertRecordedLike(Citation.history.filter(trade_figure_id=TRADE, history_type="-"), entry, 1)

        services.statement_delete(statement=Statement.objects.get(pk=STATEMENT), user=self.user, reason=REASON)
        entry = self.deletion(Statement, STATEMENT)
        self.assertRecordedLike(Citation.history.filter(statement_id=STATEMENT, history_type="-"), entry, 2)

    def test_an_engagements_citations_and_participants_go_with_it_and_its_statements_are_detached(self):
        statement = Statement.objects.get(pk=STATEMENT)
        self.assertEqual(statement.engagement_id, ENGAGEMENT)
        services.engagement_delete(engagement=Engagement.objects.get(pk=ENGAGEMENT), user=self.user, reason=REASON)

        entry = self.deletion(Engagement, ENGAGEMENT)
        self.assertRecordedLike(Citation.history.filter(engagement_id=ENGAGEMENT, history_type="-"), entry, 4)
        self.assertRecordedLike(Participant.history.filter(engagement_id=ENGAGEMENT, history_type="-"), entry, 2)
        self.assertFalse(Participant.objects.filter(engagement_id=ENGAGEMENT).exists())

        statement.refresh_from_db()
        self.assertIsNone(statement.engagement_id)
        latest = Statement.history.filter(id=STATEMENT).latest("history_date", "history_id")
        self.assertEqual(
            (latest.history_type, latest.engagement_id, latest.history_user_id, latest.history_change_reason),
            ("~", None, self.user.pk, DETACHED_REASON.format(field="engagement", pk=ENGAGEMENT, reason=REASON)),
        )
        self.assertLessEqual(latest.history_date, entry.history_date)  # emptied before the deletion
        # The statement's state before (loaded without history) is recorded, still at its engagement.
        self.assertEqual(Statement.history.filter(id=STATEMENT, history_type="+").get().engagement_id, ENGAGEMENT)

    def test_deleting_a_person_empties_the_pledges_official_and_the_statements_person_as_versions(self):
        services.statement_update(
            statement=Statement.objects.get(pk=3), data={"person_id": XI}, user=self.user, reason="He said it (test)"
        )
        versions = dict(Pledge.objects.filter(official_id=XI).values_list("pk", "version"))
        self.assertEqual(sorted(versions), [1, 2, 3])

        services.person_delete(person=Person.objects.get(pk=XI), user=self.user, reason=REASON)

        why = DETACHED_REASON.format(field="official", pk=XI, reason=REASON)
        self.assertFalse(Pledge.objects.filter(official__isnull=False).exists())
        self.assertEqual(
            dict(Pledge.objects.filter(pk__in=versions).values_list("pk", "version")),
            {pk: version + 1 for pk, version in versions.items()},
        )
        for pk in versions:
            latest = Pledge.history.filter(id=pk).latest("history_date", "history_id")
            self.assertEqual(
                (latest.official_id, latest.history_user_id, latest.history_change_reason), (None, self.user.pk, why)
            )
        self.assertIsNone(Statement.objects.get(pk=3).person_id)
        latest = Statement.history.filter(id=3).latest("history_date", "history_id")
        self.assertEqual(latest.history_change_reason, DETACHED_REASON.format(field="person", pk=XI, reason=REASON))
        self.assertEqual(self.deletion(Person, XI).history_change_reason, REASON)
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    def test_a_deliverys_citation_deleted_with_its_entry_is_emptied_with_a_history_record(self):
        delivery = Delivery(pledge_id=4, amount=1000, currency="USD", citation_id=5)
        delivery._history_user, delivery._change_reason = self.user, "Delivered (test)"
        delivery.save()
        services.pledge_delete(pledge=Pledge.objects.get(pk=PLEDGE), user=self.user, reason=REASON)
        delivery.refresh_from_db()
        self.assertIsNone(delivery.citation_id)
        latest = delivery.history.latest("history_date", "history_id")
        self.assertEqual(
            (latest.history_type, latest.citation_id, latest.history_user_id, latest.history_change_reason),
            ("~", None, self.user.pk, DETACHED_REASON.format(field="citation", pk=5, reason=REASON)),
        )

    def test_a_refused_delete_changes_nothing(self):
        # A person who took part in an engagement cannot be deleted (PROTECT): the statement they made
        # keeps its person, and nothing is recorded.
        records = Statement.history.count()
        with self.assertRaises(ProtectedError):
            services.person_delete(person=Person.objects.get(pk=4), user=self.user, reason=REASON)
        self.assertEqual(Statement.objects.get(pk=1).person_id, 4)
        self.assertEqual(Statement.history.count(), records)
        self.assertFalse(Person.history.filter(history_type="-").exists())

    def test_no_reason_no_delete(self):
        with self.assertRaises(ValidationError):
            services.engagement_delete(engagement=Engagement.objects.get(pk=ENGAGEMENT), user=self.user, reason=" ")
        self.assertTrue(Engagement.objects.filter(pk=ENGAGEMENT).exists())
        self.assertEqual(Statement.objects.get(pk=STATEMENT).engagement_id, ENGAGEMENT)


class AdminDeleteTests(DeleteHistoryTestCase):
    def setUp(self):
        self.client.force_login(self.user)

    def test_the_admins_delete_records_the_citations_with_the_editor_and_its_reason(self):
        response = self.client.post(f"/admin/ledger/pledge/{PLEDGE}/delete/", {"post": "yes"}, follow=True)
        self.assertEqual(response.status_code, 200)
        entry = self.deletion(Pledge, PLEDGE)
        self.assertEqual((entry.history_user_id, entry.history_change_reason), (self.user.pk, DELETE_REASON))
        self.assertRecordedLike(Citation.history.filter(pledge_id=PLEDGE, history_type="-"), entry, 1)

    def test_the_admins_bulk_delete_records_participants_and_citations_and_detaches_statements(self):
        response = self.client.post(
            "/admin/ledger/engagement/",
            {"action": "delete_selected", "_selected_action": ["2", "4"], "post": "yes"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        reason = BULK_DELETE_REASON.format(count=2)
        for pk, citations, participants in ((2, 4, 2), (4, 1, 3)):
            entry = self.deletion(Engagement, pk)
            self.assertEqual(entry.history_change_reason, reason)
            self.assertRecordedLike(Citation.history.filter(engagement_id=pk, history_type="-"), entry, citations)
            self.assertRecordedLike(Participant.history.filter(engagement_id=pk, history_type="-"), entry, participants)
        latest = Statement.history.filter(id=STATEMENT).latest("history_date", "history_id")
        self.assertEqual(latest.history_change_reason, DETACHED_REASON.format(field="engagement", pk=2, reason=reason))

    def test_the_history_of_a_deleted_entry_lists_its_citations_removed_with_the_deletion(self):
        services.pledge_delete(pledge=Pledge.objects.get(pk=PLEDGE), user=self.user, reason=REASON)
        response = self.client.get(f"/admin/ledger/pledge/{PLEDGE}/history/")
        self.assertEqual(response.status_code, 200)
        deleted = next(r for r in response.context["page_obj"] if r.history_type == "-")
        self.assertEqual([change["field"] for change in deleted.citation_changes], ["citation removed"])


class RevertOfADeletionTests(DeleteHistoryTestCase):
    def test_a_restored_entry_reverted_to_its_last_version_gets_its_citations_back(self):
        pledge = Pledge.objects.get(pk=PLEDGE)
        services.citation_create(
            pledge=pledge, source_id=1, excerpt="a second excerpt", paragraph=2, note="", user=self.user, reason="more"
        )
        pledge.refresh_from_db()
        self.assertEqual(pledge.version, 2)
        before = sorted(pledge.citations.values_list("pk", "source_id", "excerpt", "paragraph", "note"))
        self.assertEqual(len(before), 2)
        last_version = Pledge.history.get(id=PLEDGE, version=2, history_type="~")

        services.pledge_delete(pledge=pledge, user=self.user, reason=REASON)
        deleted = self.deletion(Pledge, PLEDGE)

        # Restored with its id (as an import of an earlier export does), then reverted to the version
        # it had before the deletion: its fields and both citations (their ids too) come back.
        services.pledge_create(
            id=PLEDGE,
            citations=[{"source_id": 1, "excerpt": "restored from an export", "paragraph": 1, "note": ""}],
            user=self.user,
            reason="restore (test)",
            **history.restored_values(Pledge, deleted),
        )
        restored = Pledge.objects.get(pk=PLEDGE)
        preview = services.revert_preview(restored, last_version)
        self.assertEqual(
            sorted(c["field"] for c in preview), ["citation removed", "citation restored", "citation restored"]
        )
        services.pledge_revert(
            pledge=restored, history_id=last_version.history_id, user=self.user, reason="undo (test)"
        )

        restored.refresh_from_db()
        self.assertEqual(
            sorted(restored.citations.values_list("pk", "source_id", "excerpt", "paragraph", "note")), before
        )
        self.assertEqual(history.changed_values(Pledge, last_version.instance, restored), {})
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())


class CitationRemovalTests(DeleteHistoryTestCase):
    def test_removing_a_citation_a_delivery_reports_empties_its_link_with_a_record(self):
        services.citation_create(
            pledge_id=4, source_id=1, excerpt="delivered", paragraph=3, note="", user=self.user, reason="more"
        )
        citation = Citation.objects.filter(pledge_id=4).latest("pk")
        delivery = Delivery(pledge_id=4, amount=1000, currency="USD", citation=citation)
        delivery._history_user, delivery._change_reason = self.user, "Delivered (test)"
        delivery.save()
        services.citation_delete(citation=citation, user=self.user, reason=REASON)
        latest = delivery.history.latest("history_date", "history_id")
        self.assertEqual(
            (latest.citation_id, latest.history_change_reason),
            (None, DETACHED_REASON.format(field="citation", pk=citation.pk, reason=REASON)),
        )
        removed = Citation.history.get(id=citation.pk, history_type="-")
        self.assertEqual(removed.history_date, Pledge.history.filter(id=4).latest("history_date").history_date)
