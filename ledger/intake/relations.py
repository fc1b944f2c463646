"""Trade figures and statements from one read sentence.

A trade figure: a rank phrase ("Cuba's second-largest trading partner", "el principal inversor") or an
amount in a sentence about trade ("bilateral exchange amounted to roughly 340 million dollars in 2024"),
between a reporter (the subject) and a partner ("Cuba's", "de Cuba", "entre Rusia y Cuba"); never aid.
A statement: words with no amount (support, an offer of help, a rejection of pressure, a call on a third
party); "A thanked B for its solidarity" is B's statement about A."""

import re

from ledger.intake import lexicon, roles
from ledger.intake.assemble import date_near, evidence, is_aid
from ledger.intake.reading import Reading, is_trade_money, nearest, spans
from ledger.intake.types import (
    RECIPIENT_INFERRED,
    STATEMENT,
    TRADE,
    YEAR_INFERRED,
    DateValue,
    Party,
    PartyMention,
    Proposal,
)

_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "segundo": 2,
    "tercer": 3,
    "tercero": 3,
    "cuarto": 4,
    "quinto": 5,
    "largest": 1,
    "biggest": 1,
    "main": 1,
    "top": 1,
    "leading": 1,
    "principal": 1,
    "first": 1,
    "primer": 1,
    "primero": 1,
    "mayor": 1,
}
_RANK = re.compile(
    r"(?P<phrase>(?P<oneof>one of\s+|uno de\s+)?(?:(?P<poss>[A-Z][\w-]*['’]s)\s+|(?:its|their|his|her|the|el|sus|los)\s+)?"
    r"(?P<ord>second|third|fourth|fifth|largest|biggest|main|top|leading|principal(?:es)?|first|segundo|tercer|tercero|"
    r"cuarto|primer|primero|mayor(?:es)?)(?:[- ](?:largest|biggest))?\s+"
    r"(?P<noun>trading partners?|trade partners?|commercial partners?|investors?|suppliers?|"
    r"socios? comerciales?|inversor(?:es)?|inversionistas?|proveedor(?:es)?)"
    r"(?:\s+(?:de|of)\s+(?P<of>[A-ZÁÉÍÓÚ][\w-]*))?"
    r"(?:\s+(?:from|in|on|of|de|en)\s+[^,.;]+?(?=,|\.|;|\s+and\s|\s+y\s|\s+with\s|\s+con\s|$))?)",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"(?:between|entre)\s+(?P<a>[\w\s]+?)\s+(?:and|y)\s+(?P<b>[\w\s]+?)\b", re.IGNORECASE)
_RELATIONSHIP = re.compile(
    r"strategic partnership|strategic partner|asociación estratégica|socio estratégico", re.IGNORECASE
)


_OWNS_TRADE = re.compile(
    r"['’]s\s+(?:[\w-]+\s+){0,2}?(?:trade|exports?|imports?|commerce|exchange)\b(?!\s+partners?)", re.IGNORECASE
)


def _flow(noun: str) -> str:
    noun = noun.lower()
    if noun.startswith(("invest", "invers")):
        return "investment"
    if noun.startswith(("supplier", "proveedor", "export")):
        return "exports"
    if noun.startswith(("import",)):
        return "imports"
    return "total_trade"


def _money_flow(reading: Reading, start: int, end: int) -> str:
    """The flow a trade figure measures, from the trade word nearest to it ("exports rose to ...")."""
    found = nearest(spans(lexicon.TRADE_CUES, reading.full_text, reading.start, reading.end), start, end)
    return _flow(reading.full_text[found[0] : found[1]]) if found else "total_trade"


def _mention_at(parties: list[PartyMention], start: int, end: int) -> PartyMention | None:
    return next((m for m in parties if start <= m.start and m.end <= end), None)


def trade(reading: Reading, default_partner: Party | None, default_reporter: Party | None = None) -> list[Proposal]:
    if not reading.trade:
        return []
    text = reading.full_text
    body = text[reading.start : reading.end]
    proposals: list[Proposal] = []
    parties = reading.parties
    reporter = next((m.party for m in parties if not re.match(r"['’]s", text[m.end : m.end + 2])), None)
    # "Canada's two-way trade with Cuba", "Mexico's exports to Cuba": the possessive owns the trade.
    owner = next((m.party for m in parties if _OWNS_TRADE.match(text, m.end)), None)
    reporter = owner or reporter
    partner = None
    between = _BETWEEN.search(body)
    if between:
        a = _mention_at(parties, reading.start + between.start("a"), reading.start + between.end("a"))
        b = _mention_at(parties, reading.start + between.start("b"), reading.start + between.end("b"))
        if a and b:
            reporter, partner = a.party, b.party
    for match in _RANK.finditer(body):
        proposal = Proposal(TRADE, evidence(reading), kind=_flow(match.group("noun")), confidence=0.8)
        proposal.rank = None if match.group("oneof") else _ORDINALS.get(match.group("ord").lower().split()[0])
        if match.group("ord").lower().startswith(("principales", "mayores")):
            proposal.rank = None
        proposal.rank_statement = match.group("phrase").strip()
        named = match.group("poss") or match.group("of")
        if named:
            where = reading.start + (match.start("poss") if match.group("poss") else match.start("of"))
            mention = _mention_at(parties, where, where + len(named))
            if mention:
                partner = partner or mention.party
        proposals.append(proposal)
    totals = [p for p in proposals if p.kind == "total_trade"]
    for money, _conversion in reading.money:
        if not is_trade_money(reading, money):
            continue
        target = totals[0] if totals else None
        if target is None or target.amount is not None:
            target = Proposal(
                TRADE, evidence(reading), kind=_money_flow(reading, money.start, money.end), confidence=0.8
            )
            proposals.append(target)
            totals.append(target)
        target.amount, target.currency, target.amount_qualifier = money.amount, money.currency, money.qualifier
        target.spans["amount"] = [(money.start, money.end)]
    if not proposals:
        return []
    relationship = _RELATIONSHIP.search(body)
    year = next((d for d in reading.dates if d.precision == "year" or d.precision == "month"), None)
    others = [m.party for m in parties if reporter is None or m.party.code != reporter.code]
    partner = partner or (others[0] if others else default_partner)
    if reporter is None and default_reporter is not None and (partner is None or default_reporter.code != partner.code):
        reporter = default_reporter  # "entre ambos países": the article's two countries
    for proposal in proposals:
        proposal.donor, proposal.recipient = reporter, partner
        if any(party is not None and party.new for party in (reporter, partner)):
            proposal.flag("actor_new")
        if relationship:
            proposal.relationship = "strategic partnership"
        if year is not None and proposal.amount is not None:
            proposal.year = year.date.year
            proposal.date = DateValue(year.date.replace(month=1), "year", "", year.year_inferred, year.start, year.end)
    return [p for p in proposals if p.donor and p.recipient and p.donor.code != p.recipient.code]


