"""Issue 14, the analyst's side: filters that mean what they say, the overview's trade line filtered by
the same countries, a chart that does not mislead, and numbers people can read."""

import json
import re
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from ledger import exports, formatting, summaries
from ledger.models import Actor, Pledge, Source, TradeFigure
from ledger.views import overview
from tests import factories
from tests.test_table_filters import listed_ids

FIXTURE = "cibercuba-2026-02-05"


class PeriodAwareDateFilterTests(TestCase):
    """An entry matches a date range when its period (day, month or year) overlaps it."""

    @classmethod
    def setUpTestData(cls):
        cls.a, cls.b = factories.actor("HUN"), factories.actor("ARG")
        cls.cuba = factories.actor("CUB")
        src = factories.source()
        cls.end_of_jan = factories.pledge(
            cls.a, cls.cuba, src=src, date=date(2026, 1, 1), date_precision="month", date_qualifier="end"
        )
        cls.year_2025 = factories.pledge(cls.b, cls.cuba, src=src, date=date(2025, 1, 1), date_precision="year")
        cls.day = factories.pledge(cls.a, cls.cuba, src=src, date=date(2026, 2, 10), date_precision="day")
        cls.undated = factories.pledge(cls.b, cls.cuba, src=src)

    def ids(self, **params):
        response = self.client.get(reverse("ledger:pledge-list"), params)
        self.assertNotContains(response, "could not be applied")
        return set(listed_ids(response, "pledges"))

    def test_a_month_matches_a_range_starting_inside_it(self):
        # "end of Jan 2026" is stored as 2026-01-01 with month precision: it overlaps 15 Jan onwards
        self.assertEqual(self.ids(date_after="2026-01-15"), {self.end_of_jan.pk, self.day.pk})

    def test_a_year_matches_a_range_inside_it(self):
        self.assertEqual(self.ids(date_after="2025-06-01", date_before="2025-06-30"), {self.year_2025.pk})

    def test_a_day_matches_only_its_own_day(self):
        self.assertEqual(self.ids(date_after="2026-02-11"), set())
        self.assertEqual(self.ids(date_after="2026-02-10", date_before="2026-02-10"), {self.day.pk})

    def test_pledges_have_a_year_filter(self):
        self.assertEqual(self.ids(year_min="2026", year_max="2026"), {self.end_of_jan.pk, self.day.pk})
        self.assertEqual(self.ids(year_max="2025"), {self.year_2025.pk})

    def test_the_form_says_how_periods_are_matched(self):
        self.assertContains(self.client.get(reverse("ledger:pledge-list")), "overlaps the range")


class AmbiguousDateTests(TestCase):
    def test_a_day_month_order_date_is_refused_and_stays_in_the_box(self):
        response = self.client.get(reverse("ledger:pledge-list"), {"date_after": "01/02/2026"})
        self.assertContains(response, "“01/02/2026” is not a date written YYYY-MM-DD")
        self.assertContains(response, 'value="01/02/2026"')  # the bad value stays, beside its error
        self.assertContains(response, "These filters could not be applied, so nothing is listed.")

    def test_date_boxes_show_the_format(self):
        response = self.client.get(reverse("ledger:pledge-list"))
        self.assertContains(response, 'placeholder="YYYY-MM-DD"', count=2)
        self.assertNotContains(response, 'type="date"')


class MultiSelectFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hun, cls.arg, cls.fra = factories.actor("HUN"), factories.actor("ARG"), factories.actor("FRA")
        cls.cuba = factories.actor("CUB")
        src = factories.source()
        cls.from_hun = factories.pledge(cls.hun, cls.cuba, src=src, status=Pledge.Status.DELIVERED)
        cls.from_arg = factories.pledge(cls.arg, cls.cuba, src=src, kind=Pledge.Kind.LOAN)
        cls.from_fra = factories.pledge(cls.fra, cls.cuba, src=src)

    def ids(self, query):
        response = self.client.get(reverse("ledger:pledge-list") + "?" + query)
        self.assertNotContains(response, "could not be applied")
        return set(listed_ids(response, "pledges"))

    def test_repeated_donors_select_the_pledges_of_each(self):
        self.assertEqual(self.ids("donor=HUN&donor=ARG"), {self.from_hun.pk, self.from_arg.pk})
        self.assertEqual(self.ids("donor=hun&donor=FRA"), {self.from_hun.pk, self.from_fra.pk})

    def test_repeated_kinds_and_statuses_select_each(self):
        self.assertEqual(self.ids("kind=loan&kind=grant"), {self.from_hun.pk, self.from_arg.pk, self.from_fra.pk})
        self.assertEqual(self.ids("status=delivered&status=cancelled"), {self.from_hun.pk})

    def test_the_form_keeps_every_selected_donor(self):
        response = self.client.get(reverse("ledger:pledge-list") + "?donor=HUN&donor=ARG")
        self.assertContains(response, 'value="HUN" selected')
        self.assertContains(response, 'value="ARG" selected')
        self.assertContains(response, "multiple")

    def test_an_unknown_code_among_several_is_named(self):
        response = self.client.get(reverse("ledger:pledge-list") + "?donor=HUN&donor=XXX")
        self.assertContains(response, "No actor has the code “XXX”")


