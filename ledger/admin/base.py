"""LedgerAdmin, shared by every ledger model. Every write goes through the model's services
(ledger/services/, the importer's path too): each change needs a reason, is checked against the
version the editor opened, and lands in the history. Lists are built for a large ledger: no full
COUNT(*), related rows joined, no per-row queries."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ledger import services
from ledger.admin.history import HistoryAndRevertMixin, revert_record_of
from ledger.forms import CitationForm, LedgerAdminForm
from ledger.models import Citation

REASON_FIELDSET = (
    "Your change",
    {
        "fields": ("change_reason", "edit_token"),
        "description": "Every change is kept in the history with your name, the time and this reason.",
    },
)
DELETE_REASON = "Deleted in the admin"
BULK_DELETE_REASON = "Deleted in the admin (one of {count} selected)"
ERROR_BULK_LEFT_WITHOUT_SOURCE = (
    "Nothing was deleted: {entries} would be left without a source. An entry's last citation cannot be "
    "deleted: add another citation to the entry first, or leave its last one out of the selection."
)
ERROR_BULK_REFUSED = "Nothing was deleted: {refusals}"

admin.site.site_header = "Aid Ledger: editors' admin"
admin.site.site_title = "Aid Ledger admin"
admin.site.index_title = "The ledger"


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


class BulkDeleteRefused(Exception):
    """A bulk delete the services refused for at least one selected row: nothing was deleted."""


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_through_services(modeladmin, request, queryset):
    """Django's "delete selected" (its confirmation page, then LedgerAdmin.delete_queryset) as one
    transaction: a refusal rolls back every row deleted before it and the admin's log of them."""
    try:
        with transaction.atomic():
            return delete_selected(modeladmin, request, queryset)
    except BulkDeleteRefused as refused:
        modeladmin.message_user(request, str(refused), messages.ERROR)
        return None  # back to the list, the selection unchanged


def cited_entry(citation):
    """The entry a citation is part of: a pledge, a trade figure, a statement or an engagement."""
    return citation.pledge or citation.trade_figure or citation.statement or citation.engagement


def _entry_label(entry) -> str:
    return f"{entry._meta.verbose_name} #{entry.pk} ({entry})"


class PrefetchingChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.prefetch_related(*self.model_admin.list_prefetch_related)


