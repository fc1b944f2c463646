"""The pledges table's filters: ?donor=CHN&donor=RUS&recipient=CUB&kind=grant&status=committed
&date_after=2025-01-01&date_before=2026-12-31&year_min=2020&year_max=2026&currency=USD&has_value=yes&q=rice.
Donor, recipient, kind and status take several values, as repeated parameters."""

import datetime

import django_filters

from ledger.filters.base import (
    ActorCodesFilter,
    CitedSourceFilter,
    CurrencyFilter,
    FilterForm,
    HasAmountFilter,
    PeriodRangeFilter,
    StrictMultipleChoiceFilter,
    TextSearchFilter,
    YearRangeFilter,
    period_overlaps,
)
from ledger.models import CURRENCY_CHOICES, Pledge

HAS_VALUE_CHOICES = [("yes", "has a money value"), ("no", "no money value (goods only, or not stated)")]


class PledgeFilterSet(django_filters.FilterSet):
    donor = ActorCodesFilter(label="Donor")
    recipient = ActorCodesFilter(label="Recipient")
    kind = StrictMultipleChoiceFilter(choices=Pledge.Kind.choices, label="Kind")
    status = StrictMultipleChoiceFilter(choices=Pledge.Status.choices, label="Status")
    date = PeriodRangeFilter(label="Date (from, to)")
    year = YearRangeFilter(
        label="Year (from, to)",
        method="filter_year",
        help_text="An entry dated to a day, a month or a year matches its year. Undated pledges are left out.",
    )
    currency = CurrencyFilter(choices=CURRENCY_CHOICES, label="Currency")
    has_value = HasAmountFilter(choices=HAS_VALUE_CHOICES, label="Money value")
    source = CitedSourceFilter(entry_field="pledge")
    q = TextSearchFilter(
        fields=["description", "commodity"],
        cited_as="pledge",
        help_text="Searches descriptions, goods and citation excerpts.",
    )

    class Meta:
        model = Pledge
        fields = []
        form = FilterForm

    def filter_year(self, queryset, name, value):
        if not value or (value.start is None and value.stop is None):
            return queryset
        start = datetime.date(int(value.start), 1, 1) if value.start is not None else None
        end = datetime.date(int(value.stop), 12, 31) if value.stop is not None else None
        return queryset.filter(period_overlaps(start, end))

    def country_codes(self) -> tuple[list[str], list[str]]:
        """The donors' and recipients' codes this (valid) filter selects: what the overview filters
        trade by."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return [a.code for a in data.get("donor") or []], [a.code for a in data.get("recipient") or []]