class OverviewTradeLineTests(TestCase):
    fixtures = [FIXTURE]

    def setUp(self):
        cache.clear()

    def test_a_country_filter_counts_and_lists_only_trade_between_those_countries(self):
        china, cuba, russia = (Actor.objects.get(code=c) for c in ("CHN", "CUB", "RUS"))
        between = factories.trade(cuba, china, src=Source.objects.get())
        response = self.client.get(reverse("ledger:home"), {"donor": "CHN", "recipient": "CUB"})
        self.assertRegex(
            response.content.decode(),
            r"Trade and investment figures, never added to aid \(between the countries filtered here[^)]*\):"
            r"\s*<strong>1</strong>",
        )
        self.assertEqual([t.pk for t in response.context["latest_trade"]], [between.pk])
        self.assertNotContains(response, f"{russia.name} – Cuba")
        self.assertContains(response, 'href="/trade/?country=CHN&amp;counterpart=CUB"')

    def test_the_totals_csv_counts_the_same_trade(self):
        response = self.client.get(reverse("ledger:home"), {"donor": "CHN", "recipient": "CUB", "_export": "csv"})
        rows = [line for line in response.content.decode().splitlines() if "trade_figures" in line]
        self.assertEqual(len(rows), 1)
        self.assertRegex(rows[0], r",0,")  # China-Cuba trade: none in the seed (it has Vietnam and Russia)

    def test_trade_between_the_filtered_countries_follows_the_trade_table(self):
        response = self.client.get("/trade/?country=CHN&counterpart=CUB")
        self.assertEqual(listed_ids(response, "trade"), [])
        response = self.client.get("/trade/?country=VNM&counterpart=CUB")
        self.assertEqual(len(listed_ids(response, "trade")), 2)

    def test_a_filter_without_countries_labels_trade_as_unfiltered(self):
        response = self.client.get(reverse("ledger:home"), {"kind": "grant"})
        self.assertContains(response, "(all trade: trade is filtered only by donor and recipient)")
        self.assertContains(response, "(all trade, not filtered)")


class ChartTests(TestCase):
    fixtures = [FIXTURE]

    def setUp(self):
        cache.clear()

    def chart(self, response):
        found = re.search(
            r'<script id="donor-chart-data" type="application/json">(.*?)</script>', response.content.decode()
        )
        return json.loads(found.group(1))

    def test_the_year_axis_is_continuous_and_the_empty_years_are_empty_not_zero(self):
        china, cuba = Actor.objects.get(code="CHN"), Actor.objects.get(code="CUB")
        factories.pledge(china, cuba, src=Source.objects.get(), date=date(2019, 1, 1), date_precision="year")
        chart = self.chart(self.client.get(reverse("ledger:home")))
        self.assertEqual(chart["labels"], ["2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"])
        china_series = next(s for s in chart["datasets"] if s["label"] == "China")
        self.assertEqual(china_series["data"][1:5], [None, None, None, None])

    def test_all_other_donors_is_marked_for_the_grey_series(self):
        cuba = Actor.objects.get(code="CUB")
        for code in ("FRA", "DEU"):
            factories.pledge(
                factories.actor(code), cuba, src=Source.objects.get(), date=date(2026, 1, 1), date_precision="year"
            )
        response = self.client.get(reverse("ledger:home"))
        totals = response.context["totals"]
        chart = overview.donor_chart(totals, donors=2)
        self.assertEqual([s["other"] for s in chart["datasets"]], [False, False, True])
        self.assertEqual(chart["datasets"][-1]["label"], "all other donors")
        with open("static/js/overview-chart.js") as script:
            self.assertIn("set.other ? otherColour", script.read())

    def test_the_chart_data_is_a_table_beneath_it_and_no_inline_script(self):
        response = self.client.get(reverse("ledger:home"))
        html = response.content.decode()
        self.assertIn("The chart's figures as a table", html)
        self.assertRegex(html, r'<th scope="row">2024</th><td class="num">100,000,000</td><td class="num">—</td>')
        for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html):
            self.assertIn('type="application/json"', script)


