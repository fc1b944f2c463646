"""Admin forms: every change carries the editor's reason, and every edit names the version the editor
loaded. The form refuses a stale edit early (without locking); the service it is saved through checks
again under the row lock, so a concurrent save is refused instead of overwritten."""

import copy
import re
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Model

from ledger import services
from ledger.models import Citation, Pledge
from ledger.services import ERROR_NO_REASON, figures, usd

REASON_MAX_LENGTH = 100  # simple_history's change-reason column
REASON_LABEL = "Reason for this change"
REASON_HELP = (
    "Required. Kept in the history with your name and the time, for example "
    "\u201cA later article (Granma, 3 Mar 2026) gives the year: 2025\u201d."
)
ERROR_UNKNOWN_CURRENCY = "Unknown currency: use an ISO 4217 code such as USD, EUR or CNY."
ERROR_REVERT_REASON_TOO_LONG = "Keep the reason under {limit} characters (the history adds \u201c{prefix}\u201d)."


def is_versioned(model: type[Model]) -> bool:
    return any(field.name == "version" for field in model._meta.concrete_fields)


def edit_token(instance: Model) -> str:
    if is_versioned(type(instance)):
        return str(instance.version)
    return instance.updated_at.isoformat() if instance.updated_at else ""


class LedgerAdminForm(forms.ModelForm):
    """The admin form for a ledger entry: the reason is required, and a hidden token (the entry's
    version, or its last-saved time for entries without one) pins the state the editor started from."""

    change_reason = forms.CharField(
        label=REASON_LABEL,
        help_text=REASON_HELP,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 90, "autocomplete": "off"}),
        error_messages={"required": ERROR_NO_REASON},
    )
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    # Set by LedgerAdmin.get_form(revert_record=...) on the revert screen: the historical record the
    # entry goes back to.
    revert_record = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["edit_token"].initial = self.current_token()
        if "currency" in self.fields:
            # The model's constraint message, rather than the generic "Select a valid choice".
            self.fields["currency"].error_messages["invalid_choice"] = ERROR_UNKNOWN_CURRENCY
        if self.revert_record is not None:
            prefix = services.revert_reason(self.revert_record, "")
            self.fields["change_reason"].max_length = REASON_MAX_LENGTH - len(prefix)
            self.fields["change_reason"].validators = [
                MaxLengthValidator(
                    REASON_MAX_LENGTH - len(prefix),
                    ERROR_REVERT_REASON_TOO_LONG.format(limit=REASON_MAX_LENGTH - len(prefix), prefix=prefix.strip()),
                )
            ]
            self.fields[
                "change_reason"
            ].help_text = f"Required. The history records it as \u201c{prefix}\u2026\u201d with your name and the time."

    def service_options(self) -> dict[str, Any]:
        """Extra keyword arguments for the model's create and update services."""
        return {}

    def current_token(self) -> str:
        """The token of the entry as stored now (on the revert screen the instance is the old version)."""
        instance = self.instance
        if self.revert_record is not None:
            instance = self._meta.model.objects.get(pk=instance.pk)
        return edit_token(instance)

    def expected(self) -> dict[str, Any]:
        """The keyword arguments for the services' version check."""
        token = self.cleaned_data.get("edit_token") or ""
        if is_versioned(self._meta.model):
            return {"expected_version": int(token)}
        return {"expected_updated_at": datetime.fromisoformat(token)}

    def clean_edit_token(self):
        token = self.cleaned_data.get("edit_token") or ""
        if self.instance.pk is None:
            return ""
        try:
            int(token) if is_versioned(self._meta.model) else datetime.fromisoformat(token)
        except ValueError:
            raise ValidationError(
                "This form does not say which version of the entry it was opened on. Reload the page and try again."
            ) from None
        return token

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "edit_token" in cleaned and not self.has_error("edit_token"):
            # Refused here, the editor sees what changed on the form at once. No lock is taken: the
            # service checks again under the row lock when it saves (LedgerAdmin.changeform_view).
            try:
                services.refuse_stale_edit(instance=self.instance, **self.expected())
            except services.StaleEditError as error:
                raise ValidationError(error.messages, code="stale") from error
        return cleaned


class MoneyAdminForm(LedgerAdminForm):
    """The admin form of a pledge or trade figure: the USD fields are checked as the services will fill
    them (ECB rate, kept conversion, override with its own source), so a refusal shows on its field."""

    CITATION_SOURCE = re.compile(r"^citations-(\d+)-source$")

    zero_confirmed = forms.BooleanField(
        label="The source says zero",
        required=False,
        help_text="Tick only when the source states the figure as 0, and say so in the reason. "
        "A figure the source does not state stays empty.",
    )

    def service_options(self) -> dict[str, Any]:
        return {"zero_confirmed": bool(self.cleaned_data.get("zero_confirmed"))}

    def _refuse_dishonest_figures(self, entry: Model, stored: Model | None) -> None:
        """The services' rules on 0, on a USD value beside a USD amount, on a package's parties."""
        figures.refuse_unconfirmed_zero(
            entry,
            stored=stored,
            confirmed=bool(self.cleaned_data.get("zero_confirmed")),
            reason=self.cleaned_data.get("change_reason") or "",
        )
        figures.refuse_contradicting_usd(entry, stored=stored)
        if isinstance(entry, Pledge) and stored is not None:
            figures.refuse_package_party_change(entry, stored)

    def _posted_sources(self) -> list[dict[str, Any]]:
        """The sources of the citations posted with a new entry (the inline formset's rows)."""
        citations = []
        for key, value in self.data.items():
            match = self.CITATION_SOURCE.match(key)
            if match and value and not self.data.get(f"citations-{match.group(1)}-DELETE"):
                citations.append({"source_id": value})
        return citations

    def _post_clean(self):
        super()._post_clean()
        if self.errors or "amount" not in self.fields:
            return
        entry = copy.copy(self.instance)
        previous = stored = None
        if entry.pk is not None:
            stored = type(entry).objects.get(pk=entry.pk)
            previous = usd.stored_values(stored)
            published = usd.publication_date(entry=stored)
        else:
            published = usd.publication_date(citations=self._posted_sources())
        try:
            if self.revert_record is None:
                self._refuse_dishonest_figures(entry, stored)
            usd.apply_usd(entry, published=published, previous=previous)
        except ValidationError as error:
            self._update_errors(self._on_shown_fields(error))

    def _on_shown_fields(self, error: ValidationError) -> ValidationError:
        """A refusal on a field the form shows read-only goes to the top of the form instead."""
        if not hasattr(error, "error_dict"):
            return error
        errors: dict[str, list] = {}
        for name, messages in error.error_dict.items():
            errors.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(messages)
        return ValidationError(errors)


class CitationInlineFormSet(forms.BaseInlineFormSet):
    """An entry keeps at least one citation: every figure names the source it was read from."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk is not None or form.has_changed())
        ]
        if not kept:
            raise ValidationError(services.ERROR_NO_CITATION, code="no_citation")


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["source", "excerpt", "paragraph", "note"]
        widgets = {"excerpt": forms.Textarea(attrs={"rows": 2, "cols": 60})}
