"""Goods in a sentence: quantity, unit (the ledger's Unit codes) and commodity. "60,000 tons of rice",
"650.000 barriles de petróleo", "200,000 doses of a pneumonia vaccine", "5,000 solar lamps"."""

import re
from decimal import Decimal
from functools import lru_cache

from ledger.intake import lexicon
from ledger.intake.money import NUMBER, SCALE, normal, parse_number, qualifier_before, scale_of
from ledger.intake.types import Goods

_ARTICLES = re.compile(r"^(?:a|an|the|some|un|una|unos|unas|el|la|los|las)\s+", re.IGNORECASE)


# Words before a counted noun that say nothing of what the goods are: "2,500 emergency shelter kits".
_PLAIN_MODIFIERS = re.compile(
    r"^(?:(?:emergency|additional|new|more|further|urgent|donated|other|nuevos|nuevas|otros|otras)\s+)+", re.IGNORECASE
)
# "three ambulances", "seis generadores": small counts written out (counted goods only).
_SPELLED = "|".join(sorted(lexicon.SPELLED_NUMBERS, key=len, reverse=True))
_NOUN_THEN_CONSIGNMENT = re.compile(rf"\s+(?P<goods>[a-z]+(?:\s+[a-z]+)?)\s+{lexicon.CONSIGNMENT}\b", re.IGNORECASE)
_MORE_OF_THE_SAME = re.compile(
    r"(?:another|a further|an additional|other|otros|otras|otro|otra|adicionales)\s+$|"
    rf"{lexicon.CONSIGNMENT},?\s+(?:of|de)\s+(?:(?:some|about|unas|unos)\s+)?$",  # "El primer cargamento, de 27.000 toneladas"
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d][\w'-]*|\S")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    units = "|".join(sorted(lexicon.UNITS, key=len, reverse=True))
    measured = re.compile(
        rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE})\b)?(?:\s*|-)(?:de\s+)?(?P<unit>{units})\b\.?"
        rf"(?:\s+{lexicon.CONSIGNMENT})?(?:\s+(?:of|de)\s+(?:(?:a|an|the|un|una)\s+)?(?P<commodity>(?=[^\W\d])))?",
        re.IGNORECASE,
    )
    # "2,500 emergency shelter kits": up to two lower-case words before the noun; "5.000 kits de higiene":
    # a "de" complement after it.
    modifier = r"(?!(?:of|de|the|and|to|for|in|a|an|y|para|en|el|la|los|las)\b)[a-záéíóúñ][\w-]*\s+"
    counted = re.compile(
        rf"(?<![\w.,])(?P<num>{NUMBER}|{_SPELLED})(?:\s?(?P<scale>{SCALE})\b)?\s+(?:de\s+)?"
        rf"(?P<commodity>(?:{modifier}){{0,2}}?(?:{lexicon.COUNT_GOODS})\b(?:\s+de\s+(?!{NUMBER})[a-záéíóúñ]+\b)?)",
        re.IGNORECASE,
    )
    return measured, counted


def commodity_words(text: str, start: int) -> tuple[list[list[str]], int]:
    """The commodity starting at `start`: its parts (joined by and/y/e) as word lists, and where it ends.
    It stops at a preposition, an article, a figure, a capitalised word (a name: "flour Canada shipped")
    or a participle ("rice promised by")."""
    for known in sorted(lexicon.COMMODITIES_ES, key=len, reverse=True):
        if (
            " " in known
            and text[start : start + len(known)].lower() == known
            and not text[start + len(known) :][:1].isalnum()
        ):
            return [known.split()], start + len(known)
    parts: list[list[str]] = [[]]
    end = start
    for match in _WORD.finditer(text, start):
        word = match.group(0)
        lower = word.lower()
        current = parts[-1]
        if not word[0].isalpha():
            break
        if lower in lexicon.COMMODITY_JOIN and current:
            following = _WORD.match(text, match.end() + 1) if match.end() < len(text) else None
            if (
                following
                and following.group(0)[0].isalpha()
                and following.group(0).lower() not in lexicon.COMMODITY_STOP
            ):
                parts.append([])
                continue
            break
        if lower in lexicon.COMMODITY_STOP or len(current) >= 4:
            break
        if current and (word[0].isupper() or (lower.endswith("ed") and len(lower) > 4)):
            break
        current.append(word)
        end = match.end()
    return [p for p in parts if p], end


def _unit_code(word: str) -> str:
    for pattern, code in lexicon.UNITS.items():
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return code
    return ""