class ReadableNumberTests(TestCase):
    def test_compact_figures_on_screen(self):
        self.assertEqual(
            formatting.format_money_compact(Decimal("186219450888.23"), "USD", "approximately"), "≈ USD 186.2 billion"
        )
        self.assertEqual(formatting.format_money_compact(Decimal("4139927.3"), "USD", "exact"), "USD 4.1 million")
        self.assertEqual(formatting.format_money_compact(Decimal("959729.76"), "USD", "exact"), "USD 959,730")
        self.assertEqual(formatting.format_money_compact(Decimal("340000000"), "USD", "exact"), "USD 340 million")

    def test_a_conversion_is_no_more_precise_than_its_source(self):
        self.assertEqual(
            formatting.format_usd_value(Decimal("1628742742.65"), Decimal("1500000000"), "EUR", "approximately"),
            "≈ USD 1.6 billion",
        )
        self.assertEqual(formatting.converted_amount(Decimal("1345678.91"), Decimal("1234567")), Decimal("1345679"))
        self.assertEqual(
            formatting.format_usd_value(Decimal("959729.76"), Decimal("959729.76"), "USD", "exact"), "USD 959,729.76"
        )  # a USD amount is the source itself

    def test_counts_have_thousands_separators(self):
        self.assertEqual(formatting.format_count(16485), "16,485")


class ReadableOverviewTests(TestCase):
    def setUp(self):
        cache.clear()

    def test_the_headline_is_compact_with_the_exact_value_in_its_title(self):
        donor, cuba = factories.actor("HUN"), factories.actor("CUB")
        src = factories.source()
        factories.pledge(
            donor, cuba, src=src, amount=Decimal("186219450888.23"), date=date(2026, 1, 1), date_precision="year"
        )
        response = self.client.get(reverse("ledger:home"))
        self.assertContains(
            response,
            '<p class="big"><data value="186219450888.23" title="exactly USD 186,219,450,888.23">'
            "USD 186.2 billion</data></p>",
            html=False,
        )

    def test_counts_on_the_overview_have_separators(self):
        donor, cuba = factories.actor("HUN"), factories.actor("CUB")
        src = factories.source()
        Pledge.objects.bulk_create(
            [
                Pledge(
                    donor=donor,
                    recipient=cuba,
                    kind="grant",
                    status="committed",
                    amount=1,
                    currency="USD",
                    amount_qualifier="exact",
                    amount_usd=1,
                )
                for _ in range(1001)
            ]
        )
        factories.pledge(donor, cuba, src=src)
        summaries.rebuild()  # bulk_create bypasses the maintained totals
        response = self.client.get(reverse("ledger:home"))
        self.assertContains(response, "from 1,002 pledges with a USD value")


class TablesSayWhatTheySortByTests(TestCase):
    fixtures = [FIXTURE]

    def test_the_trade_table_shows_the_usd_column_it_sorts_by(self):
        response = self.client.get("/trade/", {"sort": "-amount_usd"})
        html = response.content.decode()
        self.assertIn('<a href="?sort=amount_usd">USD value</a>', html)
        self.assertIn('data-label="USD value"', html)
        ids = listed_ids(response, "trade")
        self.assertEqual(ids[0], 1)  # the one figure with a USD value (≈ USD 340 million) first
        ascending = listed_ids(self.client.get("/trade/", {"sort": "amount_usd"}), "trade")
        self.assertEqual(ascending[0], 1)  # unknown values last in both directions

    def test_usd_ascending_puts_pledges_without_a_value_last(self):
        ascending = listed_ids(self.client.get("/pledges/", {"sort": "amount_usd"}), "pledges")
        without = set(Pledge.objects.filter(amount_usd__isnull=True).values_list("pk", flat=True))
        self.assertEqual(set(ascending[-len(without) :]), without)

    def test_every_cell_is_labelled_for_the_phone_layout(self):
        html = self.client.get("/pledges/").content.decode()
        cells = re.findall(r"<td\b[^>]*>", html.split("<tbody", 1)[1])
        self.assertTrue(cells)
        self.assertTrue(all("data-label=" in cell for cell in cells))


