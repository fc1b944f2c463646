"""What the review page reads: an article's proposals with the entries they match, its counts, and its
text with each proposal's evidence highlighted in place, server-side with <mark> (offsets are Unicode
code points, as Python counts them, so no UTF-16 arithmetic happens in the browser)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ledger import formatting
from ledger.intake.editing import proposal_values
from ledger.models import Actor, Engagement, IntakeArticle, IntakeProposal, Participant, Pledge, Statement, TradeFigure

MARK_KINDS = ("amount", "date", "party", "participant", "cue")
STATES = [state for state, _ in IntakeProposal.State.choices]


def intake_articles_for_list() -> QuerySet[IntakeArticle]:
    """Articles for the admin's list, each with its proposals counted by review state (one query)."""
    return IntakeArticle.objects.select_related("created_by").annotate(
        **{f"{state}_count": Count("proposals", filter=Q(proposals__state=state)) for state in STATES}
    )


def intake_review_proposals(*, article: IntakeArticle) -> list[IntakeProposal]:
    """The article's proposals, most confident first, with the entries they match or created (one query)."""
    return list(
        article.proposals.select_related(
            "existing_pledge__donor",
            "existing_pledge__recipient",
            "existing_trade_figure__reporter",
            "existing_trade_figure__partner",
            "existing_statement__speaker",
            "existing_statement__subject",
            "existing_engagement__side_a",
            "existing_engagement__side_b",
            "pledge",
            "trade_figure",
            "statement",
            "engagement",
            "reviewed_by",
        ).order_by("-confidence", "position", "id")
    )


def intake_review_actors() -> list[tuple[str, str]]:
    """(code, name) of every actor, for the party fields' suggestions."""
    return list(Actor.objects.order_by("code").values_list("code", "name"))


def review_counts(proposals: list[IntakeProposal]) -> dict[str, int]:
    counts = Counter(p.state for p in proposals)
    return {state: counts.get(state, 0) for state in STATES}


@dataclass
class Paragraph:
    number: int
    html: SafeString
    cited: bool


def highlighted_paragraphs(article: IntakeArticle, proposals: list[IntakeProposal]) -> list[Paragraph]:
    """The article's paragraphs as HTML: every stretch inside a proposal's evidence is one <mark> whose
    classes say which marks cover it (amount, date, party) and whose data-p lists the proposals whose
    evidence it is. Flat, never nested, so overlapping sentences and marks need no special case."""
    text = article.text
    evidence = [(p.start, p.end, p.pk) for p in proposals]
    marks = [(s, e, kind) for p in proposals for kind in MARK_KINDS for s, e in p.marks.get(kind, [])]
    result = []
    for number, start, end in article.paragraphs:
        cuts = {start, end}
        for a, b, _ in evidence + marks:
            cuts.update(x for x in (a, b) if start < x < end)
        points = sorted(cuts)
        pieces, cited = [], False
        for a, b in zip(points, points[1:]):
            ids = [pk for s, e, pk in evidence if s <= a and b <= e]
            chunk = escape(text[a:b])
            if not ids:
                pieces.append(chunk)
                continue
            cited = True
            kinds = sorted({kind for s, e, kind in marks if s <= a and b <= e})
            classes = " ".join(["ev", *(f"m-{kind}" for kind in kinds)])
            pieces.append(f'<mark class="{classes}" data-p="{" ".join(map(str, ids))}">{chunk}</mark>')
        result.append(Paragraph(number, mark_safe("".join(pieces)), cited))  # noqa: S308 (escaped above)
    return result


def proposal_initial(proposal: IntakeProposal) -> dict:
    return proposal_values(proposal.entry, proposal.fields, proposal.evidence)


