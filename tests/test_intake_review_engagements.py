"""Engagements proposed by intake go through the editors' review like pledges, trade figures and statements:
stored pending with the article, shown on the review page (evidence marked, sides, place, date at its
precision, participants with roles), and in the ledger only once an editor accepts them, through the
engagement services, citing their sentence, with the intake reason in the history; a repeat (same) adds its
citation to the existing engagement."""

from datetime import date

from django.test import TestCase
from django.urls import reverse

from ledger import formatting, services
from ledger.models import Actor, Alias, Citation, Engagement, IntakeProposal, Participant, Person, Source
from ledger.roles import EDITORS
from ledger.services.intake import INTAKE_REASON, NEW_PERSON_PREFIX
from tests.test_fixtures import article_text
from tests.test_intake_review import add_article, make_user, services_values

SEED_URL = "https://example.org/seed-copy"
PUBLIC_PAGES = (
    "/",
    "/engagements/",
    "/engagements/?_participants=csv",
    "/timeline/?country=CUB&kind=engagement",
    "/actors/CUB/",
    "/actors/VNM/",
    "/actors/RUS/",
)


def add_seed_article(user):
    return add_article(article_text(), user=user, url=SEED_URL, published_on=date(2026, 2, 5))


def review_url(article):
    return reverse("admin:ledger_intakearticle_change", args=[article.pk])


def engagements_of(article) -> list[IntakeProposal]:
    return list(article.proposals.filter(entry="engagement").order_by("position"))


def public_text(client) -> str:
    pages = []
    for url in PUBLIC_PAGES:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages.append(body.decode())
    return "\n".join(pages)


