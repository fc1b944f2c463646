"""The admin's lists and forms: an entry at a glance, filters, search, autocomplete, and query counts
that do not grow with the number of rows (the list never runs a full COUNT(*))."""

import json
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ledger.admin import CappedCountPaginator
from ledger.models import Actor, Pledge, Source
from ledger.roles import EDITORS
from tests import factories


def warm_content_types():
    """Django caches content types per process, so whether a page looks one up depends on the tests
    that ran before; warming the cache makes the pinned counts the same in any order."""
    ContentType.objects.get_for_models(*apps.get_app_config("ledger").get_models(), get_user_model())


class AdminListTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_user("ana", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITORS))

    def setUp(self):
        self.client.force_login(self.editor)
        warm_content_types()

    def test_pledge_list_shows_each_entry_at_a_glance(self):
        response = self.client.get("/admin/ledger/pledge/")
        for text in (
            "China → Cuba",
            "Vietnam → Cuba",
            "USD 80 million",
            "60,000 t of rice (value not stated)",
            "end of Jan 2026 (year inferred)",
            "Sep 2025 (year inferred)",
            "Committed",
            "package (total not stated)",
        ):
            self.assertContains(response, text)
        self.assertContains(response, '<a href="/pledges/2/">public page</a>', html=True)
        public = self.client.get("/pledges/2/")
        self.assertEqual(public.status_code, 200)
        self.assertContains(public, "USD 80 million")

    def test_trade_list_shows_parties_value_and_period(self):
        response = self.client.get("/admin/ledger/tradefigure/")
        for text in (
            "Vietnam – Cuba",
            "≈ USD 340 million",
            "year not stated",
            "no figure stated",
            "Cuba&#x27;s second-largest trading partner",
        ):
            self.assertContains(response, text)

    def test_search_and_filters_keep_only_the_matching_pledges(self):
        response = self.client.get("/admin/ledger/pledge/", {"q": "Vietnam"})
        self.assertContains(response, "Vietnam → Cuba")
        self.assertNotContains(response, "China → Cuba")
        response = self.client.get("/admin/ledger/pledge/", {"kind__exact": "in_kind"})
        self.assertContains(response, "60,000 t of rice")
        self.assertNotContains(response, "USD 80 million")
        response = self.client.get("/admin/ledger/pledge/", {"donor__id__exact": Actor.objects.get(code="VNM").pk})
        self.assertContains(response, "USD 15 million")
        self.assertNotContains(response, "USD 80 million")

    def autocomplete(self, model_name, field_name, term):
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "app_label": "ledger",
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )
        self.assertEqual(response.status_code, 200)
        return [result["text"] for result in json.loads(response.content)["results"]]

    def test_autocomplete_finds_actors_and_sources(self):
        self.assertEqual(self.autocomplete("pledge", "donor", "Vietn"), ["Communist Party of Vietnam", "Vietnam"])
        self.assertIn("Cuba", self.autocomplete("tradefigure", "partner", "CUB"))
        self.assertEqual(len(self.autocomplete("citation", "source", "CiberCuba")), 1)

    def test_package_autocomplete_offers_only_packages(self):
        self.assertEqual(self.autocomplete("pledge", "package", "China"), [str(Pledge.objects.get(pk=1))])

    def changelist_queries(self, path):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(path).status_code, 200)
        return len(queries)

    def test_changelist_queries_do_not_grow_with_rows(self):
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        source = Source.objects.get()
        few = self.changelist_queries("/admin/ledger/pledge/")
        for _ in range(30):
            factories.pledge(china, cuba, src=source)
        self.assertEqual(self.changelist_queries("/admin/ledger/pledge/"), few)

    def test_pledge_list_runs_eight_queries(self):
        # session, user, the user's own and group permissions, the capped count, the page's rows, then
        # their donors and recipients. The actor side filters take a code: no list of every actor.
        with self.assertNumQueries(8):
            self.client.get("/admin/ledger/pledge/")

    def test_trade_list_runs_eight_queries(self):
        with self.assertNumQueries(8):
            self.client.get("/admin/ledger/tradefigure/")

    def test_pledge_change_form_runs_eleven_queries(self):
        # session, user, the pledge with its parties, permissions (own, group), its citations, the
        # autocomplete widgets' selected donor, recipient, package and official, the citations' sources.
        with self.assertNumQueries(11):
            self.client.get("/admin/ledger/pledge/2/change/")

    def test_pledge_add_form_runs_four_queries(self):
        with self.assertNumQueries(4):  # session, user, permissions (own, group)
            self.client.get("/admin/ledger/pledge/add/")

    def test_the_list_never_counts_the_whole_table(self):
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/admin/ledger/pledge/")
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        self.assertEqual(len(counts), 1)
        self.assertIn("LIMIT", counts[0].upper())

    def test_past_the_cap_the_list_says_more_than(self):
        with mock.patch.object(CappedCountPaginator, "cap", 3):
            response = self.client.get("/admin/ledger/pledge/")
        self.assertContains(response, "more than 3 pledges (filter or search to narrow the list)")
        response = self.client.get("/admin/ledger/pledge/")
        self.assertContains(response, "5 pledges")


class AdminHistoryPageQueryTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_user("ana", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITORS))

    def setUp(self):
        self.client.force_login(self.editor)
        warm_content_types()

    def edit(self, times):
        from ledger import services
        from ledger.models import TradeFigure

        for year in range(2000, 2000 + times):
            figure = TradeFigure.objects.get(pk=1)
            services.trade_figure_update(
                trade_figure=figure,
                data={"year": year},
                expected_version=figure.version,
                user=self.editor,
                reason=f"year {year}",
            )

    def test_history_page_queries_do_not_grow_with_versions(self):
        self.edit(2)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get("/admin/ledger/tradefigure/1/history/").status_code, 200)
        self.edit(10)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get("/admin/ledger/tradefigure/1/history/")
        self.assertContains(response, "year 2009")
        self.assertEqual(len(many), len(few), "\n".join(q["sql"][:150] for q in many.captured_queries))

    def test_history_page_runs_ten_queries(self):
        self.edit(3)
        # session, user, the entry, permissions (own, group), the history's count, the page of versions
        # with their users and reporter/partner joined, its citations' records (with their users and
        # sources' names), the entry's reporter and partner for the title.
        with self.assertNumQueries(10):
            self.client.get("/admin/ledger/tradefigure/1/history/")

    def test_revert_screen_runs_thirteen_queries(self):
        from ledger.models import TradeFigure

        self.edit(1)
        record = TradeFigure.history.filter(id=1).earliest("history_date")
        # session, user, the entry, the version, permissions (own, group), the stored version for the
        # form's token, the read-only reporter and partner; for the preview of what the revert changes:
        # the version (the view's own lookup), the version after it, the citations' records, the
        # entry's citations now.
        with self.assertNumQueries(13):
            self.client.get(f"/admin/ledger/tradefigure/1/history/{record.history_id}/")
