"""The admin of the cited entries: pledges, trade figures and statements with their citations inline,
and the citations list that finds an excerpt across the ledger."""

from django.contrib import admin

from ledger import resources
from ledger.admin.base import REASON_FIELDSET, LedgerAdmin, cited_entry
from ledger.admin.filters import ActorCodeListFilter
from ledger.admin.history import revert_record_of
from ledger.admin_import import LedgerImportExportMixin
from ledger.forms import CitationForm, CitationInlineFormSet, MoneyAdminForm
from ledger.models import Citation, Pledge, Statement, TradeFigure
from ledger.services.entries import ENTRY_FIELDS


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


MONEY_DESCRIPTION = (
    "Leave the USD value, rate, date and source empty: on saving, the ledger converts a non-USD amount at the "
    "ECB reference rate (of the entry's date, or of the source's publication date) or says why it cannot. "
    "To override, give your rate or USD value, the rate's date and its source (\u201cstated by the source\u201d "
    "when the article states the USD value); your reason is kept in the history. An amount in USD is its own "
    "USD value."
)
USD_FIELDS = ("amount_usd", "usd_rate", "usd_rate_date", "usd_rate_source")


class MoneyAdminMixin:
    """The USD fields: the basis and the missing reason are the ledger's to fill; for an amount in USD,
    the USD value is the amount itself, so its USD fields are read-only."""

    form = MoneyAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if revert_record_of(obj) is None:
            return fieldsets
        # A revert restores a recorded state: there is no new figure to confirm.
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f != "zero_confirmed")})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "usd_rate_basis", "usd_missing_reason"]
        if obj is not None and obj.currency == "USD":
            readonly.extend(USD_FIELDS)
        return readonly


@admin.register(Pledge)
class PledgeAdmin(MoneyAdminMixin, LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.PledgeResource]
    cited_entry_field = "pledge"
    inlines = [PledgeCitationInline]
    list_display = ["parties", "value", "when", "status", "kind", "public_page"]
    list_select_related = False
    list_prefetch_related = ["donor", "recipient"]
    list_filter = [
        "status",
        "kind",
        "date_precision",
        "year_inferred",
        "valuation",
        ("donor", ActorCodeListFilter),
        ("recipient", ActorCodeListFilter),
    ]
    search_fields = ["donor__name", "recipient__name", "commodity", "description"]
    autocomplete_fields = ["donor", "recipient", "package", "official"]
    fieldsets = [
        (None, {"fields": ("donor", "recipient", "kind", "status", "package", "official")}),
        (
            "Money",
            {
                "fields": (
                    "amount",
                    "zero_confirmed",
                    "currency",
                    "amount_qualifier",
                    "amount_usd",
                    "usd_rate",
                    "usd_rate_date",
                    "usd_rate_source",
                    "usd_rate_basis",
                    "usd_missing_reason",
                ),
                "description": MONEY_DESCRIPTION,
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
class TradeFigureAdmin(MoneyAdminMixin, LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.TradeFigureResource]
    cited_entry_field = "trade_figure"
    inlines = [TradeFigureCitationInline]
    list_display = ["parties", "flow", "value", "period", "rank_statement", "public_page"]
    list_select_related = False
    list_prefetch_related = ["reporter", "partner"]
    list_filter = ["flow", "year_inferred", ("reporter", ActorCodeListFilter), ("partner", ActorCodeListFilter)]
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
                    "zero_confirmed",
                    "currency",
                    "amount_qualifier",
                    "amount_usd",
                    "usd_rate",
                    "usd_rate_date",
                    "usd_rate_source",
                    "usd_rate_basis",
                    "usd_missing_reason",
                ),
                "description": MONEY_DESCRIPTION,
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
    cited_entry_field = "statement"
    inlines = [StatementCitationInline]
    list_display = ["parties", "kind", "when", "summary"]
    list_select_related = ["speaker", "subject"]
    list_filter = ["kind", ("speaker", ActorCodeListFilter), ("subject", ActorCodeListFilter)]
    search_fields = ["speaker__name", "subject__name", "summary"]
    autocomplete_fields = ["speaker", "subject", "person", "engagement"]
    change_select_related = ["speaker", "subject"]
    fieldsets = [
        (None, {"fields": ("speaker", "subject", "person", "kind", "summary", "engagement")}),
        ("Date", {"fields": ("date", "date_precision", "date_qualifier", "year_inferred")}),
        REASON_FIELDSET,
    ]

    @admin.display(description="speaker → subject", ordering="speaker__name")
    def parties(self, obj):
        return f"{obj.speaker} → {obj.subject}"

    @admin.display(description="date", ordering="date")
    def when(self, obj):
        return obj.date_display


@admin.register(Citation)
class CitationAdmin(LedgerAdmin):
    """Citations are usually edited inline on their entry; this list finds an excerpt across the ledger."""

    list_display = ["source", "entry", "paragraph", "excerpt_start"]
    list_select_related = [
        "source",
        "pledge__donor",
        "pledge__recipient",
        "trade_figure__reporter",
        "trade_figure__partner",
        "statement__speaker",
        "statement__subject",
        "engagement__side_a",
        "engagement__side_b",
    ]
    search_fields = ["excerpt", "note"]
    autocomplete_fields = ["source", "pledge", "trade_figure", "statement", "engagement"]
    fieldsets = [
        (
            None,
            {"fields": ("source", "pledge", "trade_figure", "statement", "engagement", "excerpt", "paragraph", "note")},
        ),
        REASON_FIELDSET,
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk is not None:
            # A citation's entry is fixed once saved: moving it could leave that entry with no source.
            readonly.extend(name for name in ENTRY_FIELDS if name not in readonly)
        return readonly

    @admin.display(description="entry")
    def entry(self, obj):
        return cited_entry(obj)

    @admin.display(description="excerpt")
    def excerpt_start(self, obj):
        return obj.excerpt if len(obj.excerpt) <= 100 else f"{obj.excerpt[:100]}…"
