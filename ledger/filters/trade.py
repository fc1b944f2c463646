"""The trade table's filters: ?reporter=VNM&partner=CUB&flow=total_trade&year_min=2020&year_max=2026
&currency=USD&has_value=yes&q=investor. Country, reporter, partner and flow take several values, as
repeated parameters; ?country=CHN&counterpart=CUB is trade between China and Cuba, either way."""

import django_filters
from django.db.models import Q

from ledger.filters.base import (
    ActorCodesFilter,
    CitedSourceFilter,
    CurrencyFilter,
    FilterForm,
    HasAmountFilter,
    StrictMultipleChoiceFilter,
    TextSearchFilter,
    YearRangeFilter,
)
from ledger.models import CURRENCY_CHOICES, TradeFigure

HAS_VALUE_CHOICES = [("yes", "has a figure"), ("no", "no figure (rank or relationship only)")]


class TradeFilterSet(django_filters.FilterSet):
    country = ActorCodesFilter(method="filter_sides", label="Either side")
    counterpart = ActorCodesFilter(
        method="filter_sides",
        label="With (the other side)",
        help_text="With “Either side”: only trade between those and these.",
    )
    reporter = ActorCodesFilter(label="Reporter")
    partner = ActorCodesFilter(label="Partner")
    flow = StrictMultipleChoiceFilter(choices=TradeFigure.Flow.choices, label="Flow")
    year = YearRangeFilter(
        label="Year (from, to)",
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

    def filter_sides(self, queryset, name, value):
        """Either side among `country`; with `counterpart` too, the other side among those."""
        if not value:
            return queryset
        if name == "counterpart" and self.form.cleaned_data.get("country"):
            return queryset  # applied with the countries
        counterpart = self.form.cleaned_data.get("counterpart") if name == "country" else None
        if counterpart:
            return queryset.filter(
                Q(reporter__in=value, partner__in=counterpart) | Q(reporter__in=counterpart, partner__in=value)
            )
        return queryset.filter(Q(reporter__in=value) | Q(partner__in=value))
