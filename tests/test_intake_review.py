"""Article intake, end to end on the server: an article is stored with its proposals (pending, in intake's
own tables only), and an editor's acceptance writes through the ledger's services with the citation and
the reason; same adds a citation, refines corrects through a versioned save, delivers is not counted
again. The add and review pages: messages for bad input, query counts, who may see and change what."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from ledger import services
from ledger.intake import article as article_rules
from ledger.models import (
    Actor,
    Alias,
    Citation,
    Delivery,
    IntakeArticle,
    IntakeProposal,
    Pledge,
    Source,
    Statement,
    TradeFigure,
)
from ledger.roles import ANALYSTS, EDITORS
from ledger.services import intake as intake_services

GOLD = Path(settings.BASE_DIR) / "tests" / "intake_gold"
SEED_TEXT = (Path(settings.BASE_DIR) / "fixtures" / "sources" / "cibercuba-2026-02-05.txt").read_text(encoding="utf-8")
REPEAT_TEXT = (GOLD / "dev" / "d1-vietnam-rice-trade-year.txt").read_text(encoding="utf-8")
JAPAN_TEXT = (GOLD / "heldout" / "h1-japan-yen-grant.txt").read_text(encoding="utf-8")
LEDGER_MODELS = (Actor, Source, Pledge, TradeFigure, Statement, Citation, Delivery)


def counts() -> list[int]:
    return [m.objects.count() for m in LEDGER_MODELS] + [
        m.history.count() for m in LEDGER_MODELS if hasattr(m, "history")
    ]


def add_article(text, *, user, url="https://example.org/article", published_on=date(2026, 2, 20), language="en"):
    return services.intake_article_create(
        text=text,
        published_on=published_on,
        language=language,
        publisher="Wire",
        headline=text.strip().splitlines()[0],
        url=url,
        user=user,
    )


def make_user(name, group=None, **extra):
    user = get_user_model().objects.create_user(name, password="aid-ledger-demo", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


class IntakeOnTheSeedLedgerTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)

    def test_storing_an_article_writes_nothing_to_the_ledger(self):
        before = counts()
        article = add_article(REPEAT_TEXT, user=self.editor)
        self.assertEqual(counts(), before)
        self.assertEqual(article.text, REPEAT_TEXT)  # verbatim
        self.assertEqual(article.paragraphs[2][0], 3)
        for proposal in article.proposals.all():
            self.assertEqual(proposal.state, "pending")
            self.assertEqual(article.text[proposal.start : proposal.end], proposal.evidence)
            number, start, end = article.paragraphs[proposal.paragraph - 1]
            self.assertTrue(start <= proposal.start <= proposal.end <= end)

    def test_the_seed_article_is_all_same_and_accepting_adds_citations_not_entries(self):
        article = add_article(
            SEED_TEXT, user=self.editor, url="https://example.org/syndicated-copy", published_on=date(2026, 2, 5)
        )
        proposals = list(article.proposals.order_by("position"))
        self.assertTrue(proposals)
        self.assertEqual({p.relation for p in proposals}, {"same"})
        entries = [Pledge.objects.count(), TradeFigure.objects.count(), Statement.objects.count()]
        citations = Citation.objects.count()
        total_before = sum(Pledge.objects.counted_in_totals().exclude(amount=None).values_list("amount", flat=True))
        for proposal in proposals:
            services.intake_proposal_accept(proposal=proposal, user=self.editor)
        self.assertEqual([Pledge.objects.count(), TradeFigure.objects.count(), Statement.objects.count()], entries)
        source = Source.objects.get(url="https://example.org/syndicated-copy")
        added = Citation.objects.filter(source=source)
        self.assertEqual(Citation.objects.count(), citations + added.count())
        self.assertEqual(added.count(), len({(p.existing, p.evidence) for p in proposals}))
        total_after = sum(Pledge.objects.counted_in_totals().exclude(amount=None).values_list("amount", flat=True))
        self.assertEqual(total_after, total_before)
        grant = Pledge.objects.get(pk=5)
        sentence = "Furthermore, the Vietnamese government donated 15 million dollars to Cuba in September."
        self.assertTrue(grant.citations.filter(source=source, excerpt=sentence, paragraph=11).exists())
        record = Citation.history.filter(source=source).latest("history_id")
        self.assertEqual(record.history_user, self.editor)
        self.assertIn("proposed by intake", record.history_change_reason)

    def test_a_later_article_repeating_the_15_million_refines_the_trade_year_through_a_versioned_save(self):
        article = add_article(REPEAT_TEXT, user=self.editor)
        trade = article.proposals.get(entry="trade")
        grant = article.proposals.get(entry="pledge", paragraph=3)
        self.assertEqual((trade.relation, trade.existing_trade_figure_id), ("refines", 1))
        self.assertEqual((grant.relation, grant.existing_pledge_id), ("refines", 5))
        figure = TradeFigure.objects.get(pk=1)
        version, pledges, figures = figure.version, Pledge.objects.count(), TradeFigure.objects.count()

        services.intake_proposal_accept(proposal=trade, user=self.editor, expected_version=version)
        services.intake_proposal_accept(proposal=grant, user=self.editor)

        figure.refresh_from_db()
        self.assertEqual((figure.year, figure.version), (2024, version + 1))
        self.assertEqual((Pledge.objects.count(), TradeFigure.objects.count()), (pledges, figures))
        latest = figure.history.latest("history_id")
        self.assertEqual(latest.history_user, self.editor)
        self.assertIn(f"from {article.headline}, ¶4, proposed by intake", latest.history_change_reason)
        self.assertIn("year → 2024", latest.history_change_reason)
        self.assertTrue(figure.citations.filter(paragraph=4, source__url=article.url).exists())
        self.assertFalse(Pledge.objects.get(pk=5).year_inferred)  # "September 2025": the year is stated

    def test_a_refinement_of_an_entry_changed_since_the_page_was_loaded_is_refused(self):
        trade = add_article(REPEAT_TEXT, user=self.editor).proposals.get(entry="trade")
        figure = TradeFigure.objects.get(pk=1)
        stale = figure.version
        services.trade_figure_update(trade_figure=figure, data={"rank": 2}, user=self.editor, reason="other edit")
        with self.assertRaises(services.StaleEditError):
            services.intake_proposal_accept(proposal=trade, user=self.editor, expected_version=stale)
        trade.refresh_from_db()
        self.assertEqual(trade.state, "pending")

    def test_a_new_pledge_is_created_with_its_citation_and_the_reason(self):
        article = add_article(REPEAT_TEXT, user=self.editor)
        rice = article.proposals.get(entry="pledge", paragraph=2)
        self.assertEqual(rice.relation, "")
        accepted = services.intake_proposal_accept(proposal=rice, user=self.editor)
        pledge = accepted.pledge
        self.assertEqual((pledge.quantity, pledge.unit, pledge.commodity), (Decimal("10000"), "t", "rice"))
        self.assertEqual(pledge.valuation, "not_stated")
        citation = pledge.citations.get()
        self.assertEqual((citation.paragraph, citation.excerpt), (2, rice.evidence))
        self.assertEqual(citation.source.headline, article.headline)
        record = pledge.history.get()
        self.assertEqual(record.history_user, self.editor)
        self.assertEqual(record.history_change_reason, f"from {article.headline}, ¶2, proposed by intake")
        self.assertEqual(accepted.state, "accepted")

    def test_a_corrected_proposal_writes_the_corrected_values_and_says_so(self):
        rice = add_article(REPEAT_TEXT, user=self.editor).proposals.get(entry="pledge", paragraph=2)
        values = {"quantity": Decimal("12000"), "status": "pledged"}
        accepted = services.intake_proposal_correct(proposal=rice, user=self.editor, values=values)
        self.assertEqual(accepted.state, "corrected")
        self.assertEqual((accepted.pledge.quantity, accepted.pledge.status), (Decimal("12000"), "pledged"))
        self.assertEqual(accepted.accepted_fields["quantity"], "12000")
        self.assertIn("corrected by the editor: status, quantity", accepted.pledge.history.get().history_change_reason)
        other = add_article(REPEAT_TEXT, user=self.editor, url="https://example.org/b").proposals.get(paragraph=2)
        with self.assertRaisesMessage(ValidationError, intake_services.ERROR_NOTHING_CORRECTED):
            services.intake_proposal_correct(proposal=other, user=self.editor, values={"quantity": Decimal("10000")})

    def test_a_rejection_keeps_its_reason_and_writes_nothing(self):
        rice = add_article(REPEAT_TEXT, user=self.editor).proposals.get(entry="pledge", paragraph=2)
        before = counts()
        with self.assertRaisesMessage(ValidationError, intake_services.ERROR_NO_REJECT_REASON):
            services.intake_proposal_reject(proposal=rice, reason="  ", user=self.editor)
        rejected = services.intake_proposal_reject(proposal=rice, reason="already reported", user=self.editor)
        self.assertEqual(
            (rejected.state, rejected.reason, rejected.reviewed_by), ("rejected", "already reported", self.editor)
        )
        self.assertEqual(counts(), before)
        with self.assertRaisesMessage(ValidationError, "already reviewed"):
            services.intake_proposal_accept(proposal=rice, user=self.editor)

    def test_a_new_country_is_created_only_when_its_proposal_is_accepted(self):
        article = add_article(JAPAN_TEXT, user=self.editor, published_on=date(2026, 3, 12))
        grant = article.proposals.order_by("position").first()
        self.assertIn("actor_new", grant.flags)
        self.assertFalse(Actor.objects.filter(code="JPN").exists())
        services.intake_proposal_accept(proposal=grant, user=self.editor)
        japan = Actor.objects.get(code="JPN")
        self.assertEqual((japan.kind, japan.iso3, japan.name), ("country", "JPN", "Japan"))
        self.assertIn("New actor proposed by intake", japan.history.get().history_change_reason)
        self.assertEqual(Pledge.objects.get(donor=japan).currency, "JPY")

    def test_a_part_waits_for_its_package(self):
        text = SEED_TEXT
        article = add_article(text, user=self.editor, url="https://example.org/seed", published_on=date(2026, 2, 5))
        # On an empty ledger of pledges the package and its parts are new.
        for proposal in article.proposals.all():
            proposal.relation, proposal.existing_pledge = "", None
            proposal.save()
        part = article.proposals.filter(entry="pledge").exclude(fields__package=None).first()
        with self.assertRaisesMessage(ValidationError, "review the package first"):
            services.intake_proposal_accept(proposal=part, user=self.editor)
        package = article.proposals.get(position=part.fields["package"])
        package_pledge = services.intake_proposal_accept(proposal=package, user=self.editor).pledge
        self.assertEqual(
            services.intake_proposal_accept(proposal=part, user=self.editor).pledge.package, package_pledge
        )

    def test_a_delivery_is_linked_to_its_pledge_and_not_counted_again(self):
        pledge = Pledge.objects.get(pk=3)  # China's 60,000 t of rice
        text = (
            "China delivers rice to Cuba\n\n"
            "HAVANA, March 2 (Wire) — China delivered 30,000 tonnes of rice to Cuba on Monday as the first part of "
            "the emergency package announced in January, the Cuban foreign ministry said in a statement.\n"
        )
        article = add_article(text, user=self.editor, published_on=date(2026, 3, 3))
        delivery = article.proposals.get(relation="delivers")
        self.assertEqual(delivery.existing_pledge, pledge)
        total = list(Pledge.objects.counted_in_totals().values_list("quantity", flat=True))
        accepted = services.intake_proposal_accept(proposal=delivery, user=self.editor)
        recorded = Delivery.objects.get()
        self.assertEqual((recorded.pledge, recorded.quantity, recorded.unit), (pledge, Decimal("30000"), "t"))
        self.assertEqual(recorded.citation, accepted.citation)
        self.assertEqual(accepted.citation.pledge, pledge)
        self.assertEqual(list(Pledge.objects.counted_in_totals().values_list("quantity", flat=True)), total)
        pledge.refresh_from_db()
        self.assertNotEqual(pledge.status, "delivered")  # half of it

    def test_aliases_editors_add_are_read(self):
        Alias.objects.create(alias="the Kremlin", code="RUS")
        text = (
            "The Kremlin sends aid to Cuba\n\n"
            "MOSCOW, March 2 (Wire) — The Kremlin donated 20 million dollars to Cuba on Monday to help the island "
            "buy fuel, the government said in a statement to the press.\n"
        )
        proposal = add_article(text, user=self.editor, published_on=date(2026, 3, 3)).proposals.get()
        self.assertEqual(proposal.fields["donor"]["code"], "RUS")
        self.assertIn(
            [
                proposal.evidence.index("The Kremlin") + proposal.start,
                proposal.evidence.index("The Kremlin") + proposal.start + 11,
            ],
            proposal.marks["party"],
        )

    def test_an_article_with_no_figures_is_refused_and_nothing_is_stored(self):
        text = "The minister visited the island on Tuesday and met officials, who spoke of the weather and of sport."
        with self.assertRaisesMessage(ValidationError, "No entries found"):
            add_article(text, user=self.editor)
        self.assertFalse(IntakeArticle.objects.exists())
