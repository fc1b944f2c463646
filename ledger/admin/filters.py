"""Admin side filters that scale to thousands of actors: an actor is picked by typing its code in a
small search box, not from a list of every actor (the sidebar was 10,000 px tall at 20,000 pledges)."""

from django.contrib import admin
from django.db.models import Q


class ActorCodeListFilter(admin.FieldListFilter):
    """?donor_code=HUN: entries whose actor (`field_path`) has that code; any case."""

    template = "admin/ledger/actor_code_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.parameter_name = f"{field_path}_code"  # not a lookup path: the admin allows it as is
        super().__init__(field, request, params, model, model_admin, field_path)
        value = self.used_parameters.get(self.parameter_name)
        if isinstance(value, list):
            value = value[-1] if value else None
        self.value = (value or "").strip().upper()

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def queryset(self, request, queryset):
        if not self.value:
            return queryset
        return queryset.filter(Q(**{f"{self.field_path}__code": self.value}))

    def choices(self, changelist):
        others = [
            (key, value)
            for key, values in changelist.params.items()
            if key != self.parameter_name
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "parameter": self.parameter_name,
            "value": self.value,
            "others": others,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "list_id": f"codes-{self.field_path}",
        }
