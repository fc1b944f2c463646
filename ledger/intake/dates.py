"""Dates in a sentence, read against the publication date, each with its precision (day, month, year),
qualifier (early, mid, end) and whether the year is inferred rather than stated.

"at the end of January" → the month, qualifier end, year inferred; "in September" → the most recent
September, or the next one when the sentence is in the future tense; "in 2024" → the year, stated;
"on Tuesday" / "este martes" → that day of the publication week (the one before the publication date,
the next one in a future-tense sentence); "last week" / "this week" → the month that week starts in, qualified by
where in the month it falls; "last year", "so far this year" → the year, inferred."""

import re
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

from ledger.intake.types import DateValue

_QUALIFIER_WORDS = {
    "end": r"end|late|close|finales|fines|final|fin",
    "early": r"beginning|start|early|principios|comienzos|inicios|primeros días",
    "mid": r"middle|mid|mediados",
}
_ES_MONTH_ABBR = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "sep", "oct", "nov", "dic"]
_EN_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"]


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in ("en", "es"):
        for number, name in get_month_names("wide", locale=locale).items():
            names[name.lower()] = number
    for index, abbr in enumerate(_ES_MONTH_ABBR):
        names.setdefault(abbr, [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10, 11, 12][index])
    for abbr in _EN_MONTH_ABBR:
        names.setdefault(abbr.lower(), {"sept": 9}.get(abbr.lower()) or _month_of_abbr(abbr))
    return names


