"""The table pages' filters, sorts and pagination: the URL holds the whole state, every sort has a
deterministic tie-break, and bad input is explained instead of showing an empty table."""

import re
from datetime import date
from decimal import Decimal

from django.test import RequestFactory, TestCase
from django.urls import reverse

from ledger.models import Actor, Pledge, Source, TradeFigure
from ledger.paginators import MAX_PAGE, MAX_PER_PAGE
from ledger.views import ActorListView, PledgeListView, SourceListView, TradeListView
from tests import factories

FIXTURE = "cibercuba-2026-02-05"


def listed_ids(response, prefix):
    """The entry ids in the table, in order, read from the rendered rows' links."""
    ids = []
    for row in table_body(response).split("<tr")[1:]:
        found = re.search(rf'href="/{prefix}/(\d+)/"', row)
        if found:
            ids.append(int(found.group(1)))
    return ids


def table_body(response):
    return response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]


class PledgeFilterSetTests(TestCase):
    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cls.package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        cls.money = Pledge.objects.get(kind=Pledge.Kind.FINANCIAL_ASSISTANCE)
        cls.rice = Pledge.objects.get(kind=Pledge.Kind.IN_KIND)
        cls.china_2024 = Pledge.objects.get(donor__code="CHN", kind=Pledge.Kind.GRANT)
        cls.vietnam = Pledge.objects.get(donor__code="VNM")

    def ids(self, **params):
        response = self.client.get(reverse("ledger:pledge-list"), params)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "could not be applied")
        return listed_ids(response, "pledges")

    def test_default_order_is_latest_date_first_with_id_tie_break(self):
        self.assertEqual(
            self.ids(), [self.rice.pk, self.money.pk, self.package.pk, self.vietnam.pk, self.china_2024.pk]
        )

    def test_donor_and_recipient_are_picked_by_actor_code_in_any_case(self):
        self.assertEqual(
            set(self.ids(donor="CHN", recipient="CUB")),
            {self.package.pk, self.money.pk, self.rice.pk, self.china_2024.pk},
        )
        self.assertEqual(self.ids(donor="VNM"), [self.vietnam.pk])
        self.assertEqual(self.ids(donor="vnm"), [self.vietnam.pk])  # codes are not case-sensitive
        self.assertEqual(self.ids(recipient="CHN"), [])

    def test_kind_and_status_list_only_the_matching_pledges(self):
        self.assertEqual(set(self.ids(kind="grant")), {self.china_2024.pk, self.vietnam.pk})
        self.assertEqual(self.ids(kind="in_kind"), [self.rice.pk])
        self.assertEqual(set(self.ids(status="committed")), set(Pledge.objects.values_list("pk", flat=True)))
        self.assertEqual(len(self.ids(status="committed")), 5)
        self.assertEqual(self.ids(status="disbursed"), [])

    def test_date_range_includes_both_ends_and_either_end_may_be_open(self):
        self.assertEqual(self.ids(date_after="2025-01-01", date_before="2025-12-31"), [self.vietnam.pk])
        self.assertEqual(set(self.ids(date_after="2026-01-01")), {self.package.pk, self.money.pk, self.rice.pk})
        self.assertEqual(self.ids(date_before="2024-12-31"), [self.china_2024.pk])

    def test_currency_code_and_money_value_split_the_pledges(self):
        self.assertEqual(set(self.ids(currency="USD")), {self.money.pk, self.china_2024.pk, self.vietnam.pk})
        self.assertEqual(set(self.ids(has_value="no")), {self.package.pk, self.rice.pk})
        self.assertEqual(set(self.ids(has_value="yes")), {self.money.pk, self.china_2024.pk, self.vietnam.pk})
        self.assertEqual(self.ids(currency="EUR"), [])
        self.assertEqual(self.ids(currency=" usd "), self.ids(currency="USD"))

    def test_text_searches_descriptions_goods_and_citation_excerpts(self):
        # "Chinese President" is in the excerpts of the package and its parts, in no description.
        self.assertEqual(set(self.ids(q="chinese president")), {self.package.pk, self.money.pk, self.rice.pk})
        self.assertEqual(self.ids(q="rice", kind="in_kind"), [self.rice.pk])
        self.assertEqual(self.ids(q="Vietnamese government"), [self.vietnam.pk])

    def test_source_filter_lists_the_entries_citing_that_source(self):
        other = factories.source(url="https://example.org/other")
        cited = factories.pledge(Actor.objects.get(code="RUS"), Actor.objects.get(code="CUB"), src=other)
        self.assertEqual(self.ids(source=other.pk), [cited.pk])
        self.assertEqual(
            set(self.ids(source=Source.objects.get(publisher="CiberCuba").pk)),
            {self.package.pk, self.money.pk, self.rice.pk, self.china_2024.pk, self.vietnam.pk},
        )

    def test_sort_by_usd_value_puts_unknown_values_last_in_both_directions(self):
        self.assertEqual(
            self.ids(sort="-value"), [self.china_2024.pk, self.money.pk, self.vietnam.pk, self.rice.pk, self.package.pk]
        )
        self.assertEqual(
            self.ids(sort="value"), [self.vietnam.pk, self.money.pk, self.china_2024.pk, self.package.pk, self.rice.pk]
        )
        self.assertEqual(self.ids(sort="-amount_usd"), self.ids(sort="-value"))

    def test_every_column_sorts_both_ways_with_the_id_as_tie_break(self):
        ties = {  # entries that share the sorted value must come in id order, reversed when descending
            "donor": [self.package.pk, self.money.pk, self.rice.pk, self.china_2024.pk],
            "recipient": sorted(Pledge.objects.values_list("pk", flat=True)),
            "status": sorted(Pledge.objects.values_list("pk", flat=True)),
            "date": [self.package.pk, self.money.pk, self.rice.pk],
        }
        for column in ("id", "date", "donor", "recipient", "kind", "value", "amount_usd", "status"):
            with self.subTest(column=column):
                ascending, descending = self.ids(sort=column), self.ids(sort=f"-{column}")
                self.assertEqual(len(ascending), 5)
                if column in ("value", "amount_usd"):  # two with no USD value: last both ways, in id order
                    unknown = sorted([self.package.pk, self.rice.pk])
                    self.assertEqual(ascending[3:], unknown)
                    self.assertEqual(descending[3:], list(reversed(unknown)))
                    ascending, descending = ascending[:3], descending[:3]
                self.assertEqual(ascending, list(reversed(descending)))
                if column in ties:
                    tied = [pk for pk in ascending if pk in ties[column]]
                    self.assertEqual(tied, sorted(tied))

    def test_filters_and_sort_combine_in_one_shareable_url(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"donor": "CHN", "sort": "-value"})
        self.assertEqual(
            listed_ids(response, "pledges"), [self.china_2024.pk, self.money.pk, self.rice.pk, self.package.pk]
        )
        self.assertContains(response, 'name="sort" value="-value"')  # applying filters keeps the sort
        self.assertContains(response, "?donor=CHN&amp;sort=value")  # re-sorting keeps the filters


