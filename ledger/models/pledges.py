"""Pledges of aid, and the one definition of which of them a total may add."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ledger import formatting
from ledger.models.base import (
    DatePrecision,
    DateQualifier,
    MoneyFields,
    dated_constraint_fields,
    dated_constraints,
    money_constraint_fields,
)
from ledger.models.directory import Actor, Person


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
        **money_constraint_fields("pledge"),
        "pledge_donor_is_not_recipient": "recipient",
        "pledge_quantity_not_negative": "quantity",
        "pledge_quantity_has_unit": "unit",
        "pledge_goods_have_commodity": "commodity",
        "pledge_goods_have_valuation": "valuation",
        "pledge_no_goods_fields_without_quantity": "quantity",
        "pledge_reported_value_has_amount": "amount",
        "pledge_unstated_value_has_no_amount": "amount",
        "pledge_estimate_has_method": "valuation_method",
        **dated_constraint_fields("pledge"),
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
            *dated_constraints("pledge"),
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
