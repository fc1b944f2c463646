"""The admin's bulk "delete selected" goes through the services like the single delete: an entry keeps
its last citation (the bulk delete is refused, naming the entries, and deletes nothing), every row is
recorded with who and why, the maintained totals stay equal to a rebuild, and links the database would
empty (on_delete=SET_NULL) are emptied through the services, with a version and a history record."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import TestCase

from ledger import services, summaries
from ledger.admin.base import BULK_DELETE_REASON, DELETE_REASON
from ledger.models import Actor, Alias, Citation, Engagement, Person, Pledge, Source, Statement
from ledger.services.deleting import DETACHED_REASON

FIXTURE = "cibercuba-2026-02-05"


class BulkDeleteTests(TestCase):
    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cls.superuser = get_user_model().objects.create_superuser("root", password="x")

    def setUp(self):
        self.client.force_login(self.superuser)

    def bulk_delete(self, model_name, pks):
        """Confirm "delete selected" on the list of `model_name`, following the redirect."""
        return self.client.post(
            f"/admin/ledger/{model_name}/",
            {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
            follow=True,
        )

    def messages(self, response):
        return [str(message) for message in response.context["messages"]]

    def versions(self, model, pks):
        return dict(model.objects.filter(pk__in=pks).values_list("pk", "version"))

    # --- citations ----------------------------------------------------------------------------

    def test_bulk_delete_of_an_entrys_last_citation_is_refused_naming_the_entries_and_deletes_nothing(self):
        # Citation 4 is pledge 4's only one; 13 and 14 are engagement 1's two; 10 is one of statement 2's two.
        selected = [4, 10, 13, 14]
        versions = self.versions(Pledge, [4]) | {"engagement": self.versions(Engagement, [1])[1]}
        response = self.bulk_delete("citation", selected)
        self.assertEqual(response.status_code, 200)
        [message] = self.messages(response)
        self.assertIn("Nothing was deleted", message)
        self.assertIn(f"pledge #4 ({Pledge.objects.get(pk=4)})", message)
        self.assertIn(f"engagement #1 ({Engagement.objects.get(pk=1)})", message)
        self.assertNotIn("statement #2", message)  # it keeps citation 11
        self.assertIn("last citation cannot be deleted", message)
        self.assertEqual(Citation.objects.filter(pk__in=selected).count(), 4)
        self.assertEqual(self.versions(Pledge, [4]) | {"engagement": self.versions(Engagement, [1])[1]}, versions)
        self.assertFalse(Citation.history.filter(history_type="-").exists())
        self.assertFalse(LogEntry.objects.exists())  # the admin's log of the deletions is rolled back too

    def test_bulk_delete_of_citations_that_leave_every_entry_a_source_deletes_them_as_new_versions(self):
        response = self.bulk_delete("citation", [10, 15, 16])
        self.assertEqual(self.messages(response), ["Successfully deleted 3 citations."])
        self.assertFalse(Citation.objects.filter(pk__in=[10, 15, 16]).exists())
        self.assertEqual(Statement.objects.get(pk=2).citations.count(), 1)
        self.assertEqual(Engagement.objects.get(pk=2).citations.count(), 2)
        reason = BULK_DELETE_REASON.format(count=3)
        removed = Citation.history.filter(history_type="-")
        self.assertEqual(
            sorted(removed.values_list("id", "history_user", "history_change_reason")),
            [(pk, self.superuser.pk, reason) for pk in (10, 15, 16)],
        )
        latest = Engagement.history.filter(id=2).latest("history_date")
        self.assertEqual((latest.history_change_reason, latest.version), (reason, 3))  # one version a citation
        self.assertEqual(LogEntry.objects.count(), 3)

    def test_single_delete_of_the_last_citation_is_still_refused(self):
        response = self.client.post("/admin/ledger/citation/4/delete/", {"post": "yes"}, follow=True)
        self.assertIn(services.ERROR_NO_CITATION, " ".join(self.messages(response)))
        self.assertTrue(Citation.objects.filter(pk=4).exists())

    # --- entries --------------------------------------------------------------------------------

    def test_bulk_delete_of_pledges_records_who_and_why_and_keeps_the_totals_exact(self):
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())
        response = self.bulk_delete("pledge", [2, 4])  # 2 is a part of package 1
        self.assertEqual(self.messages(response), ["Successfully deleted 2 pledges."])
        self.assertEqual(sorted(Pledge.objects.values_list("pk", flat=True)), [1, 3, 5])
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())
        reason = BULK_DELETE_REASON.format(count=2)
        deleted = Pledge.history.filter(history_type="-")
        self.assertEqual(
            sorted(deleted.values_list("id", "history_user", "history_change_reason")),
            [(2, self.superuser.pk, reason), (4, self.superuser.pk, reason)],
        )
        self.assertFalse(Citation.objects.filter(pk__in=[2, 4]).exists())

    def test_bulk_delete_of_a_package_with_parts_is_refused_before_anything_is_deleted(self):
        response = self.bulk_delete("pledge", [1, 4])
        self.assertContains(response, "Cannot delete")
        self.assertEqual(Pledge.objects.count(), 5)
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    def test_bulk_delete_of_an_engagement_detaches_its_statements_through_the_services(self):
        statement = Statement.objects.get(pk=2)
        self.assertEqual(statement.engagement_id, 2)
        response = self.bulk_delete("engagement", [2, 4])
        self.assertEqual(self.messages(response), ["Successfully deleted 2 engagements."])
        self.assertFalse(Engagement.objects.filter(pk__in=[2, 4]).exists())
        statement.refresh_from_db()
        self.assertIsNone(statement.engagement_id)
        latest = Statement.history.filter(id=2).latest("history_date")
        self.assertEqual(
            (latest.engagement_id, latest.history_user_id, latest.history_change_reason),
            (
                None,
                self.superuser.pk,
                DETACHED_REASON.format(field="engagement", pk=2, reason=BULK_DELETE_REASON.format(count=2)),
            ),
        )
        deleted = Engagement.history.filter(history_type="-").values_list("id", "history_change_reason")
        self.assertEqual(
            sorted(deleted), [(2, BULK_DELETE_REASON.format(count=2)), (4, BULK_DELETE_REASON.format(count=2))]
        )

    def test_deleting_a_person_empties_the_pledges_official_as_new_versions(self):
        versions = self.versions(Pledge, [1, 2, 3])
        response = self.client.post("/admin/ledger/person/12/delete/", {"post": "yes"}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Person.objects.filter(pk=12).exists())
        self.assertFalse(Pledge.objects.filter(official__isnull=False).exists())
        self.assertEqual(self.versions(Pledge, [1, 2, 3]), {pk: version + 1 for pk, version in versions.items()})
        reasons = Pledge.history.filter(id__in=[1, 2, 3], history_type="~").values_list("history_change_reason")
        self.assertEqual(set(reasons), {(DETACHED_REASON.format(field="official", pk=12, reason=DELETE_REASON),)})
        self.assertEqual(
            Person.history.filter(history_type="-").values_list("history_change_reason", flat=True).get(),
            DELETE_REASON,
        )
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    # --- the directory --------------------------------------------------------------------------

    def test_bulk_delete_of_actors_and_sources_is_recorded_with_a_reason(self):
        new = [
            services.actor_create(user=self.superuser, reason="test", code=code, name=code, kind="government_body")
            for code in ("TST-A", "TST-B")
        ]
        response = self.bulk_delete("actor", [actor.pk for actor in new])
        self.assertEqual(self.messages(response), ["Successfully deleted 2 actors."])
        self.assertEqual(
            set(Actor.history.filter(history_type="-").values_list("code", "history_change_reason")),
            {("TST-A", BULK_DELETE_REASON.format(count=2)), ("TST-B", BULK_DELETE_REASON.format(count=2))},
        )
        source = services.source_create(
            user=self.superuser,
            reason="test",
            publisher="Granma",
            headline="Nothing cites it",
            url="https://example.org/uncited",
            published_on="2026-03-03",
            language="es",
        )
        self.bulk_delete("source", [source.pk])
        record = Source.history.filter(history_type="-").get()
        self.assertEqual((record.id, record.history_change_reason), (source.pk, DELETE_REASON))

    def test_bulk_delete_of_a_cited_source_is_refused_by_its_protection(self):
        response = self.bulk_delete("source", [Source.objects.get().pk])
        self.assertContains(response, "Cannot delete")
        self.assertTrue(Source.objects.exists())

    def test_bulk_delete_of_aliases_is_recorded_with_a_reason(self):
        alias = Alias(alias="Pekín", code="CHN")
        alias._change_reason = "test"
        alias.save()
        self.bulk_delete("alias", [alias.pk])
        record = Alias.history.filter(history_type="-").get()
        self.assertEqual((record.history_user_id, record.history_change_reason), (self.superuser.pk, DELETE_REASON))
