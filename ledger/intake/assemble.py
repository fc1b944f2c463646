"""Pledge proposals from one read sentence: each amount (with its stated conversion) and each quantity of
goods is one pledge; a "package" holding two or more of them is proposed too, with its parts. Kind comes
from the nearest cue word, status from the verbs, the date from the date nearest the verb. What is not
aid is not proposed: a commercial sale, a warning, a cumulative total, a figure with no aid word."""

import re

from ledger.intake import lexicon, roles
from ledger.intake.money import own_currency
from ledger.intake.reading import Reading, cue, is_trade_money, nearest, spans
from ledger.intake.types import (
    CONVERSION_STATED,
    CURRENCY_ASSUMED,
    MORE_THAN,
    PARTY_MISSING,
    PLEDGE,
    RECIPIENT_INFERRED,
    YEAR_INFERRED,
    DateValue,
    Evidence,
    Party,
    Proposal,
)


def evidence(reading: Reading) -> Evidence:
    s = reading.sentence
    return Evidence(s.paragraph, s.start, s.end, s.text)


# "will be shipped", "serán entregadas": a verb in the future passive announces, it does not report.
_PASSIVE_FUTURE = re.compile(
    r"\b(?:will|would|shall|to|is to|are to)\s+(?:\w+ly\s+)?(?:be|have been)\s+$|\b(?:será|serán|sería|serían)\s+$",
    re.IGNORECASE,
)


def verbs(reading: Reading) -> list[tuple[int, int, str]]:
    """Every status verb of the sentence and every future marker (status "announced"), in reading order."""
    text = reading.full_text
    found = [
        (a, b, "future" if _PASSIVE_FUTURE.search(text, max(0, a - 20), a) else status)
        for status, words in lexicon.STATUS_CUES
        for a, b in spans(words, text, reading.start, reading.end)
        if text[a - 1 : a] != "-"  # "a Chinese-donated shipment ... arrived": an adjective, not the clause's verb
    ]
    found += [(a, b, "future") for a, b in spans(lexicon.FUTURE, text, reading.start, reading.end)]
    return sorted(found)


_RELATIVE = re.compile(
    r"[^,;.()]{0,60}?\s(?:(?:that|which|que)\s+(?:[\w-]+\s+){0,2}|(?:it|they|he|she)\s+)", re.IGNORECASE
)


def status_of(reading: Reading, at: int) -> tuple[str, tuple[int, int] | None]:
    """The status of the figure at `at`, and where its verb stands: the nearest verb before the figure
    ("Portugal extended a credit of €5m and will send 100 t of cod": committed, then announced); a figure
    before any verb ("the 500 tonnes pledged by Vietnam have arrived") takes the strongest verb of the
    sentence (delivered before committed before pledged before announced)."""
    found = verbs(reading)
    after = [v for v in found if v[0] > at]
    if after and _RELATIVE.fullmatch(reading.full_text, at, after[0][0]):
        # "the 12 million euros it provided last year", "los 15 millones de dólares que Hanói donó": the figure's
        # own verb is the one of its relative clause
        return ("announced" if after[0][2] == "future" else after[0][2]), after[0][:2]
    before = [v for v in found if v[1] <= at]
    if before:
        a, b, status = before[-1]
        if status == "future":
            signed = [
                v for v in before if v[2] == "committed" and cue(lexicon.SIGNING).fullmatch(reading.full_text, *v[:2])
            ]
            if signed:  # "signed an agreement under which China will donate ...": committed by the signature
                return "committed", signed[-1][:2]
            near_pledge = [v for v in found if v[2] == "pledged" and abs(v[0] - a) < 40]
            return ("pledged", near_pledge[0][:2]) if near_pledge else ("announced", (a, b))
        return status, (a, b)
    if reading.future and not any(v[2] == "delivered" for v in found):
        future = [v for v in found if v[2] == "future"]
        return "announced", future[0][:2]
    for status, _words in lexicon.STATUS_CUES:
        chosen = [v for v in found if v[2] == status]
        if chosen:
            return status, chosen[0][:2]
    return "announced", None


_TOTAL_BEFORE = re.compile(rf"(?:{lexicon.TOTAL_BEFORE})\s+(?:(?:the|los|las|a|unos|unas)\s+)?$", re.IGNORECASE)
_WORTH_BEFORE = re.compile(
    r"(?P<noun>[^\W\d]+)\s+(?:worth|valued at|por (?:un )?valor de|valorad[oa]s? en)\s*(?:(?:about|some|unos)\s+)?$",
    re.IGNORECASE,
)


