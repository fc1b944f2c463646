"""The ledger's data model: who pledged what to whom, the trade around it, and where each figure
was read. The invariants are database constraints; their messages are written for editors."""

from decimal import Decimal

import pycountry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ledger import formatting

CURRENCY_CODES = sorted(c.alpha_3 for c in pycountry.currencies)
COUNTRY_CODES = sorted(c.alpha_3 for c in pycountry.countries)
CURRENCY_CHOICES = [
    (c.alpha_3, f"{c.alpha_3} – {c.name}") for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
]


class ConstraintMessagesOnFields(models.Model):
    """Report a failed constraint on the field an editor has to fix, not at the top of the form."""

    constraint_fields: dict[str, str] = {}

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        errors = {}
        using = router.db_for_write(self.__class__, instance=self)
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        for field, field_errors in error.error_dict.items():
                            errors.setdefault(field, []).extend(field_errors)
                        continue
                    field = self.constraint_fields.get(constraint.name, NON_FIELD_ERRORS)
                    if exclude and field in exclude:
                        field = NON_FIELD_ERRORS
                    errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)


class Actor(ConstraintMessagesOnFields):
    """A party that gives, receives or trades: a country, a government body, a party organ or an
    international organisation."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        GOVERNMENT_BODY = "government_body", "Government body"
        PARTY_ORGAN = "party_organ", "Party organ"
        INTERNATIONAL_ORGANISATION = "international_org", "International organisation"

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Short stable code used in URLs and filters: the ISO 3166-1 alpha-3 code for a "
        "country (CUB), or the parent's code and an acronym for a body (CHN-CIDCA).",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    iso3 = models.CharField(
        "ISO 3166-1 alpha-3",
        max_length=3,
        blank=True,
        default="",
        help_text="Countries only.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The country or body this one belongs to (CIDCA belongs to China).",
    )
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {
        "actor_country_has_iso3": "iso3",
        "actor_iso3_known": "iso3",
        "actor_country_code_is_iso3": "code",
        "actor_code_format": "code",
        "actor_not_own_parent": "parent",
        "actor_iso3_unique": "iso3",
    }

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="actor_name_id"),
            models.Index(fields=["kind", "id"], name="actor_kind_id"),
            models.Index(fields=["parent", "name", "id"], name="actor_parent_name_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="country") | ~Q(iso3=""),
                name="actor_country_has_iso3",
                violation_error_message="A country needs its ISO 3166-1 alpha-3 code (for example CUB).",
            ),
            models.CheckConstraint(
                condition=Q(iso3="") | Q(iso3__in=COUNTRY_CODES),
                name="actor_iso3_known",
                violation_error_message="This is not an ISO 3166-1 alpha-3 country code.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="country") | Q(code=F("iso3")),
                name="actor_country_code_is_iso3",
                violation_error_message="A country's code must be its ISO 3166-1 alpha-3 code.",
            ),
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(code__contains=" "),
                name="actor_code_format",
                violation_error_message="The code must not be empty or contain spaces.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="actor_not_own_parent",
                violation_error_message="An actor cannot belong to itself.",
            ),
            models.UniqueConstraint(
                fields=["iso3"],
                condition=~Q(iso3=""),
                name="actor_iso3_unique",
                violation_error_message="Another actor already has this ISO code.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("ledger:actor-detail", args=[self.code])

    def clean(self):
        if self.code:
            self.code = self.code.strip().upper()
        if self.iso3:
            self.iso3 = self.iso3.strip().upper()
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An actor cannot belong to itself."})

    @property
    def country(self):
        """The country this actor is, or belongs to (walking up the parents)."""
        actor, seen = self, set()
        while actor is not None and actor.pk not in seen:
            if actor.kind == Actor.Kind.COUNTRY:
                return actor
            seen.add(actor.pk)
            actor = actor.parent
        return None


class Person(models.Model):
    """An official the sources name, with the role they held and the actor they served."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=300, blank=True, default="")
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Source(ConstraintMessagesOnFields):
    """A published document the ledger reads figures from."""

    publisher = models.CharField(max_length=200)
    byline = models.CharField(max_length=200, blank=True, default="")
    headline = models.CharField(max_length=500)
    url = models.URLField("address (URL)", max_length=1000, unique=True)
    published_on = models.DateField("publication date")
    wire_agency = models.CharField(
        max_length=100, blank=True, default="", help_text="The news agency the source reports, if any (EFE)."
    )
    wire_date = models.DateField(null=True, blank=True, help_text="Date of the agency's report, if known.")
    language = models.CharField(max_length=10, help_text="ISO 639-1 code of this edition (en).")
    original_language = models.CharField(
        max_length=10, blank=True, default="", help_text="If this edition is a translation, the original's language."
    )
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {"source_language_format": "language", "source_headline_not_empty": "headline"}

    class Meta:
        ordering = ["-published_on", "id"]
        indexes = [
            models.Index(fields=["published_on", "id"], name="source_published_on_id"),
            models.Index(fields=["publisher", "id"], name="source_publisher_id"),
            models.Index(fields=["headline", "id"], name="source_headline_id"),
            models.Index(fields=["wire_agency", "id"], name="source_wire_agency_id"),
            models.Index(fields=["language", "id"], name="source_language_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(language=""),
                name="source_language_format",
                violation_error_message="Give the language as an ISO 639-1 code, for example en or es.",
            ),
            models.CheckConstraint(
                condition=~Q(headline=""),
                name="source_headline_not_empty",
                violation_error_message="A source needs its headline.",
            ),
        ]

    def __str__(self):
        return f"{self.publisher}, {self.published_on:%d %b %Y}: {self.headline}"

    def get_absolute_url(self):
        return reverse("ledger:source-detail", args=[self.pk])


