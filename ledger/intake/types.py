"""What the extractor proposes: typed, plain values (no database rows), so that the same proposal can be
printed by the command, scored by the gold set, matched against the ledger and later saved by a service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

PLEDGE = "pledge"
TRADE = "trade"
STATEMENT = "statement"
ENGAGEMENT = "engagement"  # ledger/intake/engagements.py

# Flags an editor must look at before accepting.
CURRENCY_ASSUMED = "currency_assumed"
YEAR_INFERRED = "year_inferred"
CONVERSION_STATED = "conversion_stated"
ACTOR_NEW = "actor_new"
RECIPIENT_INFERRED = "recipient_inferred"
PARTY_MISSING = "party_missing"
FROM_HEADLINE = "from_headline"
MORE_THAN = "more_than"  # the source says "more than"; the ledger's nearest qualifier is "at least"


@dataclass(frozen=True)
class Span:
    """Character offsets into the stored article text."""

    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    paragraph: int
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return {"paragraph": self.paragraph, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    kind: str = "country"
    new: bool = False
    iso3: str = ""
    parent: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "new": self.new}


@dataclass(frozen=True)
class PartyMention:
    party: Party
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str
    qualifier: str
    start: int  # the figure and its currency, without the qualifier words
    end: int
    qualifier_start: int
    currency_assumed: bool = False
    more_than: bool = False


@dataclass(frozen=True)
class Goods:
    quantity: Decimal
    unit: str
    commodity: str
    start: int
    end: int
    qualifier: str = "exact"


@dataclass(frozen=True)
class DateValue:
    date: date
    precision: str  # day, month, year
    qualifier: str = ""  # "", early, mid, end
    year_inferred: bool = False
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Match:
    entry: str
    id: int
    relation: str  # same, refines, delivers
    changes: tuple[tuple[str, str], ...] = ()  # (field, new value) a refinement proposes

    def as_dict(self) -> dict:
        return {"entry": self.entry, "id": self.id, "relation": self.relation}


@dataclass
class Proposal:
    entry: str
    evidence: Evidence
    donor: Party | None = None  # pledge donor, trade reporter, statement speaker
    recipient: Party | None = None  # pledge recipient, trade partner, statement subject
    kind: str = ""  # pledge kind, trade flow, statement kind
    status: str = ""
    amount: Decimal | None = None
    currency: str = ""
    amount_qualifier: str = ""
    conversion: Money | None = None
    quantity: Decimal | None = None
    unit: str = ""
    commodity: str = ""
    date: DateValue | None = None
    year: int | None = None
    rank: int | None = None
    rank_statement: str = ""
    relationship: str = ""
    package: int | None = None  # index, in the proposal list, of the package this is part of
    existing: Match | None = None
    flags: list[str] = field(default_factory=list)
    confidence: float = 1.0
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # amount/date/party marks
    place: Party | None = None  # an engagement's place (donor and recipient are its sides A and B)
    participants: list[dict] = field(default_factory=list)  # an engagement's: name, side, role, party, span

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)
