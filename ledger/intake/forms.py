"""The editors' forms for intake: the article (pasted text or a saved HTML page, with the source's
metadata to confirm), and one proposal's fields, editable before it is accepted."""

import contextlib
import tempfile
from datetime import date
from pathlib import Path

from django import forms

from ledger.intake.article import LANGUAGE_NAMES, MAX_BYTES, TOO_LARGE, Article, ArticleError, read_article
from ledger.intake.editing import PARTIES, participant_names
from ledger.intake.types import ENGAGEMENT, PLEDGE, STATEMENT, TRADE
from ledger.models import AmountQualifier, DatePrecision, DateQualifier, Engagement, Pledge, Statement, TradeFigure

ERROR_TEXT_OR_FILE = "Paste the article's text, or upload the saved HTML page of the article (not both)."
ERROR_LANGUAGE = "The text reads as {found}, not {given}: choose {found} as the language."
METADATA = ("publisher", "headline", "url", "published_on", "language", "wire_agency", "byline")
REQUIRED_METADATA = ("publisher", "headline", "url", "published_on", "language")
_SUFFIXES = (".html", ".htm", ".txt")


def _read_bytes(data_chunks, suffix: str) -> Article:
    """An article from raw bytes, read by the same rules as `propose_entries` (article.read_article)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        with path.open("wb") as handle:
            for chunk in data_chunks:
                handle.write(chunk)
        return read_article(path)


class ArticleForm(forms.Form):
    """Step one reads the article (and pre-fills what the page says of itself); step two, with the
    metadata confirmed, proposes the entries."""

    text = forms.CharField(
        label="Article text",
        required=False,
        strip=False,  # stored verbatim (line endings aside: the article rules make them \n)
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="Paste the article: headline first, paragraphs separated by a blank line.",
    )
    page = forms.FileField(
        label="…or a saved HTML page",
        required=False,
        allow_empty_file=True,  # an empty file gets intake's own message
        help_text="The page as your browser saves it (.html); its article text and details are read with trafilatura.",
    )
    publisher = forms.CharField(max_length=200, required=False)
    headline = forms.CharField(max_length=500, required=False)
    url = forms.URLField(label="Address (URL)", max_length=1000, required=False, assume_scheme="https")
    published_on = forms.DateField(label="Publication date", required=False, help_text="YYYY-MM-DD")
    language = forms.ChoiceField(
        choices=[("", "— detect —"), *LANGUAGE_NAMES.items()], required=False, help_text="English or Spanish."
    )
    wire_agency = forms.CharField(
        label="Wire agency", max_length=100, required=False, help_text="The agency the article reports, if any (EFE)."
    )
    byline = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, proposing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposing = proposing
        self.article: Article | None = None

    def clean(self):
        data = super().clean()
        text, page = data.get("text") or "", data.get("page")
        if bool(text.strip()) == bool(page):
            if page is None and text:  # only whitespace: the article rules say "empty"
                text = ""
            else:
                raise forms.ValidationError(ERROR_TEXT_OR_FILE)
        try:
            if page is not None:
                if page.size > MAX_BYTES:
                    raise ArticleError(TOO_LARGE.format(size=page.size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024))
                suffix = Path(page.name or "").suffix.lower()
                self.article = _read_bytes(page.chunks(), suffix if suffix in _SUFFIXES else ".html")
            else:
                self.article = _read_bytes([text.encode("utf-8")], ".txt")
        except ArticleError as error:
            raise forms.ValidationError(str(error)) from error
        given = data.get("language")
        if given and given != self.article.language:
            names = LANGUAGE_NAMES
            self.add_error("language", ERROR_LANGUAGE.format(found=names[self.article.language], given=names[given]))
        if self.proposing:
            for name in REQUIRED_METADATA:
                if not data.get(name) and not (name == "language" and self.article.language):
                    self.add_error(name, "Required: confirm it from the article.")
        return data

    def prefilled(self) -> dict:
        """The form's values with the article's text and, where the editor left a field blank, what the
        page says of itself (headline, byline, date, site, address) and the detected language."""
        data = {name: self.cleaned_data.get(name) for name in METADATA}
        for name in self.errors:  # what the editor gave stays, with its error
            if name in data:
                data[name] = self.data.get(name)
        page = self.article.metadata
        found = {
            "headline": page.get("headline"),
            "byline": page.get("byline"),
            "publisher": page.get("site"),
            "url": page.get("url"),
            "language": self.article.language,
        }
        with contextlib.suppress(ValueError):  # the page may give no date, or not as a date
            found["published_on"] = date.fromisoformat(page.get("date") or "")
        for name, value in found.items():
            if not data.get(name) and value and name not in self.errors:
                data[name] = value
        data["text"] = self.article.text
        return data


def _choices(choices, blank: bool = True) -> list:
    return ([("", "—")] if blank else []) + [c for c in choices if c[0] != ""]


def _party(label: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=32,
        required=required,
        widget=forms.TextInput(attrs={"list": "intake-actors", "size": 10}),
    )


def _money_fields() -> dict:
    return {
        "amount": forms.DecimalField(required=False, max_digits=20, decimal_places=2),
        "currency": forms.CharField(required=False, max_length=3, widget=forms.TextInput(attrs={"size": 4})),
        "amount_qualifier": forms.ChoiceField(required=False, choices=_choices(AmountQualifier.choices)),
    }


def _date_fields() -> dict:
    return {
        "date": forms.DateField(required=False, help_text="First day of the period"),
        "date_precision": forms.ChoiceField(required=False, choices=_choices(DatePrecision.choices)),
        "date_qualifier": forms.ChoiceField(required=False, choices=_choices(DateQualifier.choices)),
        "year_inferred": forms.BooleanField(required=False),
    }


def _pledge_fields() -> dict:
    return {
        "donor": _party("Donor"),
        "recipient": _party("Recipient"),
        "kind": forms.ChoiceField(choices=_choices(Pledge.Kind.choices, blank=False)),
        "status": forms.ChoiceField(choices=_choices(Pledge.Status.choices, blank=False)),
        **_money_fields(),
        "quantity": forms.DecimalField(required=False, max_digits=20, decimal_places=3),
        "unit": forms.ChoiceField(required=False, choices=_choices(Pledge.Unit.choices)),
        "commodity": forms.CharField(required=False, max_length=100),
        **_date_fields(),
    }


def _trade_fields() -> dict:
    return {
        "reporter": _party("Reporter"),
        "partner": _party("Partner"),
        "flow": forms.ChoiceField(choices=_choices(TradeFigure.Flow.choices, blank=False)),
        **_money_fields(),
        "year": forms.IntegerField(required=False, min_value=1800, max_value=2200),
        "year_inferred": forms.BooleanField(required=False),
        "rank": forms.IntegerField(required=False, min_value=1),
        "rank_statement": forms.CharField(required=False, max_length=300),
        "relationship": forms.CharField(required=False, max_length=200),
    }


def _statement_fields() -> dict:
    return {
        "speaker": _party("Speaker"),
        "subject": _party("Subject"),
        "kind": forms.ChoiceField(choices=_choices(Statement.Kind.choices, blank=False)),
        "summary": forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
        **_date_fields(),
    }


def _engagement_fields() -> dict:
    return {
        "side_a": _party("Side A"),
        "side_b": _party("Side B"),
        "kind": forms.ChoiceField(choices=_choices(Engagement.Kind.choices, blank=False)),
        "place_country": _party("Place (country)", required=False),
        "place_city": forms.CharField(label="Place (city)", required=False, max_length=100),
        **_date_fields(),
    }


_FIELDS = {
    PLEDGE: _pledge_fields,
    TRADE: _trade_fields,
    STATEMENT: _statement_fields,
    ENGAGEMENT: _engagement_fields,
}
_PARTY_FIELDS = tuple(dict.fromkeys(name for names in PARTIES.values() for name in names))


class ProposalForm(forms.Form):
    """One proposal's fields as the editor may correct them before accepting (see intake/editing.py)."""

    def __init__(self, *args, entry: str, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_FIELDS[entry]())
        for index, named in enumerate(participants):
            included, role = participant_names(index)
            side = "side A" if named["side"] == "a" else "side B"
            self.fields[included] = forms.BooleanField(required=False, label=f"{named['name']} ({side})")
            self.fields[role] = forms.CharField(
                required=False, max_length=300, label=f"{named['name']}: role then", strip=True
            )

    @classmethod
    def for_proposal(cls, proposal, *args, **kwargs) -> "ProposalForm":
        """The form of a stored proposal (an engagement's has a keep box and a role per proposed person)."""
        participants = (proposal.fields.get("participants") or ()) if proposal.entry == ENGAGEMENT else ()
        return cls(*args, entry=proposal.entry, participants=participants, prefix=f"p{proposal.pk}", **kwargs)

    def clean(self):
        data = super().clean()
        for name in ("currency", *_PARTY_FIELDS):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip().upper()
        for name in ("amount_qualifier", "unit", "commodity", "date_precision", "date_qualifier"):
            if name in self.fields and data.get(name) is None:
                data[name] = ""
        return data
