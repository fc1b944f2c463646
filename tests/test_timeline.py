"""The timeline: every kind of entry in date order, each at the precision its source gives, the undated
ones apart; filters in the URL; the same downloads as the tables; an actor's and a pair's timeline."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

from django.test import TestCase, override_settings
from django.urls import reverse

from ledger.models import Actor, Delivery, Pledge, Statement
from ledger.timeline import TimelineFilter, TimelineForm, timeline
from tests import factories

FIXTURE = "cibercuba-2026-02-05"
PAIR = {"country": ["CUB", "VNM"]}


def keys(entries):
    return [(e.kind, e.pk) for e in entries]


def cells(response):
    """The rows of the page's timeline tables, as (when, known to, entry) texts, dated table first."""
    body = response.content.decode()
    rows = re.findall(r'<tr class="timeline-entry[^"]*"[^>]*>(.*?)</tr>', body, re.S)
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S))[:3]
        for row in rows
    ]


class PairTimelineTests(TestCase):
    fixtures = [FIXTURE]

    def test_cuba_vietnam_reads_donation_then_visit_then_call_with_trade_apart(self):
        result = timeline(TimelineFilter(countries=tuple(Actor.objects.filter(code__in=["VNM", "CUB"]))))
        self.assertEqual(keys(result.dated), [("pledge", 5), ("engagement", 1), ("engagement", 2), ("statement", 1)])
        self.assertEqual(keys(result.undated), [("trade", 1), ("trade", 2)])

    def test_a_month_known_entry_sits_at_its_month_marked_never_at_a_day(self):
        # The countries asked for, every actor's parent, dated and undated rows of each of the five kinds, the
        # form's list of countries.
        with self.assertNumQueries(13):
            response = self.client.get(reverse("ledger:timeline"), PAIR)
        self.assertContains(response, "<h1>Cuba – Vietnam: timeline</h1>", html=True)
        rows = cells(response)
        self.assertEqual(
            rows[:4],
            [
                ("Sep 2025 (year inferred)", "month known", "Pledge"),
                ("early Feb 2026 (year inferred)", "month known", "Engagement"),
                ("early Feb 2026 (year inferred)", "month known", "Engagement"),
                ("Feb 2026 (year inferred)", "month known", "Statement"),
            ],
        )
        self.assertEqual(rows[4:], [("year not stated", "undated", "Trade figure")] * 2)
        self.assertNotRegex(response.content.decode(), r"\b1 (Sep 2025|Feb 2026)")  # no made-up first day
        self.assertContains(response, '<h2 id="undated-heading">Undated</h2>', html=True)

    def test_a_pair_leaves_out_what_involves_only_one_of_them(self):
        result = timeline(TimelineFilter(countries=tuple(Actor.objects.filter(code__in=["CUB", "RUS"]))))
        self.assertEqual(keys(result.dated), [("engagement", 2), ("statement", 2)])
        self.assertEqual(keys(result.undated), [("engagement", 4), ("trade", 3)])  # Kolokóltsev: "Recently"

    def test_one_country_takes_in_its_agencies_and_party_organs(self):
        china = Actor.objects.get(code="CHN")
        result = timeline(TimelineFilter(countries=(china,)))
        self.assertEqual(
            keys(result.dated),
            [("pledge", 4), ("statement", 3), ("pledge", 1), ("pledge", 2), ("pledge", 3), ("engagement", 3)],
        )

    def test_an_end_of_month_entry_sorts_after_the_days_before_it(self):
        cuba, spain = Actor.objects.get(code="CUB"), factories.actor("ESP", "Spain")
        late = factories.pledge(spain, cuba, date=date(2026, 1, 1), date_precision="month", date_qualifier="end")
        mid = factories.pledge(spain, cuba, date=date(2026, 1, 15), date_precision="day")
        result = timeline(TimelineFilter(countries=(spain,)))
        self.assertEqual(keys(result.dated), [("pledge", mid.pk), ("pledge", late.pk)])

    def test_deliveries_are_on_the_timeline_of_their_pledge_parties(self):
        grant = Pledge.objects.get(pk=5)
        delivery = Delivery.objects.create(
            pledge=grant, amount=Decimal("5000000"), currency="USD", date=date(2025, 12, 1), date_precision="month"
        )
        result = timeline(TimelineFilter(countries=tuple(Actor.objects.filter(code__in=["VNM", "CUB"]))))
        self.assertEqual(keys(result.dated)[:2], [("pledge", 5), ("delivery", delivery.pk)])
        self.assertEqual(result.dated[1].url, grant.get_absolute_url())


