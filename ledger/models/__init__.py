"""The ledger's data model: who pledged what to whom, the trade around it, and where each figure
was read. The invariants are database constraints; their messages are written for editors.

base.py: shared fields and code lists; directory.py: actors, people, sources; pledges.py: pledges and
the one rule of what totals count; entries.py: trade figures, statements, citations."""

from ledger.models.base import (
    COUNTRY_CODES,
    CURRENCY_CHOICES,
    CURRENCY_CODES,
    MONEY_CONSTRAINT_FIELDS,
    AmountQualifier,
    ConstraintMessagesOnFields,
    DatePrecision,
    DateQualifier,
    MoneyFields,
)
from ledger.models.directory import Actor, Person, Source
from ledger.models.engagements import Engagement, EngagementQuerySet, Participant  # noqa: F401 (issue 15)
from ledger.models.entries import Citation, Statement, TradeFigure
from ledger.models.intake import Alias, Delivery, IntakeArticle, IntakeProposal  # noqa: F401 (intake's rows)
from ledger.models.pledges import Pledge, PledgeQuerySet, counted_in_totals_condition
from ledger.models.summaries import PledgeTotal  # noqa: F401 (totals kept on write, ledger/summaries.py)

__all__ = [
    "COUNTRY_CODES",
    "CURRENCY_CHOICES",
    "CURRENCY_CODES",
    "MONEY_CONSTRAINT_FIELDS",
    "Actor",
    "AmountQualifier",
    "Citation",
    "ConstraintMessagesOnFields",
    "DatePrecision",
    "DateQualifier",
    "MoneyFields",
    "Person",
    "Pledge",
    "PledgeQuerySet",
    "Source",
    "Statement",
    "TradeFigure",
    "counted_in_totals_condition",
]