class DeepPageTests(TestCase):
    def test_a_page_past_the_last_served_says_page_400_and_serves_it(self):
        from ledger.paginators import MAX_PAGE

        donor, cuba = factories.actor("HUN"), factories.actor("CUB")
        Pledge.objects.bulk_create(
            [Pledge(donor=donor, recipient=cuba, kind="grant", status="committed") for _ in range(MAX_PAGE + 2)]
        )
        response = self.client.get("/pledges/", {"per_page": 1, "page": 999})
        self.assertContains(response, f"Page 999 is beyond the last page served ({MAX_PAGE}); this is page {MAX_PAGE}")
        self.assertContains(response, f'<span class="page-number">page {MAX_PAGE}</span>')


class ActorPageListsSayTheyArePartialTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from ledger.selectors import PAGE_LIST_LIMIT

        cls.limit = PAGE_LIST_LIMIT
        cls.hun, cls.cuba, cls.arg = factories.actor("HUN"), factories.actor("CUB"), factories.actor("ARG")
        kwargs = dict(kind="grant", status="committed", amount=1000, currency="USD", amount_qualifier="exact")
        Pledge.objects.bulk_create(
            [
                Pledge(
                    donor=cls.hun,
                    recipient=cls.cuba,
                    date=date(2020, 1, 1),
                    date_precision="year",
                    amount_usd=1000,
                    **kwargs,
                )
                for _ in range(PAGE_LIST_LIMIT + 10)
            ]
            + [
                Pledge(
                    donor=cls.hun,
                    recipient=cls.arg,
                    date=date(2022, 1, 1),
                    date_precision="year",
                    amount_usd=1000,
                    **kwargs,
                )
                for _ in range(1200)
            ]
        )
        summaries.rebuild()  # bulk_create bypasses the save signals, as generate_ledger does

    def setUp(self):
        cache.clear()

    def test_the_list_says_how_many_it_shows_and_links_to_all(self):
        response = self.client.get("/actors/HUN/")
        total = self.limit + 10 + 1200
        self.assertContains(response, f"Showing the latest {self.limit} of {total:,} pledges")
        self.assertContains(response, f'<a href="/pledges/?donor=HUN">all {total:,} in the pledges table</a>')

    def test_the_pledges_are_broken_down_by_partner_and_by_year(self):
        html = self.client.get("/actors/HUN/").content.decode()
        by_recipient = html.split('<caption id="by-recipient">', 1)[1].split("</table>", 1)[0]
        self.assertRegex(by_recipient, r'(?s)href="/actors/ARG/">ARG</a>.*USD 1.2 million.*1,200')
        self.assertRegex(by_recipient, rf'(?s)href="/actors/CUB/">CUB</a>.*USD {(self.limit + 10) * 1000:,}')
        by_year = html.split('<caption id="by-year">', 1)[1].split("</table>", 1)[0]
        self.assertRegex(by_year, r"(?s)<th scope=\"row\">2022</th>.*<th scope=\"row\">2020</th>")
        self.assertIn("1,200", by_year)


class StatementCitationTests(TestCase):
    fixtures = [FIXTURE]

    def test_statements_on_an_actor_page_show_their_citation(self):
        from ledger.models import Statement

        statement = Statement.objects.prefetch_related("citations").first()
        self.assertIsNotNone(statement)
        excerpt = statement.citations.first().excerpt
        response = self.client.get(statement.speaker.get_absolute_url())
        self.assertContains(response, escape(excerpt))