class InvalidFilterTests(TestCase):
    fixtures = [FIXTURE]

    def assertExplained(self, url, params, message):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "These filters could not be applied, so nothing is listed.")
        self.assertContains(response, message)
        self.assertContains(response, "Nothing is listed because the filters above could not be applied.")

    def test_a_year_no_date_can_have_is_explained_not_a_server_error(self):
        # ?year_min=0 made datetime.date(0, 1, 1) and a 500 (found by tests/test_fuzz.py).
        for url in (reverse("ledger:pledge-list"), reverse("ledger:trade-list")):
            self.assertExplained(url, {"year_min": "0"}, "Ensure this value is greater than or equal to 1.")
            self.assertExplained(url, {"year_max": "10000"}, "Ensure this value is less than or equal to 9999.")
            self.assertExplained(url, {"year_min": "2025.5"}, "Enter a whole number.")
        overview = self.client.get(reverse("ledger:home"), {"year_min": "0"})
        self.assertEqual(overview.status_code, 200)
        self.assertContains(overview, "Ensure this value is greater than or equal to 1.")

    def test_every_pledge_filter_explains_its_invalid_input(self):
        url = reverse("ledger:pledge-list")
        self.assertExplained(url, {"donor": "XXX"}, "No actor has the code “XXX”")
        self.assertExplained(url, {"recipient": "C U B"}, "No actor has the code “C U B”")
        self.assertExplained(url, {"kind": "gift"}, "“gift” is not one of the choices")
        self.assertExplained(url, {"status": "maybe"}, "“maybe” is not one of the choices")
        self.assertExplained(url, {"currency": "XYZ"}, "“XYZ” is not an ISO 4217 currency code")
        self.assertExplained(url, {"has_value": "perhaps"}, "“perhaps” is not one of the choices")
        self.assertExplained(url, {"date_after": "last week"}, "“last week” is not a date written YYYY-MM-DD")
        self.assertExplained(url, {"source": "999"}, "No source has the number “999”")
        self.assertExplained(
            url,
            {"date_after": "2026-02-01", "date_before": "2025-01-01"},
            "This range starts after it ends (2026-02-01 is after 2025-01-01).",
        )

    def test_trade_actor_and_source_filters_explain_their_invalid_input(self):
        self.assertExplained(reverse("ledger:trade-list"), {"country": "ATLANTIS"}, "No actor has the code “ATLANTIS”")
        self.assertExplained(reverse("ledger:trade-list"), {"year_min": "twenty"}, "Enter a whole number.")
        self.assertExplained(
            reverse("ledger:trade-list"), {"year_min": "2026", "year_max": "2020"}, "This range starts after it ends"
        )
        self.assertExplained(reverse("ledger:actor-list"), {"kind": "planet"}, "“planet” is not one of the choices")
        self.assertExplained(
            reverse("ledger:source-list"),
            {"published_before": "yesterday"},
            "“yesterday” is not a date written YYYY-MM-DD",
        )

    def test_a_valid_filter_with_no_match_says_so(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"donor": "RUS"})
        self.assertNotContains(response, "could not be applied")
        self.assertContains(response, "No pledges match these filters.")


