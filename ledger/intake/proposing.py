"""Intake against the ledger as it stands: its actors, the people it names and the aliases editors added
feed `extract()`; the entries between the proposed parties feed `match()`. Read-only: what to store is
returned as plain values (ledger/services/intake.py stores it)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from ledger.intake import ledger_data
from ledger.intake.engagements import match_engagements
from ledger.intake.extract import alias_index, extract
from ledger.intake.matching import match
from ledger.intake.parties import AliasIndex, people_aliases
from ledger.intake.serialise import proposal_dict
from ledger.intake.types import ENGAGEMENT, PLEDGE, STATEMENT, TRADE, Party, Proposal
from ledger.models import Alias, Engagement, Participant, Pledge, Statement, TradeFigure

_PARTY_KEYS = {
    PLEDGE: ("donor", "recipient"),
    STATEMENT: ("donor", "recipient"),
    TRADE: ("reporter", "partner"),
    ENGAGEMENT: ("side_a", "side_b"),
}
_MONEY = ("amount", "currency", "amount_qualifier")


@dataclass
class Proposed:
    """One proposal as intake stores it: the command's JSON (`fields`), with richer parties, and marks."""

    proposal: Proposal
    fields: dict
    marks: dict


def ledger_index() -> AliasIndex:
    """The alias index of the ledger as it stands: its actors, the people it names, the editors' aliases."""
    actors = ledger_data.actors()
    extra = people_aliases(ledger_data.people(), actors)
    extra += [{"alias": alias, "code": code} for alias, code in Alias.objects.values_list("alias", "code")]
    return alias_index(actors, extra)


def _party(party: Party | None) -> dict | None:
    if party is None:
        return None
    return {**party.as_dict(), "kind": party.kind, "iso3": party.iso3, "parent": party.parent}


def entries_between(pairs: set[tuple[str, str]]) -> list[dict]:
    """The entries between these (donor, recipient) codes, in the matcher's shape (ledger_data.entries),
    so that matching reads a handful of rows, not the whole ledger."""
    if not pairs:
        return []

    def between(first: str, second: str) -> Q:
        condition = Q(pk__in=[])
        for a, b in pairs:
            condition |= Q(**{f"{first}__code": a, f"{second}__code": b})
        return condition

    found = []
    pledge_fields = ("id", "kind", "status", *_MONEY, "quantity", "unit", "commodity")
    dated = ("date", "date_precision", "date_qualifier", "year_inferred")
    for row in Pledge.objects.filter(between("donor", "recipient")).values(
        *pledge_fields, *dated, "donor__code", "recipient__code"
    ):
        row["donor"], row["recipient"] = row.pop("donor__code"), row.pop("recipient__code")
        found.append({"entry": PLEDGE, **row})
    for row in TradeFigure.objects.filter(between("reporter", "partner")).values(
        "id", "flow", *_MONEY, "year", "year_inferred", "rank", "reporter__code", "partner__code"
    ):
        row["donor"], row["recipient"], row["kind"] = (
            row.pop("reporter__code"),
            row.pop("partner__code"),
            row.pop("flow"),
        )
        found.append({"entry": TRADE, **row})
    for row in Statement.objects.filter(between("speaker", "subject")).values(
        "id", "kind", *dated, "speaker__code", "subject__code"
    ):
        row["donor"], row["recipient"] = row.pop("speaker__code"), row.pop("subject__code")
        found.append({"entry": STATEMENT, **row})
    return found


def engagements_between(pairs: set[tuple[str, str]]) -> list[dict]:
    """The engagements between these pairs of codes, whichever side each is on, in match_engagements'
    shape (id, kind, side_a, side_b, people): two queries, on a handful of rows."""
    if not pairs:
        return []
    condition = Q(pk__in=[])
    for a, b in pairs:
        condition |= Q(side_a__code=a, side_b__code=b) | Q(side_a__code=b, side_b__code=a)
    rows = {
        pk: {"id": pk, "kind": kind, "side_a": a, "side_b": b, "people": []}
        for pk, kind, a, b in Engagement.objects.filter(condition).values_list(
            "id", "kind", "side_a__code", "side_b__code"
        )
    }
    if rows:
        people = Participant.objects.filter(engagement_id__in=list(rows)).values_list("engagement_id", "person__name")
        for engagement_id, name in people:
            rows[engagement_id]["people"].append(name)
    return list(rows.values())


def party_marks(index: AliasIndex, text: str, proposal: Proposal) -> list[list[int]]:
    """Where the evidence names the proposal's parties (donor and recipient), as [start, end] offsets."""
    codes = {p.code for p in (proposal.donor, proposal.recipient) if p is not None}
    evidence = proposal.evidence
    return [[m.start, m.end] for m in index.find(text, evidence.start, evidence.end) if m.party.code in codes]


def _pairs(proposals: list[Proposal], *, engagements: bool) -> set[tuple[str, str]]:
    return {
        (p.donor.code, p.recipient.code)
        for p in proposals
        if p.donor and p.recipient and (p.entry == ENGAGEMENT) == engagements
    }


def propose(text: str, *, published: date, language: str) -> list[Proposed]:
    """What intake proposes for this article on the ledger as it stands (engagements included), each
    matched to the entries it repeats, refines or delivers against."""
    index = ledger_index()
    proposals = [
        proposal
        for proposal in extract(text, published=published, language=language, index=index, engagements=True)
        # an engagement whose sentence names neither side has nothing an editor could check; engagements
        # come last in the list, so dropping one moves no package's position
        if proposal.entry != ENGAGEMENT or proposal.donor or proposal.recipient
    ]
    match(proposals, entries_between(_pairs(proposals, engagements=False)))
    match_engagements(proposals, engagements_between(_pairs(proposals, engagements=True)))
    result = []
    for proposal in proposals:
        fields = proposal_dict(proposal)
        marks = fields.pop("marks")
        for key in _PARTY_KEYS[proposal.entry]:
            fields[key] = _party(proposal.donor if key in ("donor", "reporter", "side_a") else proposal.recipient)
        if proposal.entry == ENGAGEMENT:
            fields["place"] = _party(proposal.place)
        marks["party"] = party_marks(index, text, proposal)
        result.append(Proposed(proposal, fields, marks))
    return result
