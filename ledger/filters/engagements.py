"""The engagements table's filters: ?country=CUB&counterpart=VNM&kind=visit&date_after=2026-01-01
&date_before=2026-03-31&person=Lavrov&q=phone. Country, counterpart and kind take several values, as repeated
parameters; ?country=CUB&counterpart=VNM is engagements between Cuba and Vietnam, either side."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from ledger.filters.base import (
    ActorCodesFilter,
    CitedSourceFilter,
    FilterForm,
    PeriodRangeFilter,
    StrictMultipleChoiceFilter,
    TextSearchFilter,
)
from ledger.models import Engagement, Participant


class EngagementFilterSet(django_filters.FilterSet):
    country = ActorCodesFilter(method="filter_sides", label="Either side")
    counterpart = ActorCodesFilter(
        method="filter_sides",
        label="With (the other side)",
        help_text="With “Either side”: only engagements between those and these.",
    )
    place = ActorCodesFilter(field_name="place_country", label="Held in")
    kind = StrictMultipleChoiceFilter(choices=Engagement.Kind.choices, label="Kind")
    date = PeriodRangeFilter(label="Date (from, to)")
    person = django_filters.CharFilter(
        method="filter_person", label="Taking part", help_text="Part of a person's name."
    )
    source = CitedSourceFilter(entry_field="engagement")
    q = TextSearchFilter(
        fields=["description", "discussed", "place_city"],
        cited_as="engagement",
        help_text="Searches descriptions, what was discussed, places and citation excerpts.",
    )

    class Meta:
        model = Engagement
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
                Q(side_a__in=value, side_b__in=counterpart) | Q(side_b__in=value, side_a__in=counterpart)
            )
        return queryset.filter(Q(side_a__in=value) | Q(side_b__in=value))

    def filter_person(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        taking_part = Participant.objects.filter(engagement=OuterRef("pk"), person__name__icontains=value)
        return queryset.filter(Exists(taking_part))
