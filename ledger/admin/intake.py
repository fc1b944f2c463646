"""Article intake in the admin: "Add an article" (paste the text or upload a saved HTML page, confirm the
source's details) and the review page of each article (its text with the evidence highlighted, the
proposals to accept, correct or reject). Editors review; analysts see articles and their review state.
Every write goes through ledger/services/intake.py. Aliases editors add, and the deliveries recorded
against pledges, have their own lists."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from ledger import services
from ledger.admin.base import DELETE_REASON
from ledger.forms import REASON_LABEL, REASON_MAX_LENGTH
from ledger.intake import review
from ledger.intake.article import LANGUAGE_NAMES
from ledger.intake.forms import ArticleForm, ProposalForm
from ledger.models import Alias, Delivery, IntakeArticle, IntakeProposal
from ledger.services import ERROR_NO_REASON

ACCEPTED_MESSAGE = "Accepted: {entry} (¶{paragraph}). It is in the ledger, citing its sentence."
REJECTED_MESSAGE = "Rejected (¶{paragraph}): {reason}"
PROPOSED_MESSAGE = "{count} proposals to review. Nothing enters the ledger until you accept it."
READ_MESSAGE = (
    "Read {paragraphs} paragraphs ({language}). Check the source's details below (pre-filled from the page "
    "where it says them), then press “Propose entries”."
)


def _number(value) -> int:
    """An id from the address or the form; anything else finds nothing (a 404, not a server error)."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19 else 0


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


@admin.register(IntakeArticle)
class IntakeArticleAdmin(admin.ModelAdmin):
    list_display = ["headline_link", "publisher", "published_on", "language", "created_by", "review_state"]
    list_display_links = None
    search_fields = ["headline", "publisher", "url"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return review.intake_articles_for_list()

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)

    @admin.display(description="headline", ordering="headline")
    def headline_link(self, obj):
        url = reverse("admin:ledger_intakearticle_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.headline)

    @admin.display(description="review")
    def review_state(self, obj):
        return (
            f"{obj.pending_count} pending, {obj.accepted_count} accepted, "
            f"{obj.corrected_count} corrected, {obj.rejected_count} rejected"
        )

    # --- Add an article ---------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleForm()
        if request.method == "POST":
            proposing = "propose" in request.POST
            form = ArticleForm(request.POST, request.FILES, proposing=proposing)
            if form.is_valid() and proposing:
                data = form.cleaned_data
                try:
                    article = services.intake_article_create(
                        text=form.article.text,
                        published_on=data["published_on"],
                        language=data["language"] or form.article.language,
                        publisher=data["publisher"],
                        headline=data["headline"],
                        url=data["url"],
                        wire_agency=data["wire_agency"],
                        byline=data["byline"],
                        page_metadata=form.article.metadata,
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(request, PROPOSED_MESSAGE.format(count=article.proposals.count()))
                    return HttpResponseRedirect(reverse("admin:ledger_intakearticle_change", args=[article.pk]))
            elif form.article is not None:
                values = form.prefilled()
                if proposing:  # shown again with the article's text and the page's details, and what is missing
                    form = ArticleForm({k: "" if v is None else str(v) for k, v in values.items()}, proposing=True)
                    form.is_valid()
                else:
                    form = ArticleForm(initial=values)
                    paragraphs = len([p for p in values["text"].split("\n\n") if p.strip()])
                    language = LANGUAGE_NAMES.get(values["language"], values["language"])
                    self.message_user(request, READ_MESSAGE.format(paragraphs=paragraphs, language=language))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add an article",
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/ledger/intake/add.html", context)

    # --- Review -----------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = get_object_or_404(IntakeArticle.objects.select_related("source"), pk=_number(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        can_review = self.has_change_permission(request, article)
        if request.method == "POST":
            if not can_review:
                raise PermissionDenied
            return self._review_action(request, article)
        proposals = review.intake_review_proposals(article=article)
        review.decorate(proposals)
        for proposal in proposals:
            proposal.form = ProposalForm.for_proposal(proposal, initial=review.proposal_initial(proposal))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review: {article.headline}",
            "article": article,
            "proposals": proposals,
            "paragraphs": review.highlighted_paragraphs(article, proposals),
            "counts": review.review_counts(proposals),
            "actors": review.intake_review_actors() if can_review else [],
            "can_review": can_review,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/ledger/intake/review.html", context)

    def _review_action(self, request, article):
        proposal = get_object_or_404(IntakeProposal, pk=_number(request.POST.get("proposal")), article=article)
        url = reverse("admin:ledger_intakearticle_change", args=[article.pk])
        action = request.POST.get("action")
        try:
            if action == "reject":
                services.intake_proposal_reject(
                    proposal=proposal, reason=request.POST.get("reason", ""), user=request.user
                )
                self.message_user(
                    request,
                    REJECTED_MESSAGE.format(paragraph=proposal.paragraph, reason=request.POST["reason"].strip()),
                )
            elif action == "accept":
                form = ProposalForm.for_proposal(proposal, request.POST)
                if proposal.relation == IntakeProposal.Relation.SAME:
                    form = None  # a repeat adds its citation; the entry is corrected on its own page
                elif not form.is_valid():
                    errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
                    raise ValidationError(f"Not accepted: {errors}")
                version = _number(request.POST.get("expected_version"))
                accepted = services.intake_proposal_accept(
                    proposal=proposal,
                    user=request.user,
                    values=form.cleaned_data if form is not None else None,
                    expected_version=version or None,
                )
                self.message_user(request, ACCEPTED_MESSAGE.format(entry=accepted.result, paragraph=accepted.paragraph))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(f"{url}#proposal-{proposal.pk}")
        following = (
            article.proposals.filter(state=IntakeProposal.State.PENDING)
            .order_by("-confidence", "position", "id")
            .values_list("pk", flat=True)
            .first()
        )
        return HttpResponseRedirect(f"{url}#proposal-{following}" if following else url)


class ReasonForm(forms.ModelForm):
    """An alias's or a delivery's form: the change's reason is required and kept in the history."""

    change_reason = forms.CharField(
        label=REASON_LABEL,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 90, "autocomplete": "off"}),
        error_messages={"required": ERROR_NO_REASON},
    )


class ReasonedAdmin(admin.ModelAdmin):
    """Saves with the editor and the reason in the history; only superusers delete."""

    form = ReasonForm

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "change_reason"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = form.cleaned_data["change_reason"]
        obj.save()

    def delete_model(self, request, obj):
        obj._history_user, obj._change_reason = request.user, DELETE_REASON  # the history says who and why
        obj.delete()

    def delete_queryset(self, request, queryset):
        """The bulk delete, row by row so each is recorded with who and why; all or nothing."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)


@admin.register(Alias)
class AliasAdmin(ReasonedAdmin):
    """Names intake reads as an actor, beyond the ledger's actors and intake's own list (aliases.json)."""

    list_display = ["alias", "code", "note"]
    search_fields = ["alias", "code", "note"]
    fields = ["alias", "code", "note"]


@admin.register(Delivery)
class DeliveryAdmin(ReasonedAdmin):
    """Deliveries against pledges, usually recorded by accepting a "delivers" proposal. Never in a total."""

    list_display = ["__str__", "date", "citation"]
    list_select_related = ["pledge__donor", "pledge__recipient", "citation__source"]
    autocomplete_fields = ["pledge", "citation"]
    fields = [
        "pledge",
        "quantity",
        "unit",
        "commodity",
        "amount",
        "currency",
        "amount_qualifier",
        "date",
        "date_precision",
        "date_qualifier",
        "year_inferred",
        "citation",
    ]
