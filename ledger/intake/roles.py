"""Which party mention plays which role in a sentence: the donor stands before the verb, the recipient
after "to/for/a/para"; an agency aid goes "through" is a channel, and the party whose pressure is
rejected ("Washington's policies", "presiones de Washington") is neither speaker nor subject."""

import re
from dataclasses import dataclass
from functools import cache

from ledger.intake import lexicon
from ledger.intake.types import Party, PartyMention

_ARTICLE = r"(?:(?:the|la|el|los|las|its|their|his|her|su|sus)\s+)?"


@cache
def _ends_with(words: str) -> re.Pattern:
    return re.compile(rf"(?:^|\W)(?:{words})\s+{_ARTICLE}$", re.IGNORECASE)


_PRESSURE_BEFORE = re.compile(
    r"(?:pressures?|presiones|presión|sanctions|sanciones|blockade|bloqueo|policies|políticas|measures|medidas)\s+"
    r"(?:from|by|of|de|del)\s+" + _ARTICLE + "$",
    re.IGNORECASE,
)
_PRESSURE_AFTER = re.compile(
    r"^(?:['’]s\s+(?:\w+\s+){0,2}|\s+)(?:policies|pressure|pressures|blockade|sanctions|embargo|measures)",
    re.IGNORECASE,
)
_URGE = re.compile(
    rf"(?:{lexicon.STATEMENT_CUES[0][1]})\s+(?:(?:\w+(?:ly|mente)|de nuevo|una vez más|again|once more)\s+)?"
    rf"(?:(?:a|on|upon)\s+)?{_ARTICLE}$",
    re.IGNORECASE,
)


# "desde su centro logístico de Panamá", "from its warehouse in Panama": where goods leave from, never the
# recipient. "con su homólogo cubano, Bruno Rodríguez", "his Cuban counterpart": who is spoken to, never the speaker.
_ORIGIN_BEFORE = re.compile(r"(?:^|\W)(?:from|desde)\s+(?P<words>(?:[^\W\d]+\s+){0,4})$", re.IGNORECASE)
_INTERLOCUTOR_BEFORE = re.compile(
    r"(?:homólog[oa]s?|counterparts?|interlocutor(?:es|a)?)\s*,?\s+(?:[^\W\d]+\s*,\s*)?$", re.IGNORECASE
)
_INTERLOCUTOR_AFTER = re.compile(r"^\s+(?:counterparts?|homólog[oa]s?)\b", re.IGNORECASE)


def _preceding(text: str, mention: PartyMention, width: int = 40) -> str:
    return text[max(0, mention.start - width) : mention.start]


def is_source_position(text: str, mention: PartyMention) -> bool:
    """ "according to Vietnam", "según Moscú": who reports, not who receives."""
    return bool(_ends_with(lexicon.SOURCE_BEFORE).search(_preceding(text, mention)))


def is_recipient_position(text: str, mention: PartyMention, language: str = "en") -> bool:
    words = lexicon.RECIPIENT_BEFORE.get(language, lexicon.RECIPIENT_BEFORE["en"])
    return bool(_ends_with(words).search(_preceding(text, mention))) and not is_source_position(text, mention)


def is_subject_position(text: str, mention: PartyMention, language: str = "en") -> bool:
    words = lexicon.SUBJECT_BEFORE.get(language, lexicon.SUBJECT_BEFORE["en"])
    return bool(_ends_with(words).search(_preceding(text, mention)))


# "through its development agency AECID", "a través de su agencia de cooperación AECID": a channel too.
_CHANNEL_BEFORE = re.compile(
    rf"(?:^|\W)(?:{lexicon.CHANNEL_BEFORE})\s+(?:(?!(?:to|for|into|in|a|para|en|hacia)\s)[a-záéíóúñ]+\s+){{0,3}}$"
)


def is_channel(text: str, mention: PartyMention) -> bool:
    preceding = _preceding(text, mention, 60)
    return bool(_ends_with(lexicon.CHANNEL_BEFORE).search(preceding) or _CHANNEL_BEFORE.search(preceding))


def is_pressuring(text: str, mention: PartyMention) -> bool:
    return bool(
        _PRESSURE_BEFORE.search(_preceding(text, mention))
        or _PRESSURE_AFTER.match(text[mention.end : mention.end + 40])
    )


def is_urged(text: str, mention: PartyMention) -> bool:
    return bool(_URGE.search(_preceding(text, mention)))


def is_origin(text: str, mention: PartyMention, place_only: bool = False) -> bool:
    """ "from Panama", "desde su centro logístico de Panamá"; `place_only`: only the second kind, a place the
    goods leave from (a bare "rice from China" may name the giver)."""
    found = _ORIGIN_BEFORE.search(_preceding(text, mention, 50))
    return bool(found and (found.group("words") or not place_only))


def is_interlocutor(text: str, mention: PartyMention) -> bool:
    return bool(
        _INTERLOCUTOR_BEFORE.search(_preceding(text, mention))
        or _INTERLOCUTOR_AFTER.match(text[mention.end : mention.end + 20])
    )


def is_passive_agent(text: str, mention: PartyMention) -> bool:
    return bool(_ends_with(r"by|por").search(_preceding(text, mention)))


@dataclass
class Roles:
    donor: Party | None
    recipient: Party | None
    recipient_inferred: bool = False


def prefer_country(mentions: list[PartyMention]) -> PartyMention | None:
    countries = [m for m in mentions if m.party.kind == "country"]
    return (countries or mentions or [None])[0]


def assign(
    text: str, mentions: list[PartyMention], verb_at: int, default_recipient: Party | None, language: str = "en"
) -> Roles:
    """Donor and recipient of an act whose verb stands at `verb_at`."""

    def placed(mention: PartyMention) -> bool:
        return is_recipient_position(text, mention, language)

    usable = [
        m
        for m in mentions
        if not (is_channel(text, m) or is_pressuring(text, m) or is_urged(text, m) or is_interlocutor(text, m))
        and not is_origin(text, m, place_only=True)
    ]
    before = [m for m in usable if m.end <= verb_at and not placed(m)]
    donor_mention = before[-1] if before else None
    if donor_mention is None:
        agents = [m for m in usable if is_passive_agent(text, m)]
        donor_mention = agents[0] if agents else None
    if donor_mention is None:
        others = [m for m in usable if not placed(m)]
        donor_mention = others[0] if others else None
    donor = donor_mention.party if donor_mention else None
    not_donor = [m for m in usable if (donor is None or m.party.code != donor.code) and not is_origin(text, m)]
    after = [m for m in not_donor if placed(m) and m.start >= verb_at] or [m for m in not_donor if placed(m)]
    recipient_mention = prefer_country(after) or prefer_country([m for m in not_donor if m.start >= verb_at])
    if recipient_mention is None:
        recipient_mention = prefer_country(not_donor)
    if recipient_mention is not None:
        return Roles(donor, recipient_mention.party)
    if default_recipient is not None and (donor is None or default_recipient.code != donor.code):
        return Roles(donor, default_recipient, True)
    return Roles(donor, None)