def _statement_kind(reading: Reading) -> tuple[str, tuple[int, int]] | None:
    for kind, words in lexicon.STATEMENT_CUES:
        found = spans(words, reading.full_text, reading.start, reading.end)
        if found:
            return kind, found[0]
    return None


_BOTH = (
    r"both (?:countries|governments|nations|donors)|the two (?:countries|governments)|ambos (?:países|gobiernos)|"
    r"los dos (?:países|gobiernos)|sus donantes|its donors"
)


# A sentence whose subject is a bare title ("The spokesman", "El portavoz", "La canciller") names no party.
_TITLE_FIRST = re.compile(rf"\s*(?:{lexicon.SPEAKER_TITLES})\b", re.IGNORECASE)


def statements(
    reading: Reading, default_subject: Party | None, publication_month: DateValue, donors: list[Party] = ()
) -> list[Proposal]:
    """Statements in the sentence; `donors`: the article's donors so far, for "thanked both governments"."""
    found = _statement_kind(reading)
    if found is None or ((reading.money or reading.goods) and is_aid(reading)):
        return []  # a figure of aid makes the sentence a pledge; a total, a sale or a request leaves the words
    kind, (cue_start, cue_end) = found
    text = reading.full_text
    parties = [m for m in reading.parties if not roles.is_pressuring(text, m) and not roles.is_urged(text, m)]
    thanks = spans(lexicon.THANKS, text, reading.start, reading.end)
    pairs: list[tuple[Party | None, Party | None, bool]] = []
    if thanks:
        at = thanks[0][0]
        before = [m for m in parties if m.end <= at]
        # "El embajador cubano en Roma agradeció ...": the place a speaker is posted to is not the speaker.
        before = [m for m in before if not roles.is_recipient_position(text, m, reading.language)] or before
        thanker = before[-1].party if before else default_subject
        after = [m for m in parties if m.start >= at and (thanker is None or m.party.code != thanker.code)]
        if after:
            thanked = [after[0]]
            for mention in after[1:]:
                gap = text[thanked[-1].end : mention.start]
                if re.fullmatch(r"\s*(?:,|and|y|e)\s*(?:(?:a|al|to)\s+)?(?:(?:the|el|la|los|las)\s+)?", gap):
                    thanked.append(mention)
            pairs = [(m.party, thanker, thanker is None) for m in thanked]
        elif spans(_BOTH, text, at, reading.end):
            pairs = [
                (donor, thanker, thanker is None) for donor in donors if thanker is None or donor.code != thanker.code
            ]
    else:
        speakers = [m for m in parties if not roles.is_subject_position(text, m, reading.language)]
        assigned = roles.assign(text, speakers, cue_start, None, reading.language)
        speaker = assigned.donor
        if speaker is None and len({d.code for d in donors}) == 1 and _TITLE_FIRST.match(text, reading.start):
            speaker = donors[0]  # "El portavoz instó ...": the spokesman of the article's one donor
        subjects = [
            m
            for m in parties
            if roles.is_subject_position(text, m, reading.language)
            and (speaker is None or m.party.code != speaker.code)
        ]
        subject = roles.prefer_country(subjects)
        if subject is not None:
            pairs = [(speaker, subject.party, False)]
        elif default_subject is not None and (speaker is None or speaker.code != default_subject.code):
            pairs = [(speaker, default_subject, True)]
    result = []
    for speaker, subject, inferred in pairs:
        if speaker is None or subject is None or speaker.code == subject.code:
            continue
        proposal = Proposal(STATEMENT, evidence(reading), donor=speaker, recipient=subject, kind=kind, confidence=0.7)
        proposal.spans["cue"] = [(cue_start, cue_end)]
        if inferred:
            proposal.flag(RECIPIENT_INFERRED)
            proposal.confidence -= 0.15
        date = date_near(reading, cue_start)
        proposal.date = date or publication_month
        if proposal.date.year_inferred:
            proposal.flag(YEAR_INFERRED)
        for party in (speaker, subject):
            if party.new:
                proposal.flag("actor_new")
        result.append(proposal)
    return result
