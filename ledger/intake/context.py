"""Pledges read against the article's other pledges, once every sentence is read: an agency shown channelling
its government's aid gives for it, a pledge naming no donor is the previous one's, a tranche is of the kind of
the money before it."""

from ledger.intake import lexicon, roles
from ledger.intake.reading import Reading, cue
from ledger.intake.types import PARTY_MISSING, PLEDGE, Party, Proposal

DONOR_INFERRED = "donor_inferred"


def channel_parents(readings: list[Reading]) -> dict[str, Party]:
    """Agencies the article shows channelling their government's aid ("se canalizará a través de la AECID"),
    each with that government when the article names it: what such an agency then sends, it sends for its
    government ("La AECID enviará también ..." → Spain)."""
    named = {m.party.code: m.party for r in readings for m in r.parties if m.party.kind == "country"}
    return {
        m.party.code: named[m.party.parent]
        for r in readings
        for m in r.parties
        if m.party.parent in named and roles.is_channel(r.full_text, m)
    }


def _kind_unstated(proposal: Proposal) -> bool:
    return not cue("|".join(lexicon.KIND_CUES.values())).search(proposal.evidence.text)


def read_in_article(proposals: list[Proposal], channels: dict[str, Party]) -> None:
    """Pledges read against the article's earlier ones: an agency that channels its government's aid gives
    for it; a pledge that names no donor ("The donation is the second this year ...") is the previous
    pledge's donor's; "a separate tranche of 4 million pounds" is of the kind of the money before it."""
    previous: Proposal | None = None
    previous_money: Proposal | None = None
    for proposal in proposals:
        if proposal.entry != PLEDGE:
            continue
        if proposal.donor is not None and proposal.donor.code in channels:
            proposal.donor = channels[proposal.donor.code]
        body = proposal.evidence.paragraph != 1
        if (
            body
            and proposal.donor is None
            and previous is not None
            and previous.donor is not None
            and (proposal.recipient is None or proposal.recipient.code != previous.donor.code)
        ):
            proposal.donor = previous.donor
            proposal.flag(DONOR_INFERRED)
            proposal.confidence -= 0.15
            if proposal.recipient is not None and PARTY_MISSING in proposal.flags:
                proposal.flags.remove(PARTY_MISSING)
                proposal.confidence += 0.3
        if (
            body
            and previous_money is not None
            and proposal.amount is not None
            and proposal.quantity is None
            and _kind_unstated(proposal)
            and cue(lexicon.TRANCHE).search(proposal.evidence.text)
        ):
            proposal.kind = previous_money.kind
        if body and proposal.kind != "package":
            previous = proposal
            if proposal.amount is not None and proposal.quantity is None:
                previous_money = proposal