_BRINGING_TO = re.compile(
    rf"\b(?:{lexicon.BRINGING})\b[^.;]{{0,60}}\b(?:to|a|hasta|en)\s+(?:(?:about|some|nearly|more than|unos|más de)\s+)?$",
    re.IGNORECASE,
)


def is_running_total(reading: Reading, at: int) -> bool:
    """ "aid to Cuba amounted to $25 million", "alcanzó los 120 millones", "bringing its total aid this year to
    45 million": a total, not a new pledge."""
    text = reading.full_text
    return bool(
        _TOTAL_BEFORE.search(text[max(reading.start, at - 30) : at])
        or _BRINGING_TO.search(text[max(reading.start, at - 90) : at])
    )


def kind_of(reading: Reading, start: int, end: int) -> str:
    text = reading.full_text
    worth = _WORTH_BEFORE.search(text[max(reading.start, start - 40) : start])
    if worth and not re.fullmatch(lexicon.NOT_GOODS_BEFORE_WORTH, worth.group("noun"), re.IGNORECASE):
        return "in_kind"  # "medical equipment worth 200 million yen": goods given by their value
    cues = [
        (a, b, kind)
        for kind, words in lexicon.KIND_CUES.items()
        for a, b in spans(words, text, reading.start, reading.end)
    ]
    best = nearest([(a, b) for a, b, _kind in cues], start, end)
    if best is None:
        return lexicon.DEFAULT_MONEY_KIND
    return next(kind for a, b, kind in cues if (a, b) == best)


def date_near(reading: Reading, at: int) -> DateValue | None:
    if not reading.dates:
        return None
    best = nearest([(d.start, d.end) for d in reading.dates], at, at)
    return next(d for d in reading.dates if (d.start, d.end) == best)


def date_of(reading: Reading, verb: tuple[int, int] | None, at: int) -> DateValue | None:
    """The date nearest the verb, unless another status verb stands nearer to it: in "the rice promised by
    Beijing in January has been delivered", January is the promise's date, not the delivery's."""
    if verb is None:
        return date_near(reading, at)
    # "announced"/"said" verbs give the pledge's own date (a pledge dates from its announcement), so they
    # never take a date away from it.
    others = [(a, b) for a, b, status in verbs(reading) if status != "announced"]

    def distance(d: DateValue) -> int:
        return max(verb[0] - d.end, d.start - verb[1], 0)

    group = [verb]  # "will be shipped": the future marker and its verb are one
    for v in sorted(others):
        if group[-1][1] <= v[0] <= group[-1][1] + 10:
            group.append(v)
    for found in sorted(reading.dates, key=distance):
        preceding = [s for s in [*others, verb] if s[1] <= found.start]
        # A date follows the verb it belongs to: one after another verb is that verb's ("Rusia condonó el martes
        # ... y anunció el envío ... antes de octubre": October is the shipment's).
        if not preceding or max(preceding, key=lambda s: s[1]) in group:
            return found
    return None


def elliptical_donor(reading: Reading, start: int, verb: tuple[int, int] | None) -> Party | None:
    """ "Canada committed C$3 million, and Ireland 1 million euros": a party standing right before an
    amount, after the verb, gives that amount."""
    text = reading.full_text
    for mention in reading.parties:
        if (verb is None or mention.start > verb[1]) and mention.end <= start:
            gap = text[mention.end : start]
            coordinated = re.search(r"(?:,|\band|\by|\be|as well as|así como)\s*$", text[reading.start : mention.start])
            if gap.strip() == "" and len(gap) <= 2 and coordinated:
                return mention.party
    return None


def is_aid(reading: Reading) -> bool:
    return reading.aid and not (reading.commercial or reading.cumulative or reading.warning or reading.undecided)


_REST_BEFORE = re.compile(
    rf"(?:(?:{lexicon.REST_BEFORE})\s+|(?:{lexicon.PART_BEFORE})\s*,?\s*(?:(?:some|about|unos|unas)\s+)?)$",
    re.IGNORECASE,
)


def is_rest_of_earlier(reading: Reading, at: int) -> bool:
    """ "The remaining 40,000 tonnes of rice will arrive", "el resto de las 60.000 toneladas", "$10 million, of
    which 4 million for food": the rest or a part of a pledge already counted, not a new one."""
    return bool(_REST_BEFORE.search(reading.full_text[max(reading.start, at - 30) : at]))


def _acting_verb_at(reading: Reading, verb: tuple[int, int] | None, start: int) -> int:
    """Where the verb whose subject gives stands: the status verb, except that in "Cuban officials signed an
    agreement under which China will donate ...", the giver is the subject of "will donate", not of "signed"."""
    if verb is None or verb[0] >= start:
        return start
    if cue(lexicon.SIGNING).fullmatch(reading.full_text, *verb):
        later = [v for v in verbs(reading) if verb[1] <= v[0] and v[1] <= start]
        if later:
            return later[-1][0]
    return verb[0]


