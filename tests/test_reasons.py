"""Every write names its reason: creates as well as updates, reverts and deletes are refused without
one (services/_shared.py save_entry), write nothing, and the history keeps the reason given."""

import inspect
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase

from ledger import services
from ledger.models import Actor, Citation, Engagement, Participant, Person, Pledge, Source, Statement, TradeFigure
from tests import factories

BLANK_REASONS = ("", "   ")


class CreateNeedsAReasonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.source = factories.source()
        cls.person = Person.objects.create(name="A minister", actor=cls.china)
        cls.editor = get_user_model().objects.create_user("editor")
        cls.pledge = factories.pledge(cls.china, cls.cuba, src=cls.source)
        cls.engagement = services.engagement_create(
            user=cls.editor,
            reason="seed",
            kind=Engagement.Kind.PHONE_CALL,
            side_a=cls.china,
            side_b=cls.cuba,
            citations=[dict(source=cls.source, excerpt="a visit")],
        )

    def citation(self, excerpt):
        return [dict(source=self.source, excerpt=excerpt, paragraph=1)]

    def creates(self):
        """Each create service, called with the reason it is given."""
        return {
            "pledge_create": lambda reason: services.pledge_create(
                user=self.editor,
                reason=reason,
                donor=self.china,
                recipient=self.cuba,
                kind="grant",
                amount=Decimal("5"),
                currency="USD",
                citations=self.citation("five dollars"),
            ),
            "trade_figure_create": lambda reason: services.trade_figure_create(
                user=self.editor,
                reason=reason,
                reporter=self.china,
                partner=self.cuba,
                flow=TradeFigure.Flow.TOTAL_TRADE,
                amount=Decimal("9"),
                currency="USD",
                citations=self.citation("nine dollars of trade"),
            ),
            "statement_create": lambda reason: services.statement_create(
                user=self.editor,
                reason=reason,
                speaker=self.china,
                subject=self.cuba,
                kind=Statement.Kind.SUPPORT,
                summary="a statement",
                citations=self.citation("they said so"),
            ),
            "citation_create": lambda reason: services.citation_create(
                user=self.editor, reason=reason, pledge=self.pledge, source=self.source, excerpt="another excerpt"
            ),
            "actor_create": lambda reason: services.actor_create(
                user=self.editor, reason=reason, code="VNM", name="Vietnam", kind=Actor.Kind.COUNTRY, iso3="VNM"
            ),
            "source_create": lambda reason: services.source_create(
                user=self.editor,
                reason=reason,
                publisher="Granma",
                headline="Another",
                url="https://example.org/another",
                published_on=date(2026, 3, 3),
                language="es",
            ),
            "person_create": lambda reason: services.person_create(
                user=self.editor, reason=reason, name="An envoy", actor=self.cuba
            ),
            "engagement_create": lambda reason: services.engagement_create(
                user=self.editor,
                reason=reason,
                kind=Engagement.Kind.PHONE_CALL,
                side_a=self.cuba,
                side_b=self.china,
                citations=self.citation("they met"),
            ),
            "participant_create": lambda reason: services.participant_create(
                user=self.editor,
                reason=reason,
                engagement=self.engagement,
                person=self.person,
                side=Participant.Side.A,
                acting_for=self.china,
            ),
        }

    def counts(self):
        models = (Pledge, TradeFigure, Statement, Citation, Actor, Source, Person, Engagement, Participant)
        return {model.__name__: model.objects.count() for model in models} | {
            "history": sum(model.history.count() for model in models)
        }

    def test_a_create_without_a_reason_is_refused_and_writes_nothing(self):
        before = self.counts()
        for name, create in self.creates().items():
            for reason in BLANK_REASONS:
                with (
                    self.subTest(name, reason=reason),
                    self.assertRaisesMessage(ValidationError, services.ERROR_NO_REASON),
                ):
                    create(reason)
        self.assertEqual(self.counts(), before)

    def test_a_create_keeps_its_reason_in_the_history(self):
        for name, create in self.creates().items():
            with self.subTest(name):
                created = create(f"read in the source ({name})")
                record = created.history.latest("history_id")
                self.assertEqual(
                    (record.history_type, record.history_user, record.history_change_reason),
                    ("+", self.editor, f"read in the source ({name})"),
                )

    def test_a_cited_entry_and_its_citations_share_the_reason(self):
        pledge = self.creates()["pledge_create"]("from the article, paragraph 1")
        citation = Citation.objects.get(pledge=pledge)
        self.assertEqual(citation.history.get().history_change_reason, "from the article, paragraph 1")

    def test_a_citation_added_without_a_reason_gets_no_made_up_one(self):
        records = Pledge.history.filter(id=self.pledge.pk).count()
        with self.assertRaisesMessage(ValidationError, services.ERROR_NO_REASON):
            services.citation_create(user=self.editor, reason="", pledge=self.pledge, source=self.source, excerpt="x")
        self.assertEqual(self.pledge.citations.count(), 1)
        self.assertEqual(Pledge.objects.get(pk=self.pledge.pk).version, self.pledge.version)  # no new version
        self.assertEqual(Pledge.history.filter(id=self.pledge.pk).count(), records)

    def test_the_reason_is_a_required_argument_of_every_create(self):
        for name in self.creates():
            with self.subTest(name):
                parameter = inspect.signature(getattr(services, name)).parameters["reason"]
                self.assertIs(parameter.default, inspect.Parameter.empty, f"{name} defaults its reason")
