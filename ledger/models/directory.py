"""Who and where from: actors (governments, agencies, organisations), people, and sources."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ledger.models.base import COUNTRY_CODES, ConstraintMessagesOnFields

# Codes appear in addresses (/actors/CHN-CIDCA/): capitals, digits and hyphens only.
ACTOR_CODE_PATTERN = r"^[A-Z0-9-]+$"
ERROR_ACTOR_CODE = (
    "The code must not be empty or contain spaces; use only capital letters A-Z, digits and hyphens (CHN-CIDCA)."
)


class Actor(ConstraintMessagesOnFields):
    """A party that gives, receives or trades: a country, a government body, a party organ or an
    international organisation."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        GOVERNMENT_BODY = "government_body", "Government body"
        PARTY_ORGAN = "party_organ", "Party organ"
        INTERNATIONAL_ORGANISATION = "international_org", "International organisation"

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Short stable code used in URLs and filters: the ISO 3166-1 alpha-3 code for a "
        "country (CUB), or the parent's code and an acronym for a body (CHN-CIDCA).",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    iso3 = models.CharField(
        "ISO 3166-1 alpha-3",
        max_length=3,
        blank=True,
        default="",
        help_text="Countries only.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The country or body this one belongs to (CIDCA belongs to China).",
    )
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {
        "actor_country_has_iso3": "iso3",
        "actor_iso3_known": "iso3",
        "actor_country_code_is_iso3": "code",
        "actor_code_format": "code",
        "actor_not_own_parent": "parent",
        "actor_iso3_unique": "iso3",
    }

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="actor_name_id"),
            models.Index(fields=["kind", "id"], name="actor_kind_id"),
            models.Index(fields=["parent", "name", "id"], name="actor_parent_name_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="country") | ~Q(iso3=""),
                name="actor_country_has_iso3",
                violation_error_message="A country needs its ISO 3166-1 alpha-3 code (for example CUB).",
            ),
            models.CheckConstraint(
                condition=Q(iso3="") | Q(iso3__in=COUNTRY_CODES),
                name="actor_iso3_known",
                violation_error_message="This is not an ISO 3166-1 alpha-3 country code.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="country") | Q(code=F("iso3")),
                name="actor_country_code_is_iso3",
                violation_error_message="A country's code must be its ISO 3166-1 alpha-3 code.",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=ACTOR_CODE_PATTERN),
                name="actor_code_format",
                violation_error_message=ERROR_ACTOR_CODE,
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="actor_not_own_parent",
                violation_error_message="An actor cannot belong to itself.",
            ),
            models.UniqueConstraint(
                fields=["iso3"],
                condition=~Q(iso3=""),
                name="actor_iso3_unique",
                violation_error_message="Another actor already has this ISO code.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("ledger:actor-detail", args=[self.code])

    def clean(self):
        if self.code:
            self.code = self.code.strip().upper()
        if self.iso3:
            self.iso3 = self.iso3.strip().upper()
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An actor cannot belong to itself."})

    @property
    def country(self):
        """The country this actor is, or belongs to (walking up the parents)."""
        actor, seen = self, set()
        while actor is not None and actor.pk not in seen:
            if actor.kind == Actor.Kind.COUNTRY:
                return actor
            seen.add(actor.pk)
            actor = actor.parent
        return None


class Person(models.Model):
    """An official the sources name, with the role they held and the actor they served."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=300, blank=True, default="")
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Source(ConstraintMessagesOnFields):
    """A published document the ledger reads figures from."""

    publisher = models.CharField(max_length=200)
    byline = models.CharField(max_length=200, blank=True, default="")
    headline = models.CharField(max_length=500)
    url = models.URLField("address (URL)", max_length=1000, unique=True)
    published_on = models.DateField("publication date")
    wire_agency = models.CharField(
        max_length=100, blank=True, default="", help_text="The news agency the source reports, if any (EFE)."
    )
    wire_date = models.DateField(null=True, blank=True, help_text="Date of the agency's report, if known.")
    language = models.CharField(max_length=10, help_text="ISO 639-1 code of this edition (en).")
    original_language = models.CharField(
        max_length=10, blank=True, default="", help_text="If this edition is a translation, the original's language."
    )
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {"source_language_format": "language", "source_headline_not_empty": "headline"}

    class Meta:
        ordering = ["-published_on", "id"]
        indexes = [
            models.Index(fields=["published_on", "id"], name="source_published_on_id"),
            models.Index(fields=["publisher", "id"], name="source_publisher_id"),
            models.Index(fields=["headline", "id"], name="source_headline_id"),
            models.Index(fields=["wire_agency", "id"], name="source_wire_agency_id"),
            models.Index(fields=["language", "id"], name="source_language_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(language=""),
                name="source_language_format",
                violation_error_message="Give the language as an ISO 639-1 code, for example en or es.",
            ),
            models.CheckConstraint(
                condition=~Q(headline=""),
                name="source_headline_not_empty",
                violation_error_message="A source needs its headline.",
            ),
        ]

    def __str__(self):
        return f"{self.publisher}, {self.published_on:%d %b %Y}: {self.headline}"

    def get_absolute_url(self):
        return reverse("ledger:source-detail", args=[self.pk])