_AND_BEFORE = re.compile(r"(?:^|\s)(?:and|y|e)\s+(?:(?:also|then|además|luego|también)\s+)?$", re.IGNORECASE)


def _coordinated_subject(
    reading: Reading, mentions: list, verb_at: int, default_recipient: Party | None, assigned: roles.Roles
) -> None:
    """ "Rusia condonó una deuda cubana ... y anunció el envío de ...": the second verb shares the first one's
    subject, so the giver of both is the party before the first verb."""
    text = reading.full_text
    if not _AND_BEFORE.search(text[reading.start : verb_at]):
        return
    earlier = [v for v in verbs(reading) if v[1] <= verb_at and v[2] != "future"]
    if not earlier:
        return
    subject = roles.assign(text, mentions, earlier[0][0], default_recipient, reading.language).donor
    if subject is None or (assigned.donor is not None and subject.code == assigned.donor.code):
        return
    previous, assigned.donor = assigned.donor, subject
    if assigned.recipient is not None and assigned.recipient.code == subject.code:
        assigned.recipient, assigned.recipient_inferred = previous, False


_GIVEN_BY = re.compile(
    r"\s*(?:donated|given|pledged|promised|provided|supplied|sent|donad[oa]s?|prometid[oa]s?|enviad[oa]s?|"
    r"entregad[oa]s?|ofrecid[oa]s?|regalad[oa]s?)\s+(?:by|por)\s+(?:(?:the|el|la|los|las)\s+)?",
    re.IGNORECASE,
)


def _given_by(reading: Reading, end: int, assigned: roles.Roles) -> None:
    """ "The WFP will distribute 1,200 tonnes of rice donated by Japan": the party after "donated by" right
    after the figure gave it; the one the sentence's verb had as giver then receives it."""
    agent = next((m for m in reading.parties if _GIVEN_BY.fullmatch(reading.full_text, end, m.start)), None)
    if agent is None or (assigned.donor is not None and assigned.donor.code == agent.party.code):
        return
    previous = assigned.donor
    assigned.donor = agent.party
    if previous is not None:
        assigned.recipient, assigned.recipient_inferred = previous, False
    elif assigned.recipient is not None and assigned.recipient.code == agent.party.code:
        assigned.recipient = None


def _finish(proposal: Proposal, roles_: roles.Roles, date: DateValue | None) -> Proposal:
    if roles_.donor is not None and roles_.recipient is not None and roles_.donor.code == roles_.recipient.code:
        roles_.recipient = None  # never propose what the ledger forbids: a donor giving to itself
    proposal.donor, proposal.recipient = roles_.donor, roles_.recipient
    if roles_.recipient_inferred:
        proposal.flag(RECIPIENT_INFERRED)
        proposal.confidence -= 0.15
    if proposal.donor is None or proposal.recipient is None:
        proposal.flag(PARTY_MISSING)
        proposal.confidence -= 0.3
    for party in (proposal.donor, proposal.recipient):
        if party is not None and party.new:
            proposal.flag("actor_new")
    if date is not None:
        proposal.date = date
        proposal.spans.setdefault("date", []).append((date.start, date.end))
        if date.year_inferred:
            proposal.flag(YEAR_INFERRED)
            proposal.confidence -= 0.05
    return proposal


