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
        services.trade_figure_update(trade_figure=figure, data={"rank": 3}, user=self.editor, reason="other edit")
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

    def test_a_conversion_the_article_states_is_kept_as_the_sources_not_replaced_by_an_ecb_rate(self):
        text = (
            "Japan pledges aid to Cuba\n\n"
            "Japan announced on Tuesday a grant of 450 million yen, about 3 million dollars, to Cuba.\n"
        )
        article = add_article(text, user=self.editor, url="https://example.org/yen")
        grant = article.proposals.get(entry="pledge")
        pledge = services.intake_proposal_accept(proposal=grant, user=self.editor).pledge
        self.assertEqual((pledge.amount, pledge.currency), (Decimal("450000000"), "JPY"))
        self.assertEqual(pledge.amount_usd, Decimal("3000000"))
        self.assertEqual((pledge.usd_rate_basis, pledge.usd_rate_source), ("stated", "stated by the source"))
        self.assertEqual(pledge.usd_rate_date, article.published_on)
        self.assertEqual(pledge.usd_rate, Decimal("0.0066666667"))
        self.assertEqual(Pledge.objects.filter(currency="USD", amount=Decimal("3000000")).count(), 0)

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

    def test_a_refinement_corrected_by_the_editor_writes_the_corrected_value(self):
        trade = add_article(REPEAT_TEXT, user=self.editor).proposals.get(entry="trade")
        accepted = services.intake_proposal_accept(proposal=trade, user=self.editor, values={"year": 2025})
        self.assertEqual((accepted.state, TradeFigure.objects.get(pk=1).year), ("corrected", 2025))

    def test_correcting_a_repeat_is_refused_because_only_its_citation_would_be_written(self):
        grant = add_article(
            SEED_TEXT, user=self.editor, url="https://example.org/copy", published_on=date(2026, 2, 5)
        ).proposals.get(existing_pledge=5)
        before = counts()
        with self.assertRaisesMessage(ValidationError, "a correction of status would not be applied"):
            services.intake_proposal_accept(proposal=grant, user=self.editor, values={"status": "delivered"})
        self.assertEqual(counts(), before)
        self.assertEqual(Pledge.objects.get(pk=5).status, "committed")

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
        self.assertEqual(
            japan.history.get().history_change_reason, f"new actor from {article.headline}, ¶2, proposed by intake"
        )
        self.assertEqual(Pledge.objects.get(donor=japan).currency, "JPY")

    def test_a_long_headline_is_shortened_so_the_reason_fits_the_history(self):
        article = add_article(REPEAT_TEXT, user=self.editor)
        article.headline = "Vietnam ships rice to Cuba " * 12
        article.save()
        rice = article.proposals.get(paragraph=2)
        accepted = services.intake_proposal_correct(proposal=rice, user=self.editor, values={"status": "pledged"})
        reason = accepted.pledge.history.get().history_change_reason
        self.assertLessEqual(len(reason), intake_services.REASON_MAX)
        self.assertRegex(
            reason, r"^from Vietnam ships rice to Cuba .*…, ¶2, proposed by intake; corrected by the editor: status$"
        )

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


ADD_URL = reverse("admin:ledger_intakearticle_add")
METADATA = {
    "publisher": "Wire",
    "headline": "Vietnam ships rice to Cuba as trade ties grow",
    "url": "https://example.org/vietnam-rice",
    "published_on": "2026-02-20",
    "language": "en",
    "wire_agency": "",
    "byline": "",
}


def review_url(article):
    return reverse("admin:ledger_intakearticle_change", args=[article.pk])


class AddArticlePageTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)

    def setUp(self):
        self.client.force_login(self.editor)

    def refused(self, **post):
        before = counts() + [IntakeArticle.objects.count(), IntakeProposal.objects.count()]
        response = self.client.post(ADD_URL, {**METADATA, "propose": "1", **post})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(counts() + [IntakeArticle.objects.count(), IntakeProposal.objects.count()], before)
        return response.content.decode()

    def test_pasting_an_article_stores_it_and_opens_its_review(self):
        response = self.client.post(ADD_URL, {**METADATA, "text": REPEAT_TEXT, "propose": "1"})
        article = IntakeArticle.objects.get()
        self.assertRedirects(response, review_url(article), fetch_redirect_response=False)
        self.assertEqual(
            (article.text, article.headline, article.created_by), (REPEAT_TEXT, METADATA["headline"], self.editor)
        )
        self.assertEqual(article.proposals.count(), 4)
        self.assertIsNone(article.source)  # the source is created on the first acceptance

    def test_a_spanish_article_is_taken_in(self):
        spanish = (GOLD / "dev" / "d2-cibercuba-es.txt").read_text(encoding="utf-8")
        post = {**METADATA, "text": spanish, "language": "es", "published_on": "2026-02-05", "propose": "1"}
        response = self.client.post(ADD_URL, post)
        article = IntakeArticle.objects.get()
        self.assertRedirects(response, review_url(article), fetch_redirect_response=False)
        self.assertEqual(article.language, "es")
        grant = article.proposals.get(relation="same", existing_pledge=5)
        self.assertIn("15 millones de dólares", grant.evidence)

    def test_reading_a_saved_page_prefills_the_source_details_and_writes_nothing(self):
        html = (
            "<html><head><title>Japan to give Cuba emergency food aid</title>"
            '<meta name="author" content="Wire staff"><meta property="og:site_name" content="Wire News">'
            '<meta property="article:published_time" content="2026-03-12"></head><body><article>'
            "<h1>Japan to give Cuba emergency food aid</h1>"
            "<p>TOKYO, March 12 (Wire) — The Japanese government announced on Tuesday a grant of 450 million yen, "
            "about 3 million dollars, to help Cuba buy food amid the island's worsening economic crisis.</p>"
            "<p>Japan also said it would ship 2,500 tonnes of rice to Cuba in April, in addition to the grant, "
            "the foreign ministry in Tokyo said in a statement to reporters.</p></article></body></html>"
        )
        page = SimpleUploadedFile("japan.html", html.encode(), content_type="text/html")
        response = self.client.post(ADD_URL, {"page": page, "read": "1"})
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.initial["headline"], "Japan to give Cuba emergency food aid")
        self.assertEqual(form.initial["byline"], "Wire staff")
        self.assertEqual(form.initial["publisher"], "Wire News")
        self.assertEqual(str(form.initial["published_on"]), "2026-03-12")
        self.assertEqual(form.initial["language"], "en")
        self.assertIn("450 million yen", form.initial["text"])
        self.assertFalse(IntakeArticle.objects.exists())

    def test_an_empty_text_is_refused(self):
        self.assertIn(article_rules.EMPTY, self.refused(text="   \n\n ", page=SimpleUploadedFile("a.txt", b"")))
        self.assertIn(article_rules.EMPTY, self.refused(page=SimpleUploadedFile("empty.html", b"")))

    def test_a_binary_file_is_refused(self):
        self.assertIn("looks binary", self.refused(page=SimpleUploadedFile("photo.html", bytes(range(256)) * 20)))

    def test_a_page_with_no_article_is_refused(self):
        page = b"<html><body><nav>Home</nav><script>var x = 1;</script><footer>Cookies</footer></body></html>"
        self.assertIn("No article text was found", self.refused(page=SimpleUploadedFile("index.html", page)))

    def test_a_50_mb_file_is_refused_before_it_is_read(self):
        huge = SimpleUploadedFile("huge.html", b"a" * (50 * 1024 * 1024))
        self.assertIn("The file is 50.0 MB", self.refused(page=huge))

    def test_text_in_another_language_is_refused(self):
        french = "Le gouvernement français a annoncé une aide de 10 millions d'euros pour Cuba, selon le ministère."
        self.assertIn("does not read as English or Spanish", self.refused(text=french))

    def test_the_wrong_language_is_named(self):
        spanish = (GOLD / "dev" / "d2-cibercuba-es.txt").read_text(encoding="utf-8")
        self.assertIn("The text reads as Spanish, not English: choose Spanish", self.refused(text=spanish))

    def test_an_article_with_no_figures_is_refused(self):
        text = (
            "The minister visited the island on Tuesday and met officials of the government, who spoke of the weather."
        )
        self.assertIn("No entries found", self.refused(text=text))

    def test_missing_source_details_are_asked_for(self):
        html = self.refused(text=REPEAT_TEXT, url="", publisher="")
        self.assertIn("Required: confirm it from the article.", html)
        self.assertIn("Vietnam will donate 10,000 tonnes", html)  # the text is kept

    def test_the_add_page_query_count(self):
        with self.assertNumQueries(4):  # session, user, the user's group permissions (twice: add + each_context)
            response = self.client.get(ADD_URL)
        self.assertContains(response, "Propose entries")


class ReviewPageTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", EDITORS)
        cls.analyst = make_user("analyst", ANALYSTS)
        cls.article = add_article(REPEAT_TEXT, user=cls.editor)

    def proposal(self, **filters) -> IntakeProposal:
        return self.article.proposals.get(**filters)

    def test_the_review_page_marks_the_evidence_in_place_and_lists_proposals_by_confidence(self):
        self.client.force_login(self.editor)
        with self.assertNumQueries(7):  # session, user, permissions ×2, article, proposals, actors
            response = self.client.get(review_url(self.article))
        html = response.content.decode()
        rice = self.proposal(paragraph=2)
        self.assertIn(f'<mark class="ev m-amount" data-p="{rice.pk}">10,000 tonnes of rice</mark>', html)
        self.assertIn(f'<mark class="ev m-party" data-p="{rice.pk}">Vietnam</mark>', html)
        self.assertIn(f'<mark class="ev m-date" data-p="{rice.pk}">on Thursday</mark>', html)
        listed = [p.pk for p in response.context["proposals"]]
        expected = list(self.article.proposals.order_by("-confidence", "position").values_list("pk", flat=True))
        self.assertEqual(listed, expected)
        self.assertContains(response, '<span class="chip flag-currency_assumed">currency assumed</span>', html=True)
        self.assertContains(response, "Refines an existing entry")
        self.assertContains(response, "Vietnam – Cuba: total trade")  # the matched entry, side by side
        self.assertContains(response, "ledger/intake/review.js")
        self.assertNotIn("<script>", html.split('<div id="content-main"')[1])  # no inline script in the page's content

    def test_accept_correct_and_reject_on_the_page(self):
        self.client.force_login(self.editor)
        rice, grant, statement = (
            self.proposal(paragraph=2),
            self.proposal(paragraph=3),
            self.proposal(entry="statement"),
        )
        url = review_url(self.article)
        prefix = f"p{rice.pk}"
        fields = {f"{prefix}-{k}": "" if v is None else v for k, v in services_values(rice).items()}
        fields[f"{prefix}-quantity"] = "12000"
        response = self.client.post(url, {"proposal": rice.pk, "action": "accept", **fields})
        self.assertEqual(response.status_code, 302)
        rice.refresh_from_db()
        self.assertEqual((rice.state, rice.pledge.quantity), ("corrected", Decimal("12000")))
        response = self.client.post(url, {"proposal": statement.pk, "action": "reject", "reason": ""})
        statement.refresh_from_db()
        self.assertEqual(statement.state, "pending")
        self.client.post(url, {"proposal": statement.pk, "action": "reject", "reason": "a thank-you, not support"})
        fields = {f"p{grant.pk}-{k}": "" if v is None else v for k, v in services_values(grant).items()}
        self.client.post(url, {"proposal": grant.pk, "action": "accept", **fields})
        response = self.client.get(url)
        self.assertEqual(response.context["counts"], {"pending": 1, "accepted": 1, "corrected": 1, "rejected": 1})
        self.assertContains(response, "a thank-you, not support")

    def test_analysts_see_the_review_but_cannot_change_it(self):
        self.client.force_login(self.analyst)
        response = self.client.get(review_url(self.article))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'value="accept"')
        self.assertContains(response, "0 accepted")
        rice = self.proposal(paragraph=2)
        response = self.client.post(review_url(self.article), {"proposal": rice.pk, "action": "reject", "reason": "no"})
        self.assertEqual(response.status_code, 403)
        rice.refresh_from_db()
        self.assertEqual(rice.state, "pending")
        self.assertEqual(self.client.get(ADD_URL).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:ledger_intakearticle_changelist")).status_code, 200)

    def test_anonymous_visitors_are_sent_to_the_login(self):
        for url in (ADD_URL, review_url(self.article), reverse("admin:ledger_intakearticle_changelist")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/admin/login/", response["Location"])
        rice = self.proposal(paragraph=2)
        self.client.post(review_url(self.article), {"proposal": rice.pk, "action": "reject", "reason": "no"})
        rice.refresh_from_db()
        self.assertEqual(rice.state, "pending")

    def test_the_article_text_is_escaped_in_the_review(self):
        text = (
            "China sends aid to Cuba <script>alert(1)</script>\n\n"
            "BEIJING, March 2 (Wire) — China donated 20 million dollars to Cuba on Monday <b>to help</b> the island "
            "buy fuel, the government said in a statement to the press.\n"
        )
        article = add_article(text, user=self.editor, url="https://example.org/escaping")
        self.client.force_login(self.editor)
        html = self.client.get(review_url(article)).content.decode()
        self.assertNotIn("<script>alert(1)", html)
        self.assertNotIn("<b>to help</b>", html)
        self.assertIn("&lt;b&gt;to help&lt;/b&gt;", html)

    def test_a_malformed_id_in_the_address_or_the_form_finds_nothing(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/admin/ledger/intakearticle/1x/change/").status_code, 404)
        self.assertEqual(self.client.get("/admin/ledger/intakearticle/99999999999999999999/change/").status_code, 404)
        response = self.client.post(review_url(self.article), {"proposal": "'; --", "action": "accept"})
        self.assertEqual(response.status_code, 404)
        rice = self.proposal(paragraph=2)
        fields = {f"p{rice.pk}-{k}": "" if v is None else v for k, v in services_values(rice).items()}
        post = {"proposal": rice.pk, "action": "accept", "expected_version": "v2", **fields}
        self.assertEqual(self.client.post(review_url(self.article), post).status_code, 302)

    def test_pending_proposals_are_on_no_public_page(self):
        for url in ("/", "/pledges/", "/trade/", "/sources/", "/actors/CUB/", "/pledges/?format=csv"):
            response = self.client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            self.assertNotIn(b"10,000", body, url)
            self.assertNotIn(b"Vietnam ships rice", body, url)


def services_values(proposal):
    from ledger.intake.review import proposal_initial

    return proposal_initial(proposal)


def intake_rows(user=None) -> None:
    """An intake article with its proposals, an alias and a delivery, each with a history row where its
    model keeps one, on the loaded seed ledger: for the tests that walk every admin address
    (tests/hardening_data.populate)."""
    add_article(REPEAT_TEXT, user=user, url="https://example.org/hardening-intake")
    Alias.objects.create(alias="the Kremlin", code="RUS", note="hardening test data")
    Delivery.objects.create(
        pledge=Pledge.objects.order_by("pk").first(), quantity=Decimal("1"), unit="t", commodity="rice"
    )