class AmountQualifier(models.TextChoices):
    EXACT = "exact", "exact"
    APPROXIMATELY = "approximately", "approximately"
    UP_TO = "up_to", "up to"
    AT_LEAST = "at_least", "at least"


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


class DateQualifier(models.TextChoices):
    NONE = "", "—"
    EARLY = "early", "early"
    MID = "mid", "mid"
    END = "end", "end of"


class MoneyFields(ConstraintMessagesOnFields):
    """An amount in its own currency, and its USD value with the rate used to get there."""

    amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leave empty when the source gives no figure. Never enter 0 for unknown.",
    )
    currency = models.CharField(
        max_length=3, blank=True, default="", choices=CURRENCY_CHOICES, help_text="ISO 4217 code."
    )
    amount_qualifier = models.CharField(
        max_length=15,
        blank=True,
        default="",
        choices=AmountQualifier.choices,
        help_text="How precisely the source states the amount.",
    )
    amount_usd = models.DecimalField(
        "amount in USD",
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Equal to the amount when the currency is USD; otherwise converted at the rate below.",
    )
    usd_rate = models.DecimalField("USD per unit of currency", max_digits=20, decimal_places=10, null=True, blank=True)
    usd_rate_date = models.DateField(null=True, blank=True)
    usd_rate_source = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="%(class)s_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="%(class)s_amount_has_currency",
                violation_error_message="An amount needs its currency (an ISO 4217 code such as USD).",
            ),
            models.CheckConstraint(
                condition=~Q(amount__isnull=True)
                | (Q(currency="") & Q(amount_qualifier="") & Q(amount_usd__isnull=True)),
                name="%(class)s_no_currency_without_amount",
                violation_error_message="Currency, qualifier and USD value only go with an amount; "
                "leave them empty when the amount is not stated.",
            ),
            models.CheckConstraint(
                condition=Q(currency="") | Q(currency__in=CURRENCY_CODES),
                name="%(class)s_currency_is_iso4217",
                violation_error_message="Unknown currency: use an ISO 4217 code such as USD, EUR or CNY.",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(amount_qualifier=""),
                name="%(class)s_amount_has_qualifier",
                violation_error_message="Say how precise the amount is (exact, approximately, up to, at least).",
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__isnull=True) | Q(amount_usd__gte=0),
                name="%(class)s_amount_usd_not_negative",
                violation_error_message="The USD value cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(currency="USD") | (Q(amount_usd=F("amount")) & Q(usd_rate__isnull=True)),
                name="%(class)s_usd_amount_is_itself",
                violation_error_message="For an amount in USD, the USD value is the amount itself and needs no rate.",
            ),
            models.CheckConstraint(
                condition=Q(currency="USD")
                | Q(amount_usd__isnull=True)
                | (Q(usd_rate__gt=0) & Q(usd_rate_date__isnull=False) & ~Q(usd_rate_source="")),
                name="%(class)s_conversion_has_rate",
                violation_error_message="A USD value converted from another currency needs the rate, "
                "the rate's date and where the rate comes from.",
            ),
        ]

    def clean(self):
        super().clean()
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.amount is not None and not self.amount_qualifier:
            self.amount_qualifier = AmountQualifier.EXACT
        if self.currency == "USD" and self.amount is not None:
            self.amount_usd = self.amount
        if self.currency not in ("", "USD") and self.amount is not None and self.usd_rate and self.amount_usd is None:
            self.amount_usd = (self.amount * self.usd_rate).quantize(Decimal("0.01"))

    @property
    def money_display(self):
        return formatting.format_money(self.amount, self.currency, self.amount_qualifier)

    @property
    def amount_usd_display(self):
        if self.amount_usd is None:
            return ""
        return formatting.format_money(self.amount_usd, "USD", self.amount_qualifier)