class TimelineFilterTests(TestCase):
    fixtures = [FIXTURE]

    def test_kind_and_period_filter_and_a_period_leaves_out_the_undated(self):
        response = self.client.get(
            reverse("ledger:timeline"),
            {
                "country": "CUB",
                "kind": ["engagement", "statement"],
                "date_after": "2026-02-01",
                "date_before": "2026-02-28",
            },
        )
        self.assertEqual(
            [row[2] for row in cells(response)], ["Engagement", "Engagement", "Engagement", "Statement", "Statement"]
        )
        self.assertNotContains(response, "undated-heading")

    def test_an_end_of_january_entry_overlaps_a_period_from_mid_january(self):
        form = TimelineForm({"date_after": "2026-01-20", "date_before": "2026-01-31", "kind": ["statement"]})
        self.assertTrue(form.is_valid())
        self.assertEqual(keys(timeline(TimelineFilter.from_form(form)).dated), [("statement", 3)])

    def test_bad_filters_are_reported_and_the_download_is_refused(self):
        response = self.client.get(reverse("ledger:timeline"), {"country": "XXX", "date_after": "05/02/2026"})
        self.assertContains(response, "could not be applied")
        self.assertContains(response, "No actor has the code")
        self.assertNotContains(response, "timeline-entry")
        response = self.client.get(reverse("ledger:timeline"), {"kind": "rumour", "_export": "csv"})
        self.assertEqual(response.status_code, 400)
        response = self.client.get(
            reverse("ledger:timeline"), {"date_after": "2026-03-01", "date_before": "2026-01-01"}
        )
        self.assertContains(response, "This range starts after it ends")

    def test_the_url_holds_the_state_in_the_download_links(self):
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "kind": "pledge"})
        self.assertContains(response, "?country=CUB&amp;country=VNM&amp;kind=pledge&amp;_export=csv")
        self.assertContains(response, '<option value="VNM" selected>', html=False)


class TimelineDownloadTests(TestCase):
    fixtures = [FIXTURE]

    def test_csv_holds_the_pair_dated_then_undated_with_precision_columns(self):
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "_export": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
        self.assertEqual(
            [
                (r["entry"], r["id"], r["date"], r["date_precision"], r["date_qualifier"], r["year_inferred"])
                for r in rows
            ],
            [
                ("pledge", "5", "2025-09-01", "month", "", "True"),
                ("engagement", "1", "2026-02-01", "month", "early", "True"),
                ("engagement", "2", "2026-02-01", "month", "early", "True"),
                ("statement", "1", "2026-02-01", "month", "", "True"),
                ("trade", "1", "", "", "", "False"),
                ("trade", "2", "", "", "", "False"),
            ],
        )

    def test_a_download_above_the_row_limit_is_refused_saying_how_to_narrow_it(self):
        whole = self.client.get(reverse("ledger:timeline"), {"_export": "csv"})
        rows = len(list(csv.reader(io.StringIO(b"".join(whole.streaming_content).decode(), newline="")))) - 1
        self.assertGreater(rows, 6)  # the whole seed timeline, more than the pair's six
        with override_settings(TIMELINE_MAX_ROWS=rows - 1):
            for export_format in ("csv", "json", "xlsx"):
                refused = self.client.get(reverse("ledger:timeline"), {"_export": export_format})
                self.assertEqual(refused.status_code, 400)
                self.assertContains(refused, f"holds at most {rows - 1} entries", status_code=400)
                self.assertContains(refused, "?country=CUB&country=VNM", status_code=400)
            pair = self.client.get(reverse("ledger:timeline"), {**PAIR, "_export": "csv"})
            self.assertEqual(pair.status_code, 200)
        with override_settings(TIMELINE_MAX_ROWS=rows):
            self.assertEqual(self.client.get(reverse("ledger:timeline"), {"_export": "csv"}).status_code, 200)

    def test_json_keeps_unknown_dates_null_and_xlsx_opens(self):
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "_export": "json"})
        rows = json.loads(b"".join(response.streaming_content))
        self.assertIsNone(rows[-1]["date"])
        self.assertEqual(rows[0]["when"], "Sep 2025 (year inferred)")
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "_export": "xlsx"})
        self.assertTrue(response.content.startswith(b"PK"))
        self.assertIn("timeline-", response["Content-Disposition"])

    def test_text_a_spreadsheet_would_run_is_escaped_in_csv(self):
        cuba, vietnam = Actor.objects.get(code="CUB"), Actor.objects.get(code="VNM")
        body = Actor.objects.create(code="VNM-X", name="=HYPERLINK(1)", kind="government_body", parent=vietnam)
        Statement.objects.create(speaker=body, subject=cuba, kind="support", summary="said")
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "kind": "statement", "_export": "csv"})
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
        self.assertEqual(rows[-1]["parties"], "'=HYPERLINK(1) on Cuba")
        response = self.client.get(reverse("ledger:timeline"), {**PAIR, "kind": "statement", "_export": "json"})
        self.assertEqual(json.loads(b"".join(response.streaming_content))[-1]["parties"], "=HYPERLINK(1) on Cuba")


class ActorTimelineSectionTests(TestCase):
    fixtures = [FIXTURE]

    def test_an_agency_page_shows_its_country_timeline_and_links_to_the_whole(self):
        response = self.client.get(reverse("ledger:actor-detail", args=["CHN-CIDCA"]))
        self.assertContains(response, '<h2 id="timeline-heading">Timeline <small>(China)</small></h2>', html=True)
        self.assertContains(response, f"{reverse('ledger:timeline')}?country=CHN")
        self.assertContains(response, "Visit in China")

    def test_the_section_lists_the_latest_dated_entries_oldest_first(self):
        vietnam = Actor.objects.get(code="VNM")
        section = timeline(TimelineFilter(countries=(vietnam,)), limit=2, newest=True, undated=False)
        self.assertEqual(keys(section.dated), [("engagement", 2), ("statement", 1)])
        self.assertTrue(section.more_dated)
        self.assertEqual(section.undated, [])
