"""The overview's totals: USD only, packages through their parts, goods beside the money, trade never
added, and every total says what it leaves out."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse

from ledger import selectors, summary_reads
from ledger.filters.pledges import PledgeFilterSet
from ledger.models import Actor, Pledge, Source, TradeFigure
from ledger.views.overview import donor_chart
from tests import factories
from tests.test_pages import OVERVIEW_QUERIES

FIXTURE = "cibercuba-2026-02-05"


def same_totals(test, live, kept):
    """Every frame and the grand total of two OverviewTotals are equal, row for row."""
    for name in ("by_donor", "by_recipient", "by_year", "by_kind", "goods", "unconverted", "left_out", "by_donor_year"):
        live_frame, kept_frame = getattr(live, name), getattr(kept, name)
        test.assertEqual(list(live_frame.columns), list(kept_frame.columns), name)
        test.assertEqual(live_frame.to_dict("records"), kept_frame.to_dict("records"), name)
    test.assertEqual(live.grand_total, kept.grand_total)


def query(params):
    return QueryDict(urlencode(params, doseq=True))


def overview_both_ways(test, params=None):
    """The overview's totals for the pledge filters `params`, from the maintained totals, after
    checking they equal the totals counted from the live rows."""
    filterset = PledgeFilterSet(query(params) if params else None, queryset=selectors.pledges_for_table())
    test.assertTrue(not filterset.is_bound or filterset.is_valid(), filterset.errors)
    live = selectors.overview_totals(pledges=filterset.qs)
    kept = selectors.overview_totals(pledges=filterset.qs, filters=selectors.bound_filters(filterset))
    same_totals(test, live, kept)
    return kept


def row(frame, **match):
    (found,) = [r for r in frame.to_dict("records") if all(r[k] == v for k, v in match.items())]
    return found


class SeedTotalsTests(TestCase):
    fixtures = [FIXTURE]

    def setUp(self):
        cache.clear()

    def totals(self):
        return overview_both_ways(self)

    def test_frames_have_explicit_columns(self):
        totals = self.totals()
        self.assertEqual(list(totals.by_donor.columns), ["actor_code", "actor_name", *selectors.TOTAL_COLUMNS])
        self.assertEqual(list(totals.by_year.columns), ["year", *selectors.TOTAL_COLUMNS])
        self.assertEqual(list(totals.by_kind.columns), ["kind", "kind_label", *selectors.TOTAL_COLUMNS])
        self.assertEqual(
            list(totals.goods.columns), ["commodity", "unit", "quantity", "entries", "entries_with_usd_value"]
        )
        self.assertEqual(list(totals.left_out.columns), ["reason", "entries", "detail"])

    def test_grand_total_counts_the_package_through_its_parts(self):
        total = self.totals().grand_total
        self.assertEqual(total["amount"], Decimal("195000000"))  # 80 + 100 + 15 million
        self.assertEqual(total["qualifier"], "exact")
        self.assertEqual((total["entries"], total["entries_in_total"], total["entries_without_usd"]), (4, 3, 1))

    def test_each_dimension_sums_usd_largest_first_and_an_unknown_sum_stays_none(self):
        totals = self.totals()
        self.assertEqual(row(totals.by_donor, actor_code="CHN")["amount"], Decimal("180000000"))
        self.assertEqual(row(totals.by_donor, actor_code="VNM")["amount"], Decimal("15000000"))
        self.assertEqual(list(totals.by_donor["actor_code"]), ["CHN", "VNM"])  # largest first
        self.assertEqual(row(totals.by_recipient, actor_code="CUB")["amount"], Decimal("195000000"))
        self.assertEqual(row(totals.by_year, year=2026)["amount"], Decimal("80000000"))
        self.assertEqual(row(totals.by_year, year=2026)["entries_without_usd"], 1)  # the rice
        self.assertEqual(row(totals.by_year, year=2024)["amount"], Decimal("100000000"))
        self.assertEqual(row(totals.by_kind, kind="grant")["amount"], Decimal("115000000"))
        in_kind = row(totals.by_kind, kind="in_kind")
        self.assertIsNone(in_kind["amount"])  # unknown, not 0
        self.assertEqual(in_kind["entries_without_usd"], 1)
        self.assertNotIn("package", list(totals.by_kind["kind"]))

    def test_goods_are_summed_beside_the_money_and_left_out_is_counted(self):
        totals = self.totals()
        rice = row(totals.goods, commodity="rice")
        self.assertEqual((rice["quantity"], rice["unit"], rice["entries_with_usd_value"]), (Decimal("60000"), "t", 0))
        left_out = dict(zip(totals.left_out["reason"], totals.left_out["entries"]))
        self.assertEqual(
            left_out,
            {"packages_counted_through_parts": 1, "no_money_value": 1, "no_usd_conversion": 0, "trade_figures": 3},
        )

    def test_donor_years_are_exact_usd_sums_keyed_by_code_and_year(self):
        frame = self.totals().by_donor_year
        self.assertEqual(list(frame.columns), ["actor_code", "year", "amount"])
        self.assertEqual(
            [tuple(r.values()) for r in frame.to_dict("records")],
            [
                ("CHN", 2024, Decimal("100000000")),
                ("CHN", 2026, Decimal("80000000")),
                ("VNM", 2025, Decimal("15000000")),
            ],
        )
        self.assertTrue(all(isinstance(amount, Decimal) for amount in frame["amount"]))

    def test_chart_has_one_series_per_donor_and_leaves_gaps_empty(self):
        data = donor_chart(self.totals())
        self.assertEqual(data["labels"], ["2024", "2025", "2026"])
        series = {s["label"]: s["data"] for s in data["datasets"]}
        self.assertEqual(series["China"], [100000000.0, None, 80000000.0])
        self.assertEqual(series["Vietnam"], [None, 15000000.0, None])

    def test_totals_follow_the_pledge_filters(self):
        response = self.client.get(reverse("ledger:home"), {"donor": "CHN", "date_after": "2026-01-01"})
        self.assertEqual(response.context["totals"].grand_total["amount"], Decimal("80000000"))
        self.assertContains(response, "60,000 t of rice")


class CurrencyAndPrecisionTests(TestCase):
    """Totals never mix currencies and carry the precision of what they add up."""

    @classmethod
    def setUpTestData(cls):
        cls.donor, cls.other, cls.recipient = factories.actor("CHN"), factories.actor("VNM"), factories.actor("CUB")
        cls.source = factories.source()

    def pledge(self, donor=None, **fields):
        return factories.pledge(donor or self.donor, self.recipient, src=self.source, **fields)

    def totals(self):
        return overview_both_ways(self)

    def test_a_converted_amount_adds_its_usd_value_and_an_unconverted_one_is_listed_apart(self):
        self.pledge(amount=Decimal("1000000"))
        self.pledge(
            amount=Decimal("2000000"),
            currency="EUR",
            amount_usd=Decimal("2200000.00"),
            usd_rate=Decimal("1.1"),
            usd_rate_date=date(2026, 1, 1),
            usd_rate_source="ECB",
        )
        self.pledge(amount=Decimal("50000000"), currency="CNY")
        totals = self.totals()
        self.assertEqual(totals.grand_total["amount"], Decimal("3200000"))
        self.assertEqual(totals.grand_total["entries_without_usd"], 1)
        cny = row(totals.unconverted, currency="CNY")
        self.assertEqual((cny["amount"], cny["entries"]), (Decimal("50000000"), 1))
        left_out = dict(zip(totals.left_out["reason"], totals.left_out["entries"]))
        self.assertEqual(left_out["no_usd_conversion"], 1)
        self.assertEqual(left_out["no_money_value"], 0)
        text = self.client.get(reverse("ledger:home")).content.decode()
        self.assertIn("USD 3.2 million", text)
        self.assertIn("CNY 50 million in 1 entry with no USD conversion", text)

    def test_an_approximate_term_makes_the_total_approximate(self):
        self.pledge(amount=Decimal("1000000"))
        self.pledge(donor=self.other, amount=Decimal("2000000"), amount_qualifier="approximately")
        totals = self.totals()
        self.assertEqual(totals.grand_total["qualifier"], "approximately")
        self.assertEqual(row(totals.by_donor, actor_code="CHN")["qualifier"], "exact")
        self.assertEqual(row(totals.by_donor, actor_code="VNM")["qualifier"], "approximately")
        self.assertContains(self.client.get(reverse("ledger:home")), "≈ USD 3 million")

    def test_lower_and_upper_bounds_combine(self):
        self.assertEqual(selectors.combine_qualifiers(["exact", "at_least"]), "at_least")
        self.assertEqual(selectors.combine_qualifiers(["up_to", "exact", "up_to"]), "up_to")
        self.assertEqual(selectors.combine_qualifiers(["up_to", "at_least"]), "approximately")
        self.assertEqual(selectors.combine_qualifiers(["", None]), "")

    def test_trade_is_never_added(self):
        self.pledge(amount=Decimal("1000000"))
        factories.trade(self.donor, self.recipient, src=self.source, amount=Decimal("9000000"))
        totals = self.totals()
        self.assertEqual(totals.grand_total["amount"], Decimal("1000000"))
        self.assertEqual(dict(zip(totals.left_out["reason"], totals.left_out["entries"]))["trade_figures"], 1)

    def test_undated_pledges_have_their_own_year_row_and_are_not_drawn(self):
        self.pledge(amount=Decimal("1000000"))
        self.pledge(amount=Decimal("5000000"), date=date(2025, 1, 1), date_precision="year")
        totals = self.totals()
        undated = [r for r in totals.by_year.to_dict("records") if r["year"] is None]
        self.assertEqual(undated[0]["amount"], Decimal("1000000"))
        self.assertEqual(list(totals.by_year["year"]), [2025, None])
        self.assertEqual(donor_chart(totals)["labels"], ["2025"])
        self.assertContains(self.client.get(reverse("ledger:home")), "date not stated")

    def test_empty_ledger_shows_no_total_rather_than_zero(self):
        totals = self.totals()
        self.assertIsNone(totals.grand_total["amount"])
        response = self.client.get(reverse("ledger:home"))
        self.assertContains(response, "no USD value")
        self.assertNotContains(response, "USD 0")

    def test_a_package_without_parts_is_counted_itself(self):
        package = self.pledge(kind=Pledge.Kind.PACKAGE, amount=Decimal("7000000"))
        self.assertEqual(self.totals().grand_total["amount"], Decimal("7000000"))
        Pledge.objects.create(
            donor=self.donor,
            recipient=self.recipient,
            kind=Pledge.Kind.GRANT,
            package=package,
            amount=Decimal("3000000"),
            currency="USD",
            amount_qualifier="exact",
            amount_usd=Decimal("3000000"),
        )
        self.assertEqual(self.totals().grand_total["amount"], Decimal("3000000"))


class OverviewQueriesTests(TestCase):
    fixtures = [FIXTURE]

    def setUp(self):
        cache.clear()

    def test_overview_queries_do_not_grow_with_entries(self):
        with self.assertNumQueries(OVERVIEW_QUERIES):
            self.client.get(reverse("ledger:home"))
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        for year in range(1990, 2020):
            factories.pledge(china, cuba, src=Source.objects.get(), date=date(year, 1, 1), date_precision="year")
        factories.trade(china, cuba, src=Source.objects.get())
        self.assertEqual(TradeFigure.objects.count(), 4)
        with self.assertNumQueries(OVERVIEW_QUERIES):
            response = self.client.get(reverse("ledger:home"))
        # a continuous axis: every year from 1990 to 2026, the empty 2020-2023 included
        self.assertEqual(response.context["chart"]["labels"], [str(y) for y in range(1990, 2027)])


class MaintainedTotalsAnswerLikeTheLiveRows(TestCase):
    """Filters on one dimension the totals are cut along are answered from them, with exactly the
    figures the live rows give; any other filter is counted from the live rows."""

    @classmethod
    def setUpTestData(cls):
        chn, vnm, cub, ven = (factories.actor(c) for c in ("CHN", "VNM", "CUB", "VEN"))
        src = factories.source()
        factories.pledge(chn, cub, src=src, date=date(2024, 3, 5), date_precision="day")
        factories.pledge(chn, ven, src=src, amount=Decimal("2500000.55"), amount_qualifier="approximately")
        factories.pledge(
            vnm, cub, src=src, amount=Decimal("900"), currency="CUP", date=date(2025, 1, 1), date_precision="year"
        )
        factories.pledge(
            vnm,
            ven,
            src=src,
            amount=None,
            kind=Pledge.Kind.IN_KIND,
            quantity=Decimal("12.5"),
            unit="t",
            commodity="rice",
            valuation="not_stated",
            status=Pledge.Status.DELIVERED,
            date=date(2026, 6, 1),
            date_precision="month",
        )
        package = factories.pledge(chn, cub, src=src, kind=Pledge.Kind.PACKAGE, amount=Decimal("9000000"))
        factories.pledge(chn, cub, src=src, package=package, amount=Decimal("4000000"), amount_qualifier="up_to")
        factories.pledge(
            chn,
            cub,
            src=src,
            amount=Decimal("3000000"),
            currency="EUR",
            amount_usd=Decimal("3300000"),
            usd_rate=Decimal("1.1"),
            usd_rate_date=date(2026, 1, 1),
            usd_rate_source="a stated rate",
            usd_rate_basis="stated",
            date=date(2026, 1, 1),
            date_precision="year",
            kind=Pledge.Kind.LOAN,
        )

    def test_each_dimension_alone_and_several_values_of_it(self):
        for params in (
            {},
            {"donor": "CHN"},
            {"donor": ["CHN", "VNM"]},
            {"recipient": "VEN"},
            {"kind": "grant"},
            {"kind": ["grant", "loan"]},
            {"status": "delivered"},
            {"currency": "EUR"},
            {"year_min": "2025"},
            {"year_min": "2024", "year_max": "2025"},
        ):
            with self.subTest(params=params):
                overview_both_ways(self, params)

    def test_other_filters_and_combinations_are_counted_from_the_live_rows(self):
        for params in ({"donor": "CHN", "kind": "grant"}, {"q": "excerpt"}, {"has_value": "no"}):
            with self.subTest(params=params):
                filterset = PledgeFilterSet(query(params), queryset=selectors.pledges_for_table())
                self.assertTrue(filterset.is_valid(), filterset.errors)
                self.assertIsNone(summary_reads.summary_slice(selectors.bound_filters(filterset)))
                same_totals(
                    self,
                    selectors.overview_totals(pledges=filterset.qs),
                    selectors.overview_totals(pledges=filterset.qs, filters=selectors.bound_filters(filterset)),
                )

    def test_a_filtered_overview_after_a_write_reads_the_new_figures(self):
        self.assertEqual(overview_both_ways(self, {"donor": "VNM"}).grand_total["entries"], 2)
        factories.pledge(Actor.objects.get(code="VNM"), Actor.objects.get(code="CUB"), amount=Decimal("7"))
        self.assertEqual(overview_both_ways(self, {"donor": "VNM"}).grand_total["entries"], 3)


class ActorBreakdownFromTheMaintainedTotals(TestCase):
    fixtures = [FIXTURE]

    def test_partner_and_year_rows_equal_the_live_aggregates(self):
        for code, role in (("CHN", "donor"), ("CUB", "recipient"), ("VNM", "donor")):
            actor = Actor.objects.get(code=code)
            pledges = Pledge.objects.filter(**{role: actor})
            counted = pledges.counted_in_totals().order_by()
            partner = "recipient_id" if role == "donor" else "donor_id"
            listed, by_partner, by_year = summary_reads.actor_breakdown_rows(actor.pk, role)
            with self.subTest(actor=code, role=role):
                self.assertEqual(listed, pledges.count())
                self.assertEqual(
                    selectors._group_totals(by_partner, [partner]).to_dict("records"),
                    selectors._group_totals(selectors._aggregate(counted, partner), [partner]).to_dict("records"),
                )
                live_years = selectors._aggregate(counted, year=selectors.Year("date"))
                self.assertEqual(
                    selectors._group_totals(by_year, ["year"]).to_dict("records"),
                    selectors._group_totals(live_years, ["year"]).to_dict("records"),
                )