MONEY_CONSTRAINT_FIELDS = {
    "amount_not_negative": "amount",
    "amount_has_currency": "currency",
    "no_currency_without_amount": "currency",
    "currency_is_iso4217": "currency",
    "amount_has_qualifier": "amount_qualifier",
    "amount_usd_not_negative": "amount_usd",
    "usd_amount_is_itself": "amount_usd",
    "conversion_has_rate": "usd_rate",
}


def _money_constraint_fields(prefix):
    return {f"{prefix}_{name}": field for name, field in MONEY_CONSTRAINT_FIELDS.items()}


def counted_in_totals_condition() -> models.Exists:
    """The one definition of "counted in totals": a pledge is counted unless it is a package with
    parts, which is counted through its parts, never on top of them. A boolean expression, so it
    can filter a queryset or be annotated onto one (exports, pages, the overview)."""
    return ~models.Exists(Pledge.objects.filter(package=models.OuterRef("pk")))


class PledgeQuerySet(models.QuerySet):
    def counted_in_totals(self) -> "PledgeQuerySet":
        """Entries that a total may add (see counted_in_totals_condition)."""
        return self.filter(counted_in_totals_condition())

    def with_counted_in_totals(self) -> "PledgeQuerySet":
        """Each entry annotated with `counted_in_totals` (a boolean), for pages and exports that show it."""
        return self.annotate(counted_in_totals=counted_in_totals_condition())