class XlsxTests(TestCase):
    fixtures = [FIXTURE]

    def test_xlsx_has_a_frozen_filterable_header_and_typed_cells(self):
        import io

        import openpyxl

        response = self.client.get("/pledges/", {"_export": "xlsx", "sort": "id"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}")
        header = [c.value for c in sheet[1]]
        row = dict(zip(header, [c.value for c in sheet[2]]))
        self.assertIsInstance(row["id"], int)
        money = Pledge.objects.filter(amount__isnull=False).order_by("id").first()
        money_row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == money.pk)
        money_row = dict(zip(header, money_row))
        self.assertEqual(money_row["amount"], float(money.amount))  # a number, not text
        self.assertEqual(money_row["date"].date(), money.date)  # a date, not text


class EditorImportTests(TestCase):
    """Issue 14, item 7: the admin import lists why rows failed, and takes month and year dates."""

    fixtures = [FIXTURE]
    header = "donor_code,recipient_code,kind,status,amount,currency,date,date_precision,sources,excerpts\n"

    @classmethod
    def setUpTestData(cls):
        from ledger.roles import EDITORS
        from tests.test_admin import make_user

        cls.editor = make_user("ana", EDITORS)

    def upload(self, text):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.editor)
        upload = SimpleUploadedFile("batch.csv", text.encode(), content_type="text/csv")
        data = {"import_file": upload, "format": "0", "change_reason": "batch", "resource": ""}
        return self.client.post("/admin/ledger/pledge/import/", data)

    def test_failed_rows_are_listed_inline_with_line_column_value_and_reason(self):
        rows = "CHN,CUB,grant,pledged,5,USD,2026-13-40,,1,the words\nCHN,CUB,grant,someday,5,USD,2026-02-01,day,1,w\n"
        response = self.upload(self.header + rows)
        html = response.content.decode()
        table = html.split('<table class="import-problems">', 1)[1].split("</table>", 1)[0]
        self.assertRegex(
            table,
            r"(?s)<td>2</td>\s*<td><code>date</code></td>\s*<td><code>2026-13-40</code></td>\s*<td>malformed date",
        )
        self.assertRegex(
            table, r"(?s)<td>3</td>\s*<td><code>status</code></td>\s*<td><code>someday</code></td>\s*<td>unknown status"
        )
        self.assertNotIn("validation-error-container", html)  # no reasons hidden behind a hover

    def test_month_and_year_dates_are_read_with_their_precision(self):
        from ledger.imports.parsing import Lookups, parse_row

        header = self.header.strip().split(",")
        cells = lambda when, precision: ["CHN", "CUB", "grant", "pledged", "5", "USD", when, precision, "1", "w"]  # noqa: E731
        table = exports.PLEDGES
        for when, precision, expected in [
            ("2026-03", "", (date(2026, 3, 1), "month")),
            ("2026", "", (date(2026, 1, 1), "year")),
            ("2026-03", "month", (date(2026, 3, 1), "month")),
            ("2026-03-01", "month", (date(2026, 3, 1), "month")),
            ("2026-03-05", "day", (date(2026, 3, 5), "day")),
        ]:
            with self.subTest(when=when, precision=precision):
                fields = parse_row(table, header, 2, cells(when, precision), Lookups()).fields
                self.assertEqual((fields["date"], fields["date_precision"]), expected)

    def test_a_month_with_a_day_precision_is_refused(self):
        from ledger.imports.parsing import Lookups, RowError, parse_row

        header = self.header.strip().split(",")
        with self.assertRaises(RowError) as refused:
            parse_row(
                exports.PLEDGES,
                header,
                2,
                ["CHN", "CUB", "grant", "pledged", "5", "USD", "2026-03", "day", "1", "w"],
                Lookups(),
            )
        self.assertIn("'2026-03' is a month, but date_precision says 'day'", str(refused.exception.problems[0]))

    def test_a_month_is_imported_through_the_admin(self):
        response = self.upload(self.header + "CHN,CUB,grant,pledged,5000000,USD,2026-03,,1,the words\n")
        self.assertNotContains(response, "import-problems")
        self.assertContains(response, "China → Cuba: USD 5 million")