def pledges(reading: Reading, default_recipient: Party | None) -> list[Proposal]:
    if not is_aid(reading):
        return []
    text = reading.full_text
    result: list[tuple[int, int, Proposal]] = []
    valued: set[int] = set()
    for goods in reading.goods:
        if is_rest_of_earlier(reading, goods.start):
            continue
        proposal = Proposal(PLEDGE, evidence(reading), kind="in_kind", status=status_of(reading, goods.start)[0])
        proposal.confidence = 0.9
        proposal.quantity, proposal.unit, proposal.commodity = goods.quantity, goods.unit, goods.commodity
        proposal.spans["amount"] = [(goods.start, goods.end)]
        for index, (money, _conversion) in enumerate(reading.money):
            if _values_goods(text[goods.end : money.qualifier_start]):
                proposal.amount, proposal.currency, proposal.amount_qualifier = (
                    money.amount,
                    money.currency,
                    money.qualifier,
                )
                valued.add(index)
        result.append((goods.start, goods.end, proposal))
    for index, (money, conversion) in enumerate(reading.money):
        if index in valued or is_trade_money(reading, money) or is_running_total(reading, money.qualifier_start):
            continue
        if is_rest_of_earlier(reading, money.qualifier_start):
            continue
        kind = kind_of(reading, money.start, money.end)
        proposal = Proposal(PLEDGE, evidence(reading), kind=kind, status=status_of(reading, money.start)[0])
        proposal.confidence = 0.9
        proposal.amount, proposal.currency, proposal.amount_qualifier = money.amount, money.currency, money.qualifier
        proposal.spans["amount"] = [(money.start, money.end)]
        if money.currency_assumed:
            proposal.flag(CURRENCY_ASSUMED)
            proposal.confidence -= 0.05
        if money.more_than:
            proposal.flag(MORE_THAN)
        if conversion is not None:
            proposal.conversion = conversion
            proposal.flag(CONVERSION_STATED)
            proposal.spans["amount"].append((conversion.start, conversion.end))
        result.append((money.start, money.end, proposal))
    result.sort(key=lambda item: item[0])
    proposals = []
    ellipses = {e.code for e in (elliptical_donor(reading, s, status_of(reading, s)[1]) for s, _e, _p in result) if e}
    for start, end, proposal in result:
        verb = status_of(reading, start)[1]
        verb_at = _acting_verb_at(reading, verb, start)
        date = date_of(reading, verb, start)
        mentions = [m for m in reading.parties if m.party.code not in ellipses]
        assigned = roles.assign(text, mentions, verb_at, default_recipient, reading.language)
        _coordinated_subject(reading, mentions, verb_at, default_recipient, assigned)
        assigned.donor = elliptical_donor(reading, start, verb) or assigned.donor
        if verb is not None and cue(lexicon.RECEIVE).fullmatch(text, *verb) and assigned.donor and assigned.recipient:
            assigned.donor, assigned.recipient = assigned.recipient, assigned.donor  # "Cuba received ... from Vietnam"
        _given_by(reading, end, assigned)
        proposals.append(_finish(proposal, assigned, date))
        if CURRENCY_ASSUMED in proposal.flags and proposal.donor is not None and proposal.donor.iso3:
            proposal.currency = own_currency(proposal.donor.iso3, text[start:end]) or proposal.currency
    stated = _stated_package(reading, proposals)
    if stated is not None:  # "a €20 million package ... including €12 million in grants and a €8 million loan"
        stated.kind = "package"
        proposals.remove(stated)
        proposals.insert(0, stated)
        for part in proposals[1:]:
            part.package = -1
    elif len(proposals) >= 2 and reading.has(lexicon.PACKAGE):
        package_at = spans(lexicon.PACKAGE, text, reading.start, reading.end)[0][0]
        status, verb = status_of(reading, package_at)
        package = Proposal(PLEDGE, evidence(reading), kind="package", status=status, confidence=0.8)
        verb_at = verb[0] if verb and verb[0] < package_at else package_at
        date = date_of(reading, verb, package_at)
        proposals.insert(
            0, _finish(package, roles.assign(text, reading.parties, verb_at, default_recipient, reading.language), date)
        )
        for part in proposals[1:]:
            part.package = -1  # the package just before, resolved to an index by extract()
    return proposals


_PACKAGE_OF = re.compile(
    rf"\s*(?:(?:aid|support|relief|rescue|de ayuda|de apoyo)\s+)?(?:{lexicon.PACKAGE})\b", re.IGNORECASE
)
_OF_PACKAGE = re.compile(rf"(?:{lexicon.PACKAGE})\s+(?:of|de|worth|por)\s+(?:(?:some|about|unos)\s+)?$", re.IGNORECASE)


def _stated_package(reading: Reading, proposals: list[Proposal]) -> Proposal | None:
    """The amount a package is given by ("a €20 million package", "un paquete de 20 millones de euros"), when at
    least two other figures of the sentence are its parts."""
    money = [p for p in proposals if p.amount is not None and p.quantity is None]
    if len(proposals) < 3 or not money:
        return None
    text = reading.full_text
    for proposal in money:
        start, end = proposal.spans["amount"][0]
        if _PACKAGE_OF.match(text, end) or _OF_PACKAGE.search(text[max(reading.start, start - 30) : start]):
            return proposal
    return None


_VALUED = r"worth|valued at|valorad[oa]s? en|por (?:un )?valor de|with a value of"
_VALUED_AT_END = re.compile(rf"(?:{_VALUED})\s*$", re.IGNORECASE)


def _values_goods(gap: str) -> bool:
    """The money after goods is their value: "1,000 tonnes of rice worth $5 million", or, further on, "50 parques
    solares como parte de un donativo valorado en 300 millones de yuanes" (the valuation right before it)."""
    if len(gap) < 30:
        return bool(spans(_VALUED, gap, 0, len(gap)))
    return len(gap) < 70 and bool(_VALUED_AT_END.search(gap))
