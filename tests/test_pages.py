"""The public pages: each serves what an analyst reads, with a fixed number of queries however many
rows there are, and never shows an unknown value as 0, None or nan."""

import re
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from ledger import services
from ledger.models import Actor, Pledge, Source, TradeFigure
from tests import factories
from tests.test_table_counts import TIMED as TIMED_COUNT  # the count line, counted with a time limit

FIXTURE = "cibercuba-2026-02-05"
# The cache stamp, the maintained totals' cells, the actors they name and the trade count, the latest
# pledges and trade figures with their actors prefetched (6), and the form's actor choices (one read,
# shared by donor and recipient). Cached totals (tests/test_cache.py) skip the three.
OVERVIEW_QUERIES = 11
UNKNOWN_AS_ZERO = re.compile(r">\s*(0|None|nan|NaN)\s*<|\bNone\b|\bnan\b")


def visible_text(response):
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


class SeedPagesTests(TestCase):
    fixtures = [FIXTURE]

    def assertHonest(self, response):
        """No unknown value shows as None or nan, and no cell holds a bare 0."""
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIsNone(UNKNOWN_AS_ZERO.search(html), UNKNOWN_AS_ZERO.search(html))

    def setUp(self):
        cache.clear()

    def test_overview_answers_how_much_was_pledged_and_what_is_left_out(self):
        with self.assertNumQueries(OVERVIEW_QUERIES):
            response = self.client.get(reverse("ledger:home"))
        self.assertHonest(response)
        text = visible_text(response)
        self.assertIn("USD 195 million", text)  # 80 + 100 + 15; the package is not counted on top
        self.assertIn("USD 180 million", text)  # China
        self.assertIn("USD 15 million", text)  # Vietnam
        self.assertIn("60,000 t of rice", text)
        self.assertRegex(text, r"Aid packages with parts, counted through their parts instead \(never both\):\s+1")
        self.assertRegex(text, r"Trade and investment figures, never added to aid:\s+3")
        self.assertNotIn("USD 535 million", text)  # 195 + 340 of trade
        self.assertContains(response, 'src="/static/vendor/chartjs/chart.umd.min.js"')
        self.assertContains(response, 'id="donor-chart-data"')

    def test_overview_takes_the_pledge_filters(self):
        response = self.client.get(reverse("ledger:home"), {"donor": "VNM"})
        self.assertHonest(response)
        text = visible_text(response)
        self.assertIn("USD 15 million", text)
        self.assertNotIn("USD 195 million", text)

    def test_overview_with_invalid_filter_explains_instead_of_showing_totals(self):
        response = self.client.get(reverse("ledger:home"), {"donor": "ZZZ"})
        self.assertContains(response, "No actor has the code “ZZZ”")
        self.assertNotContains(response, "Total pledged</h2>")

    def test_pledges_table_words_goods_inferred_dates_and_missing_values(self):
        # the rows, their donors and recipients, the form's actor choices (one read for both boxes), the
        # count from the maintained totals
        with self.assertNumQueries(5):
            response = self.client.get(reverse("ledger:pledge-list"))
        self.assertHonest(response)
        self.assertContains(response, "60,000 t of rice (value not stated)")
        self.assertContains(response, "end of Jan 2026 (year inferred)")
        self.assertContains(response, "no USD value")
        self.assertContains(response, "package (total not stated)")

    def test_trade_table_words_approximate_figures_and_missing_years(self):
        # the rows, their reporters and partners, the form's actor choices (one read for its four boxes:
        # either side, with, reporter, partner)
        with self.assertNumQueries(4 + TIMED_COUNT):  # and the count line
            response = self.client.get(reverse("ledger:trade-list"))
        self.assertHonest(response)
        self.assertContains(response, "≈ USD 340 million")
        self.assertContains(response, "approximate")
        self.assertContains(response, "approximate: the source says “approximately”")
        self.assertContains(response, "year not stated")
        self.assertContains(response, "no figure stated")

    def test_actors_table_lists_bodies_by_their_full_name(self):
        with self.assertNumQueries(2 + TIMED_COUNT):
            response = self.client.get(reverse("ledger:actor-list"))
        self.assertHonest(response)
        self.assertContains(response, "China International Development Cooperation Agency (CIDCA)")

    def test_sources_table_words_dates_agencies_and_translations(self):
        with self.assertNumQueries(1 + TIMED_COUNT):
            response = self.client.get(reverse("ledger:source-list"))
        self.assertHonest(response)
        self.assertContains(response, "CiberCuba")
        self.assertContains(response, "5 Feb 2026")
        self.assertContains(response, "EFE, 4 Feb 2026")
        self.assertContains(response, "translated from es")

    def test_package_page_shows_parts_citation_and_how_it_is_counted(self):
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        with self.assertNumQueries(5):  # entry, parts, citations, history, citations' history
            response = self.client.get(package.get_absolute_url())
        self.assertHonest(response)
        self.assertContains(response, "Counted through its 2 parts, never on top of them.")
        self.assertNotIn("Counted.", visible_text(response))
        for part in package.parts.all():
            self.assertContains(response, part.get_absolute_url())
        self.assertContains(response, "Chinese President Xi Jinping approved an emergency aid package")
        self.assertContains(response, "¶ 18")
        self.assertContains(response, Source.objects.get().url)

    def test_part_page_links_its_package(self):
        rice = Pledge.objects.get(commodity="rice")
        with self.assertNumQueries(4):  # entry with its package, citations, history, citations' history
            response = self.client.get(rice.get_absolute_url())
        self.assertHonest(response)
        self.assertContains(response, "60,000 t of rice (value not stated)")
        self.assertContains(response, f"package #{rice.package_id}")
        self.assertRegex(
            visible_text(response), rf"In totals\s+Counted; its\s+package #{rice.package_id}\s+is not counted on top\."
        )
        self.assertContains(response, "no USD value")

    def test_entry_page_says_whether_the_entry_is_counted_from_the_counted_in_totals_rule(self):
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        grant = factories.pledge(china, cuba, src=Source.objects.get(), amount=Decimal(1000))
        lone_package = factories.pledge(china, cuba, src=Source.objects.get(), kind=Pledge.Kind.PACKAGE, amount=None)
        uncounted = Pledge.objects.get(kind=Pledge.Kind.PACKAGE, pk__lt=grant.pk)  # the seed package, with parts
        for pledge, sentence in (
            (grant, r"In totals\s+Counted\.\s"),
            (lone_package, r"In totals\s+Not in USD totals \(no USD value\)\."),
            (uncounted, r"In totals\s+Counted through its 2 parts, never on top of them\."),
        ):
            with self.subTest(pledge=pledge.pk):
                response = self.client.get(pledge.get_absolute_url())
                self.assertEqual(
                    response.context["pledge"].counted_in_totals,
                    Pledge.objects.counted_in_totals().filter(pk=pledge.pk).exists(),
                )
                self.assertRegex(visible_text(response), sentence)

    def test_trade_page_says_how_certain_the_figure_is_and_which_sentence_says_so(self):
        figure = TradeFigure.objects.get(amount__isnull=False)
        with self.assertNumQueries(4):  # entry, citations, history, citations' history
            response = self.client.get(figure.get_absolute_url())
        self.assertHonest(response)
        text = visible_text(response)
        self.assertIn("≈ USD 340 million", text)
        self.assertRegex(text, r"How certain\s+approximate: the source says “approximately”")
        self.assertIn("year not stated", text)
        self.assertIn("with an exchange of approximately 340 million dollars.", text)
        self.assertIn("never added to aid", text)

    def test_actor_page_shows_pledged_received_trade_agencies_and_statements(self):
        # 9, the cache stamp of the totals, and the timeline section: the actors, then one query per kind of entry;
        # the lists' breakdown (from the maintained totals: one query per role, the partners'
        # names) and the statements' citations with their sources.
        with self.assertNumQueries(20):
            response = self.client.get(reverse("ledger:actor-detail", args=["CHN"]))
        self.assertHonest(response)
        text = visible_text(response)
        self.assertIn("USD 180 million", text)
        self.assertIn("China International Development Cooperation Agency (CIDCA)", text)
        self.assertIn("no amount", text)
        self.assertIn("Call on a third party", text)
        self.assertContains(response, "?donor=CHN")

    def test_actor_page_accepts_a_lower_case_code(self):
        response = self.client.get(reverse("ledger:actor-detail", args=["vnm"]))
        self.assertHonest(response)
        self.assertIn("USD 15 million", visible_text(response))
        self.assertIn("Offer of help (no amount)", visible_text(response))

    def test_recipient_page_totals_what_it_received(self):
        response = self.client.get(reverse("ledger:actor-detail", args=["CUB"]))
        text = visible_text(response)
        self.assertIn("USD 195 million", text)
        self.assertRegex(text, r"1 entry has no USD value")

    def test_source_page_lists_every_entry_that_cites_it(self):
        source = Source.objects.get()
        with self.assertNumQueries(2):
            response = self.client.get(source.get_absolute_url())
        self.assertHonest(response)
        for pledge in Pledge.objects.all():
            self.assertContains(response, pledge.get_absolute_url())
        self.assertContains(response, "Rejection of pressure on the recipient")
        self.assertContains(response, "no amount")

    def test_unknown_entries_are_404(self):
        for url in ("/pledges/999/", "/trade/999/", "/actors/NOPE/", "/sources/999/"):
            self.assertEqual(self.client.get(url).status_code, 404, url)


