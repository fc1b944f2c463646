"""Engagements from one read sentence: "X was received by Y", "X met with Y", "X spoke on the phone with Y",
"X visited C" (and the Spanish "fue recibido por", "se reunió con", "conversó por teléfono con", "visitó"),
with the people named on each side and the role words right before each name. Side A is the one who visits,
calls or is received; an unnamed side A ("Rodríguez" alone, not in the ledger) is the article's main
country, flagged. A pure function like the rest of the extractor; `match_engagements` compares proposals
with the ledger's engagements as plain dicts, and `ledger_engagements` reads those dicts."""

import re
from collections.abc import Iterable
from functools import cache

from ledger.intake.assemble import date_near, evidence
from ledger.intake.parties import AliasIndex, _country_names, alias_data
from ledger.intake.reading import Reading
from ledger.intake.types import ENGAGEMENT, PARTY_MISSING, Match, Party, PartyMention, Proposal

SIDE_A_INFERRED = "side_a_inferred"  # the visitor or caller is not named as a known party: the article's country

# (kind, cue): the verb phrase, between side A (before it) and side B (after it).
_CUES = [
    (
        "phone_call",
        r"spoke (?:on|by) (?:the )?(?:tele)?phone with|held a (?:phone|telephone) (?:call|conversation) with"
        r"|conversó por teléfono con|habló por teléfono con|sostuvo una conversación telefónica con",
    ),
    ("video_call", r"(?:spoke|met) (?:by|via|in a) video(?:conference| call)? with|por videoconferencia con"),
    ("visit", r"was received by|were received by|fue recibido por|fue recibida por|visited|visitó"),
    ("meeting", r"met with|held talks with|se reunió con|sostuvo conversaciones con"),
]
_CUE_PATTERNS = [(kind, re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)) for kind, words in _CUES]
_RECEIVED = re.compile(r"received by|recibid[oa] por", re.IGNORECASE)
_VISITED = re.compile(r"visited|visitó", re.IGNORECASE)
# "In Vietnam, ...", "In ChinaRodríguez met" (a missing break, as received), "En Hanói, ..."
_PLACE_FIRST = re.compile(r"\s*(?:In|En)\s+([A-ZÁÉÍÓÚ][a-záéíóúñ]+(?:\s+[A-Z][a-z]+)?)")
_STAY = re.compile(
    r"(?:stay in|visit to|while in|trip to|estancia en|visita a)\s+([A-ZÁÉÍÓÚ][\w]+(?:\s+[A-Z]\w+)?)", re.IGNORECASE
)
_ROLE_TITLE = re.compile(r"((?:[A-Z][\w-]*\s+){1,5})$")
_NAME = re.compile(r"[A-ZÁÉÍÓÚ][\w’'-]+(?:\s+[A-ZÁÉÍÓÚ][\w’'-]+){1,2}")


@cache
def _not_people() -> frozenset[str]:
    """Aliases that name a place or a nation, not a person: country names, capitals and demonyms."""
    names = set().union(*_country_names().values())
    for entry in alias_data()["countries"].values():
        names.update(entry["capitals"], entry["demonyms"])
    return frozenset(names)


def _people(index: AliasIndex) -> dict[str, tuple[str, Party]]:
    """Known people (aliases of two or more capitalised words that name no place) by full name and by
    surname: "Lavrov" finds "Sergey Lavrov"."""
    places = _not_people()
    people: dict[str, tuple[str, Party]] = {}
    for alias, party in index.aliases.items():
        words = alias.split()
        if party.kind != "country" or len(words) < 2 or alias in places or alias == party.name:
            continue
        if not all(word[:1].isupper() for word in words):
            continue
        people[alias] = (alias, party)
        people.setdefault(words[-1], (alias, party))
    return people


_LAST_LINK = re.compile(r".*(?:\b(?:by|with|and|y|con|por)\b|,)", re.IGNORECASE | re.DOTALL)
_ARTICLE = re.compile(r"^(?:the|el|la|los|las)\s+", re.IGNORECASE)


def _role_before(text: str, start: int, floor: int) -> str:
    """The role words right before a name: "the President of the Republic, Luong Cuong" and "Russian Foreign
    Minister Sergey Lavrov" give "President of the Republic" and "Russian Foreign Minister"."""
    before = text[max(floor, start - 200) : start].rstrip()
    if before.endswith(","):
        before = before[:-1]
        link = _LAST_LINK.match(before)
        segment = (before[link.end() :] if link else before).strip()
        role = _ARTICLE.sub("", segment)  # "the President of the Republic, X"; not "During his stay, X"
        return role if role != segment and 0 < len(role) <= 160 else ""
    found = _ROLE_TITLE.search(before + " ")
    if not found:
        return ""
    words = found.group(1).split()
    while words and words[0] in ("The", "El", "La", "In", "En"):
        words.pop(0)
    return " ".join(words)


def _country(index: AliasIndex, name: str) -> Party | None:
    party = index.aliases.get(name.strip())
    return party if party is not None and party.kind == "country" else None