class LedgerAdmin(HistoryAndRevertMixin, SimpleHistoryAdmin):
    """Shared by every ledger model: service writes with a reason, optimistic locking, revert."""

    form = LedgerAdminForm
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter choice
    list_per_page = 50
    save_on_top = False
    cited_entry_field = None  # for entries with citations: the Citation field that points at them

    change_select_related = ()  # relations the change form's title reads
    # Relations the list shows, fetched for the page's rows only. Joined instead (list_select_related),
    # SQLite's planner starts from the actors and sorts the whole table: 30 s at a million pledges.
    list_prefetch_related = ()

    def get_search_results(self, request, queryset, search_term):
        """The search box also finds an entry by its number: "2566" or "#2566"."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().removeprefix("#")
        if number.isdigit() and len(number) < 19:
            queryset |= self.model._default_manager.filter(pk=int(number))
        return queryset, may_have_duplicates

    @property
    def model_services(self) -> services.ModelServices:
        return services.SERVICES[self.model]

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        record = revert_record_of(obj)
        if record is not None:
            form = type(form.__name__, (form,), {"revert_record": record})
        return form

    @staticmethod
    def model_values(form, obj):
        return {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if field.name in form.fields
        }

    def save_model(self, request, obj, form, change):
        reason, model_services = form.cleaned_data["change_reason"], self.model_services
        if not change:
            if self.cited_entry_field is None:
                _adopt(obj, model_services.create(user=request.user, reason=reason, **self.model_values(form, obj)))
            return  # an entry with citations is created in save_related, together with them
        entry = {model_services.keyword: obj}
        if form.revert_record is not None:
            saved = model_services.revert(
                **entry, history_id=form.revert_record.history_id, user=request.user, reason=reason, **form.expected()
            )
        elif self.cited_entry_field is not None:
            return  # saved in save_related, with its citations: one version
        else:
            saved = model_services.update(
                **entry, data=self.model_values(form, obj), user=request.user, reason=reason, **form.expected()
            )
        _adopt(obj, saved)

    @staticmethod
    def citation_values(citation_form):
        return {name: citation_form.cleaned_data[name] for name in CitationForm._meta.fields}

    def save_related(self, request, form, formsets, change):
        if self.cited_entry_field is None or form.revert_record is not None:
            return super().save_related(request, form, formsets, change)
        citation_formset = next(fs for fs in formsets if fs.model is Citation)
        reason, options = form.cleaned_data["change_reason"], form.service_options()
        if not change:
            kept = [f for f in citation_formset.forms if f.has_changed() and f not in citation_formset.deleted_forms]
            saved = self.model_services.create(
                user=request.user,
                reason=reason,
                citations=[self.citation_values(f) for f in kept],
                **options,
                **self.model_values(form, form.instance),
            )
            citation_formset.new_objects = list(saved.citations.all())
            citation_formset.changed_objects, citation_formset.deleted_objects = [], []
        else:
            # The entry's fields and its citations are saved as one version of the entry.
            edits, changed, deleted = self.citation_edits(citation_formset)
            saved = self.model_services.update(
                **{self.model_services.keyword: form.instance},
                data=self.model_values(form, form.instance),
                citations=edits,
                user=request.user,
                reason=reason,
                **form.expected(),
                **options,
            )
            citation_formset.new_objects = list(
                saved.citations.exclude(pk__in=[f.instance.pk for f in citation_formset.initial_forms])
            )
            citation_formset.changed_objects, citation_formset.deleted_objects = changed, deleted
        _adopt(form.instance, saved)

    def citation_edits(self, formset):
        """The inline citations' changes as the services' CitationEdits (additions, changes, removals)."""
        add, change, remove, changed, deleted = [], {}, [], [], []
        for citation_form in formset.forms:
            pk = citation_form.instance.pk
            if citation_form in formset.deleted_forms:
                if pk is not None:
                    remove.append(pk)
                    deleted.append(citation_form.instance)
            elif citation_form.has_changed():
                if pk is None:
                    add.append(self.citation_values(citation_form))
                else:
                    change[pk] = self.citation_values(citation_form)
                    changed.append((citation_form.instance, citation_form.changed_data))
        return services.CitationEdits(add=add, change=change, remove=remove), changed, deleted

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        # Citations are saved with their entry, in save_related.

    def delete_model(self, request, obj, *, reason=DELETE_REASON):
        """Through the delete service: the rows deleted with `obj` and the links emptied by it are
        recorded with the same user and reason (services/deleting.py)."""
        model_services = self.model_services
        model_services.delete(**{model_services.keyword: obj}, user=request.user, reason=reason)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_through_services,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def delete_queryset(self, request, queryset):
        """The bulk delete: every selected row through its delete service (a reason and the history,
        the maintained totals, and the services' rules: an entry keeps its last citation). All or
        nothing: when the services refuse any row, nothing is deleted and the refusal names the rows."""
        rows = list(queryset)
        reason = BULK_DELETE_REASON.format(count=len(rows)) if len(rows) > 1 else DELETE_REASON
        refused = []
        with transaction.atomic():
            for obj in rows:
                try:
                    with transaction.atomic():
                        self.delete_model(request, obj, reason=reason)
                except ValidationError as error:
                    refused.append((obj, error))
            if refused:
                raise BulkDeleteRefused(self.bulk_delete_refusal(refused))

    def bulk_delete_refusal(self, refused):
        """The message of a refused bulk delete: the entries left without a source, then any other refusal."""
        sourceless, others = [], []
        for obj, error in refused:
            entry = cited_entry(obj) if isinstance(obj, Citation) else None
            if getattr(error, "code", None) == "no_citation" and entry is not None:
                label = _entry_label(entry)
                if label not in sourceless:
                    sourceless.append(label)
            else:
                others.append(f"{obj}: {' '.join(error.messages)}")
        if sourceless:
            message = ERROR_BULK_LEFT_WITHOUT_SOURCE.format(entries="; ".join(sourceless))
            return " ".join([message, *others])
        return ERROR_BULK_REFUSED.format(refusals="; ".join(others))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # e.g. the last citation an entry rests on
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self.refusing_on_the_form(super().changeform_view, request, object_id, form_url, extra_context)

    def refusing_on_the_form(self, view, request, *args):
        """Run an admin view whose save goes through a service.

        The form refuses a stale edit before saving, without a lock. When another save lands after
        that check, the service refuses under its row lock (StaleEditError) and its transaction is
        rolled back: the view runs once more, and the form now shows the refusal with what changed.
        Any other refusal the form could not see is shown as a message on the reloaded page."""
        try:
            try:
                return view(request, *args)
            except services.StaleEditError:
                return view(request, *args)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="public page")
    def public_page(self, obj):
        return format_html('<a href="{}">public page</a>', obj.get_absolute_url())