class EngagementProposalsOnALedgerWithoutThemTests(TestCase):
    """The seed ledger with its engagements taken out (and Luong Cuong known only as an alias): the seed
    article's visits, call and meeting are new to it."""

    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)
        Engagement.objects.all().delete()  # test setup: the ledger as it was before they were entered
        Person.objects.filter(name="Luong Cuong").delete()
        Alias.objects.create(alias="Luong Cuong", code="VNM")
        cls.article = add_seed_article(cls.editor)

    def proposal(self, paragraph) -> IntakeProposal:
        return self.article.proposals.get(entry="engagement", paragraph=paragraph)

    def test_the_seed_article_yields_its_engagement_proposals_pending_for_review(self):
        found = [
            (p.paragraph, p.fields["kind"], p.fields["side_a"]["code"], p.fields["side_b"]["code"], p.relation, p.state)
            for p in engagements_of(self.article)
        ]
        self.assertEqual(
            found,
            [
                (9, "visit", "CUB", "VNM", "", "pending"),
                (12, "phone_call", "CUB", "RUS", "", "pending"),
                (16, "visit", "RUS", "CUB", "", "pending"),
                (17, "meeting", "CUB", "CHN", "", "pending"),
            ],
        )
        for proposal in engagements_of(self.article):
            self.assertEqual(self.article.text[proposal.start : proposal.end], proposal.evidence)
        self.assertFalse(Engagement.objects.exists())

    def test_accepting_a_visit_creates_exactly_that_engagement_with_its_participants_citation_and_history(self):
        visit = self.proposal(9)
        people = Person.objects.count()
        accepted = services.intake_proposal_accept(proposal=visit, user=self.editor)
        self.assertEqual(accepted.state, "accepted")
        engagement = Engagement.objects.get()
        self.assertEqual(accepted.engagement, engagement)
        self.assertEqual(
            (engagement.kind, engagement.side_a.code, engagement.side_b.code, engagement.place_country.code),
            ("visit", "CUB", "VNM", "VNM"),
        )
        participants = [
            (p.person.name, p.side, p.role, p.acting_for.country.code)
            for p in engagement.participants.select_related("person", "acting_for").order_by("id")
        ]
        self.assertEqual(
            participants,
            [
                ("Bruno Rodríguez", "a", "", "CUB"),
                ("To Lam", "b", "General Secretary of the Communist Party", "VNM"),
                ("Luong Cuong", "b", "President of the Republic", "VNM"),
            ],
        )
        self.assertEqual(Person.objects.count(), people + 1)  # Luong Cuong, known only as an alias, is created
        created = Person.objects.get(name="Luong Cuong")
        self.assertEqual((created.actor.code, created.role), ("VNM", "President of the Republic"))
        self.assertTrue(created.history.get().history_change_reason.startswith(NEW_PERSON_PREFIX))
        citation = engagement.citations.get()
        self.assertEqual(accepted.citation, citation)
        self.assertEqual(
            (citation.source.url, citation.excerpt, citation.paragraph), (SEED_URL, visit.evidence, visit.paragraph)
        )
        records = [
            engagement.history.get(),
            citation.history.get(),
            *(p.history.get() for p in engagement.participants.all()),
        ]
        reasons = {(record.history_user, record.history_change_reason) for record in records}
        self.assertEqual(len(reasons), 1)
        user, reason = reasons.pop()
        self.assertEqual(user, self.editor)
        self.assertTrue(reason.startswith("from The Cuban government seeks support"))
        self.assertTrue(reason.endswith(INTAKE_REASON.format(headline="", paragraph=9)[len("from ") :]))
        listing = self.client.get("/engagements/")
        self.assertContains(listing, engagement.get_absolute_url())
        page = self.client.get(engagement.get_absolute_url())
        self.assertContains(page, "Luong Cuong")
        self.assertContains(page, "General Secretary of the Communist Party")
        self.assertContains(page, visit.evidence)

    def test_a_pending_or_rejected_engagement_is_nowhere_public(self):
        services.intake_proposal_reject(proposal=self.proposal(16), reason="a courtesy visit", user=self.editor)
        self.assertFalse(Engagement.objects.exists())
        self.assertFalse(Citation.objects.filter(source__url=SEED_URL).exists())
        self.assertFalse(Source.objects.filter(url=SEED_URL).exists())
        text = public_text(self.client)
        for proposal in engagements_of(self.article):
            self.assertNotIn(proposal.evidence, text)
            self.assertNotIn(proposal.evidence[:60], text)
        self.assertNotIn("Luong Cuong", text)

    def test_a_corrected_engagement_writes_the_corrected_values_and_says_so(self):
        call = self.proposal(12)
        values = {"date": date(2026, 2, 3), "date_precision": "day", "place_city": "Hanoi"}
        accepted = services.intake_proposal_correct(proposal=call, user=self.editor, values=values)
        self.assertEqual(accepted.state, "corrected")
        engagement = accepted.engagement
        self.assertEqual(
            (engagement.kind, engagement.date, engagement.date_precision, engagement.place_display),
            ("phone_call", date(2026, 2, 3), "day", "Hanoi, Vietnam"),
        )
        self.assertIn("; corrected by the editor: place_city, date", engagement.history.get().history_change_reason)
        self.assertEqual(
            [(p.person.name, p.side) for p in engagement.participants.order_by("id")],
            [("Bruno Rodríguez", "a"), ("Sergey Lavrov", "b")],
        )

    def test_the_editor_corrects_a_role_and_leaves_out_a_person_before_accepting(self):
        visit = self.proposal(9)
        people = Person.objects.count()
        values = {"participant_0_role": "Foreign Minister", "participant_2_included": False}
        accepted = services.intake_proposal_correct(proposal=visit, user=self.editor, values=values)
        self.assertEqual(accepted.state, "corrected")
        self.assertEqual(
            [(p.person.name, p.role) for p in accepted.engagement.participants.order_by("id")],
            [("Bruno Rodríguez", "Foreign Minister"), ("To Lam", "General Secretary of the Communist Party")],
        )
        self.assertEqual(Person.objects.count(), people)  # the person left out is not created
        self.assertEqual(accepted.accepted_fields["participant_2_included"], False)
        reason = accepted.engagement.history.get().history_change_reason
        self.assertIn("corrected by the editor: participant_0_role", reason)

    def test_a_visit_without_its_place_is_refused_and_nothing_is_written(self):
        visit = self.proposal(16)
        with self.assertRaisesMessage(Exception, "A visit needs its place"):
            services.intake_proposal_correct(proposal=visit, user=self.editor, values={"place_country": ""})
        visit.refresh_from_db()
        self.assertEqual(visit.state, "pending")
        self.assertFalse(Engagement.objects.exists())
        self.assertFalse(Participant.objects.exists())


class EngagementRepeatsOnTheSeedLedgerTests(TestCase):
    """On the seed ledger the article's engagements are already there: accepting one adds its citation."""

    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)
        cls.article = add_seed_article(cls.editor)

    def test_the_seed_articles_engagements_are_the_same_as_the_ledgers(self):
        self.assertEqual(
            [(p.paragraph, p.relation, p.existing_engagement_id) for p in engagements_of(self.article)],
            [(9, "same", 1), (12, "same", 2), (16, "same", 4), (17, "same", 3)],
        )

    def test_same_adds_a_citation_to_the_existing_engagement_not_a_duplicate(self):
        visit = self.article.proposals.get(entry="engagement", paragraph=9)
        engagements, participants = Engagement.objects.count(), Participant.objects.count()
        existing = Engagement.objects.get(pk=1)
        citations = existing.citations.count()
        accepted = services.intake_proposal_accept(proposal=visit, user=self.editor)
        self.assertEqual((Engagement.objects.count(), Participant.objects.count()), (engagements, participants))
        self.assertEqual((accepted.state, accepted.engagement), ("accepted", existing))
        self.assertEqual(existing.citations.count(), citations + 1)
        added = existing.citations.get(source__url=SEED_URL)
        self.assertEqual((added.excerpt, added.paragraph, added.note), (visit.evidence, 9, "repeats this entry"))
        record = added.history.get()
        self.assertEqual(record.history_user, self.editor)
        self.assertIn("proposed by intake", record.history_change_reason)
        existing.refresh_from_db()  # the engagement's own fields are unchanged
        self.assertEqual(
            (existing.kind, existing.side_a_id, existing.place_country_id, existing.date),
            ("visit", 1, 3, date(2026, 2, 1)),
        )


class EngagementReviewPageTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]
    TEXT = (
        "Cuba and China talk trade\n\n"
        "HAVANA, Feb 6 (Wire) — Cuban Foreign Minister Bruno Rodríguez met with Chinese President Xi Jinping "
        "in Beijing on 3 February, the ministry said.\n"
    )

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)
        cls.article = add_article(
            cls.TEXT, user=cls.editor, url="https://example.org/xi", published_on=date(2026, 2, 6)
        )
        cls.seed = add_seed_article(cls.editor)

    def test_the_review_page_shows_sides_place_date_and_participants_with_their_marked_evidence(self):
        self.client.force_login(self.editor)
        with self.assertNumQueries(7):  # session, user, permissions ×2, article, proposals, actors
            response = self.client.get(review_url(self.article))
        meeting = self.article.proposals.get(entry="engagement")
        self.assertEqual(meeting.relation, "")  # the seed's China visit has other people
        html = response.content.decode()
        when = formatting.format_date(date(2026, 2, 3), "day", "", True)
        self.assertContains(response, f"Cuba – China: Meeting, place not stated, {when}")
        self.assertIn(f'<mark class="ev m-participant m-party" data-p="{meeting.pk}">Bruno Rodríguez</mark>', html)
        self.assertContains(response, '<span class="name">Bruno Rodríguez</span>, side A (Cuba): ', html=False)
        self.assertContains(response, "Cuban Foreign Minister")
        self.assertContains(response, f'name="p{meeting.pk}-side_a"')
        self.assertContains(response, f'name="p{meeting.pk}-place_country"')
        self.assertContains(response, f'name="p{meeting.pk}-participant_1_role" value="Chinese President Xi"')
        self.assertContains(response, f'name="p{meeting.pk}-participant_1_included"')

    def test_the_seed_review_page_shows_the_engagements_they_repeat(self):
        self.client.force_login(self.editor)
        with self.assertNumQueries(7):
            response = self.client.get(review_url(self.seed))
        self.assertContains(response, "Cuba – Vietnam: Visit, in Vietnam, date not stated")
        self.assertContains(response, str(Engagement.objects.get(pk=1)))
        self.assertContains(response, "General Secretary of the Communist Party")

    def test_accept_edit_and_reject_an_engagement_on_the_page(self):
        self.client.force_login(self.editor)
        meeting = self.article.proposals.get(entry="engagement")
        fields = {f"p{meeting.pk}-{k}": "" if v is None else v for k, v in services_values(meeting).items()}
        fields[f"p{meeting.pk}-place_country"] = "CHN"
        fields[f"p{meeting.pk}-place_city"] = "Beijing"
        fields[f"p{meeting.pk}-participant_1_role"] = "President of China"  # read as "Chinese President Xi"
        response = self.client.post(review_url(self.article), {"proposal": meeting.pk, "action": "accept", **fields})
        self.assertEqual(response.status_code, 302)
        meeting.refresh_from_db()
        self.assertEqual(meeting.state, "corrected")
        engagement = meeting.engagement
        self.assertEqual((engagement.place_display, engagement.date), ("Beijing, China", date(2026, 2, 3)))
        self.assertEqual(engagement.history.get().history_user, self.editor)
        self.assertEqual(
            [(p.person.name, p.side, p.role) for p in engagement.participants.order_by("id")],
            [("Bruno Rodríguez", "a", "Cuban Foreign Minister"), ("Xi Jinping", "b", "President of China")],
        )
        page = self.client.get(review_url(self.article))
        self.assertContains(page, engagement.get_absolute_url())
        call = self.seed.proposals.get(entry="engagement", paragraph=12)
        self.client.post(review_url(self.seed), {"proposal": call.pk, "action": "reject", "reason": "already cited"})
        call.refresh_from_db()
        self.assertEqual((call.state, call.reason), ("rejected", "already cited"))
        self.assertEqual(Engagement.objects.count(), 5)

    def test_accepting_a_repeat_on_the_page_adds_its_citation(self):
        self.client.force_login(self.editor)
        visit = self.seed.proposals.get(entry="engagement", paragraph=16)
        response = self.client.post(review_url(self.seed), {"proposal": visit.pk, "action": "accept"})
        self.assertEqual(response.status_code, 302)
        visit.refresh_from_db()
        self.assertEqual((visit.state, visit.engagement_id), ("accepted", 4))
        self.assertTrue(Citation.objects.filter(engagement_id=4, source__url=SEED_URL).exists())
        self.assertEqual(Engagement.objects.count(), 4)
        self.assertFalse(Actor.objects.filter(code="").exists())