def _participants(reading: Reading, people: dict, start: int, end: int, side: str) -> list[dict]:
    """The known people named in text[start:end], in order, by full name or by surname alone."""
    text, found, taken = reading.full_text, [], []
    for match in _NAME.finditer(text, start, end):
        if match.group(0) in people:
            taken.append((match.start(), match.end()))
            found.append(_participant(text, people[match.group(0)], side, match.start(), match.end(), reading.start))
    for word in re.finditer(r"[A-ZÁÉÍÓÚ][\w’'-]+", text[start:end]):
        a, b = start + word.start(), start + word.end()
        if word.group(0) in people and not any(x <= a < y for x, y in taken):
            taken.append((a, b))
            found.append(_participant(text, people[word.group(0)], side, a, b, reading.start))
    return sorted(found, key=lambda p: p["start"])


def _participant(text: str, person: tuple[str, Party], side: str, a: int, b: int, floor: int) -> dict:
    name, party = person
    return {"name": name, "side": side, "role": _role_before(text, a, floor), "party": party, "start": a, "end": b}


def _first_country(mentions: Iterable[PartyMention], start: int, end: int) -> Party | None:
    return next((m.party for m in mentions if start <= m.start < end and m.party.kind == "country"), None)


def engagements(reading: Reading, default: Party | None, index: AliasIndex) -> list[Proposal]:
    """The engagement the sentence reports, if one of the cue phrases is in it (the first cue decides)."""
    text = reading.full_text
    cues = [
        (found.start(), found.end(), kind)
        for kind, p in _CUE_PATTERNS
        for found in [p.search(text, reading.start, reading.end)]
        if found
    ]
    if not cues:
        return []
    at, until, kind = min(cues)
    people = _people(index)
    before = _participants(reading, people, reading.start, at, "a")
    after = _participants(reading, people, until, reading.end, "b")
    place_first = _PLACE_FIRST.match(text, reading.start, reading.end)
    place = _country(index, place_first.group(1)) if place_first else None
    side_b = _first_country([m for m in reading.parties if m.start >= until], until, reading.end)
    if _VISITED.match(text, at, until) and side_b is not None:
        place = side_b
    side_b = (after[0]["party"] if after else None) or side_b or place
    side_a = (before[0]["party"] if before else None) or _first_country(reading.parties, reading.start, at)
    proposal = Proposal(entry=ENGAGEMENT, evidence=evidence(reading), kind=kind)
    if side_a is None or side_a == side_b:
        side_a = default if default is not None and default != side_b else None
        if side_a is not None:
            proposal.flag(SIDE_A_INFERRED)
            proposal.confidence -= 0.2
    if _RECEIVED.match(text, at, until) and place is None:
        place = side_b  # received by the hosts, in their country
    if kind in ("phone_call", "video_call") and place is None:
        stay = _STAY.search(text, reading.start, reading.end)
        place = _country(index, stay.group(1)) if stay else None
    if side_a is None or side_b is None:
        proposal.flag(PARTY_MISSING)
        proposal.confidence -= 0.3
    proposal.donor, proposal.recipient, proposal.place = side_a, side_b, place
    proposal.date = date_near(reading, at)
    proposal.participants = before + after
    proposal.spans["cue"] = [(at, until)]
    proposal.spans["participant"] = [(p["start"], p["end"]) for p in proposal.participants]
    return [proposal]


def proposal_fields(proposal: Proposal) -> dict:
    """An engagement proposal as the command prints it (ledger/intake/serialise.py)."""
    return {
        "side_a": proposal.donor.as_dict() if proposal.donor else None,
        "side_b": proposal.recipient.as_dict() if proposal.recipient else None,
        "kind": proposal.kind,
        "place": proposal.place.as_dict() if proposal.place else None,
        "participants": [
            {
                "name": p["name"],
                "side": p["side"],
                "role": p["role"],
                "country": p["party"].code,
                "start": p["start"],
                "end": p["end"],
            }
            for p in proposal.participants
        ],
    }


# --- Against the ledger --------------------------------------------------------------------------


def match_engagements(proposals: list[Proposal], existing: list[dict]) -> list[Proposal]:
    """An engagement proposal is the **same** as a ledger engagement of the same kind between the same two
    countries (either side) whose people include every person the proposal names. `existing`: dicts of id,
    kind, side_a, side_b (codes), people (full names)."""
    for proposal in proposals:
        if proposal.entry != ENGAGEMENT or proposal.donor is None or proposal.recipient is None:
            continue
        sides = {proposal.donor.code, proposal.recipient.code}
        names = {p["name"] for p in proposal.participants}
        for entry in existing:
            if (
                entry["kind"] in (proposal.kind, "visit" if proposal.kind == "meeting" else "")
                and {
                    entry["side_a"],
                    entry["side_b"],
                }
                == sides
                and names <= set(entry["people"])
            ):
                proposal.existing = Match(ENGAGEMENT, entry["id"], "same")
                break
    return proposals


def ledger_engagements() -> list[dict]:
    """The ledger's engagements in match_engagements' shape (one query for them, one for their people)."""
    from ledger.models import Engagement, Participant

    rows = {
        pk: {"id": pk, "kind": kind, "side_a": a, "side_b": b, "people": []}
        for pk, kind, a, b in Engagement.objects.values_list("id", "kind", "side_a__code", "side_b__code")
    }
    for engagement_id, name in Participant.objects.values_list("engagement_id", "person__name"):
        rows[engagement_id]["people"].append(name)
    return list(rows.values())