class HistoryTests(TestCase):
    fixtures = [FIXTURE]

    def recorded_grant(self, user=None):
        return services.pledge_create(
            donor=Actor.objects.get(code="VNM"),
            recipient=Actor.objects.get(code="CUB"),
            kind=Pledge.Kind.GRANT,
            status=Pledge.Status.COMMITTED,
            amount=Decimal("15000000"),
            currency="USD",
            citations=[{"source": Source.objects.get(), "excerpt": "donated 15 million dollars", "paragraph": 11}],
            user=user,
            reason="Read from the seed article",
        )

    @override_settings(PUBLIC_HISTORY_NAMES=True)
    def test_a_deployment_that_publishes_names_shows_the_editors_full_name(self):
        editor = get_user_model().objects.create_user("maria", first_name="María", last_name="Pérez")
        grant = self.recorded_grant(editor)
        text = visible_text(self.client.get(grant.get_absolute_url()))
        self.assertIn("María Pérez", text)
        self.assertNotIn("maria", text)

    def test_entry_page_shows_who_when_what_and_why(self):
        editor = get_user_model().objects.create_user("maria", first_name="María", last_name="Pérez")
        grant = self.recorded_grant(editor)
        services.pledge_update(
            pledge=grant,
            data={"status": Pledge.Status.DISBURSED, "amount": Decimal("16000000"), "amount_usd": Decimal("16000000")},
            user=editor,
            reason="Second source gives the disbursed amount",
        )
        services.pledge_update(pledge=grant, data={"description": "Reworded."}, user=editor, reason="Wording")
        with self.assertNumQueries(4):  # entry, citations, history, citations' history
            response = self.client.get(grant.get_absolute_url())
        text = visible_text(response)
        # Public histories name no login and, by default, no one: "an editor".
        self.assertIn("an editor", text)
        self.assertNotIn("maria", text)
        self.assertNotIn("María Pérez", text)
        self.assertIn("Second source gives the disbursed amount", text)
        self.assertRegex(text, r"status\s*:\s*Committed\s*→\s*Disbursed")
        self.assertRegex(text, r"amount\s*:\s*15,000,000\s*→\s*16,000,000")
        self.assertLess(text.index("Wording"), text.index("Second source"))  # newest first
        self.assertIn("created", text)
        self.assertIn("Read from the seed article", text)

    def test_first_change_of_a_seeded_entry_shows_old_and_new(self):
        grant = Pledge.objects.get(donor__code="VNM")  # loaded by the fixture
        services.pledge_update(pledge=grant, data={"status": Pledge.Status.DISBURSED}, reason="Disbursed")
        response = self.client.get(grant.get_absolute_url())
        self.assertRegex(visible_text(response), r"status\s*:\s*Committed\s*→\s*Disbursed")

    def test_a_change_without_its_earlier_version_says_what_changed_is_unknown(self):
        grant = Pledge.objects.get(donor__code="VNM")
        services.pledge_update(pledge=grant, data={"status": Pledge.Status.DISBURSED}, reason="Disbursed")
        grant.history.exclude(history_change_reason="Disbursed").delete()  # as if the earlier one were lost
        response = self.client.get(grant.get_absolute_url())
        self.assertContains(response, "the version before this one was not recorded")

    def test_changed_donor_reads_as_actor_names(self):
        grant = self.recorded_grant()
        services.pledge_update(pledge=grant, data={"donor": Actor.objects.get(code="RUS")}, reason="Misread")
        services.pledge_update(pledge=grant, data={"donor": Actor.objects.get(code="VNM")}, reason="Undo")
        with self.assertNumQueries(5):  # entry, citations, history, citations' history, the actors it names
            response = self.client.get(grant.get_absolute_url())
        self.assertRegex(visible_text(response), r"donor\s*:\s*Vietnam \(VNM\)\s*→\s*Russia \(RUS\)")
        self.assertRegex(visible_text(response), r"donor\s*:\s*Russia \(RUS\)\s*→\s*Vietnam \(VNM\)")
        self.assertIn("not recorded", visible_text(response))  # no user was given


