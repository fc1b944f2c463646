"""The actors table's filters: ?kind=country&parent=CHN&q=agency."""

import django_filters
from django.db.models import Q

from ledger.filters.fields import ActorFilter, FilterForm, StrictChoiceFilter
from ledger.models import Actor


class ActorListFilter(django_filters.FilterSet):
    kind = StrictChoiceFilter(choices=Actor.Kind.choices, label="Kind")
    parent = ActorFilter(label="Belongs to")
    q = django_filters.CharFilter(method="filter_text", label="Text", help_text="Searches codes, names and descriptions.")

    class Meta:
        model = Actor
        fields = []
        form = FilterForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(description__icontains=value))
