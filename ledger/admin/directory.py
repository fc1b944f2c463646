"""The admin of the ledger's directory: actors, sources and people."""

from django.contrib import admin

from ledger import resources
from ledger.admin.base import REASON_FIELDSET, LedgerAdmin
from ledger.admin_import import LedgerImportExportMixin
from ledger.models import Actor, Person, Source


@admin.register(Actor)
class ActorAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.ActorResource]
    list_display = ["name", "code", "kind", "parent", "public_page"]
    list_select_related = ["parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    fieldsets = [(None, {"fields": ("name", "code", "kind", "iso3", "parent", "description")}), REASON_FIELDSET]


@admin.register(Source)
class SourceAdmin(LedgerImportExportMixin, LedgerAdmin):
    resource_classes = [resources.SourceResource]
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
    list_display = ["name", "role", "actor"]
    list_select_related = ["actor"]
    search_fields = ["name", "role"]
    autocomplete_fields = ["actor"]
    fieldsets = [(None, {"fields": ("name", "role", "actor")}), REASON_FIELDSET]
