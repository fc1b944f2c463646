"""Trade figures, statements, and the citations that tie every entry to the words it was read from."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ledger import formatting
from ledger.models.base import (
    ConstraintMessagesOnFields,
    DatePrecision,
    DateQualifier,
    MoneyFields,
    money_constraint_fields,
)
from ledger.models.directory import Actor, Person, Source
from ledger.models.engagements import Engagement
from ledger.models.pledges import Pledge


class TradeFigure(MoneyFields):
    """A trade or investment figure, or a trade relation stated without a figure, between two countries."""

    class Flow(models.TextChoices):
        TOTAL_TRADE = "total_trade", "Total trade"
        EXPORTS = "exports", "Exports"
        IMPORTS = "imports", "Imports"
        INVESTMENT = "investment", "Investment"

    reporter = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="trade_reported",
        help_text="For exports, imports and investment: the exporting, importing or investing country.",
    )
    partner = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="trade_partnered")
    flow = models.CharField(max_length=12, choices=Flow.choices)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty when the source states no period."
    )
    year_inferred = models.BooleanField(default=False)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The reporter's rank among the partner's partners (2 = second-largest)."
    )
    rank_statement = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="The rank or relation as the source words it: 'second-largest trading partner'.",
    )
    relationship = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="How the parties label their ties, if the source says: 'strategic partnership'.",
    )
    description = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {
        **money_constraint_fields("tradefigure"),
        "trade_reporter_is_not_partner": "partner",
        "trade_year_plausible": "year",
        "trade_no_inferred_without_year": "year_inferred",
        "trade_rank_positive": "rank",
        "trade_states_something": "amount",
    }

    class Meta:
        ordering = ["-year", "-id"]
        constraints = MoneyFields.Meta.constraints + [
            models.CheckConstraint(
                condition=~Q(reporter=F("partner")),
                name="trade_reporter_is_not_partner",
                violation_error_message="A trade figure is between two different countries.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | (Q(year__gte=1800) & Q(year__lte=2200)),
                name="trade_year_plausible",
                violation_error_message="The year must be a calendar year such as 2025.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=False) | Q(year_inferred=False),
                name="trade_no_inferred_without_year",
                violation_error_message="'Year inferred' needs a year.",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="trade_rank_positive",
                violation_error_message="A rank starts at 1 (the largest).",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | ~Q(rank_statement="") | ~Q(relationship=""),
                name="trade_states_something",
                violation_error_message="A trade entry needs a value, a rank statement or a relationship.",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "id"], name="trade_year_id"),
            models.Index(fields=["amount_usd", "id"], name="trade_amount_usd_id"),
            # One index per filter and sort the trade table offers (ledger/filters/trade.py).
            models.Index(fields=["reporter", "year", "id"], name="trade_reporter_year_id"),
            models.Index(fields=["partner", "year", "id"], name="trade_partner_year_id"),
            models.Index(fields=["flow", "id"], name="trade_flow_id"),
            models.Index(fields=["currency", "id"], name="trade_currency_id"),
            models.Index(fields=["amount", "id"], name="trade_amount_id"),
            models.Index(fields=["amount_qualifier", "id"], name="trade_qualifier_id"),
            models.Index(fields=["rank_statement", "id"], name="trade_rank_statement_id"),
        ]

    def __str__(self):
        return f"{self.reporter} – {self.partner}: {self.get_flow_display().lower()}, {self.value_display}"

    def get_absolute_url(self):
        return reverse("ledger:trade-detail", args=[self.pk])

    @property
    def value_display(self):
        return self.money_display if self.amount is not None else "no figure stated"

    @property
    def period_display(self):
        if self.year is None:
            return "year not stated"
        return f"{self.year} (year inferred)" if self.year_inferred else str(self.year)


class Statement(ConstraintMessagesOnFields):
    """Something an actor said about another with no amount attached: support, rejection of pressure.
    Kept apart from pledges so that words never appear as zero-valued aid."""

    constraint_fields = {
        "statement_speaker_is_not_subject": "subject",
        "statement_date_has_precision": "date_precision",
    }

    class Kind(models.TextChoices):
        SUPPORT = "support", "Statement of support"
        OFFER_OF_HELP = "offer_of_help", "Offer of help (no amount)"
        REJECTION_OF_PRESSURE = "rejection_of_pressure", "Rejection of pressure on the recipient"
        CALL_ON_THIRD_PARTY = "call_on_third_party", "Call on a third party"

    speaker = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="statements_made")
    subject = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="statements_about")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    summary = models.TextField()
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, blank=True, default="", choices=DatePrecision.choices)
    date_qualifier = models.CharField(max_length=5, blank=True, default="", choices=DateQualifier.choices)
    year_inferred = models.BooleanField(default=False)
    engagement = models.ForeignKey(
        Engagement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
        help_text="The visit, meeting or call it was made at, where the source says so.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(speaker=F("subject")),
                name="statement_speaker_is_not_subject",
                violation_error_message="A statement is made by one actor about another.",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True) | ~Q(date_precision=""),
                name="statement_date_has_precision",
                violation_error_message="Say how precise the date is: day, month or year.",
            ),
        ]
        indexes = [
            models.Index(fields=["date", "id"], name="statement_date_id"),
            # An actor's latest statements, one side at a time (ledger/timeline.py first_rows): an index walk
            # of a few rows, not a sort of all of them. Scanned backwards, they serve "-date, -id" on both
            # databases (unknown dates last on SQLite, first on PostgreSQL, as the ORDER BY says).
            models.Index(fields=["speaker", "date", "id"], name="statement_speaker_date_id"),
            models.Index(fields=["subject", "date", "id"], name="statement_subject_date_id"),
        ]

    def __str__(self):
        return f"{self.speaker} on {self.subject}: {self.get_kind_display()}"

    @property
    def date_display(self):
        return formatting.format_date(self.date, self.date_precision, self.date_qualifier, self.year_inferred)


class Citation(ConstraintMessagesOnFields):
    """The verbatim excerpt of a source that one ledger entry rests on."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    pledge = models.ForeignKey(Pledge, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")
    trade_figure = models.ForeignKey(
        TradeFigure, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    excerpt = models.TextField(help_text="The words of the source, verbatim.")
    paragraph = models.PositiveIntegerField(
        null=True, blank=True, help_text="Where the excerpt sits: the paragraph's number in the source (1 = headline)."
    )
    note = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="What this citation adds, for example 'confirms the year'.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {
        "citation_excerpt_not_empty": "excerpt",
        "citation_paragraph_positive": "paragraph",
    }

    class Meta:
        ordering = ["source__published_on", "paragraph", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(pledge__isnull=False, trade_figure__isnull=True, statement__isnull=True, engagement__isnull=True)
                    | Q(
                        pledge__isnull=True, trade_figure__isnull=False, statement__isnull=True, engagement__isnull=True
                    )
                    | Q(
                        pledge__isnull=True, trade_figure__isnull=True, statement__isnull=False, engagement__isnull=True
                    )
                    | Q(
                        pledge__isnull=True, trade_figure__isnull=True, statement__isnull=True, engagement__isnull=False
                    )
                ),
                name="citation_cites_one_entry",
                violation_error_message="A citation supports exactly one entry: a pledge, a trade figure, "
                "a statement or an engagement.",
            ),
            models.CheckConstraint(
                condition=~Q(excerpt=""),
                name="citation_excerpt_not_empty",
                violation_error_message="Quote the source's words: the excerpt cannot be empty.",
            ),
            models.CheckConstraint(
                condition=Q(paragraph__isnull=True) | Q(paragraph__gte=1),
                name="citation_paragraph_positive",
                violation_error_message="Paragraphs are numbered from 1.",
            ),
        ]
        # Most citations cite a pledge, so these links are mostly empty. The foreign-key indexes hold every
        # row, and statistics taken before any statement or engagement was cited say one value covers the
        # whole table: SQLite then reads the citations of a page's statements by walking every source
        # (seconds at a million entries). These hold only the filled links, and are chosen whatever the
        # statistics say. (The pledge link is nearly always filled: its own index serves.)
        indexes = [
            models.Index(fields=["statement"], condition=Q(statement__isnull=False), name="citation_statement_nn"),
            models.Index(fields=["engagement"], condition=Q(engagement__isnull=False), name="citation_engagement_nn"),
            models.Index(
                fields=["trade_figure"], condition=Q(trade_figure__isnull=False), name="citation_trade_figure_nn"
            ),
        ]

    def __str__(self):
        return f"{self.source.publisher} ¶{self.paragraph}: {self.excerpt[:80]}"
