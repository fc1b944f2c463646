"""The actors table's filters: ?kind=country&parent=CHN&q=agency."""

import django_filters

from ledger.filters.base import ActorCodeFilter, FilterForm, StrictChoiceFilter, TextSearchFilter
from ledger.models import Actor


class ActorFilterSet(django_filters.FilterSet):
    kind = StrictChoiceFilter(choices=Actor.Kind.choices, label="Kind")
    parent = ActorCodeFilter(label="Belongs to")
    q = TextSearchFilter(fields=["code", "name", "description"], help_text="Searches codes, names and descriptions.")

    class Meta:
        model = Actor
        fields = []
        form = FilterForm
