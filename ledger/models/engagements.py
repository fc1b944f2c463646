"""Engagements: the diplomacy around the aid (visits, meetings, calls, delegations), with who took part
for which side, in the role they held at the time."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ledger import formatting
from ledger.models.base import (
    ConstraintMessagesOnFields,
    DatePrecision,
    DateQualifier,
    dated_constraint_fields,
    dated_constraints,
)
from ledger.models.directory import Actor, Person

ERROR_PARTICIPANT_SIDE = "A participant acts for one of the engagement's sides: {actor} is not part of {side}."
ERROR_VISIT_PLACE = "A visit needs its place: at least the country visited."


class EngagementQuerySet(models.QuerySet):
    def between(self, first: Actor | int, second: Actor | int) -> "EngagementQuerySet":
        """Engagements whose two sides are these two countries, whichever side each is on."""
        return self.filter(Q(side_a=first, side_b=second) | Q(side_a=second, side_b=first))


class Engagement(ConstraintMessagesOnFields):
    """One diplomatic engagement between two countries: a visit, a meeting, a call or a delegation."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        MEETING = "meeting", "Meeting"
        PHONE_CALL = "phone_call", "Phone call"
        VIDEO_CALL = "video_call", "Video call"
        DELEGATION = "delegation", "Delegation"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    side_a = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="engagements_as_side_a",
        verbose_name="side A",
        help_text="The country that visits, calls or sends the delegation (for a meeting, either side).",
    )
    side_b = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="engagements_as_side_b",
        verbose_name="side B",
        help_text="The country visited, called or met.",
    )
    place_country = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements_hosted",
        verbose_name="place (country)",
        help_text="Where it took place; empty for a call, or when the source does not say.",
    )
    place_city = models.CharField(
        "place (city)", max_length=100, blank=True, default="", help_text="Only where the source states it."
    )
    date = models.DateField(
        null=True,
        blank=True,
        help_text="First day of the period the source gives (1 Feb 2026 for 'February 2026').",
    )
    date_precision = models.CharField(max_length=5, blank=True, default="", choices=DatePrecision.choices)
    date_qualifier = models.CharField(max_length=5, blank=True, default="", choices=DateQualifier.choices)
    year_inferred = models.BooleanField(
        default=False, help_text="The source does not state the year; it is inferred from context."
    )
    date_note = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="How the date was read when the source gives it only relative to itself ('recently').",
    )
    discussed = models.TextField(
        blank=True, default="", help_text="What the source says was discussed; empty when it does not say."
    )
    description = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = EngagementQuerySet.as_manager()

    constraint_fields = {
        "engagement_sides_differ": "side_b",
        "engagement_visit_has_place": "place_country",
        **dated_constraint_fields("engagement"),
    }

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(side_a=F("side_b")),
                name="engagement_sides_differ",
                violation_error_message="An engagement is between two different countries.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="visit") | Q(place_country__isnull=False),
                name="engagement_visit_has_place",
                violation_error_message=ERROR_VISIT_PLACE,
            ),
            *dated_constraints("engagement"),
        ]
        indexes = [
            models.Index(fields=["date", "id"], name="engagement_date_id"),
            models.Index(fields=["side_a", "date", "id"], name="engagement_side_a_date_id"),
            models.Index(fields=["side_b", "date", "id"], name="engagement_side_b_date_id"),
            # The timeline's engagements of a country read its sides' and its place's latest rows.
            models.Index(fields=["place_country", "date", "id"], name="engagement_place_date_id"),
            models.Index(fields=["kind", "id"], name="engagement_kind_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.side_a} – {self.side_b}, {self.date_display}"

    def get_absolute_url(self):
        return reverse("ledger:engagement-detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.place_city = self.place_city.strip()
        errors = {}
        if self.date and self.date_precision in (DatePrecision.MONTH, DatePrecision.YEAR) and self.date.day != 1:
            errors["date"] = "For a month or year, enter the first day of the period (the precision says the rest)."
        if self.date and self.date_precision == DatePrecision.YEAR and self.date.month != 1:
            errors["date"] = "For a year, enter 1 January of that year."
        if self.place_city and self.place_country_id is None:
            errors["place_country"] = "Give the country of the city too."
        if errors:
            raise ValidationError(errors)

    @property
    def date_display(self):
        return formatting.format_date(self.date, self.date_precision, self.date_qualifier, self.year_inferred)

    @property
    def place_display(self):
        if self.place_country_id is None:
            return ""
        return f"{self.place_city}, {self.place_country}" if self.place_city else str(self.place_country)


class Participant(ConstraintMessagesOnFields):
    """One person's part in an engagement: for which side, in which role and for which body at the time."""

    class Side(models.TextChoices):
        A = "a", "side A"
        B = "b", "side B"

    class Part(models.TextChoices):
        PRINCIPAL = "principal", "principal"
        DELEGATION_MEMBER = "delegation_member", "member of the delegation"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    side = models.CharField(max_length=1, choices=Side.choices)
    part = models.CharField(max_length=20, choices=Part.choices, default=Part.PRINCIPAL)
    role = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="The role they held at the time, as the source gives it (roles change; the person's "
        "current role is kept on the person).",
    )
    acting_for = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="participations",
        help_text="The country or body they acted for at the time; it must belong to their side.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    constraint_fields = {"participant_once_per_engagement": "person"}

    class Meta:
        ordering = ["engagement", "side", "part", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "person"],
                name="participant_once_per_engagement",
                violation_error_message="This person is already listed in this engagement.",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.role or self.acting_for})"

    def _engagement_if_known(self) -> Engagement | None:
        """The engagement, saved or still being created with its participants (the admin's inline)."""
        try:
            return self.engagement
        except Engagement.DoesNotExist:
            return None

    def clean(self):
        super().clean()
        self.role = self.role.strip()
        engagement = self._engagement_if_known()
        if engagement is None or self.acting_for_id is None or not self.side:
            return
        side_id = engagement.side_a_id if self.side == self.Side.A else engagement.side_b_id
        if side_id is None:
            return
        side = Actor.objects.get(pk=side_id)
        if self.acting_for.country != side.country:
            raise ValidationError(
                {"acting_for": ERROR_PARTICIPANT_SIDE.format(actor=self.acting_for, side=side.country or side)}
            )
