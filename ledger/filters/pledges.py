"""The pledges table's filters: ?donor=CHN&recipient=CUB&kind=grant&status=committed
&date_after=2025-01-01&date_before=2026-12-31&currency=USD&has_value=yes&q=rice."""

import django_filters

from ledger.filters.base import (
    ActorCodeFilter,
    CitedSourceFilter,
    CurrencyFilter,
    DateRangeInputs,
    FilterForm,
    HasAmountFilter,
    StrictChoiceFilter,
    TextSearchFilter,
)
from ledger.models import CURRENCY_CHOICES, Pledge

HAS_VALUE_CHOICES = [("yes", "has a money value"), ("no", "no money value (goods only, or not stated)")]


class PledgeFilterSet(django_filters.FilterSet):
    donor = ActorCodeFilter(label="Donor")
    recipient = ActorCodeFilter(label="Recipient")
    kind = StrictChoiceFilter(choices=Pledge.Kind.choices, label="Kind")
    status = StrictChoiceFilter(choices=Pledge.Status.choices, label="Status")
    date = django_filters.DateFromToRangeFilter(
        label="Date (from, to)",
        widget=DateRangeInputs(),
        help_text="Compares the first day of the period the source gives.",
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
