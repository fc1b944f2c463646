"""The extractor: article text in, proposals out, each tied to the sentence it was read from. A pure
function of its arguments: no database, no network, nothing written."""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from ledger.intake import roles
from ledger.intake.assemble import pledges
from ledger.intake.context import channel_parents, read_in_article
from ledger.intake.engagements import engagements as engagements_in
from ledger.intake.parties import AliasIndex, build_index
from ledger.intake.reading import Reading, read
from ledger.intake.relations import statements, trade
from ledger.intake.text import sentences
from ledger.intake.types import FROM_HEADLINE, DateValue, Party, Proposal


@lru_cache(maxsize=8)
def _cached_index(actors: tuple, extra: tuple) -> AliasIndex:
    return build_index(
        [dict(zip(("code", "name", "kind", "iso3", "parent"), a)) for a in actors],
        [dict(zip(("alias", "code"), e)) for e in extra],
    )


def alias_index(actors: Iterable[dict] = (), extra_aliases: Iterable[dict] = ()) -> AliasIndex:
    """The alias index for these actors and extra aliases, built once and reused while they stay the same."""
    key = tuple(
        sorted((a["code"], a["name"], a.get("kind", ""), a.get("iso3", ""), a.get("parent") or "") for a in actors)
    )
    extra = tuple(sorted((e["alias"], e["code"]) for e in extra_aliases))
    return _cached_index(key, extra)


def _dominant_recipient(text: str, readings: list[Reading]) -> Party | None:
    """The party the article is about, for sentences that name no recipient ("the island", "la isla"):
    the country most often in a recipient's place, else the country most often named."""
    placed: Counter = Counter()
    named: Counter = Counter()
    parties: dict[str, Party] = {}
    for reading in readings:
        for mention in reading.parties:
            if mention.party.kind != "country":
                continue
            parties[mention.party.code] = mention.party
            named[mention.party.code] += 1
            if roles.is_recipient_position(text, mention, reading.language):
                placed[mention.party.code] += 1
    counts = placed or named
    if not counts:
        return None
    return parties[counts.most_common(1)[0][0]]


def _dominant_other(readings: list[Reading], recipient: Party | None) -> Party | None:
    """The country most often named besides the recipient: the other side of "both countries"."""
    named: Counter = Counter()
    parties: dict[str, Party] = {}
    for reading in readings:
        for mention in reading.parties:
            if mention.party.kind == "country" and (recipient is None or mention.party.code != recipient.code):
                parties[mention.party.code] = mention.party
                named[mention.party.code] += 1
    return parties[named.most_common(1)[0][0]] if named else None


def _same_figure(a: Proposal, b: Proposal) -> bool:
    """The headline's figure restated in the body: same amount, or same quantity and unit (a headline's
    goods may be cut short: "5.000 toneladas de arroz y ratifica su apoyo")."""
    return a.entry == b.entry and (a.amount, a.currency, a.quantity, a.unit) == (
        b.amount,
        b.currency,
        b.quantity,
        b.unit,
    )


def extract(
    text: str,
    *,
    published: date,
    language: str = "en",
    actors: Iterable[dict] = (),
    extra_aliases: Iterable[dict] = (),
    index: AliasIndex | None = None,
    engagements: bool = False,
) -> list[Proposal]:
    """Proposals (pledges, trade figures, statements) the article supports, in reading order. `actors`:
    the ledger's actors as dicts (code, name, kind, iso3, parent code); `extra_aliases`: {"alias", "code"}.
    With `engagements`, the visits, meetings and calls it reports follow them (ledger/intake/engagements.py)."""
    index = index or alias_index(actors, extra_aliases)
    readings = [read(text, s, published=published, language=language, index=index) for s in sentences(text)]
    default = _dominant_recipient(text, readings)
    other = _dominant_other(readings, default)
    publication_month = DateValue(published.replace(day=1), "month", "", True)
    found: list[Proposal] = []
    donors: list[Party] = []
    commodities: dict[str, str] = {}  # unit → the goods last named in it, for "another 250,000 barrels"
    for reading in readings:
        figures = trade(reading, default, other) + pledges(reading, default)
        for proposal in list(figures):
            if proposal.quantity is not None and not proposal.commodity:
                if proposal.unit not in commodities:
                    figures.remove(proposal)
                    continue
                proposal.commodity = commodities[proposal.unit]
                proposal.flag("commodity_inferred")
                proposal.confidence -= 0.1
            elif proposal.quantity is not None:
                commodities[proposal.unit] = proposal.commodity
        found += figures or statements(reading, default, publication_month, donors)
        for proposal in figures:
            if proposal.entry == "pledge" and proposal.donor and proposal.donor.code not in {d.code for d in donors}:
                donors.append(proposal.donor)
    read_in_article(found, channel_parents(readings))
    body = [p for p in found if p.evidence.paragraph != 1]
    result: list[Proposal] = []
    for proposal in found:
        if proposal.evidence.paragraph == 1:
            if any(_same_figure(proposal, other) for other in body):
                continue
            proposal.flag(FROM_HEADLINE)
            proposal.confidence -= 0.1
        if proposal.package == -1:
            proposal.package = max(i for i, p in enumerate(result) if p.kind == "package")
        result.append(proposal)
    if engagements:
        result += [proposal for reading in readings for proposal in engagements_in(reading, default, index)]
    for proposal in result:
        proposal.confidence = round(max(0.05, min(1.0, proposal.confidence)), 2)
    return result
