"""The engagements' admin list at scale: its side filters take an actor's code (no list of every actor
in the sidebar) and its query count does not grow with the number of actors or engagements."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ledger import services
from ledger.models import Actor, Engagement, Source
from ledger.roles import EDITORS
from tests import factories
from tests.test_admin_lists import warm_content_types

LIST = "/admin/ledger/engagement/"


class EngagementAdminListTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_user("ana", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITORS))

    def setUp(self):
        self.client.force_login(self.editor)
        warm_content_types()

    def queries(self, path, params=None):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path, params or {})
        self.assertEqual(response.status_code, 200)
        return response, len(queries)

    def test_the_side_filters_take_a_code_instead_of_listing_every_actor(self):
        for number in range(40):
            factories.actor(f"T{number:02d}", f"Uninvolved actor {number}", kind=Actor.Kind.GOVERNMENT_BODY)
        response, _ = self.queries(LIST)
        self.assertNotContains(response, "Uninvolved actor")
        self.assertNotContains(response, "side_a__id__exact")
        self.assertContains(response, 'name="side_a_code"')
        self.assertContains(response, 'name="side_b_code"')

    def test_filtering_by_a_sides_code(self):
        cuba = Actor.objects.get(code="CUB")
        expected = Engagement.objects.filter(side_a=cuba)
        self.assertTrue(expected.exists())
        self.assertTrue(Engagement.objects.exclude(side_a=cuba).exists())
        response, _ = self.queries(LIST, {"side_a_code": "cub"})
        shown = list(response.context["cl"].result_list)
        self.assertEqual(sorted(e.pk for e in shown), sorted(expected.values_list("pk", flat=True)))
        self.assertContains(response, 'value="CUB"')

    def test_engagement_list_runs_nine_queries_whatever_the_number_of_actors_and_engagements(self):
        # session, user, the user's own and group permissions, the capped count, the page's rows, then
        # their side A, side B and place countries (one query each).
        with self.assertNumQueries(9):
            self.client.get(LIST)
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        source = Source.objects.get()
        for number in range(20):
            factories.actor(f"T{number:02d}", f"Another actor {number}", kind=Actor.Kind.GOVERNMENT_BODY)
            services.engagement_create(
                user=self.editor,
                reason="test",
                kind=Engagement.Kind.PHONE_CALL,
                side_a=china,
                side_b=cuba,
                citations=[{"source": source, "excerpt": f"call {number}"}],
            )
        with self.assertNumQueries(9):
            self.client.get(LIST)
        with self.assertNumQueries(8):  # these calls have no place: no place countries to fetch
            self.client.get(LIST, {"side_a_code": "CHN", "side_b_code": "CUB"})