FLAG_LABELS = {
    "currency_assumed": "currency assumed",
    "year_inferred": "year inferred",
    "conversion_stated": "conversion stated",
    "actor_new": "new actor",
    "recipient_inferred": "recipient inferred",
    "party_missing": "party missing",
    "from_headline": "from the headline",
    "more_than": "“more than”: recorded as at least",
    "commodity_inferred": "goods inferred",
}
_LABELS = {
    "pledge": dict(Pledge.Kind.choices) | dict(Pledge.Status.choices),
    "trade": dict(TradeFigure.Flow.choices),
    "statement": dict(Statement.Kind.choices),
    "engagement": dict(Engagement.Kind.choices),
}
_SIDES = dict(Participant.Side.choices)


def _name(party: dict | None) -> str:
    if not party:
        return "?"
    return f"{party['name']} (new)" if party.get("new") else party["name"]


def describe(proposal: IntakeProposal) -> str:
    """The proposal in one line, as an editor reads it."""
    fields, labels = proposal.fields, _LABELS[proposal.entry]
    money = (
        formatting.format_money(Decimal(fields["amount"]), fields["currency"], fields["amount_qualifier"])
        if fields.get("amount")
        else ""
    )
    if proposal.entry == "engagement":
        parties = f"{_name(fields['side_a'])} – {_name(fields['side_b'])}"
        what = [labels.get(fields["kind"], fields["kind"])]
        what.append(f"in {_name(fields['place'])}" if fields.get("place") else "place not stated")
        what.append(_when(fields) or "date not stated")
    elif proposal.entry == "trade":
        parties = f"{_name(fields['reporter'])} – {_name(fields['partner'])}"
        what = [labels.get(fields["flow"], fields["flow"]), money, fields.get("rank_statement") or ""]
        what.append(str(fields["year"]) if fields.get("year") else "year not stated")
    else:
        parties = f"{_name(fields['donor'])} → {_name(fields['recipient'])}"
        what = [labels.get(fields["kind"], fields["kind"]), labels.get(fields.get("status") or "", "")]
        if fields.get("quantity"):
            goods = formatting.format_goods(Decimal(fields["quantity"]), fields["unit"], fields["commodity"])
            what.append(f"{money} and {goods}" if money else goods)
        elif money:
            what.append(money)
        what.append(_when(fields))
    return f"{parties}: " + ", ".join(w for w in what if w)


def _when(fields: dict) -> str:
    """The proposed date at its precision ("early February 2026"), or ""."""
    if not fields.get("date"):
        return ""
    when = date.fromisoformat(fields["date"])
    return formatting.format_date(when, fields["date_precision"], fields["date_qualifier"], fields["year_inferred"])


def participants(proposal: IntakeProposal) -> list[dict]:
    """An engagement proposal's people as an editor reads them: name, side (with its country), role."""
    fields = proposal.fields
    if proposal.entry != "engagement":
        return []
    return [
        {
            "name": named["name"],
            "side": f"{_SIDES.get(named['side'], named['side'])} ({_name(fields.get('side_' + named['side']))})",
            "role": named["role"],
        }
        for named in fields.get("participants") or []
    ]


def corrections(proposal: IntakeProposal) -> list[str]:
    """What accepting a refinement changes in the matched entry, as an editor reads it (only the fields
    that entry has: a trade figure has a year, not a date)."""
    existing, result = proposal.existing, []
    for name, value in proposal.changes.items():
        if existing is not None and not hasattr(existing, name):
            continue
        if name == "year_inferred":
            result.append("the year is stated, no longer inferred")
        else:
            result.append(f"{name.replace('_', ' ')} → {value}")
    return result


def decorate(proposals: list[IntakeProposal]) -> None:
    """What the review page shows of each proposal besides its form: one line, flag labels, corrections."""
    for proposal in proposals:
        proposal.corrections = corrections(proposal)
        existing = proposal.existing
        if existing is not None:
            proposal.existing_admin_url = reverse(
                f"admin:{existing._meta.app_label}_{existing._meta.model_name}_change", args=[existing.pk]
            )
        proposal.summary = describe(proposal)
        proposal.participant_rows = participants(proposal)
        proposal.flag_labels = [(flag, FLAG_LABELS.get(flag, flag.replace("_", " "))) for flag in proposal.flags]