def _month_of_abbr(abbr: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(
        abbr.lower()[:3]
    ) + 1


@lru_cache(maxsize=1)
def _weekdays() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in ("en", "es"):
        for number, name in get_day_names("wide", locale=locale).items():
            names[name.lower()] = number  # 0 = Monday
    names["miercoles"], names["sabado"] = 2, 5
    return names


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    en_months = "|".join(n.capitalize() for n in get_month_names("wide", locale="en").values())
    es_months = "|".join(get_month_names("wide", locale="es").values())
    month_full = rf"(?:(?-i:{en_months})|{es_months})"
    month_any = rf"(?:{month_full}|(?-i:{'|'.join(_EN_MONTH_ABBR)})\.?|(?:{'|'.join(_ES_MONTH_ABBR)})\.?)"
    weekday = "|".join(sorted(_weekdays(), key=len, reverse=True))
    qual = "|".join(f"(?P<q_{name}>{words})" for name, words in _QUALIFIER_WORDS.items())
    year = r"(?P<year>(?:19|20)\d{2})"
    p = [
        (
            "qual_month",
            rf"(?:(?:at|by|in|around|toward|towards|a|para|hacia|en)\s+)?(?:the\s+)?(?:{qual})(?:\s+of|\s+de|-|\s)\s*"
            rf"(?P<month>{month_full})(?:,?\s+(?:of\s+|de\s+|del\s+)?{year})?",
        ),
        (
            "qual_this_month",
            rf"(?:(?:at|by|before|toward|towards|a|para|hacia|antes\s+de)\s+)?(?:the\s+)?(?:{qual})(?:\s+of|\s+de|-|\s)\s*"
            r"(?:the\s+|this\s+|este\s+)?(?:month|mes)(?!\w)",
        ),
        (
            "qual_year",
            rf"(?:(?:at|by|in|before|a|para|hacia|antes\s+de)\s+)?(?:the\s+)?(?:{qual})(?:\s+of|\s+de|-|\s)\s*"
            rf"(?:(?P<this_year>the\s+year|this\s+year|(?:este\s+)?año)|{year})",
        ),
        (
            "day_month_year",
            rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?(?P<month>{month_any})(?:,?\s+(?:de\s+|del\s+)?{year})",
        ),
        ("month_day_year", rf"(?P<month>{month_any})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{year}"),
        ("day_month", rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?(?P<month>{month_any})(?![\w])"),
        ("month_day", rf"(?P<month>{month_any})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\w,.]\d)"),
        ("month_year", rf"(?P<month>{month_full})(?:,?\s+(?:of\s+|de\s+|del\s+)?){year}"),
        (
            "month",
            rf"(?:in|during|since|until|by|before|after|last|this|next|en|durante|hasta|el\s+pasado|este|desde|antes\s+de|"
            r"después\s+de|a\s+partir\s+de)\s+(?:mes\s+de\s+)?"
            rf"(?P<month>{month_full})",
        ),
        ("year", rf"(?:in|during|throughout|for|en|durante|a\s+lo\s+largo\s+de|del|year|año)\s+{year}(?!\d)"),
        ("last_year", r"last\s+year|el\s+año\s+pasado|el\s+pasado\s+año|the\s+previous\s+year|el\s+año\s+anterior"),
        ("this_year", r"this\s+year|so\s+far\s+this\s+year|este\s+año|en\s+lo\s+que\s+va\s+(?:de|del)\s+año"),
        ("next_year", r"next\s+year|el\s+próximo\s+año|el\s+año\s+que\s+viene"),
        ("last_month", r"last\s+month|el\s+mes\s+pasado|el\s+pasado\s+mes"),
        ("next_month", r"next\s+month|el\s+próximo\s+mes|el\s+mes\s+próximo|el\s+mes\s+que\s+viene"),
        ("this_month", r"this\s+month|este\s+mes"),
        ("last_week", r"last\s+week|the\s+previous\s+week|la\s+semana\s+pasada|la\s+pasada\s+semana"),
        ("this_week", r"this\s+week|esta\s+semana|la\s+presente\s+semana"),
        ("yesterday", r"yesterday|ayer"),
        ("today", r"today|hoy"),
        (
            "weekday",
            rf"(?:(?P<prefix>on|this|last|next|este|el|el\s+pasado|el\s+próximo|pasado|próximo)\s+)?(?P<weekday>(?-i:{weekday.title()})|{weekday})(?!\w)",
        ),
    ]
    return [(name, re.compile(rf"(?<!\w){pattern}", re.IGNORECASE)) for name, pattern in p]


def _day_qualifier(day: int) -> str:
    return "early" if day <= 10 else "mid" if day <= 20 else "end"


def _resolve_month(month: int, published: date, future: bool) -> int:
    if future:
        return published.year if month >= published.month else published.year + 1
    return published.year if month <= published.month else published.year - 1


def _qualifier(match: re.Match) -> str:
    for name in _QUALIFIER_WORDS:
        if match.groupdict().get(f"q_{name}"):
            return name
    return ""


def _value(kind: str, match: re.Match, published: date, future: bool) -> DateValue | None:
    groups = match.groupdict()
    month = _months().get((groups.get("month") or "").lower().rstrip("."))
    year = int(groups["year"]) if groups.get("year") else None
    day = int(groups["day"]) if groups.get("day") else None
    if kind in ("qual_month", "month_year", "month"):
        stated = year is not None
        year = year or _resolve_month(month, published, future)
        return DateValue(date(year, month, 1), "month", _qualifier(match), not stated)
    if kind == "qual_this_month":
        return DateValue(published.replace(day=1), "month", _qualifier(match), True)
    if kind == "qual_year":
        return DateValue(date(year or published.year, 1, 1), "year", _qualifier(match), year is None)
    if kind in ("day_month_year", "month_day_year", "day_month", "month_day"):
        stated = year is not None
        year = year or _resolve_month(month, published, future)
        try:
            return DateValue(date(year, month, day), "day", "", not stated)
        except ValueError:
            return None
    if kind == "year":
        return DateValue(date(year, 1, 1), "year", "", False)
    if kind in ("last_year", "this_year", "next_year"):
        offset = {"last_year": -1, "this_year": 0, "next_year": 1}[kind]
        return DateValue(date(published.year + offset, 1, 1), "year", "", True)
    if kind == "next_month":
        return DateValue(date(published.year + (published.month == 12), published.month % 12 + 1, 1), "month", "", True)
    if kind in ("last_month", "this_month"):
        first = published.replace(day=1)
        if kind == "last_month":
            first = (first - timedelta(days=1)).replace(day=1)
        return DateValue(first, "month", "", True)
    if kind in ("last_week", "this_week"):
        monday = published - timedelta(days=published.weekday() + (7 if kind == "last_week" else 0))
        return DateValue(monday.replace(day=1), "month", _day_qualifier(monday.day), True)
    if kind in ("yesterday", "today"):
        return DateValue(published - timedelta(days=1 if kind == "yesterday" else 0), "day", "", True)
    if kind == "weekday":
        weekday = _weekdays()[groups["weekday"].lower()]
        prefix = (groups.get("prefix") or "").lower()
        if prefix in ("next", "el próximo", "próximo") or (future and prefix not in ("last", "el pasado", "pasado")):
            delta = (weekday - published.weekday()) % 7 or 7
            return DateValue(published + timedelta(days=delta), "day", "", True)
        delta = (published.weekday() - weekday) % 7
        if prefix in ("last", "el pasado", "pasado") and delta == 0:
            delta = 7
        return DateValue(published - timedelta(days=delta), "day", "", True)
    return None


def find_dates(
    text: str, published: date, *, future: bool = False, start: int = 0, end: int | None = None
) -> list[DateValue]:
    """Every date in text[start:end], in reading order, offsets into `text`; overlapping readings keep the
    first pattern that matched (the patterns go from the most to the least specific)."""
    end = len(text) if end is None else end
    found: list[DateValue] = []
    for kind, pattern in _patterns():
        for match in pattern.finditer(text, start, end):
            if any(match.start() < d.end and d.start < match.end() for d in found):
                continue
            if kind == "weekday" and not match.group("prefix") and not match.group("weekday")[0].isupper():
                continue  # a bare weekday counts only as an English name ("Tuesday"); Spanish says "el/este martes"
            value = _value(kind, match, published, future)
            if value is not None:
                found.append(
                    DateValue(
                        value.date, value.precision, value.qualifier, value.year_inferred, match.start(), match.end()
                    )
                )
    return sorted(found, key=lambda d: d.start)
