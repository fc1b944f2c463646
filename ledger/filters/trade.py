"""The trade table's filters: ?reporter=VNM&partner=CUB&flow=total_trade&year_min=2020&year_max=2026
&currency=USD&has_value=yes&q=investor."""

import django_filters
from django.db.models import Q

from ledger.filters.base import (
    ActorCodeFilter,
    CitedSourceFilter,
    CurrencyFilter,
    FilterForm,
    HasAmountFilter,
    NumberRangeInputs,
    StrictChoiceFilter,
    TextSearchFilter,
)
from ledger.models import CURRENCY_CHOICES, TradeFigure

HAS_VALUE_CHOICES = [("yes", "has a figure"), ("no", "no figure (rank or relationship only)")]


class TradeFilterSet(django_filters.FilterSet):
    country = ActorCodeFilter(method="filter_country", label="Either side")
    reporter = ActorCodeFilter(label="Reporter")
    partner = ActorCodeFilter(label="Partner")
    flow = StrictChoiceFilter(choices=TradeFigure.Flow.choices, label="Flow")
    year = django_filters.RangeFilter(
        label="Year (from, to)",
        widget=NumberRangeInputs(),
        help_text="Figures with no stated year are left out when a year is given.",
    )
    currency = CurrencyFilter(choices=CURRENCY_CHOICES, label="Currency")
    has_value = HasAmountFilter(choices=HAS_VALUE_CHOICES, label="Figure")
    source = CitedSourceFilter(entry_field="trade_figure")
    q = TextSearchFilter(
        fields=["description", "rank_statement", "relationship"],
        cited_as="trade_figure",
        help_text="Searches descriptions, rank statements and citation excerpts.",
    )

    class Meta:
        model = TradeFigure
        fields = []
        form = FilterForm

    def filter_country(self, queryset, name, value):
        return queryset.filter(Q(reporter=value) | Q(partner=value)) if value else queryset
