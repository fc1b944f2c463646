"""Amounts of money in a sentence: the figure as a Decimal, its ISO 4217 currency and the qualifier the
source gives ("about", "up to", "hasta"). English and Spanish number formats: "60,000", "1.5", "60.000",
"1,5", "2.000 millones", "€50m", "USD 1.2bn", "450 million yen", "15 millones de dólares"."""

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry
from babel.numbers import get_currency_name, get_territory_currencies

from ledger.intake import lexicon
from ledger.intake.types import Money

NUMBER = r"\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
SCALE = "|".join(sorted(lexicon.SCALES, key=len, reverse=True))
_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "RUB", "RMB", "CAD", "MXN", "CHF", "AUD", "INR", "BRL")


def parse_number(figure: str, language: str = "en") -> Decimal | None:
    """A written figure as a Decimal: separators read by their position first, the language second.
    A separator followed by exactly three digits groups thousands, except '.' in English ("1.500" is
    one and a half); any other separator is the decimal one."""
    figure = re.sub(r"[\u202f\u00a0 ]", "", figure)
    dots, commas = figure.count("."), figure.count(",")
    if dots and commas:
        decimal_sep = "." if figure.rfind(".") > figure.rfind(",") else ","
    elif dots + commas == 0:
        decimal_sep = None
    else:
        sep = "." if dots else ","
        tail = figure.rsplit(sep, 1)[1]
        if figure.count(sep) > 1 or len(tail) == 3 and (sep == "," or language == "es"):
            decimal_sep = None
        else:
            decimal_sep = sep
    if decimal_sep is None:
        cleaned = figure.replace(".", "").replace(",", "")
    else:
        group = "," if decimal_sep == "." else "."
        cleaned = figure.replace(group, "").replace(decimal_sep, ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def normal(value: Decimal) -> Decimal:
    """1200000000.0 → 1200000000, 2.50 → 2.5: the same number, written the shortest exact way."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def scale_of(word: str | None) -> int:
    if not word:
        return 1
    word = word.lower()
    for pattern, factor in lexicon.SCALES.items():
        if re.fullmatch(pattern, word):
            return factor
    return 1


@lru_cache(maxsize=1)
def currency_names() -> dict[str, tuple[str, bool]]:
    """Lower-case currency name → (ISO code, assumed?): babel's English and Spanish names of every
    ISO 4217 currency, singular and plural, plus the bare words of the lexicon."""
    names: dict[str, tuple[str, bool]] = {}
    for currency in pycountry.currencies:
        for locale in ("en", "es"):
            for count in (1, 2):
                try:
                    name = get_currency_name(currency.alpha_3, count=count, locale=locale)
                except Exception:  # noqa: BLE001 - babel lacks a few historic codes
                    continue
                if name and name != currency.alpha_3:
                    names.setdefault(name.lower(), (currency.alpha_3, False))
    return names


@lru_cache(maxsize=1)
def _money_patterns() -> tuple[re.Pattern, re.Pattern]:
    words = [re.escape(name) for name in currency_names()]
    words += list(lexicon.CURRENCY_WORDS) + list(lexicon.CURRENCY_EXTRA) + list(_CODES)
    word_re = "|".join(sorted(words, key=len, reverse=True))
    symbols = "|".join(re.escape(s) for s in sorted(lexicon.CURRENCY_SYMBOLS, key=len, reverse=True))
    prefix = re.compile(
        rf"(?<![\w$])(?P<sym>{symbols}|(?:{'|'.join(_CODES)})(?=[\s\d]))\s?(?P<num>{NUMBER})"
        rf"(?:\s?(?P<scale>{SCALE})\b)?",
        re.IGNORECASE,
    )
    suffix = re.compile(
        rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE})\b)?\s*(?:de\s+)?(?P<cur>{word_re})(?!\w)",
        re.IGNORECASE,
    )
    return prefix, suffix


def _currency_of_word(word: str) -> tuple[str, bool] | None:
    lower = word.lower()
    if word.upper() in _CODES:
        return ("CNY" if word.upper() == "RMB" else word.upper(), False)
    for pattern, code in lexicon.CURRENCY_EXTRA.items():
        if re.fullmatch(pattern, lower):
            return code, False
    for pattern, (code, assumed) in lexicon.CURRENCY_WORDS.items():
        if re.fullmatch(pattern, lower):
            return code, assumed
    return currency_names().get(lower)


_QUALIFIER_BEFORE = re.compile(
    r"(?:^|\W)(?P<q>"
    + "|".join(f"(?P<{name}>{words})" for name, words in lexicon.QUALIFIERS.items())
    + r")\s*(?:\(\s*)?$",
    re.IGNORECASE,
)


def qualifier_before(text: str, start: int) -> tuple[str, int, bool]:
    """The qualifier words right before `start`: (qualifier, where they start, 'more than'?)."""
    window_start = max(0, start - 40)
    match = _QUALIFIER_BEFORE.search(text[window_start:start])
    if not match:
        return "exact", start, False
    name = next(n for n in lexicon.QUALIFIERS if match.group(n))
    where = window_start + match.start("q")
    if name == "more_than":
        return "at_least", where, True
    return name, where, False


def find_money(text: str, language: str = "en", start: int = 0, end: int | None = None) -> list[Money]:
    """Every amount of money in text[start:end], in reading order, offsets into `text`."""
    end = len(text) if end is None else end
    prefix, suffix = _money_patterns()
    found: list[Money] = []
    taken: list[tuple[int, int]] = []
    for pattern in (prefix, suffix):
        for match in pattern.finditer(text, start, end):
            if any(match.start() < b and a < match.end() for a, b in taken):
                continue
            number = parse_number(match.group("num"), language)
            if number is None:
                continue
            scale = match.group("scale")
            if "sym" in pattern.groupindex:
                symbol = match.group("sym")
                code_and_assumed = (
                    (lexicon.CURRENCY_SYMBOLS[symbol], symbol in lexicon.ASSUMED_SYMBOLS)
                    if symbol in lexicon.CURRENCY_SYMBOLS
                    else _currency_of_word(symbol)
                )
            else:
                code_and_assumed = _currency_of_word(match.group("cur"))
            if not code_and_assumed:
                continue
            code, assumed = code_and_assumed
            qualifier, qualifier_start, more_than = qualifier_before(text, match.start())
            found.append(
                Money(
                    amount=normal(number * scale_of(scale)),
                    currency=code,
                    qualifier=qualifier,
                    start=match.start(),
                    end=match.end(),
                    qualifier_start=qualifier_start,
                    currency_assumed=assumed,
                    more_than=more_than,
                )
            )
            taken.append((match.start(), match.end()))
    found += _bare_amounts(text, language, start, end, sorted(found, key=lambda m: m.start))
    return sorted(found, key=lambda m: m.start)


_BARE = re.compile(
    rf"(?<![\w.,$€£¥₽])(?P<num>{NUMBER})\s?(?P<scale>million|millones|millón|billion|mil millones|bn|m)\b"
    r"(?=\s*[,.;]|\s+(?:in|en|for|para|as|como|to|a|and|y|e)\b)",
    re.IGNORECASE,
)


def _bare_amounts(text: str, language: str, start: int, end: int, found: list[Money]) -> list[Money]:
    """ "a €20 million package, including 12 million in grants": an amount without its currency after one
    with it, in the same sentence, is in that currency."""
    result = []
    for match in _BARE.finditer(text, start, end):
        before = [m for m in found if m.end <= match.start()]
        if not before or any(m.start < match.end() and match.start() < m.end for m in found):
            continue
        number = parse_number(match.group("num"), language)
        if number is None:
            continue
        qualifier, qualifier_start, more_than = qualifier_before(text, match.start())
        result.append(
            Money(
                normal(number * scale_of(match.group("scale"))),
                before[-1].currency,
                qualifier,
                match.start(),
                match.end(),
                qualifier_start,
                before[-1].currency_assumed,
                more_than,
            )
        )
    return result


_CONVERSION_GAP = re.compile(
    r"^\s*[,(\[–—-]?\s*(?:or|o|i\.e\.|that is|equivalent to|equivalente a|equal to|worth|some|unos)?\s*$", re.IGNORECASE
)


def pair_conversions(text: str, mentions: list[Money]) -> list[tuple[Money, Money | None]]:
    """Each amount with the conversion the article states right after it ("450 million yen, about 3
    million dollars"; "50 million yuan (about 7 million dollars)"): one amount, never two."""
    result: list[tuple[Money, Money | None]] = []
    index = 0
    while index < len(mentions):
        current = mentions[index]
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if (
            following is not None
            and following.currency != current.currency
            and _CONVERSION_GAP.match(text[current.end : following.qualifier_start])
        ):
            result.append((current, following))
            index += 2
        else:
            result.append((current, None))
            index += 1
    return result


def own_currency(iso3: str, written: str) -> str | None:
    """The currency of the country `iso3` if `written` ("30 million kroner", "5 millones de pesos") names it
    by its unit word alone; None otherwise. A bare "dollars" stays USD unless the donor's own currency is
    a dollar, and even then the proposal keeps its currency_assumed flag."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return None
    try:
        codes = get_territory_currencies(country.alpha_2)
    except Exception:  # noqa: BLE001 - a territory babel does not know
        return None
    words = set(re.findall(r"[^\W\d]+", written.lower()))
    for code in codes[:1]:
        for locale in ("en", "es"):
            unit = get_currency_name(code, count=2, locale=locale).lower().split()
            if unit and (unit[-1] in words or unit[0] in words) and code != "USD":
                return code
    return None
