"""The editors' admin. Every write goes through ledger/services.py (the importer's path too): each
change needs a reason, is checked against the version the editor opened, and lands in the history.
Lists are built for a large ledger: no full COUNT(*), related rows joined, no per-row queries."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ledger import resources, services
from ledger.admin_import import LedgerImportExportMixin
from ledger.forms import CitationForm, CitationInlineFormSet, LedgerAdminForm
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure

REASON_FIELDSET = (
    "Your change",
    {
        "fields": ("change_reason", "edit_token"),
        "description": "Every change is kept in the history with your name, the time and this reason.",
    },
)
HISTORY_EXCLUDED_FIELDS = ["updated_at", "version"]
EMPTY = "—"

admin.site.site_header = "Aid Ledger: editors' admin"
admin.site.site_title = "Aid Ledger admin"
admin.site.index_title = "The ledger"


class LedgerHistoryContextHelper(HistoricalRecordContextHelper):
    """The history's diff as an editor reads it: an empty value is "—", never "None"; a choice
    shows its label."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return EMPTY
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class CappedCountPaginator(Paginator):
    """Counts at most `cap` + 1 rows, so a page of a million-row list never pays for a full COUNT(*).

    Past the cap the list says "more than 10,000" and pages stop there: filter or search to narrow."""

    cap = 10_000

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self):
        return self.count > self.cap


def _adopt(target, saved):
    """Make the admin's object the one the service saved (pk, version, cleaned values)."""
    target.__dict__.update(saved.__dict__)


class PrefetchingChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.prefetch_related(*self.model_admin.list_prefetch_related)


