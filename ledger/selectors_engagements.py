"""Reads for the engagement pages (the table, an engagement's page), named after them like
ledger/selectors.py's. The timeline's reads are ledger/timeline.py's."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from ledger.history import entry_history
from ledger.models import Citation, Engagement, Participant


def _participants() -> Prefetch:
    return Prefetch(
        "participants", queryset=Participant.objects.select_related("person").order_by("side", "part", "id")
    )


def engagements_for_table() -> QuerySet[Engagement]:
    return (
        Engagement.objects.select_related("side_a", "side_b", "place_country")
        .prefetch_related(_participants())
        .order_by("-date", "-id")
    )


def engagement_detail(*, pk: int) -> dict:
    """The engagement, its participants by side, the statements made at it, its citations and history."""
    engagement = get_object_or_404(Engagement.objects.select_related("side_a", "side_b", "place_country"), pk=pk)
    participants = list(engagement.participants.select_related("person", "acting_for").order_by("side", "part", "id"))
    return {
        "engagement": engagement,
        "side_a_participants": [p for p in participants if p.side == Participant.Side.A],
        "side_b_participants": [p for p in participants if p.side == Participant.Side.B],
        "statements": list(engagement.statements.select_related("speaker", "subject", "person").order_by("id")),
        "citations": list(
            Citation.objects.filter(engagement=engagement)
            .select_related("source")
            .order_by("source__published_on", "paragraph", "id")
        ),
        "history": entry_history(engagement),
    }
