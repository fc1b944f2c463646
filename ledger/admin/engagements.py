"""The admin of engagements: their citations and participants inline, every write through
ledger/services/engagements.py (a reason, the version check, the history)."""

from django.contrib import admin

from ledger import services
from ledger.admin.base import REASON_FIELDSET, LedgerAdmin
from ledger.admin.entries import CitationInline
from ledger.admin.filters import ActorCodeListFilter
from ledger.forms import CitationForm
from ledger.models import Citation, Engagement, Participant

PARTICIPANT_FIELDS = ("person", "side", "part", "role", "acting_for")


class EngagementCitationInline(CitationInline):
    fk_name = "engagement"


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = PARTICIPANT_FIELDS
    autocomplete_fields = ["person", "acting_for"]
    extra = 0
    verbose_name_plural = "who took part (the role and body as of the engagement)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "acting_for")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("ledger.change_engagement")


@admin.register(Engagement)
class EngagementAdmin(LedgerAdmin):
    cited_entry_field = "engagement"
    inlines = [ParticipantInline, EngagementCitationInline]
    list_display = ["sides", "kind", "when", "place", "public_page"]
    list_select_related = False
    list_prefetch_related = ["side_a", "side_b", "place_country"]
    # The sides are picked by code, not from a list of every actor (ledger/admin/filters.py).
    list_filter = [
        "kind",
        "date_precision",
        "year_inferred",
        ("side_a", ActorCodeListFilter),
        ("side_b", ActorCodeListFilter),
    ]
    search_fields = ["side_a__name", "side_b__name", "place_city", "discussed", "description"]
    autocomplete_fields = ["side_a", "side_b", "place_country"]
    change_select_related = ["side_a", "side_b"]
    fieldsets = [
        (None, {"fields": ("kind", "side_a", "side_b")}),
        ("Place", {"fields": ("place_country", "place_city")}),
        ("Date", {"fields": ("date", "date_precision", "date_qualifier", "year_inferred", "date_note")}),
        (None, {"fields": ("discussed", "description")}),
        REASON_FIELDSET,
    ]

    @admin.display(description="side A – side B", ordering="side_a__name")
    def sides(self, obj):
        return f"{obj.side_a} – {obj.side_b}"

    @admin.display(description="date", ordering="date")
    def when(self, obj):
        return obj.date_display

    @admin.display(description="place")
    def place(self, obj):
        return obj.place_display

    def save_related(self, request, form, formsets, change):
        if change:
            return super().save_related(request, form, formsets, change)
        citations = next(fs for fs in formsets if fs.model is Citation)
        people = next(fs for fs in formsets if fs.model is Participant)

        def kept(formset):
            return [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]

        created = services.engagement_create(
            user=request.user,
            reason=form.cleaned_data["change_reason"],
            citations=[{name: f.cleaned_data[name] for name in CitationForm._meta.fields} for f in kept(citations)],
            participants=[{name: f.cleaned_data[name] for name in PARTICIPANT_FIELDS} for f in kept(people)],
            **self.model_values(form, form.instance),
        )
        form.instance.__dict__.update(created.__dict__)
        citations.new_objects = list(created.citations.all())
        people.new_objects = list(created.participants.all())
        for formset in (citations, people):
            formset.changed_objects, formset.deleted_objects = [], []

    def save_formset(self, request, form, formset, change):
        if formset.model is not Participant:
            return super().save_formset(request, form, formset, change)
        user, reason = request.user, form.cleaned_data["change_reason"]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for participant_form in formset.forms:
            if participant_form in formset.deleted_forms or not participant_form.has_changed():
                continue
            values = {name: participant_form.cleaned_data[name] for name in PARTICIPANT_FIELDS}
            if participant_form.instance.pk is None:
                formset.new_objects.append(
                    services.participant_create(user=user, reason=reason, engagement=form.instance, **values)
                )
            else:
                saved = services.participant_update(
                    participant=participant_form.instance, data=values, user=user, reason=reason
                )
                formset.changed_objects.append((saved, participant_form.changed_data))
        for participant_form in formset.deleted_forms:
            if participant_form.instance.pk is not None:
                services.participant_delete(participant=participant_form.instance, user=user, reason=reason)
                formset.deleted_objects.append(participant_form.instance)
