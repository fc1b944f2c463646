"""The admin's Import and Export buttons (django-import-export) for the ledger's tables.

Import runs ledger/imports/ through the resources in ledger/resources.py: the upload is a dry run
that lists what would be created and changed, or every bad row by line; confirming runs the same
import for real, all or nothing, recording the editor and the reason they give in the history.
Editors (add and change permissions) may import; analysts (view permission) may export."""

import csv

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from tablib import InvalidDimensions

from ledger.imports import limits, uploads

REASON_HELP = "Kept in the history with your name, for every entry this import creates or changes."


REASON_ERRORS = {"max_length": limits.ERROR_REASON_TOO_LONG}
ERROR_UPLOAD_GONE = "This upload is no longer waiting for confirmation: upload the file again."


class ReasonImportForm(ImportForm):
    change_reason = forms.CharField(
        label="Reason for this import",
        max_length=limits.REASON_MAX_LENGTH,
        help_text=REASON_HELP,
        error_messages=REASON_ERRORS,
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if too_large := limits.size_problem(upload.size):
            raise forms.ValidationError(too_large)
        return upload


class ReasonConfirmImportForm(ConfirmImportForm):
    change_reason = forms.CharField(
        widget=forms.HiddenInput(), max_length=limits.REASON_MAX_LENGTH, error_messages=REASON_ERRORS
    )

    def clean_import_file_name(self):
        # Only a token of an upload this admin saved (ledger/imports/uploads.py), never a path.
        token = self.cleaned_data["import_file_name"]
        if not uploads.is_upload_token(token):
            raise forms.ValidationError(ERROR_UPLOAD_GONE)
        return token


class LedgerImportExportMixin(ImportExportMixin):
    import_form_class = ReasonImportForm
    confirm_form_class = ReasonConfirmImportForm
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
    import_template_name = "admin/ledger/import.html"  # the failed rows as a table: line, column, value, reason
    export_form_class = ExportForm  # every documented column, always: no per-download column picking
    tmp_storage_class = uploads.TokenUploadStorage

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnicodeDecodeError):
            message = (
                f"This file is not UTF-8 text (byte {e.start + 1} cannot be read): save it as CSV UTF-8, as the "
                "export writes it, or choose the format that matches it."
            )
        elif isinstance(e, csv.Error):
            message = f"This is not a CSV file the ledger can read ({e})."
        elif isinstance(e, InvalidDimensions):
            message = "Some rows have more or fewer cells than the header: every row needs one cell per column."
        else:
            message = "This file cannot be read in the chosen format: check the format, or export it again."
        form.add_error("import_file", message)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        # A preview that cannot be confirmed (bad rows, unreadable file) leaves nothing behind.
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if "confirm_form" not in context and form is not None and hasattr(form, "cleaned_data"):
            token = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
            if token:
                uploads.TokenUploadStorage(name=token).remove()
        return response

    def has_import_permission(self, request):
        # An import creates and changes entries, so it takes both permissions.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    def export_action(self, request):
        # import-export builds the admin's ChangeList from the query string but, unlike the
        # changelist view, does not catch a filter that names no field (?page=x): that was a 500.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(request, "These export filters are not valid; choose them again from the list.")
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def has_export_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.view_{self.opts.model_name}")

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        if form is not None and getattr(form, "cleaned_data", None):
            resource_kwargs["reason"] = form.cleaned_data.get("change_reason", "")
        return resource_kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["change_reason"] = import_form.cleaned_data["change_reason"]
        return initial

    def process_result(self, result, request):
        if result.has_validation_errors() or result.has_errors():
            # The ledger changed between the preview and the confirmation; the import was rolled back.
            messages.error(
                request, "Nothing was imported: the file no longer passes the checks. Upload it again to see why."
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)