def normalise_commodity(words: str, language: str) -> str:
    """The commodity in the ledger's English: "frijoles negros" → "black beans", "aceite de soya" → "soybean oil".
    A Spanish word the lists do not know stays as written, for the editor to translate."""
    words = _ARTICLES.sub("", words.strip()).strip()
    lower = words.lower()
    if lower in lexicon.COMMODITIES_ES:
        return lexicon.COMMODITIES_ES[lower]
    if language == "es" or lower.split()[0] in lexicon.COMMODITIES_ES:
        for modifier, english in lexicon.MODIFIERS_ES.items():
            if lower.endswith(" " + modifier):
                noun = lower[: -len(modifier) - 1]
                if noun in lexicon.COMMODITIES_ES or noun == "aceite":
                    return f"{english} {'oil' if noun == 'aceite' else lexicon.COMMODITIES_ES[noun]}"
    return lower


def find_goods(text: str, language: str = "en", start: int = 0, end: int | None = None) -> list[Goods]:
    """Every quantity of goods in text[start:end], in reading order, offsets into `text`."""
    end = len(text) if end is None else end
    measured, counted = _patterns()
    found: list[Goods] = []
    for match in measured.finditer(text, start, end):
        unit_word = match.group("unit")
        named = _NOUN_THEN_CONSIGNMENT.match(text, match.end())
        if match.group("commodity") is None and named and text[match.start("unit") - 1] == "-":
            # "a 10,000-ton rice shipment"
            number = parse_number(match.group("num"), language)
            if number is not None:
                commodity = normalise_commodity(named.group("goods"), language)
                quantity = normal(number * scale_of(match.group("scale")))
                found.append(Goods(quantity, _unit_code(unit_word), commodity, match.start(), named.end("goods")))
            continue
        if match.group("commodity") is None:
            # "another 250,000 barrels": the goods named before; "300,000 barrels" alone: of what? Not proposed.
            if _MORE_OF_THE_SAME.search(text[max(0, match.start() - 25) : match.start()]):
                number = parse_number(match.group("num"), language)
                if number is not None:
                    quantity = normal(number * scale_of(match.group("scale")))
                    found.append(Goods(quantity, _unit_code(unit_word), "", match.start(), match.end()))
            continue
        parts, commodity_end = commodity_words(text, match.start("commodity"))
        number = parse_number(match.group("num"), language)
        if number is None or not parts:
            continue
        commodity = " and ".join(normalise_commodity(" ".join(p), language) for p in parts)
        qualifier, _where, _more = qualifier_before(text, match.start())
        found.append(
            Goods(
                quantity=normal(number * scale_of(match.group("scale"))),
                unit=_unit_code(unit_word),
                commodity=commodity,
                start=match.start(),
                end=commodity_end,
                qualifier=qualifier,
            )
        )
    for match in counted.finditer(text, start, end):
        if any(g.start <= match.start() < g.end for g in found):
            continue
        spelled = lexicon.SPELLED_NUMBERS.get(match.group("num").lower())
        number = Decimal(spelled) if spelled else parse_number(match.group("num"), language)
        if number is None:
            continue
        found.append(
            Goods(
                quantity=normal(number * scale_of(match.group("scale"))),
                unit="units",
                commodity=normalise_commodity(_PLAIN_MODIFIERS.sub("", match.group("commodity")), language),
                start=match.start(),
                end=match.end(),
            )
        )
    return sorted((_each(text, g, language) for g in found), key=lambda g: g.start)


_COUNTS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
}
_EACH_AFTER = re.compile(r"^\s*(?:each|apiece|cada uno|cada una)\b", re.IGNORECASE)
_CARRIERS_BEFORE = re.compile(
    r"(?P<count>\d+|two|three|four|five|six|dos|tres|cuatro|cinco|seis)\s+(?:[^\W\d]+\s+){1,2}?(?:with|carrying|con|de)\s+$",
    re.IGNORECASE,
)


def _each(text: str, goods: Goods, language: str) -> Goods:
    """ "two planes with 40 tonnes of supplies each" is 80 tonnes."""
    if not _EACH_AFTER.match(text[goods.end : goods.end + 20]):
        return goods
    carriers = _CARRIERS_BEFORE.search(text[max(0, goods.start - 50) : goods.start])
    if not carriers:
        return goods
    count = carriers.group("count").lower()
    factor = int(count) if count.isdigit() else _COUNTS[count]
    end = goods.end + _EACH_AFTER.match(text[goods.end : goods.end + 20]).end()
    return Goods(goods.quantity * factor, goods.unit, goods.commodity, goods.start, end, goods.qualifier)