class OtherTableFilterTests(TestCase):
    fixtures = [FIXTURE]

    def test_trade_by_either_side_flow_and_figure(self):
        url = reverse("ledger:trade-list")
        figure = TradeFigure.objects.get(amount__isnull=False)
        by_vietnam = set(TradeFigure.objects.filter(reporter__code="VNM").values_list("pk", flat=True))
        everything = set(TradeFigure.objects.values_list("pk", flat=True))
        self.assertEqual(len(by_vietnam), 2)
        self.assertEqual(set(listed_ids(self.client.get(url, {"country": "VNM"}), "trade")), by_vietnam)
        self.assertEqual(set(listed_ids(self.client.get(url, {"partner": "VNM"}), "trade")), set())
        self.assertEqual(len(everything), 3)
        self.assertEqual(set(listed_ids(self.client.get(url, {"country": "CUB"}), "trade")), everything)
        self.assertEqual(
            listed_ids(self.client.get(url, {"reporter": "VNM", "has_value": "yes"}), "trade"), [figure.pk]
        )
        self.assertEqual(
            set(listed_ids(self.client.get(url, {"flow": "total_trade"}), "trade")),
            set(TradeFigure.objects.filter(flow="total_trade").values_list("pk", flat=True)),
        )
        self.assertEqual(TradeFigure.objects.filter(flow="total_trade").count(), 2)
        self.assertEqual(
            listed_ids(self.client.get(url, {"q": "strategic partnership"}), "trade"),
            [TradeFigure.objects.get(reporter__code="RUS").pk],
        )
        self.assertEqual(listed_ids(self.client.get(url, {"sort": "-value"}), "trade")[0], figure.pk)
        self.assertEqual(listed_ids(self.client.get(url, {"year_min": "2020"}), "trade"), [])

    def test_actors_by_kind_parent_and_text(self):
        url = reverse("ledger:actor-list")
        body = table_body(self.client.get(url, {"parent": "CHN"}))
        self.assertIn("CHN-CIDCA", body)
        self.assertNotIn("RUS-MFA", body)
        response = self.client.get(url, {"kind": "country", "sort": "-code"})
        codes = re.findall(r'href="/actors/([A-Z-]+)/">\1<', response.content.decode())
        self.assertEqual(codes, ["VNM", "RUS", "CUB", "CHN"])
        self.assertContains(self.client.get(url, {"q": "liaison"}), "CHN-CPC-ILD")

    def test_sources_by_publisher_and_date(self):
        url = reverse("ledger:source-list")
        self.assertContains(self.client.get(url, {"publisher": "cibercuba"}), "traditional allies")
        self.assertContains(self.client.get(url, {"published_after": "2026-03-01"}), "No sources match these filters.")

    def test_sources_by_text_in_headline_or_notes(self):
        url = reverse("ledger:source-list")
        self.assertContains(self.client.get(url, {"q": "TRADITIONAL ALLIES"}), "traditional allies")
        self.assertContains(self.client.get(url, {"q": "EFE dispatch"}), "traditional allies")
        self.assertContains(self.client.get(url, {"q": "no such words"}), "No sources match these filters.")


class PaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        donor, recipient = factories.actor("CHN"), factories.actor("CUB")
        source = factories.source()
        cls.pledges = [
            factories.pledge(
                donor, recipient, src=source, amount=Decimal(1000), date=date(2025, 1, 1), date_precision="day"
            )
            for _ in range(30)
        ]

    def test_equal_values_page_by_id_without_repeats_or_gaps(self):
        url = reverse("ledger:pledge-list")
        first = listed_ids(self.client.get(url, {"sort": "-value"}), "pledges")
        second = listed_ids(self.client.get(url, {"sort": "-value", "page": 2}), "pledges")
        self.assertEqual(len(first), 25)
        self.assertEqual(first + second, sorted((p.pk for p in self.pledges), reverse=True))

    def test_pages_link_forward_and_back_without_counting_rows(self):
        url = reverse("ledger:pledge-list")
        # no COUNT(*): LazyPaginator reads one row past the page; then the rows' donors and
        # recipients (prefetched), the form's actor choices (one read for both boxes), and the count
        # line read from the maintained totals (not a COUNT(*) of the rows)
        with self.assertNumQueries(5):
            response = self.client.get(url, {"page": 1})
        self.assertContains(response, 'rel="next" href="?page=2"')
        response = self.client.get(url, {"page": 2})
        self.assertContains(response, 'rel="prev" href="?page=1"')
        self.assertNotContains(response, 'rel="next"')

    def test_page_size_and_depth_are_bounded(self):
        url = reverse("ledger:pledge-list")
        response = self.client.get(url, {"per_page": 10})
        self.assertEqual(len(listed_ids(response, "pledges")), 10)
        response = self.client.get(url, {"per_page": 10**9})
        self.assertEqual(response.context["table"].paginator.per_page, MAX_PER_PAGE)
        response = self.client.get(url, {"page": MAX_PAGE + 5})
        # fewer rows than MAX_PAGE pages: the notice names the page actually served, as the pager does
        self.assertContains(response, f"Page {MAX_PAGE + 5} is beyond the last page of these rows; this is page 1.")
        self.assertContains(response, '<span class="page-number">page 1</span>')

    def test_a_page_past_the_end_shows_the_first_page(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"page": 9})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(listed_ids(response, "pledges"), sorted((p.pk for p in self.pledges), reverse=True)[:25])


class ExportQuerysetTests(TestCase):
    """The contract with the exports: all filtered rows, in the table's order."""

    fixtures = [FIXTURE]

    def export_ids(self, view_class, **params):
        view = view_class()
        view.setup(RequestFactory().get("/", params))
        return list(view.get_export_queryset().values_list("pk", flat=True))

    def test_pledges_export_all_rows_filtered_and_sorted_like_the_table(self):
        china = list(Pledge.objects.filter(donor__code="CHN").values_list("pk", flat=True))
        self.assertEqual(set(self.export_ids(PledgeListView, donor="CHN")), set(china))
        table = listed_ids(
            self.client.get(reverse("ledger:pledge-list"), {"donor": "CHN", "sort": "-value"}), "pledges"
        )
        self.assertEqual(self.export_ids(PledgeListView, donor="CHN", sort="-value"), table)
        self.assertEqual(self.export_ids(PledgeListView, donor="XXX"), [])

    def test_export_is_not_paginated(self):
        donor, recipient = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        for _ in range(30):
            factories.pledge(donor, recipient, src=Source.objects.get())
        self.assertEqual(len(self.export_ids(PledgeListView, page=2)), Pledge.objects.count())

    def test_trade_actor_and_source_pages_export_their_filtered_rows(self):
        by_vietnam = TradeFigure.objects.filter(reporter__code="VNM").values_list("pk", flat=True)
        self.assertEqual(set(self.export_ids(TradeListView, country="VNM")), set(by_vietnam))
        self.assertEqual(len(by_vietnam), 2)
        countries = Actor.objects.filter(kind=Actor.Kind.COUNTRY).order_by("name", "id").values_list("pk", flat=True)
        self.assertEqual(self.export_ids(ActorListView, kind="country"), list(countries))
        self.assertEqual(len(countries), 4)
        self.assertEqual(self.export_ids(SourceListView), [Source.objects.get().pk])
