"""The sources table's filters: ?publisher=CiberCuba&published_after=2026-01-01&q=allies."""

import django_filters

from ledger.filters.base import FilterForm, IsoDateRangeFilter, TextSearchFilter
from ledger.models import Source


class SourceFilterSet(django_filters.FilterSet):
    publisher = django_filters.CharFilter(lookup_expr="iexact", label="Publisher")
    published = IsoDateRangeFilter(field_name="published_on", label="Published (from, to)")
    language = django_filters.CharFilter(lookup_expr="iexact", label="Language (ISO 639-1)")
    q = TextSearchFilter(fields=["headline", "byline", "notes"], help_text="Searches headlines, bylines and notes.")

    class Meta:
        model = Source
        fields = []
        form = FilterForm
