"""Write services for engagements and their participants. An engagement, like every figure, rests on at
least one citation; it is created together with its citations and participants. Updates are versioned
and need a reason, like the other entries'."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.models import Citation, Engagement, Participant
from ledger.services._shared import (
    ERROR_NO_CITATION,
    delete_entry,
    revert_entry,
    save_entry,
    update_entry,
)
from ledger.services.entries import CITING_FIELDS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django.contrib.auth.base_user import AbstractBaseUser

    CitationData = Mapping[str, Any]  # source (or source_id), excerpt, paragraph, note
    ParticipantData = Mapping[str, Any]  # person, side, part, role, acting_for

# Citations of an engagement are kept like any entry's: citation_delete refuses to remove its last one and
# citations_replace works on it too.
CITING_FIELDS.setdefault(Engagement, "engagement")


@transaction.atomic
def engagement_create(
    *,
    citations: Sequence[CitationData],
    participants: Sequence[ParticipantData] = (),
    user: AbstractBaseUser | None = None,
    reason: str,
    **fields: Any,
) -> Engagement:
    """Create an engagement with its citations (dicts of source, excerpt, paragraph, note) and its
    participants (dicts of person, side, part, role, acting_for)."""
    if not citations:
        raise ValidationError(ERROR_NO_CITATION, code="no_citation")
    engagement = save_entry(Engagement(**fields), user=user, reason=reason)
    for citation in citations:
        save_entry(Citation(engagement=engagement, **citation), user=user, reason=reason)
    for participant in participants:
        save_entry(Participant(engagement=engagement, **participant), user=user, reason=reason)
    return engagement


def engagement_update(
    *,
    engagement: Engagement,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> Engagement:
    """Change an engagement's own fields; its participants must still belong to its sides."""
    with transaction.atomic():
        saved = update_entry(engagement, data=data, user=user, reason=reason, expected_version=expected_version)
        for participant in saved.participants.select_related("acting_for", "engagement"):
            participant.full_clean()
    return saved


def engagement_revert(
    *,
    engagement: Engagement,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_version: int | None = None,
) -> Engagement:
    return revert_entry(engagement, history_id=history_id, user=user, reason=reason, expected_version=expected_version)


def engagement_delete(*, engagement: Engagement, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(engagement, user=user, reason=reason)


# --- Participants ------------------------------------------------------------------------------


@transaction.atomic
def participant_create(*, user: AbstractBaseUser | None = None, reason: str, **fields: Any) -> Participant:
    return save_entry(Participant(**fields), user=user, reason=reason)


def participant_update(
    *,
    participant: Participant,
    data: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Participant:
    return update_entry(participant, data=data, user=user, reason=reason, expected_updated_at=expected_updated_at)


def participant_revert(
    *,
    participant: Participant,
    history_id: int,
    user: AbstractBaseUser | None = None,
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Participant:
    return revert_entry(
        participant, history_id=history_id, user=user, reason=reason, expected_updated_at=expected_updated_at
    )


def participant_delete(*, participant: Participant, user: AbstractBaseUser | None = None, reason: str) -> None:
    delete_entry(participant, user=user, reason=reason)
