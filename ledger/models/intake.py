"""Article intake's own rows: the article as stored (its text verbatim, its paragraphs as the citations
number them), the proposals read from it waiting for an editor, the aliases editors add, and the
deliveries recorded against pledges. Nothing here is in a total, a table or an export: an accepted
proposal enters the ledger through the ledger's services (ledger/services/intake.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ledger import formatting
from ledger.intake.parties import alias_data
from ledger.models.base import COUNTRY_CODES, CURRENCY_CHOICES, AmountQualifier, DatePrecision, DateQualifier
from ledger.models.directory import Actor, Source
from ledger.models.engagements import Engagement
from ledger.models.entries import Citation, Statement, TradeFigure
from ledger.models.pledges import Pledge


class IntakeArticle(models.Model):
    """One article given to intake: its text verbatim, the source metadata the editor confirmed, and
    the ledger source it became (created on the first acceptance, or an existing one at that address)."""

    text = models.TextField(help_text="The article's text, verbatim: every evidence offset points into it.")
    paragraphs = models.JSONField(
        default=list, help_text="[number, start, end] of each paragraph, numbered as the citations number them."
    )
    publisher = models.CharField(max_length=200)
    byline = models.CharField(max_length=200, blank=True, default="")
    headline = models.CharField(max_length=500)
    url = models.URLField("address (URL)", max_length=1000)
    published_on = models.DateField("publication date")
    language = models.CharField(max_length=10, help_text="ISO 639-1 code: en or es.")
    wire_agency = models.CharField(max_length=100, blank=True, default="")
    page_metadata = models.JSONField(default=dict, blank=True, help_text="What the HTML page said of itself.")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="intake_articles")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "article (intake)"
        verbose_name_plural = "articles (intake)"
        indexes = [models.Index(fields=["created_at", "id"], name="intake_article_created_id")]

    def __str__(self):
        return f"{self.publisher}, {self.published_on:%d %b %Y}: {self.headline}"


class IntakeProposal(models.Model):
    """One entry intake proposes from an article, with its evidence, waiting for an editor's decision."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"
        CORRECTED = "corrected", "accepted with corrections"
        REJECTED = "rejected", "rejected"

    class Relation(models.TextChoices):
        NEW = "", "new entry"
        SAME = "same", "same as an existing entry"
        REFINES = "refines", "refines an existing entry"
        DELIVERS = "delivers", "a delivery against a pledge"

    article = models.ForeignKey(IntakeArticle, on_delete=models.CASCADE, related_name="proposals")
    position = models.PositiveIntegerField(help_text="Its place in the extractor's list (packages refer to it).")
    entry = models.CharField(max_length=10, help_text="pledge, trade, statement or engagement")
    fields = models.JSONField(help_text="The proposal as propose_entries prints it (the export's column names).")
    paragraph = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    evidence = models.TextField(help_text="text[start:end] of the article, verbatim.")
    marks = models.JSONField(default=dict, blank=True, help_text="amount / date / party spans inside the evidence.")
    flags = models.JSONField(default=list, blank=True)
    confidence = models.FloatField()
    relation = models.CharField(max_length=10, blank=True, default="", choices=Relation.choices)
    existing_pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    existing_trade_figure = models.ForeignKey(
        TradeFigure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    existing_statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    existing_engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True, help_text="Field → value a refinement proposes.")

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True, default="", help_text="Why it was rejected.")
    accepted_fields = models.JSONField(null=True, blank=True, help_text="The values written, after corrections.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trade_figure = models.ForeignKey(TradeFigure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    engagement = models.ForeignKey(Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivery = models.ForeignKey("Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    citation = models.ForeignKey(Citation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-confidence", "position", "id"]
        verbose_name = "proposal (intake)"
        verbose_name_plural = "proposals (intake)"
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="intake_proposal_position_unique"),
            models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="intake_proposal_span_ordered"),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reason=""),
                name="intake_rejection_has_reason",
                violation_error_message="Say why the proposal is rejected: the reason is kept.",
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(reviewed_at__isnull=False),
                name="intake_review_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.entry} ¶{self.paragraph}: {self.evidence[:80]}"

    @property
    def existing(self) -> Pledge | TradeFigure | Statement | Engagement | None:
        return self.existing_pledge or self.existing_trade_figure or self.existing_statement or self.existing_engagement

    @property
    def result(self) -> Pledge | TradeFigure | Statement | Engagement | None:
        return self.pledge or self.trade_figure or self.statement or self.engagement


class Alias(models.Model):
    """Another name intake reads as an actor ("the Kremlin" → RUS): an actor's code, a country's ISO
    3166-1 alpha-3 code, or an organisation's code from intake's alias list."""

    alias = models.CharField(max_length=200, unique=True, help_text="As the articles write it, case included.")
    code = models.CharField(
        max_length=32, help_text="The actor's code in the ledger (CUB, CHN-CIDCA), or a country's ISO code."
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["alias", "id"]
        verbose_name_plural = "aliases"

    def __str__(self):
        return f"{self.alias} → {self.code}"

    def clean(self):
        self.alias, self.code = self.alias.strip(), self.code.strip().upper()
        organisations = {org["code"] for org in alias_data()["organisations"]}
        if (
            self.code
            and self.code not in COUNTRY_CODES
            and self.code not in organisations
            and not Actor.objects.filter(code=self.code).exists()
        ):
            raise ValidationError({"code": "No actor has this code, and it is not an ISO 3166-1 alpha-3 country code."})


class Delivery(models.Model):
    """Goods or money delivered against a pledge, as a source reports it. Never added to a total: the
    pledge it fulfils is what totals count."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="deliveries")
    quantity = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=10, blank=True, default="", choices=Pledge.Unit.choices)
    commodity = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="", choices=CURRENCY_CHOICES)
    amount_qualifier = models.CharField(max_length=15, blank=True, default="", choices=AmountQualifier.choices)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, blank=True, default="", choices=DatePrecision.choices)
    date_qualifier = models.CharField(max_length=5, blank=True, default="", choices=DateQualifier.choices)
    year_inferred = models.BooleanField(default=False)
    citation = models.ForeignKey(
        Citation,
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        help_text="The citation, on the pledge, of the words that report the delivery.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(amount__isnull=False),
                name="delivery_states_what",
                violation_error_message="A delivery states a quantity or an amount.",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="delivery_amount_has_currency",
                violation_error_message="An amount needs its currency.",
            ),
        ]
        # SQLite also has an index on (date, id, pledge) for the timeline's date-ordered read, created by
        # migration 0012 for SQLite only (PostgreSQL's planner reads it worse than the table: see there).

    def __str__(self):
        parts = [
            formatting.format_money(self.amount, self.currency, self.amount_qualifier)
            if self.amount is not None
            else "",
            formatting.format_goods(self.quantity, self.unit, self.commodity, "", "")
            if self.quantity is not None
            else "",
        ]
        return f"delivery of {' and '.join(p for p in parts if p)} against {self.pledge}"
