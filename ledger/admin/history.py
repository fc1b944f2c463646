"""The admin's history and revert screens (django-simple-history's), worded as an editor reads them:
the diff hides bookkeeping fields and words values with formatting.format_field_value; a revert is a
new, versioned change with its own reason, saved through the model's revert service."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from ledger import history, services
from ledger.formatting import format_field_value


def revert_record_of(obj):
    """The historical record `obj` was built from, on the revert screen (django-simple-history links
    the instance it builds from a record back to it); None for an entry as stored."""
    return getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) if obj is not None else None


class LedgerHistoryContextHelper(HistoricalRecordContextHelper):
    """The history's diff as an editor reads it (formatting.format_field_value): an empty value is
    "—", never "None"; a choice shows its label."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject):
            value = value.pk
        return format_field_value(self.model, change.field, value)


class HistoryAndRevertMixin:
    """For LedgerAdmin: the history list and the revert screen."""

    object_history_list_template = "admin/ledger/object_history_list.html"
    object_history_form_template = "admin/ledger/revert_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return LedgerHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        # The citations' changes saved with each version (same time): part of the versioned entry.
        by_time = {}
        if records and history.citing_field(self.model) is not None:
            entry_pk = getattr(records[0], self.opts.pk.attname)
            for citation_record, changes in history.citation_changes_by_time(
                history.citation_records(self.model, entry_pk)
            ):
                by_time.setdefault(citation_record.history_date, []).extend(changes)
        for record in records:
            record.citation_changes = by_time.get(record.history_date, [])
        previous = None
        for current in historical_records:
            current.ledger_label = self.history_label(current)
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=history.UNTRACKED_FIELDS, foreign_keys_are_objs=foreign_keys_are_objs
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

    # The revert screen: simple_history builds the entry from the chosen record; get_form (LedgerAdmin)
    # hands that record to the form, the fields are read-only, and save_model calls the revert service.
    def get_readonly_fields(self, request, obj=None):
        if revert_record_of(obj) is not None:
            # The revert screen shows the old version; the editor confirms it and gives a reason.
            return [f.name for f in self.model._meta.concrete_fields if f.editable and not f.primary_key]
        return super().get_readonly_fields(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._malformed_id(self.model.history.model._meta.pk, version_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            record = self.model.history.filter(**{self.opts.pk.attname: obj.pk, "history_id": version_id}).first()
            if record is not None:
                # The whole difference a revert makes: the entry's fields and its citations.
                extra_context = {**(extra_context or {}), "revert_changes": services.revert_preview(obj, record)}
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied  # simple_history would save a view-only user's revert

        def revert(request, *args):
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super(HistoryAndRevertMixin, self).history_form_view(request, *args)

        return self.refusing_on_the_form(revert, request, object_id, version_id, extra_context)

    def response_change(self, request, obj):
        record = revert_record_of(obj)
        if record is None and getattr(obj, "unchanged", False):
            self.message_user(request, f"Nothing changed in \u201c{obj}\u201d, so no new version was recorded.")
            return HttpResponseRedirect(request.path)
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