class Pledge(MoneyFields):
    """One pledge of aid from a donor to a recipient, in money or in kind, as the sources state it."""

    class Kind(models.TextChoices):
        PACKAGE = "package", "Aid package"
        FINANCIAL_ASSISTANCE = "financial_assistance", "Financial assistance"
        GRANT = "grant", "Grant or donation"
        LOAN = "loan", "Loan"
        IN_KIND = "in_kind", "In-kind goods"
        DEBT_RELIEF = "debt_relief", "Debt relief"
        TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        PLEDGED = "pledged", "Pledged"
        COMMITTED = "committed", "Committed"
        DISBURSED = "disbursed", "Disbursed"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class Valuation(models.TextChoices):
        NONE = "", "—"
        REPORTED = "reported", "value reported by the source"
        ESTIMATED = "estimated", "value estimated by a stated method"
        NOT_STATED = "not_stated", "value not stated"

    class Unit(models.TextChoices):
        NONE = "", "—"
        TONNE = "t", "tonnes (t)"
        KILOGRAM = "kg", "kilograms (kg)"
        LITRE = "l", "litres (l)"
        BARREL = "bbl", "barrels (bbl)"
        DOSE = "doses", "doses"
        UNIT = "units", "units"

    donor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="pledges_made")
    recipient = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="pledges_received")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ANNOUNCED)

    quantity = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=10, blank=True, default="", choices=Unit.choices)
    commodity = models.CharField(max_length=100, blank=True, default="")
    valuation = models.CharField(
        max_length=12,
        blank=True,
        default="",
        choices=Valuation.choices,
        help_text="For goods: how their money value is known.",
    )
    valuation_method = models.CharField(max_length=300, blank=True, default="")

    date = models.DateField(
        null=True,
        blank=True,
        help_text="First day of the period the source gives (1 Jan 2026 for 'January 2026').",
    )
    date_precision = models.CharField(max_length=5, blank=True, default="", choices=DatePrecision.choices)
    date_qualifier = models.CharField(max_length=5, blank=True, default="", choices=DateQualifier.choices)
    year_inferred = models.BooleanField(
        default=False, help_text="The source does not state the year; it is inferred from context."
    )

    package = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text="The package this entry is part of. Totals count a package through its parts.",
    )
    official = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
        help_text="The official who announced or approved it, if the source names one.",
    )
    description = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = PledgeQuerySet.as_manager()

    constraint_fields = {
        **_money_constraint_fields("pledge"),
        "pledge_donor_is_not_recipient": "recipient",
        "pledge_quantity_not_negative": "quantity",
        "pledge_quantity_has_unit": "unit",
        "pledge_goods_have_commodity": "commodity",
        "pledge_goods_have_valuation": "valuation",
        "pledge_no_goods_fields_without_quantity": "quantity",
        "pledge_reported_value_has_amount": "amount",
        "pledge_unstated_value_has_no_amount": "amount",
        "pledge_estimate_has_method": "valuation_method",
        "pledge_date_has_precision": "date_precision",
        "pledge_no_precision_without_date": "date_precision",
        "pledge_qualifier_needs_month": "date_qualifier",
        "pledge_package_is_not_a_part": "package",
        "pledge_not_own_package": "package",
    }

    class Meta:
        ordering = ["-date", "-id"]
        constraints = MoneyFields.Meta.constraints + [
            models.CheckConstraint(
                condition=~Q(donor=F("recipient")),
                name="pledge_donor_is_not_recipient",
                violation_error_message="The donor and the recipient must be different actors.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="pledge_quantity_not_negative",
                violation_error_message="The quantity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="pledge_quantity_has_unit",
                violation_error_message="A quantity needs its unit (for example t for tonnes).",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(commodity=""),
                name="pledge_goods_have_commodity",
                violation_error_message="Say what the goods are (for example rice).",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(valuation=""),
                name="pledge_goods_have_valuation",
                violation_error_message="Say how the goods' value is known: reported, estimated, or not stated.",
            ),
            models.CheckConstraint(
                condition=~Q(quantity__isnull=True) | (Q(unit="") & Q(commodity="") & Q(valuation="")),
                name="pledge_no_goods_fields_without_quantity",
                violation_error_message="Unit, commodity and valuation describe goods; give the quantity too, "
                "or leave them empty.",
            ),
            models.CheckConstraint(
                condition=~Q(valuation__in=["reported", "estimated"]) | Q(amount__isnull=False),
                name="pledge_reported_value_has_amount",
                violation_error_message="A reported or estimated value needs the amount.",
            ),
            models.CheckConstraint(
                condition=~Q(valuation="not_stated") | Q(amount__isnull=True),
                name="pledge_unstated_value_has_no_amount",
                violation_error_message="The value is marked as not stated, so the amount must stay empty.",
            ),
            models.CheckConstraint(
                condition=~Q(valuation="estimated") | ~Q(valuation_method=""),
                name="pledge_estimate_has_method",
                violation_error_message="An estimated value needs the method of the estimate.",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True) | ~Q(date_precision=""),
                name="pledge_date_has_precision",
                violation_error_message="Say how precise the date is: day, month or year.",
            ),
            models.CheckConstraint(
                condition=~Q(date__isnull=True)
                | (Q(date_precision="") & Q(date_qualifier="") & Q(year_inferred=False)),
                name="pledge_no_precision_without_date",
                violation_error_message="Precision, qualifier and 'year inferred' describe a date; "
                "give the date too, or leave them empty.",
            ),
            models.CheckConstraint(
                condition=Q(date_qualifier="") | Q(date_precision__in=["month", "year"]),
                name="pledge_qualifier_needs_month",
                violation_error_message="'Early', 'mid' and 'end of' qualify a month or a year, not a day.",
            ),
            models.CheckConstraint(
                condition=Q(package__isnull=True) | ~Q(kind="package"),
                name="pledge_package_is_not_a_part",
                violation_error_message="A package cannot itself be part of another package.",
            ),
            models.CheckConstraint(
                condition=~Q(package=F("id")),
                name="pledge_not_own_package",
                violation_error_message="An entry cannot be part of itself.",
            ),
        ]
        indexes = [
            models.Index(fields=["date", "id"], name="pledge_date_id"),
            models.Index(fields=["amount_usd", "id"], name="pledge_amount_usd_id"),
            # One index per filter and sort the pledges table offers (ledger/filters/pledges.py).
            models.Index(fields=["donor", "date", "id"], name="pledge_donor_date_id"),
            models.Index(fields=["recipient", "date", "id"], name="pledge_recipient_date_id"),
            models.Index(fields=["kind", "id"], name="pledge_kind_id"),
            models.Index(fields=["status", "id"], name="pledge_status_id"),
            models.Index(fields=["currency", "id"], name="pledge_currency_id"),
            models.Index(fields=["amount", "id"], name="pledge_amount_id"),
        ]

    def __str__(self):
        return f"{self.donor} → {self.recipient}: {self.value_display}"

    def get_absolute_url(self):
        return reverse("ledger:pledge-detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.commodity:
            self.commodity = self.commodity.strip()
        errors = {}
        if self.date and self.date_precision in (DatePrecision.MONTH, DatePrecision.YEAR) and self.date.day != 1:
            errors["date"] = "For a month or year, enter the first day of the period (the precision says the rest)."
        if self.date and self.date_precision == DatePrecision.YEAR and self.date.month != 1:
            errors["date"] = "For a year, enter 1 January of that year."
        if self.package_id:
            package = self.package
            if package.kind != Pledge.Kind.PACKAGE:
                errors["package"] = "Only an entry of kind 'Aid package' can hold parts."
            elif package.package_id:
                errors["package"] = "A package cannot itself be part of another package."
            elif (self.donor_id, self.recipient_id) != (package.donor_id, package.recipient_id):
                errors["package"] = (
                    f"This part's donor and recipient must be the package's: {package.donor} → {package.recipient}."
                )
        if self.pk and self.kind != Pledge.Kind.PACKAGE and self.parts.exists():
            errors["kind"] = "This entry has parts, so it must stay an aid package."
        if errors:
            raise ValidationError(errors)

    @property
    def goods_display(self):
        return formatting.format_goods(self.quantity, self.unit, self.commodity, self.valuation, self.valuation_method)

    @property
    def date_display(self):
        return formatting.format_date(self.date, self.date_precision, self.date_qualifier, self.year_inferred)

    @property
    def value_display(self):
        """Everything the ledger knows of the entry's value, in one readable phrase."""
        parts = [p for p in (self.money_display if self.amount is not None else "", self.goods_display) if p]
        if parts:
            return " and ".join(parts) if self.valuation != Pledge.Valuation.REPORTED else " — ".join(parts)
        if self.kind == Pledge.Kind.PACKAGE:
            return "package (total not stated)"
        return "amount not stated"

    @property
    def is_counted_in_totals(self) -> bool:
        """counted_in_totals_condition for this entry: read from the queryset's annotation when the
        page asked for it (with_counted_in_totals), otherwise asked of the database."""
        if "counted_in_totals" in self.__dict__:
            return self.counted_in_totals
        return Pledge.objects.filter(pk=self.pk).counted_in_totals().exists()


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
        **_money_constraint_fields("tradefigure"),
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
                    Q(pledge__isnull=False, trade_figure__isnull=True, statement__isnull=True)
                    | Q(pledge__isnull=True, trade_figure__isnull=False, statement__isnull=True)
                    | Q(pledge__isnull=True, trade_figure__isnull=True, statement__isnull=False)
                ),
                name="citation_cites_one_entry",
                violation_error_message="A citation supports exactly one entry: a pledge, a trade figure or a statement.",
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

    def __str__(self):
        return f"{self.source.publisher} ¶{self.paragraph}: {self.excerpt[:80]}"