class EditorsAtVolumeTests(TestCase):
    """Issue 14, item 8."""

    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        from ledger.roles import ANALYSTS, EDITORS
        from tests.test_admin import make_user

        cls.editor = make_user("ana", EDITORS)
        cls.analyst = make_user("carla", ANALYSTS)

    def test_editors_see_an_edit_link_on_public_entry_pages_and_others_do_not(self):
        pledge = Pledge.objects.first()
        edit = f'href="/admin/ledger/pledge/{pledge.pk}/change/">Edit</a>'
        self.assertNotContains(self.client.get(pledge.get_absolute_url()), edit)
        self.client.force_login(self.analyst)
        self.assertNotContains(self.client.get(pledge.get_absolute_url()), edit)
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(pledge.get_absolute_url()), edit)
        self.assertContains(self.client.get("/trade/1/"), 'href="/admin/ledger/tradefigure/1/change/">Edit</a>')

    def test_admin_search_finds_an_entry_by_its_number(self):
        self.client.force_login(self.editor)
        pledge = Pledge.objects.order_by("id").last()
        for term in (str(pledge.pk), f"#{pledge.pk}"):
            with self.subTest(term=term):
                response = self.client.get("/admin/ledger/pledge/", {"q": term})
                self.assertEqual([p.pk for p in response.context["cl"].result_list], [pledge.pk])

    def test_actor_side_filters_take_a_code_instead_of_listing_every_actor(self):
        self.client.force_login(self.editor)
        response = self.client.get("/admin/ledger/pledge/", {"donor_code": "vnm", "status": "committed"})
        self.assertEqual({p.donor.code for p in response.context["cl"].result_list}, {"VNM"})
        html = response.content.decode()
        self.assertIn('name="donor_code" value="VNM"', html)
        self.assertIn('<input type="hidden" name="status" value="committed">', html)
        self.assertNotIn("?donor__id__exact=", html)  # no link per actor

    def test_the_search_count_agrees_with_the_capped_count_line(self):
        from ledger.admin.base import CappedCountPaginator

        self.client.force_login(self.editor)
        donor, cuba = Actor.objects.get(code="VNM"), Actor.objects.get(code="CUB")
        Pledge.objects.bulk_create(
            [Pledge(donor=donor, recipient=cuba, kind="grant", status="committed") for _ in range(12)]
        )
        old_cap = CappedCountPaginator.cap
        CappedCountPaginator.cap = 10
        try:
            response = self.client.get("/admin/ledger/pledge/", {"q": "Vietnam"})
        finally:
            CappedCountPaginator.cap = old_cap
        html = response.content.decode()
        self.assertIn("more than 10 results", html)
        self.assertNotIn("11 results", html)
        self.assertNotIn("Show all", html)


class NavigationTests(TestCase):
    def test_the_data_dictionary_is_in_the_navigation_and_its_title_names_the_site_once(self):
        self.assertContains(self.client.get("/"), '<a href="/data-dictionary/">Data dictionary</a>')
        response = self.client.get("/data-dictionary/")
        self.assertContains(response, "<title>Data dictionary · Aid Ledger</title>")
        self.assertContains(response, '<a href="/data-dictionary/" aria-current="page">Data dictionary</a>')


class SyntheticDatesTests(TestCase):
    """generate_ledger never dates an entry after today, and cites sources published on or after the
    entry's date, within the reporting lag."""

    @classmethod
    def setUpTestData(cls):
        from django.core.management import call_command

        call_command("generate_ledger", pledges=600, trade=100, actors=40, sources=400, seed=5, verbosity=0)

    def test_no_entry_is_dated_after_today(self):
        today = date.today()
        self.assertFalse(Pledge.objects.filter(date__gt=today).exists())
        self.assertFalse(TradeFigure.objects.filter(year__gt=today.year).exists())
        self.assertFalse(Source.objects.filter(published_on__gt=today).exists())

    def test_citations_come_from_sources_published_after_the_entry_within_a_lag(self):
        from datetime import timedelta

        from ledger.models import Citation
        from ledger.synthetic import REPORTING_LAG

        late = 0
        cited = Citation.objects.filter(pledge__date__isnull=False).select_related("pledge", "source")
        self.assertGreater(cited.count(), 500)
        for citation in cited:
            start = citation.pledge.date
            self.assertGreaterEqual(citation.source.published_on, start, citation.pk)
            late += citation.source.published_on > start + timedelta(days=REPORTING_LAG[citation.pledge.date_precision])
        self.assertLess(late, cited.count() * 0.05)  # only when no source falls within the lag
        for citation in Citation.objects.filter(trade_figure__year__isnull=False).select_related(
            "trade_figure", "source"
        ):
            self.assertGreaterEqual(citation.source.published_on.year, citation.trade_figure.year)
