"""The article's text cut into numbered paragraphs and sentences, every piece kept as offsets into the
stored text, so `text[start:end]` is always the evidence, verbatim.

Paragraphs are blocks separated by one or more blank lines, numbered from 1 (1 = the headline), as the
ledger's citations number them (the seed fixture counts the photo caption and "Related videos:")."""

import re

from ledger.intake.types import Sentence

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A sentence ends at . ! ? (or an ellipsis), possibly followed by closing quotes or brackets, then space,
# and the next one starts with a capital, an opening quote or an inverted mark.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(¿¡]?[A-ZÁÉÍÓÚÑÜ0-9])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "gov",
        "sen",
        "rep",
        "no",
        "nos",
        "vs",
        "etc",
        "inc",
        "corp",
        "co",
        "ltd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "ee.uu",
        "sra",
        "sres",
        "dña",
        "d",
        "ud",
        "uds",
        "av",
        "núm",
        "pág",
        "art",
    ]
)


def paragraphs(text: str) -> list[tuple[int, int, int]]:
    """(number, start, end) of each non-blank paragraph, the end excluding trailing whitespace."""
    result, position, number = [], 0, 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        block_start, block_end = position, end
        while block_start < block_end and text[block_start].isspace():
            block_start += 1
        while block_end > block_start and text[block_end - 1].isspace():
            block_end -= 1
        if block_end > block_start:
            number += 1
            result.append((number, block_start, block_end))
        if match:
            position = match.end()
    return result


def _ends_with_abbreviation(chunk: str) -> bool:
    words = chunk.rstrip(".!?…\"'”’»)]").split()
    if not words:
        return False
    last = words[-1].lower().rstrip(".")
    # An initial ("J. Smith") or a known abbreviation does not end a sentence.
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def sentences(text: str) -> list[Sentence]:
    """Every sentence of every paragraph, with its paragraph number and offsets into `text`."""
    result = []
    for number, start, end in paragraphs(text):
        block = text[start:end]
        piece_start = 0
        for match in _SENTENCE_END.finditer(block):
            if _ends_with_abbreviation(block[piece_start : match.start()]):
                continue
            _add(result, text, number, start + piece_start, start + match.start())
            piece_start = match.end()
        _add(result, text, number, start + piece_start, end)
    return result


def _add(result: list, text: str, paragraph: int, start: int, end: int) -> None:
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        result.append(Sentence(paragraph, start, end, text[start:end]))


def paragraph_number(text: str, offset: int) -> int | None:
    for number, start, end in paragraphs(text):
        if start <= offset <= end:
            return number
    return None


_DATELINE = re.compile(r"[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .'-]{1,40},\s+[^—–\n]{1,40}?(?:\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s+")


def dateline(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The wire dateline at the start of a paragraph ("TOKYO, March 12 (Wire) — "): its date is the
    dispatch's, not an event's, and its city names no party."""
    match = _DATELINE.match(text, start, end)
    return (match.start(), match.end()) if match else None
