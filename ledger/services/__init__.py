"""Writes to the ledger, one keyword-only service per model and action: `pledge_create`,
`pledge_update(*, pledge, data, user, reason, expected_version)`, `pledge_revert`, `pledge_delete`, and
the same for trade figures, statements, citations, actors, sources and people.

The admin and the importer both call these, so every write is validated the same way, runs in one
transaction, is refused without a reason, takes the entry's row lock and checks the version the editor
loaded (StaleEditError), and is recorded in the history with the user who made it and the reason."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model

from ledger.models import Actor, Citation, Engagement, Participant, Person, Pledge, Source, Statement, TradeFigure
from ledger.services._shared import (
    BASELINE_REASON,
    ERROR_NO_CITATION,
    ERROR_NO_REASON,
    ERROR_STALE_EDIT,
    CitationEdits,
    StaleEditError,
    entry_restore_updated_at,
    refuse_stale_edit,
    revert_preview,
    revert_reason,
)
from ledger.services.directory import (
    actor_create,
    actor_delete,
    actor_revert,
    actor_update,
    person_create,
    person_delete,
    person_revert,
    person_update,
    source_create,
    source_delete,
    source_revert,
    source_update,
)
from ledger.services.engagements import (
    engagement_create,
    engagement_delete,
    engagement_revert,
    engagement_update,
    participant_create,
    participant_delete,
    participant_revert,
    participant_update,
)
from ledger.services.entries import (
    CITING_FIELDS,
    citation_create,
    citation_delete,
    citation_revert,
    citation_update,
    citations_replace,
    citations_replacement,
    pledge_create,
    pledge_delete,
    pledge_revert,
    pledge_update,
    statement_create,
    statement_delete,
    statement_revert,
    statement_update,
    trade_figure_create,
    trade_figure_delete,
    trade_figure_revert,
    trade_figure_update,
)
from ledger.services.intake import (  # noqa: F401 (article intake's services)
    intake_article_create,
    intake_proposal_accept,
    intake_proposal_correct,
    intake_proposal_reject,
)


@dataclass(frozen=True)
class ModelServices:
    """One model's services, for a caller that treats every model alike (the admin):
    `update(**{keyword: entry}, data=..., ...)`."""

    keyword: str
    create: Callable[..., Model]
    update: Callable[..., Model]
    revert: Callable[..., Model]
    delete: Callable[..., None]


SERVICES: dict[type[Model], ModelServices] = {
    Pledge: ModelServices("pledge", pledge_create, pledge_update, pledge_revert, pledge_delete),
    TradeFigure: ModelServices(
        "trade_figure", trade_figure_create, trade_figure_update, trade_figure_revert, trade_figure_delete
    ),
    Statement: ModelServices("statement", statement_create, statement_update, statement_revert, statement_delete),
    Citation: ModelServices("citation", citation_create, citation_update, citation_revert, citation_delete),
    Actor: ModelServices("actor", actor_create, actor_update, actor_revert, actor_delete),
    Source: ModelServices("source", source_create, source_update, source_revert, source_delete),
    Person: ModelServices("person", person_create, person_update, person_revert, person_delete),
    Engagement: ModelServices("engagement", engagement_create, engagement_update, engagement_revert, engagement_delete),
    Participant: ModelServices(
        "participant", participant_create, participant_update, participant_revert, participant_delete
    ),
}

__all__ = [
    "BASELINE_REASON",
    "CitationEdits",
    "CITING_FIELDS",
    "ERROR_NO_CITATION",
    "ERROR_NO_REASON",
    "ERROR_STALE_EDIT",
    "SERVICES",
    "ModelServices",
    "StaleEditError",
    "actor_create",
    "actor_delete",
    "actor_revert",
    "actor_update",
    "citation_create",
    "citation_delete",
    "citation_revert",
    "citation_update",
    "citations_replace",
    "citations_replacement",
    "engagement_create",
    "engagement_delete",
    "engagement_revert",
    "engagement_update",
    "entry_restore_updated_at",
    "person_create",
    "person_delete",
    "person_revert",
    "person_update",
    "participant_create",
    "participant_delete",
    "participant_revert",
    "participant_update",
    "pledge_create",
    "pledge_delete",
    "pledge_revert",
    "pledge_update",
    "refuse_stale_edit",
    "revert_preview",
    "revert_reason",
    "source_create",
    "source_delete",
    "source_revert",
    "source_update",
    "statement_create",
    "statement_delete",
    "statement_revert",
    "statement_update",
    "trade_figure_create",
    "trade_figure_delete",
    "trade_figure_revert",
    "trade_figure_update",
]
