"""Engagements: the seed article's four (parties, participants, dates, verbatim excerpts), the rules an
engagement keeps (sides, place, citations, versions), its pages, admin, downloads and intake."""

import csv
import io
import json
from datetime import date

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from ledger import formatting, services
from ledger.exports.engagement_columns import ENGAGEMENTS
from ledger.models import Actor, Citation, Engagement, Participant, Person, Statement
from ledger.models.engagements import ERROR_PARTICIPANT_SIDE, ERROR_VISIT_PLACE
from ledger.roles import ANALYSTS, EDITORS
from tests import factories
from tests.test_fixtures import article_paragraphs, article_text
from tests.test_table_counts import TIMED as TIMED_COUNT

FIXTURE = "cibercuba-2026-02-05"


def people(engagement, side=None, part=None):
    rows = engagement.participants.select_related("person", "acting_for").order_by("id")
    return [
        (p.person.name, p.side, p.role, p.acting_for.code)
        for p in rows
        if (side is None or p.side == side) and (part is None or p.part == part)
    ]


class SeedEngagementTests(TestCase):
    """The four engagements of the seed article, with nothing the article does not say."""

    fixtures = [FIXTURE]

    def engagement(self, kind, side_a, side_b):
        return Engagement.objects.get(kind=kind, side_a__code=side_a, side_b__code=side_b)

    def test_the_seed_holds_exactly_four_engagements(self):
        self.assertEqual(
            sorted(Engagement.objects.values_list("kind", "side_a__code", "side_b__code")),
            [("phone_call", "CUB", "RUS"), ("visit", "CUB", "CHN"), ("visit", "CUB", "VNM"), ("visit", "RUS", "CUB")],
        )

    def test_vietnam_visit_received_by_to_lam_and_luong_cuong_in_early_february(self):
        visit = self.engagement("visit", "CUB", "VNM")
        self.assertEqual(visit.place_country.code, "VNM")
        self.assertEqual(visit.place_city, "")  # the article names no city
        self.assertEqual(
            people(visit, side="b"),
            [
                ("To Lam", "b", "General Secretary of the Communist Party", "VNM-CPV"),
                ("Luong Cuong", "b", "President of the Republic", "VNM"),
            ],
        )
        self.assertEqual(people(visit, side="a"), [("Bruno Rodríguez", "a", "Foreign Minister of Cuba", "CUB-MINREX")])
        # Reported the day before the EFE report of 4 Feb 2026: that dates the messages, not the visit's day.
        self.assertEqual(
            (visit.date, visit.date_precision, visit.date_qualifier, visit.year_inferred),
            (date(2026, 2, 1), "month", "early", True),
        )
        self.assertEqual(visit.date_display, "early Feb 2026 (year inferred)")

    def test_lavrov_call_during_the_vietnam_stay_with_what_each_side_said(self):
        call = self.engagement("phone_call", "CUB", "RUS")
        self.assertEqual(call.place_country.code, "VNM")  # Rodríguez took it during his stay in Vietnam
        self.assertEqual(
            people(call),
            [
                ("Bruno Rodríguez", "a", "Foreign Minister of Cuba", "CUB-MINREX"),
                ("Sergey Lavrov", "b", "Russian Foreign Minister", "RUS-MFA"),
            ],
        )
        self.assertEqual((call.date, call.date_precision, call.date_qualifier), (date(2026, 2, 1), "month", "early"))
        self.assertIn("current international and regional issues", call.discussed)
        self.assertIn("worsening humanitarian situation", call.discussed)
        notes = set(call.citations.values_list("note", flat=True))
        self.assertLessEqual({"what the Cuban side said of the call", "what the Russian side said of the call"}, notes)

    def test_china_visit_as_special_envoy_with_the_delegation_and_its_hosts(self):
        visit = self.engagement("visit", "CUB", "CHN")
        self.assertEqual(visit.place_country.code, "CHN")
        self.assertEqual(
            people(visit, part="delegation_member"),
            [
                (
                    "Roberto Legrá Sotolongo",
                    "a",
                    "Chief of the General Staff and member of the Political Bureau of the PCC, Army Corps General",
                    "CUB",
                ),
                ("Carlos Luis Jorge", "a", "First Deputy Minister of Foreign Trade", "CUB-MFT"),
            ],
        )
        rodriguez = visit.participants.get(person__name="Bruno Rodríguez")
        self.assertEqual((rodriguez.part, rodriguez.side), ("principal", "a"))
        self.assertIn("special envoy of the Communist Party of Cuba and the Government", rodriguez.role)
        self.assertEqual(
            [(name, acting_for) for name, _side, _role, acting_for in people(visit, side="b")],
            [("Chen Xiaodong", "CHN-CIDCA"), ("Liu Haixing", "CHN-CPC-ILD")],
        )
        self.assertEqual((visit.date_precision, visit.date_qualifier, visit.year_inferred), ("month", "early", True))

    def test_kolokoltsev_visit_is_undated_because_recently_gives_no_month(self):
        visit = self.engagement("visit", "RUS", "CUB")
        self.assertEqual(visit.place_country.code, "CUB")
        self.assertEqual(
            [(name, side, acting_for) for name, side, _role, acting_for in people(visit)],
            [("Vladimir Kolokóltsev", "a", "RUS-MVD"), ("Miguel Díaz-Canel", "b", "CUB"), ("Raúl Castro", "b", "CUB")],
        )
        self.assertEqual((visit.date, visit.date_precision, visit.year_inferred), (None, "", False))
        self.assertIn("Recently", visit.date_note)
        self.assertEqual(visit.discussed, "")  # the article does not say

    def test_every_engagement_excerpt_is_verbatim_in_its_paragraph(self):
        paragraphs = article_paragraphs()
        citations = Citation.objects.filter(engagement__isnull=False)
        self.assertEqual(citations.values("engagement").distinct().count(), 4)
        for citation in citations:
            self.assertIn(citation.excerpt, paragraphs[citation.paragraph - 1], citation)

    def test_the_china_meetings_are_quoted_with_the_missing_break_as_received(self):
        visit = self.engagement("visit", "CUB", "CHN")
        quoted = visit.citations.get(paragraph=17).excerpt
        self.assertTrue(quoted.startswith("In ChinaRodríguez met with the director"))
        self.assertIn(quoted, article_text())

    def test_the_lavrov_statement_is_linked_to_the_call_and_no_other_statement_to_any_engagement(self):
        call = self.engagement("phone_call", "CUB", "RUS")
        self.assertEqual(
            list(Statement.objects.filter(engagement__isnull=False).values_list("pk", "engagement")), [(2, call.pk)]
        )

    def test_every_participant_acts_for_one_of_the_sides(self):
        for participant in Participant.objects.select_related("engagement", "acting_for"):
            participant.full_clean()
        for engagement in Engagement.objects.all():
            engagement.full_clean()

    def test_loading_the_seed_twice_changes_no_engagement(self):
        def state():
            return [
                list(model.objects.order_by("pk").values()) for model in (Engagement, Participant, Citation, Statement)
            ]

        before = state()
        call_command("loaddata", FIXTURE, verbosity=0)
        self.assertEqual(state(), before)


class EngagementRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cuba = Actor.objects.create(code="CUB", name="Cuba", kind="country", iso3="CUB")
        cls.vietnam = Actor.objects.create(code="VNM", name="Vietnam", kind="country", iso3="VNM")
        cls.russia = Actor.objects.create(code="RUS", name="Russia", kind="country", iso3="RUS")
        cls.mfa = Actor.objects.create(code="RUS-MFA", name="Russian MFA", kind="government_body", parent=cls.russia)
        cls.lavrov = Person.objects.create(name="Sergey Lavrov", actor=cls.mfa)
        cls.source = factories.source(url="https://example.org/e")
        cls.editor = User.objects.create_user("editor")

    def citation(self):
        return [{"source": self.source, "excerpt": "met", "paragraph": 2}]

    def create(self, **fields):
        values = {"kind": "meeting", "side_a": self.cuba, "side_b": self.vietnam, "citations": self.citation()}
        values.update(fields)
        return services.engagement_create(user=self.editor, reason="seen in source", **values)

    def test_an_engagement_without_a_citation_is_refused(self):
        with self.assertRaisesMessage(ValidationError, services.ERROR_NO_CITATION):
            self.create(citations=[])
        self.assertFalse(Engagement.objects.exists())

    def test_a_visit_needs_its_place(self):
        with self.assertRaisesMessage(ValidationError, ERROR_VISIT_PLACE):
            self.create(kind="visit")
        self.assertEqual(self.create(kind="visit", place_country=self.vietnam).place_display, "Vietnam")

    def test_the_database_refuses_a_visit_without_a_place_too(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Engagement.objects.create(kind="visit", side_a=self.cuba, side_b=self.vietnam)

    def test_a_participant_must_act_for_one_of_the_sides(self):
        participant = {"person": self.lavrov, "side": "b", "role": "Foreign Minister", "acting_for": self.mfa}
        with self.assertRaisesMessage(ValidationError, ERROR_PARTICIPANT_SIDE.split(":")[0]):
            self.create(participants=[participant])  # Russia is on neither side of Cuba – Vietnam
        self.assertFalse(Engagement.objects.exists())
        call = self.create(kind="phone_call", side_b=self.russia, participants=[participant])
        self.assertEqual(people(call), [("Sergey Lavrov", "b", "Foreign Minister", "RUS-MFA")])

    def test_changing_a_side_away_from_a_participant_is_refused(self):
        participant = {"person": self.lavrov, "side": "b", "role": "", "acting_for": self.mfa}
        call = self.create(kind="phone_call", side_b=self.russia, participants=[participant])
        with self.assertRaises(ValidationError):
            services.engagement_update(
                engagement=call, data={"side_b_id": self.vietnam.pk}, user=self.editor, reason="x"
            )
        call.refresh_from_db()
        self.assertEqual((call.side_b, call.version), (self.russia, 1))

    def test_a_month_date_is_the_first_of_the_month_and_a_qualifier_needs_a_month(self):
        with self.assertRaises(ValidationError):
            self.create(date=date(2026, 2, 3), date_precision="month")
        with self.assertRaises(ValidationError):
            self.create(date=date(2026, 2, 3), date_precision="day", date_qualifier="early")

    def test_updates_need_a_reason_check_the_version_and_keep_the_history(self):
        meeting = self.create()
        with self.assertRaisesMessage(ValidationError, services.ERROR_NO_REASON):
            services.engagement_update(engagement=meeting, data={"discussed": "trade"}, user=self.editor, reason=" ")
        updated = services.engagement_update(
            engagement=meeting, data={"discussed": "trade"}, user=self.editor, reason="read again", expected_version=1
        )
        self.assertEqual(updated.version, 2)
        with self.assertRaises(services.StaleEditError):
            services.engagement_update(
                engagement=meeting, data={"discussed": "aid"}, user=self.editor, reason="late", expected_version=1
            )
        latest = meeting.history.order_by("-history_id").first()
        self.assertEqual(
            (latest.history_user, latest.history_change_reason, latest.discussed), (self.editor, "read again", "trade")
        )
        first = meeting.history.order_by("history_id").first()
        reverted = services.engagement_revert(
            engagement=meeting, history_id=first.history_id, user=self.editor, reason="wrong", expected_version=2
        )
        self.assertEqual((reverted.discussed, reverted.version), ("", 3))

    def test_the_last_citation_of_an_engagement_cannot_be_removed(self):
        meeting = self.create()
        with self.assertRaisesMessage(ValidationError, services.ERROR_NO_CITATION):
            services.citation_delete(citation=meeting.citations.get(), user=self.editor, reason="x")

    def test_a_citation_cites_exactly_one_entry(self):
        meeting = self.create()
        statement = Statement.objects.create(speaker=self.russia, subject=self.cuba, kind="support", summary="s")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Citation.objects.create(source=self.source, engagement=meeting, statement=statement, excerpt="e")

    def test_services_are_registered_for_the_admin(self):
        self.assertIs(services.SERVICES[Engagement].update, services.engagement_update)
        self.assertIs(services.SERVICES[Participant].create, services.participant_create)

    def test_editors_add_and_change_engagements_and_analysts_only_view(self):
        editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
        analysts = set(Group.objects.get(name=ANALYSTS).permissions.values_list("codename", flat=True))
        for model in ("engagement", "participant"):
            self.assertLessEqual({f"add_{model}", f"change_{model}", f"view_{model}"}, editors)
            self.assertIn(f"view_{model}", analysts)
            self.assertNotIn(f"change_{model}", analysts)
            self.assertNotIn(f"delete_{model}", editors)


class EngagementPageTests(TestCase):
    fixtures = [FIXTURE]

    def test_table_lists_engagements_filtered_by_pair_and_kind(self):
        # The codes asked for (2), rows, their participants, the actor choices (one read for the form's
        # three actor boxes), and the count line.
        with self.assertNumQueries(5 + TIMED_COUNT):
            response = self.client.get(reverse("ledger:engagement-list"), {"country": "CUB", "counterpart": "VNM"})
        body = response.content.decode()
        self.assertIn(formatting.format_match_count(1, "engagement", "engagements"), body)
        self.assertIn("To Lam; Luong Cuong", body)
        self.assertNotIn("Sergey Lavrov", body)
        response = self.client.get(reverse("ledger:engagement-list"), {"kind": "phone_call"})
        self.assertContains(response, "Sergey Lavrov")
        self.assertNotContains(response, "Chen Xiaodong")

    def test_unknown_kind_is_reported_not_an_empty_table(self):
        response = self.client.get(reverse("ledger:engagement-list"), {"kind": "summit"})
        self.assertContains(response, "could not be applied")

    def test_entry_page_shows_participants_by_side_statements_citations_and_history(self):
        call = Engagement.objects.get(kind="phone_call")
        with self.assertNumQueries(6):  # engagement, participants, statements, citations, history, citations' history
            response = self.client.get(call.get_absolute_url())
        body = response.content.decode()
        for text in (
            "Sergey Lavrov",
            "Russian Foreign Minister",
            "Rejection of pressure",
            "During his stay in Vietnam",
            "What was discussed",
            "early Feb 2026 (year inferred)",
            "Change history",
        ):
            self.assertIn(text, body)

    def test_an_undated_engagement_says_so_and_how_the_date_was_read(self):
        visit = Engagement.objects.get(side_a__code="RUS")
        response = self.client.get(visit.get_absolute_url())
        self.assertContains(response, "date not stated")
        self.assertContains(response, "Recently")

    def test_csv_export_holds_every_filtered_engagement_with_its_excerpts(self):
        response = self.client.get(
            reverse("ledger:engagement-list"), {"country": "CUB", "counterpart": "VNM", "_export": "csv"}
        )
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
        self.assertEqual(
            [(r["kind"], r["side_b_code"], r["date"], r["date_precision"], r["date_qualifier"]) for r in rows],
            [("visit", "VNM", "2026-02-01", "month", "early")],
        )
        self.assertIn("received by the General Secretary", rows[0]["excerpts"])
        self.assertEqual(list(rows[0]), ENGAGEMENTS.header)

    def test_participants_download_and_json_and_xlsx(self):
        response = self.client.get(reverse("ledger:engagement-list"), {"kind": "phone_call", "_participants": "json"})
        rows = json.loads(b"".join(response.streaming_content))
        self.assertEqual(
            [(r["person_name"], r["side"], r["acting_for_code"]) for r in rows],
            [("Bruno Rodríguez", "a", "CUB-MINREX"), ("Sergey Lavrov", "b", "RUS-MFA")],
        )
        response = self.client.get(reverse("ledger:engagement-list"), {"_export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        response = self.client.get(reverse("ledger:engagement-list"), {"kind": "summit", "_export": "csv"})
        self.assertEqual(response.status_code, 400)

    def test_data_dictionary_documents_the_engagement_downloads(self):
        response = self.client.get(reverse("ledger:data-dictionary"))
        self.assertContains(response, "side_a_code")
        self.assertContains(response, "acting_for_code")


class EngagementAdminTests(TestCase):
    fixtures = [FIXTURE]

    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("boss", password="x")

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_admin_lists_and_opens_engagements(self):
        response = self.client.get(reverse("admin:ledger_engagement_changelist"))
        self.assertContains(response, "Cuba – Vietnam")
        call = Engagement.objects.get(kind="phone_call")
        response = self.client.get(reverse("admin:ledger_engagement_change", args=[call.pk]))
        self.assertContains(response, "Sergey Lavrov")
        self.assertContains(response, "Who took part")

    def test_admin_refuses_a_visit_without_a_place(self):
        cuba, vietnam = Actor.objects.get(code="CUB"), Actor.objects.get(code="VNM")
        data = {
            "kind": "visit",
            "side_a": cuba.pk,
            "side_b": vietnam.pk,
            "date_precision": "",
            "date_qualifier": "",
            "change_reason": "new",
            "edit_token": "",
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "0",
            "citations-0-source": "1",
            "citations-0-excerpt": "visited",
            "citations-0-paragraph": "2",
        }
        before = Engagement.objects.count()
        response = self.client.post(reverse("admin:ledger_engagement_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, ERROR_VISIT_PLACE)
        self.assertEqual(Engagement.objects.count(), before)
        data["place_country"] = vietnam.pk
        response = self.client.post(reverse("admin:ledger_engagement_add"), data)
        self.assertEqual(response.status_code, 302)
        created = Engagement.objects.latest("id")
        self.assertEqual((created.citations.count(), created.history.get().history_change_reason), (1, "new"))
