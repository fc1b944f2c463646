"""Who gives and who receives: an alias index over the ledger's actors, country names in English and
Spanish (babel, pycountry), demonyms and capitals used for governments, agencies and international
organisations (aliases.json), and any extra aliases editors add. Longest alias wins ("China
International Development Cooperation Agency" before "China")."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale

from ledger.intake.types import Party, PartyMention

ALIASES_FILE = Path(__file__).with_name("aliases.json")


@lru_cache(maxsize=1)
def alias_data() -> dict:
    return json.loads(ALIASES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _country_names() -> dict[str, set[str]]:
    """ISO alpha-3 → its names: pycountry's (name, common and official) and babel's English and Spanish."""
    names: dict[str, set[str]] = {}
    territories = {locale: Locale(locale).territories for locale in ("en", "es")}
    for country in pycountry.countries:
        found = names.setdefault(country.alpha_3, set())
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                found.add(value)
        for locale_names in territories.values():
            if country.alpha_2 in locale_names:
                found.add(locale_names[country.alpha_2])
    return names


def _display_name(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "common_name", None) or country.name


def _strip_parenthetical(name: str) -> tuple[str, list[str]]:
    inside = re.findall(r"\(([^)]+)\)", name)
    return re.sub(r"\s*\([^)]*\)", "", name).strip(), [i.strip() for i in inside]


@dataclass
class AliasIndex:
    aliases: dict[str, Party]
    pattern: re.Pattern | None
    metonyms: frozenset = frozenset()  # capitals and offices standing for a country ("Foreign Office")

    def find(
        self, text: str, start: int = 0, end: int | None = None, exclude: Iterable[tuple[int, int]] = ()
    ) -> list[PartyMention]:
        end = len(text) if end is None else end
        if self.pattern is None:
            return []
        excluded = list(exclude)
        found = []
        for match in self.pattern.finditer(text, start, end):
            if any(match.start() < b and a < match.end() for a, b in excluded):
                continue
            party = self.aliases.get(match.group(0))
            if party is None:
                continue
            owned = (
                found and party.code != found[-1].party.code and _OWNED.fullmatch(text, found[-1].end, match.start())
            )
            if owned and match.group(0) in self.metonyms:
                continue  # "Germany's Foreign Office", "the German Foreign Office": Germany's, not the UK's
            found.append(PartyMention(party, match.start(), match.end(), match.group(0)))
        return found


_OWNED = re.compile(r"(?:['’]s)?\s+")


def build_index(actors: Iterable[dict] = (), extra_aliases: Iterable[dict] = ()) -> AliasIndex:
    """The alias index for one intake run. `actors`: the ledger's actors as dicts with code, name, kind,
    iso3 and parent (the parent's code). `extra_aliases`: dicts {"alias", "code"} (an editor's additions,
    people named in the ledger, ...) pointing at an actor's code, a country's ISO code or an organisation's
    code from aliases.json."""
    known: dict[str, Party] = {}
    by_iso3: dict[str, Party] = {}
    for actor in actors:
        party = Party(
            actor["code"], actor["name"], actor.get("kind", ""), False, actor.get("iso3", ""), actor.get("parent") or ""
        )
        known[party.code] = party
        if party.iso3:
            by_iso3[party.iso3] = party

    def country(iso3: str) -> Party:
        return by_iso3.get(iso3) or Party(iso3, _display_name(iso3), "country", True, iso3)

    aliases: dict[str, Party] = {}

    def add(alias: str, party: Party, lower_too: bool = False) -> None:
        alias = alias.strip()
        if len(alias) < 2:
            return
        aliases.setdefault(alias, party)
        if lower_too and alias[0].islower():
            aliases.setdefault(alias[0].upper() + alias[1:], party)

    data = alias_data()
    organisations: dict[str, Party] = {}
    for org in data["organisations"]:
        party = known.get(org["code"]) or Party(org["code"], org["name"], org["kind"], True, "", org.get("parent", ""))
        organisations[org["code"]] = party
        for alias in org["aliases"]:
            add(alias, party)
    for actor in known.values():
        bare, inside = _strip_parenthetical(actor.name)
        add(bare, actor)
        for acronym in inside:
            add(acronym, actor)
    for iso3, names in _country_names().items():
        for name in sorted(names):
            add(name, country(iso3))
    metonyms = frozenset(alias for entry in data["countries"].values() for alias in entry["capitals"])
    for iso3, entry in data["countries"].items():
        for alias in entry["demonyms"] + entry["capitals"]:
            add(alias, country(iso3), lower_too=True)
        for alias in entry["demonyms"]:
            if alias[0].islower() and " " not in alias and not alias.endswith("s"):  # Spanish plurals: turcas, peruanos
                add(alias + ("s" if alias[-1] in "aeiou" else "es"), country(iso3), lower_too=True)
    for name, iso3 in data.get("people", {}).items():
        add(name, country(iso3))
    for extra in extra_aliases:
        code = extra["code"]
        party = known.get(code) or organisations.get(code)
        if party is None and pycountry.countries.get(alpha_3=code):
            party = country(code)
        if party is None:
            party = Party(code, extra.get("name") or extra["alias"], extra.get("kind", ""), True)
        aliases[extra["alias"].strip()] = party
    if not aliases:
        return AliasIndex({}, None)
    alternatives = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    return AliasIndex(aliases, re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])"), metonyms)


def country_of(party: Party, known: dict[str, Party]) -> Party:
    """The country a body belongs to, walking up the parents the ledger knows."""
    seen = set()
    while party.kind != "country" and party.parent and party.code not in seen:
        seen.add(party.code)
        parent = known.get(party.parent)
        if parent is None:
            break
        party = parent
    return party


def people_aliases(people: Iterable[dict], actors: Iterable[dict]) -> list[dict]:
    """People the ledger names, as aliases of the country they serve ("To Lam" → VNM, though the ledger
    files him under the Communist Party of Vietnam): a statement by an official is the country's."""
    known = {
        a["code"]: Party(a["code"], a["name"], a.get("kind", ""), False, a.get("iso3", ""), a.get("parent") or "")
        for a in actors
    }
    result = []
    for person in people:
        party = known.get(person.get("actor") or "")
        if party is not None and person.get("name"):
            result.append({"alias": person["name"], "code": country_of(party, known).code})
    return result