class LedgerAdmin(SimpleHistoryAdmin):
    """Shared by every ledger model: service writes with a reason, optimistic locking, revert."""

    form = LedgerAdminForm
    object_history_list_template = "admin/ledger/object_history_list.html"
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter choice
    list_per_page = 50
    save_on_top = False
    create_service = None  # services.<model>_create
    cited_entry_field = None  # for entries with citations: the Citation field that points at them

    change_select_related = ()  # relations the change form's title reads
    # Relations the list shows, fetched for the page's rows only. Joined instead (list_select_related),
    # SQLite's planner starts from the actors and sorts the whole table: 30 s at a million pledges.
    list_prefetch_related = ()

    def get_changelist(self, request, **kwargs):
        return PrefetchingChangeList

    def get_object(self, request, object_id, from_field=None):
        queryset = self.get_queryset(request).select_related(*self.change_select_related)
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    # Permissions: editors add and change, analysts view; deleting is for superusers only.
    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        record = getattr(request, "_ledger_revert_record", None)
        if record is not None:
            form = type(form.__name__, (form,), {"revert_record": record})
        return form

    def get_readonly_fields(self, request, obj=None):
        if getattr(request, "_ledger_revert_record", None) is not None:
            # The revert screen shows the old version; the editor confirms it and gives a reason.
            return [f.name for f in self.model._meta.concrete_fields if f.editable and not f.primary_key]
        return super().get_readonly_fields(request, obj)

    @staticmethod
    def model_values(form, obj):
        return {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if field.name in form.fields
        }

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"]
        if not change:
            if self.cited_entry_field is None:
                _adopt(obj, self.create_service(user=request.user, reason=reason, **self.model_values(form, obj)))
            return  # an entry with citations is created in save_related, together with them
        record = getattr(request, "_ledger_revert_record", None)
        if record is not None:
            saved = services.entry_revert(
                instance=obj, history_id=record.history_id, user=request.user, reason=reason, **form.expected()
            )
        else:
            saved = services.entry_update(
                instance=obj,
                data=self.model_values(form, obj),
                user=request.user,
                reason=reason,
                **form.expected(),
            )
        _adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        if change or self.cited_entry_field is None:
            return super().save_related(request, form, formsets, change)
        citation_formset = next(fs for fs in formsets if fs.model is Citation)
        kept = [f for f in citation_formset.forms if f.has_changed() and f not in citation_formset.deleted_forms]
        created = self.create_service(
            user=request.user,
            reason=form.cleaned_data["change_reason"],
            citations=[{name: f.cleaned_data[name] for name in CitationForm._meta.fields} for f in kept],
            **self.model_values(form, form.instance),
        )
        _adopt(form.instance, created)
        citation_formset.new_objects = list(created.citations.all())
        citation_formset.changed_objects, citation_formset.deleted_objects = [], []

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        user, reason = request.user, form.cleaned_data["change_reason"]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for citation_form in formset.forms:
            if citation_form in formset.deleted_forms or not citation_form.has_changed():
                continue
            values = {name: citation_form.cleaned_data[name] for name in CitationForm._meta.fields}
            if citation_form.instance.pk is None:
                formset.new_objects.append(
                    services.citation_create(
                        user=user, reason=reason, **{self.cited_entry_field: form.instance}, **values
                    )
                )
            else:
                formset.changed_objects.append(
                    (
                        services.citation_update(
                            citation=citation_form.instance, data=values, user=user, reason=reason
                        ),
                        citation_form.changed_data,
                    )
                )
        # Deletions last, so that replacing the only citation adds the new one before removing the old.
        for citation_form in formset.deleted_forms:
            if citation_form.instance.pk is not None:
                services.citation_delete(citation=citation_form.instance, user=user, reason=reason)
                formset.deleted_objects.append(citation_form.instance)

    def delete_model(self, request, obj):
        services.entry_delete(instance=obj, user=request.user, reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # e.g. the last citation an entry rests on
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # Only reachable in a race the form's locked check could not see (SQLite has no row
            # locks): the transaction is rolled back, so nothing was saved; say so and reload.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # History: the diff leaves out bookkeeping fields; revert is a versioned, reasoned change.
    def get_historical_record_context_helper(self, request, historical_record):
        return LedgerHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            current.ledger_label = self.history_label(current)
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=HISTORY_EXCLUDED_FIELDS, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    @staticmethod
    def history_label(record):
        """The entry as it read in that version, built from the related rows the history query already
        joined (the record's own history_object would fetch donor and recipient again, per row)."""
        instance = record.instance
        for name, related in record._state.fields_cache.items():
            if name != "history_user":
                instance._state.fields_cache[name] = related
        return str(instance)

    def _malformed_id(self, field, value):
        try:
            field.to_python(unquote(value))
        except ValidationError:
            return True
        return False

    def history_view(self, request, object_id, extra_context=None):
        # simple_history filters on the raw id: "1.5" would be a ValueError (a 500), not "not found".
        if self._malformed_id(self.opts.pk, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._malformed_id(self.model.history.model._meta.pk, version_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied  # simple_history would save a view-only user's revert
        request._ledger_revert_record = get_object_or_404(
            self.model.history.model, **{self.opts.pk.attname: obj.pk, "history_id": version_id}
        )
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().history_form_view(request, object_id, version_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_change(self, request, obj):
        record = getattr(request, "_ledger_revert_record", None)
        if record is None:
            return super().response_change(request, obj)
        version = f"version {record.version}" if hasattr(record, "version") else "the chosen state"
        self.message_user(
            request,
            f"Reverted \u201c{obj}\u201d to {version}. The history records it with your name and reason.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk])
        )

    @admin.display(description="public page")
    def public_page(self, obj):
        return format_html('<a href="{}">public page</a>', obj.get_absolute_url())


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = CitationInlineFormSet
    autocomplete_fields = ["source"]

    def get_extra(self, request, obj=None, **kwargs):
        # One empty citation on a new entry; the formset, not min_num, enforces "at least one", so
        # the editor reads the rule ("Every figure needs a source") rather than "field required".
        return 1 if obj is None else 0

    verbose_name_plural = "citations (the source's words each figure rests on)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class PledgeCitationInline(CitationInline):
    fk_name = "pledge"


class TradeFigureCitationInline(CitationInline):
    fk_name = "trade_figure"


class StatementCitationInline(CitationInline):
    fk_name = "statement"


@admin.register(Pledge)
class PledgeAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.PledgeResource]
    create_service = staticmethod(services.pledge_create)
    cited_entry_field = "pledge"
    inlines = [PledgeCitationInline]
    list_display = ["parties", "value", "when", "status", "kind", "public_page"]
    list_select_related = False
    list_prefetch_related = ["donor", "recipient"]
    list_filter = ["status", "kind", "date_precision", "year_inferred", "valuation", "donor", "recipient"]
    search_fields = ["donor__name", "recipient__name", "commodity", "description"]
    autocomplete_fields = ["donor", "recipient", "package", "official"]
    fieldsets = [
        (None, {"fields": ("donor", "recipient", "kind", "status", "package", "official")}),
        (
            "Money",
            {
                "fields": (
                    "amount",
                    "currency",
                    "amount_qualifier",
                    "amount_usd",
                    "usd_rate",
                    "usd_rate_date",
                    "usd_rate_source",
                )
            },
        ),
        ("Goods", {"fields": ("quantity", "unit", "commodity", "valuation", "valuation_method")}),
        ("Date", {"fields": ("date", "date_precision", "date_qualifier", "year_inferred")}),
        (None, {"fields": ("description",)}),
        REASON_FIELDSET,
    ]

    @admin.display(description="donor → recipient", ordering="donor__name")
    def parties(self, obj):
        return f"{obj.donor} → {obj.recipient}"

    @admin.display(description="value")
    def value(self, obj):
        return obj.value_display

    @admin.display(description="date", ordering="date")
    def when(self, obj):
        return obj.date_display

    change_select_related = ["donor", "recipient"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "package":
            # The selected package is shown by its name, "China → Cuba: …": join its parties.
            kwargs["queryset"] = Pledge.objects.select_related("donor", "recipient")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "pledge" and request.GET.get("field_name") == "package":
            queryset = queryset.filter(kind=Pledge.Kind.PACKAGE)  # only packages can hold parts
        return queryset, may_have_duplicates


@admin.register(TradeFigure)
class TradeFigureAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.TradeFigureResource]
    create_service = staticmethod(services.trade_figure_create)
    cited_entry_field = "trade_figure"
    inlines = [TradeFigureCitationInline]
    list_display = ["parties", "flow", "value", "period", "rank_statement", "public_page"]
    list_select_related = False
    list_prefetch_related = ["reporter", "partner"]
    list_filter = ["flow", "year_inferred", "reporter", "partner"]
    search_fields = ["reporter__name", "partner__name", "rank_statement", "relationship", "description"]
    autocomplete_fields = ["reporter", "partner"]
    change_select_related = ["reporter", "partner"]
    fieldsets = [
        (None, {"fields": ("reporter", "partner", "flow")}),
        (
            "Money",
            {
                "fields": (
                    "amount",
                    "currency",
                    "amount_qualifier",
                    "amount_usd",
                    "usd_rate",
                    "usd_rate_date",
                    "usd_rate_source",
                )
            },
        ),
        ("Period", {"fields": ("year", "year_inferred")}),
        ("Rank and relation", {"fields": ("rank", "rank_statement", "relationship")}),
        (None, {"fields": ("description",)}),
        REASON_FIELDSET,
    ]

    @admin.display(description="reporter – partner", ordering="reporter__name")
    def parties(self, obj):
        return f"{obj.reporter} – {obj.partner}"

    @admin.display(description="value")
    def value(self, obj):
        return obj.value_display

    @admin.display(description="period", ordering="year")
    def period(self, obj):
        return obj.period_display


@admin.register(Statement)
class StatementAdmin(LedgerAdmin):
    create_service = staticmethod(services.statement_create)
    cited_entry_field = "statement"
    inlines = [StatementCitationInline]
    list_display = ["parties", "kind", "when", "summary"]
    list_select_related = ["speaker", "subject"]
    list_filter = ["kind", "speaker", "subject"]
    search_fields = ["speaker__name", "subject__name", "summary"]
    autocomplete_fields = ["speaker", "subject", "person"]
    change_select_related = ["speaker", "subject"]
    fieldsets = [
        (None, {"fields": ("speaker", "subject", "person", "kind", "summary")}),
        ("Date", {"fields": ("date", "date_precision", "date_qualifier", "year_inferred")}),
        REASON_FIELDSET,
    ]

    @admin.display(description="speaker → subject", ordering="speaker__name")
    def parties(self, obj):
        return f"{obj.speaker} → {obj.subject}"

    @admin.display(description="date", ordering="date")
    def when(self, obj):
        return obj.date_display


@admin.register(Actor)
class ActorAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.ActorResource]
    create_service = staticmethod(services.actor_create)
    list_display = ["name", "code", "kind", "parent", "public_page"]
    list_select_related = ["parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    fieldsets = [(None, {"fields": ("name", "code", "kind", "iso3", "parent", "description")}), REASON_FIELDSET]


@admin.register(Source)
class SourceAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.SourceResource]
    create_service = staticmethod(services.source_create)
    list_display = ["headline", "publisher", "published_on", "language", "public_page"]
    list_filter = ["publisher", "language"]
    search_fields = ["headline", "publisher", "url", "byline"]
    fieldsets = [
        (None, {"fields": ("publisher", "byline", "headline", "url", "published_on", "language", "original_language")}),
        ("Wire", {"fields": ("wire_agency", "wire_date")}),
        (None, {"fields": ("notes",)}),
        REASON_FIELDSET,
    ]


@admin.register(Person)
class PersonAdmin(LedgerAdmin):
    create_service = staticmethod(services.person_create)
    list_display = ["name", "role", "actor"]
    list_select_related = ["actor"]
    search_fields = ["name", "role"]
    autocomplete_fields = ["actor"]
    fieldsets = [(None, {"fields": ("name", "role", "actor")}), REASON_FIELDSET]


@admin.register(Citation)
class CitationAdmin(LedgerAdmin):
    """Citations are usually edited inline on their entry; this list finds an excerpt across the ledger."""

    create_service = staticmethod(services.citation_create)
    list_display = ["source", "entry", "paragraph", "excerpt_start"]
    list_select_related = [
        "source",
        "pledge__donor",
        "pledge__recipient",
        "trade_figure__reporter",
        "trade_figure__partner",
        "statement__speaker",
        "statement__subject",
    ]
    search_fields = ["excerpt", "note"]
    autocomplete_fields = ["source", "pledge", "trade_figure", "statement"]
    fieldsets = [
        (None, {"fields": ("source", "pledge", "trade_figure", "statement", "excerpt", "paragraph", "note")}),
        REASON_FIELDSET,
    ]

    @admin.display(description="entry")
    def entry(self, obj):
        return obj.pledge or obj.trade_figure or obj.statement

    @admin.display(description="excerpt")
    def excerpt_start(self, obj):
        return obj.excerpt if len(obj.excerpt) <= 100 else f"{obj.excerpt[:100]}…"

    def delete_model(self, request, obj):
        services.citation_delete(citation=obj, user=request.user, reason="Deleted in the admin")
