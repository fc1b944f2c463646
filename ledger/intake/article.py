"""An article file turned into the text intake stores: a .txt as it is, an .html page through trafilatura
(article text and metadata: headline, byline, date, site, address). Refuses, with a message an editor
can act on, what is not an article: an empty file, a binary file, an oversized file, a page with no
article, text in a language other than English or Spanish."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ledger.intake import lexicon

MAX_BYTES = 5 * 1024 * 1024  # a news article is tens of kilobytes; 5 MB leaves room for a saved page
LANGUAGES = ("en", "es")
MAX_CHARACTERS = 100_000  # a long feature is 30,000 characters; more is a dump or several articles
MIN_WORDS = 25  # fewer words than a news brief: a menu or a cookie notice, not an article

EMPTY = "The file is empty: there is no article to read."
BINARY = "The file is not text (it looks binary): give the article as a .txt or a saved .html page."
TOO_LARGE = "The file is {size:.1f} MB; an article page is at most {limit} MB. Is this the right file?"
NO_ARTICLE = "No article text was found in this HTML page (it may be an index, a login page or a script-only page)."
TOO_LONG = "The article text is {length:,} characters; intake reads one article (at most {limit:,}) at a time."
NOT_UTF8 = "The text is not UTF-8 and could not be read; save the article as UTF-8."
UNKNOWN_LANGUAGE = "The text does not read as English or Spanish; intake reads only those two languages."
WRONG_LANGUAGE = "The text reads as {found}, not {given}: run again with --language {found}."
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


class ArticleError(ValueError):
    """The file cannot be taken in as an article; the message says why."""


@dataclass
class Article:
    text: str
    language: str
    metadata: dict = field(default_factory=dict)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return control > len(sample) * 0.05


def _html_article(raw: str) -> tuple[str, dict]:
    import trafilatura  # imported here: only HTML needs it, and it takes a moment to load

    document = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False)
    data = document.as_dict() if document is not None and hasattr(document, "as_dict") else (document or {})
    lines = [line.strip() for line in (data.get("text") or "").splitlines() if line.strip()]
    if sum(len(line.split()) for line in lines) < MIN_WORDS:
        raise ArticleError(NO_ARTICLE)
    title = (data.get("title") or "").strip()
    if title and lines[0] != title:
        lines.insert(0, title)
    metadata = {
        "headline": title or lines[0],
        "byline": data.get("author") or "",
        "date": data.get("date") or "",
        "site": data.get("sitename") or data.get("hostname") or "",
        "url": data.get("url") or "",
    }
    return "\n\n".join(lines) + "\n", metadata


def detect_language(text: str) -> str | None:
    """English or Spanish by their commonest words; None when neither reads as the text's language."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return None
    shares = {lang: sum(w in stop for w in words) / len(words) for lang, stop in lexicon.STOPWORDS.items()}
    best = max(shares, key=shares.get)
    return best if best in LANGUAGES and shares[best] >= 0.12 else None


def read_article(path: Path, language: str | None = None) -> Article:
    """The article in `path` (.txt or .html), its stored text and what its page says of it."""
    size = path.stat().st_size
    if size == 0:
        raise ArticleError(EMPTY)
    if size > MAX_BYTES:
        raise ArticleError(TOO_LARGE.format(size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024))
    data = path.read_bytes()
    if _looks_binary(data):
        raise ArticleError(BINARY)
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(NOT_UTF8) from error
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not raw.strip():
        raise ArticleError(EMPTY)
    is_html = path.suffix.lower() in (".html", ".htm") or re.match(r"\s*<(?:!doctype html|html)", raw, re.IGNORECASE)
    text, metadata = _html_article(raw) if is_html else (raw, {})
    if not is_html:
        first = next((line.strip() for line in raw.splitlines() if line.strip()), "")
        metadata = {"headline": first, "byline": "", "date": "", "site": "", "url": ""}
    if len(text) > MAX_CHARACTERS:
        raise ArticleError(TOO_LONG.format(length=len(text), limit=MAX_CHARACTERS))
    found = detect_language(text)
    if found is None:
        raise ArticleError(UNKNOWN_LANGUAGE)
    if language and language != found:
        raise ArticleError(WRONG_LANGUAGE.format(found=found, given=language))
    return Article(text, language or found, metadata)
