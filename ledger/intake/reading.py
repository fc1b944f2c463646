"""One sentence read once: its figures, goods, dates, party mentions and the cue words the assembly
decides on. Offsets are into the whole article text."""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from ledger.intake import lexicon
from ledger.intake.dates import find_dates
from ledger.intake.goods import find_goods
from ledger.intake.money import find_money, pair_conversions
from ledger.intake.parties import AliasIndex
from ledger.intake.text import dateline
from ledger.intake.types import DateValue, Goods, Money, PartyMention, Sentence


@cache
def cue(words: str) -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


@dataclass
class Reading:
    sentence: Sentence
    start: int  # after any dateline
    end: int
    money: list[tuple[Money, Money | None]]
    goods: list[Goods]
    dates: list[DateValue]
    parties: list[PartyMention]
    future: bool
    commercial: bool
    cumulative: bool
    warning: bool
    aid: bool
    undecided: bool
    trade: bool
    full_text: str = ""
    language: str = "en"

    def has(self, words: str) -> bool:
        return bool(cue(words).search(self.full_text, self.start, self.end))


def read(text: str, sentence: Sentence, *, published: date, language: str, index: AliasIndex) -> Reading:
    start, end = sentence.start, sentence.end
    line = dateline(text, start, end)
    if line:
        start = line[1]
    money_mentions = find_money(text, language, start, end)
    goods = [
        g
        for g in find_goods(text, language, start, end)
        if not any(m.start < g.end and g.start < m.end for m in money_mentions)
    ]
    body = text[start:end]
    future = bool(cue(lexicon.FUTURE).search(body))
    dates = _dates(text, published, start, end)
    money_spans = [(m.start, m.end) for m in money_mentions]
    parties = index.find(text, start, end, exclude=money_spans)
    reading = Reading(
        sentence=sentence,
        start=start,
        end=end,
        money=pair_conversions(text, money_mentions),
        goods=goods,
        dates=dates,
        parties=parties,
        future=future,
        commercial=bool(cue(lexicon.COMMERCIAL).search(body)),
        cumulative=bool(cue(lexicon.CUMULATIVE).search(body)),
        warning=bool(cue(lexicon.WARNING).search(body)),
        aid=bool(cue(lexicon.AID_CUES).search(body)),
        undecided=bool(cue(lexicon.UNDECIDED).search(body)),
        trade=bool(cue(lexicon.TRADE_CUES).search(body)),
        full_text=text,
        language=language,
    )
    return reading


# Not the comma of "2,500"; "said on Tuesday that it will" has two clauses.
_CLAUSE_BREAK = re.compile(r"(?<!\d)[,;:()—–]|[,;:()—–](?!\d)|\b(?:que|that)\b")


# A date right after a verb in the past belongs to that verb: "said on Friday her government would ...",
# "signed an agreement on Monday under which China will donate ...", "dijo el viernes que ...".
_PAST_VERB_BEFORE = re.compile(
    r"(?<!\bbe\s)(?<!\bbeen\s)(?<!\bbeing\s)(?<!\bser\s)(?<!\bserá\s)(?<!\bserán\s)"  # "will be shipped on Monday"
    rf"(?:\b[a-z]+ed|\b(?:said|told|signed|left|sent|gave|came|met|held|took)|\b\w+(?:ó|aron|ieron)|"
    rf"(?<!\w)(?:{lexicon.PAST_SPEECH}))"
    r"(?:\s+(?:an?|the|un|una|el|la)\s+\w+|(?:\s+(?-i:[A-Z])[\w-]*){1,2})?"  # "signed an agreement", "left Montreal"
    r"\s+(?:on\s+|este\s+|el\s+(?:pasado\s+)?)?$",
    re.IGNORECASE,
)


def _clause_is_future(text: str, start: int, end: int, at: int, until: int) -> bool:
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, start, at)), default=start)
    if _PAST_VERB_BEFORE.search(text[max(left, at - 40) : at]):
        return False
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(text, until, end)), end)
    return bool(cue(lexicon.FUTURE).search(text, left, right))


def _dates(text: str, published: date, start: int, end: int) -> list[DateValue]:
    """Dates read in the tense of their own clause: in "X will donate rice, the minister said on
    Thursday", the Thursday is a past one."""
    past = find_dates(text, published, future=False, start=start, end=end)
    future = {(d.start, d.end): d for d in find_dates(text, published, future=True, start=start, end=end)}
    return [future.get((d.start, d.end), d) if _clause_is_future(text, start, end, d.start, d.end) else d for d in past]


def nearest(matches: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The span closest to [start, end) (distance between the nearer ends)."""
    best, best_distance = None, None
    for a, b in matches:
        distance = start - b if b <= start else a - end if a >= end else 0
        if best_distance is None or distance < best_distance:
            best, best_distance = (a, b), distance
    return best


def spans(words: str, text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in cue(words).finditer(text, start, end)]


def is_trade_money(reading: Reading, money: Money) -> bool:
    """A figure is trade, not aid, when a trade word ("exchange", "comercio") is nearer to it than any word
    of aid ("credit line", "donation"): "a credit line worth $100 million ... to finance imports" is aid."""
    if not reading.trade:
        return False
    text = reading.full_text
    trade_at = nearest(spans(lexicon.TRADE_CUES, text, reading.start, reading.end), money.start, money.end)
    aid_words = "|".join(lexicon.KIND_CUES.values())
    aid_at = nearest(spans(aid_words, text, reading.start, reading.end), money.start, money.end)
    if trade_at is None:
        return False
    if aid_at is None:
        return True

    def distance(span: tuple[int, int]) -> int:
        return max(money.start - span[1], span[0] - money.end, 0)

    return distance(trade_at) < distance(aid_at)