class QueryCountsDoNotGrowTests(TestCase):
    """The same pages with many more rows run the same number of queries."""

    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cuba, china = Actor.objects.get(code="CUB"), Actor.objects.get(code="CHN")
        source = Source.objects.get()
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        for i in range(40):
            factories.pledge(
                china, cuba, src=source, amount=Decimal(1000 + i), date=date(2020 + i % 5, 1, 1), date_precision="year"
            )
        for i in range(5):
            extra = factories.actor(code=f"X{i:02d}", name=f"Body {i}", kind=Actor.Kind.GOVERNMENT_BODY, parent=china)
            factories.pledge(
                extra,
                cuba,
                src=source,
                amount=None,
                quantity=Decimal(10),
                unit="t",
                commodity="beans",
                valuation="not_stated",
            )
        Pledge.objects.create(
            donor=china,
            recipient=cuba,
            kind=Pledge.Kind.IN_KIND,
            package=package,
            quantity=Decimal(5),
            unit="t",
            commodity="rice",
            valuation="not_stated",
        )

    def test_every_page_runs_the_same_queries_with_many_more_rows(self):
        cache.clear()
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        pages = [
            (reverse("ledger:home"), OVERVIEW_QUERIES),
            (reverse("ledger:pledge-list"), 5),
            (reverse("ledger:pledge-list") + "?donor=CHN&sort=-value", 6),
            (reverse("ledger:trade-list"), 4 + TIMED_COUNT),
            (reverse("ledger:actor-list"), 2 + TIMED_COUNT),
            (reverse("ledger:source-list"), 1 + TIMED_COUNT),
            (package.get_absolute_url(), 5),
            (reverse("ledger:actor-detail", args=["CHN"]), 20),
            (Source.objects.get().get_absolute_url(), 2),
        ]
        for url, queries in pages:
            with self.subTest(url=url), self.assertNumQueries(queries):
                self.assertEqual(self.client.get(url).status_code, 200)
