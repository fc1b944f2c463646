"""Goods in a sentence: quantity, unit (the ledger's Unit codes) and commodity. "60,000 tons of rice",
"650.000 barriles de petróleo", "200,000 doses of a pneumonia vaccine", "5,000 solar lamps"."""

import re
from functools import lru_cache

from ledger.intake import lexicon
from ledger.intake.money import NUMBER, SCALE, normal, parse_number, qualifier_before, scale_of
from ledger.intake.types import Goods

_ARTICLES = re.compile(r"^(?:a|an|the|some|un|una|unos|unas|el|la|los|las)\s+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    units = "|".join(sorted(lexicon.UNITS, key=len, reverse=True))
    stop = lexicon.COMMODITY_STOP
    # The commodity: up to four words, stopping at a preposition, a figure or punctuation.
    commodity = rf"(?P<commodity>(?:(?!(?:{stop})\b)[^\W\d][\w'-]*)(?:\s+(?!(?:{stop})\b)[^\W\d][\w'-]*){{0,3}})"
    measured = re.compile(
        rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE})\b)?\s*(?:de\s+)?(?P<unit>{units})\b\.?"
        rf"(?:\s+(?:of|de)\s+(?:(?:a|an|the|un|una)\s+)?{commodity})?",
        re.IGNORECASE,
    )
    counted = re.compile(
        rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE})\b)?\s+(?:de\s+)?(?P<commodity>{lexicon.COUNT_GOODS})\b",
        re.IGNORECASE,
    )
    return measured, counted


def _unit_code(word: str) -> str:
    for pattern, code in lexicon.UNITS.items():
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return code
    return ""


def normalise_commodity(words: str, language: str) -> str:
    words = _ARTICLES.sub("", words.strip()).strip()
    lower = words.lower()
    if lower in lexicon.COMMODITIES_ES:
        return lexicon.COMMODITIES_ES[lower]
    return lower


def find_goods(text: str, language: str = "en", start: int = 0, end: int | None = None) -> list[Goods]:
    """Every quantity of goods in text[start:end], in reading order, offsets into `text`."""
    end = len(text) if end is None else end
    measured, counted = _patterns()
    found: list[Goods] = []
    for match in measured.finditer(text, start, end):
        unit_word = match.group("unit")
        commodity = match.group("commodity")
        if unit_word.lower() == "t" and not commodity:
            continue  # a lone "t" is too often something else
        number = parse_number(match.group("num"), language)
        if number is None or not commodity:
            continue
        qualifier, _where, _more = qualifier_before(text, match.start())
        found.append(
            Goods(
                quantity=normal(number * scale_of(match.group("scale"))),
                unit=_unit_code(unit_word),
                commodity=normalise_commodity(commodity, language),
                start=match.start(),
                end=match.end(),
                qualifier=qualifier,
            )
        )
    for match in counted.finditer(text, start, end):
        if any(g.start <= match.start() < g.end for g in found):
            continue
        number = parse_number(match.group("num"), language)
        if number is None:
            continue
        found.append(
            Goods(
                quantity=normal(number * scale_of(match.group("scale"))),
                unit="units",
                commodity=normalise_commodity(match.group("commodity"), language),
                start=match.start(),
                end=match.end(),
            )
        )
    return sorted(found, key=lambda g: g.start)
