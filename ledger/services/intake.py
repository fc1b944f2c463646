"""Write services for article intake: store an article with what intake proposes from it (pending, in
intake's own tables only), and accept, correct or reject each proposal.

Accepting writes through the ledger's services, with the citation (source, paragraph, verbatim
sentence) and the reason "from <headline>, ¶N, proposed by intake" in the history:
- a new entry is created with its citation (new actors first, through actor_create);
- **same**: the citation is added to the existing entry, nothing else (nothing is counted twice);
- **refines**: the citation is added and the correction applied through the entry's versioned update;
- **delivers**: a Delivery is recorded against the pledge, with its citation on the pledge; the pledge's
  total is not added a second time (a Delivery is never in a total).
An engagement is created through engagement_create with its participants: the people the sentence names,
each matched by name among the ledger's people or created then (through person_create), like new actors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger import fx
from ledger.intake.editing import (
    EDITABLE,
    OPTIONAL_PARTIES,
    PARTIES,
    as_json,
    changed,
    participant_names,
    party_info,
    proposal_values,
)
from ledger.intake.parties import alias_data
from ledger.intake.proposing import propose
from ledger.intake.text import paragraphs
from ledger.intake.types import ENGAGEMENT, PLEDGE, STATEMENT, TRADE
from ledger.models import (
    Actor,
    Citation,
    Delivery,
    IntakeArticle,
    IntakeProposal,
    Person,
    Pledge,
    Source,
    TradeFigure,
)
from ledger.services._shared import CitationEdits, save_entry
from ledger.services.directory import actor_create, person_create, source_create
from ledger.services.engagements import engagement_create
from ledger.services.entries import (
    CITING_FIELDS,
    citation_create,
    pledge_create,
    pledge_update,
    statement_create,
    trade_figure_create,
    trade_figure_update,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.base_user import AbstractBaseUser

INTAKE_REASON = "from {headline}, ¶{paragraph}, proposed by intake"
CORRECTED_REASON = "; corrected by the editor: {fields}"
NEW_ACTOR_PREFIX = "new actor "
NEW_PERSON_PREFIX = "new person "
# The history keeps a reason in at most this many characters: a long headline is shortened to fit.
REASON_MAX = Pledge.history.model._meta.get_field("history_change_reason").max_length
SOURCE_REASON = "Source of an article taken in through intake"
ERROR_NO_ENTRIES = (
    "No entries found: the article states no aid figure, trade figure, statement or engagement that intake "
    "recognises. Nothing was stored."
)
ERROR_REVIEWED = "This proposal was already reviewed ({state}). Reload the article to see its current state."
ERROR_NO_REJECT_REASON = "Say why you reject this proposal: the reason is kept, so the desk can see how intake does."
ERROR_NOTHING_CORRECTED = "Nothing was corrected: the values are the ones proposed. Use Accept."
ERROR_UNKNOWN_ACTOR = (
    "No actor has the code {code}, and it is not an ISO 3166-1 alpha-3 country code: use an actor of the ledger."
)
ERROR_PACKAGE_PENDING = (
    "This entry is part of the package proposed in ¶{paragraph}: review the package first, so this part is "
    "counted inside it and not on top of it."
)
ERROR_CORRECTS_EXISTING = (
    "This proposal repeats an entry the ledger already holds ({entry}), so accepting it only adds the citation; "
    "a correction of {fields} would not be applied. Correct the entry itself on its admin page."
)
ERROR_MATCH_GONE = "The entry this proposal matched no longer exists. Reject the proposal and add the article again."
_ORGANISATIONS = {org["code"]: org for org in alias_data()["organisations"]}


@dataclass(frozen=True)
class _Why:
    """The history's reason for what one acceptance writes: "from <headline>, ¶N, proposed by intake",
    with what the editor corrected and what the write does, the headline shortened to fit REASON_MAX."""

    headline: str
    paragraph: int
    corrected: str = ""

    def text(self, *, prefix: str = "", suffix: str = "") -> str:
        tail = (CORRECTED_REASON.format(fields=self.corrected) if self.corrected else "") + suffix
        empty = prefix + INTAKE_REASON.format(headline="", paragraph=self.paragraph)
        room = REASON_MAX - len(empty) - len(tail)
        if room < 12:  # a long list of corrections: the headline matters more
            tail, room = tail[: max(0, REASON_MAX - len(empty) - 12 - 1)] + "…", 12
        headline = self.headline if len(self.headline) <= room else self.headline[: room - 1].rstrip() + "…"
        return (prefix + INTAKE_REASON.format(headline=headline, paragraph=self.paragraph) + tail)[:REASON_MAX]


def _checked(value: str, message: str) -> str:
    if not value or not value.strip():
        raise ValidationError(message)
    return value.strip()


@transaction.atomic
def intake_article_create(
    *,
    text: str,
    published_on: date,
    language: str,
    publisher: str,
    headline: str,
    url: str,
    byline: str = "",
    wire_agency: str = "",
    page_metadata: Mapping[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
) -> IntakeArticle:
    """Store the article (text verbatim, its paragraphs) and what intake proposes from it, all pending.
    Refuses, writing nothing, an article from which nothing is proposed."""
    proposed = propose(text, published=published_on, language=language)
    if not proposed:
        raise ValidationError(ERROR_NO_ENTRIES, code="no_entries")
    article = IntakeArticle(
        text=text,
        paragraphs=[list(p) for p in paragraphs(text)],
        publisher=publisher,
        byline=byline,
        headline=headline,
        url=url,
        published_on=published_on,
        language=language,
        wire_agency=wire_agency,
        page_metadata=dict(page_metadata or {}),
        source=Source.objects.filter(url=url).first(),
        created_by=user,
    )
    article.full_clean()
    article.save()
    match_field = {
        PLEDGE: "existing_pledge_id",
        TRADE: "existing_trade_figure_id",
        STATEMENT: "existing_statement_id",
        ENGAGEMENT: "existing_engagement_id",
    }
    rows = []
    for position, item in enumerate(proposed):
        proposal, fields = item.proposal, item.fields
        existing = proposal.existing
        rows.append(
            IntakeProposal(
                article=article,
                position=position,
                entry=proposal.entry,
                fields=fields,
                paragraph=proposal.evidence.paragraph,
                start=proposal.evidence.start,
                end=proposal.evidence.end,
                evidence=proposal.evidence.text,
                marks=item.marks,
                flags=list(proposal.flags),
                confidence=proposal.confidence,
                relation=existing.relation if existing else "",
                changes=dict(existing.changes) if existing else {},
                **({match_field[existing.entry]: existing.id} if existing else {}),
            )
        )
    IntakeProposal.objects.bulk_create(rows)
    return article


def _source(article: IntakeArticle, user: AbstractBaseUser | None) -> Source:
    """The article's ledger source: the one at its address, or created from the confirmed metadata."""
    if article.source_id is None:
        article.source = Source.objects.filter(url=article.url).first() or source_create(
            user=user,
            reason=SOURCE_REASON,
            publisher=article.publisher,
            byline=article.byline,
            headline=article.headline,
            url=article.url,
            published_on=article.published_on,
            language=article.language,
            wire_agency=article.wire_agency,
        )
        article.save(update_fields=["source"])
    return article.source


def _actor(code: str, info: dict, *, user: AbstractBaseUser | None, why: _Why) -> Actor:
    """The ledger's actor with this code; a country (ISO code) or a known organisation intake proposed
    as new is created now, on acceptance, through actor_create."""
    code = (code or "").strip().upper()
    actor = Actor.objects.filter(code=code).first()
    if actor is not None:
        return actor
    reason = why.text(prefix=NEW_ACTOR_PREFIX)
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is not None:
        name = info.get("name") if info.get("code") == code else None
        name = name or getattr(country, "common_name", None) or country.name
        return actor_create(user=user, reason=reason, code=code, name=name, kind=Actor.Kind.COUNTRY, iso3=code)
    organisation = _ORGANISATIONS.get(code)
    if organisation is not None:
        parent = Actor.objects.filter(code=organisation.get("parent") or "").first()
        return actor_create(
            user=user, reason=reason, code=code, name=organisation["name"], kind=organisation["kind"], parent=parent
        )
    raise ValidationError(ERROR_UNKNOWN_ACTOR.format(code=code or "(empty)"), code="unknown_actor")


def _package(proposal: IntakeProposal) -> Pledge | None:
    position = proposal.fields.get("package")
    if position is None:
        return None
    package = proposal.article.proposals.select_related("pledge", "existing_pledge").get(position=position)
    if package.state == IntakeProposal.State.PENDING:
        raise ValidationError(ERROR_PACKAGE_PENDING.format(paragraph=package.paragraph), code="package_pending")
    if package.state == IntakeProposal.State.REJECTED:
        return None
    return package.pledge or package.existing_pledge


def _entry_fields(proposal: IntakeProposal, values: dict, *, user: AbstractBaseUser | None, why: _Why) -> dict:
    """The entry's model fields from the reviewed values: parties as actors, goods' valuation."""
    fields = {
        name: value
        for name, value in values.items()
        if name in EDITABLE[proposal.entry] and name not in PARTIES[proposal.entry]
    }
    for role in PARTIES[proposal.entry]:
        if role in OPTIONAL_PARTIES and not values[role]:
            fields[role] = None
            continue
        fields[role] = _actor(values[role], party_info(proposal.fields, proposal.entry, role), user=user, why=why)
    for name in ("amount_qualifier", "currency"):
        if name in fields and fields.get("amount") is None:
            fields[name] = ""
    if proposal.entry == PLEDGE:
        goods = fields.get("quantity") is not None
        fields["valuation"] = ("reported" if fields["amount"] is not None else "not_stated") if goods else ""
        if not goods:
            fields["unit"] = fields["commodity"] = ""
        fields["package"] = _package(proposal)
        conversion = proposal.fields.get("conversion")
        if conversion:
            fields["description"] = (
                f"The source also states it as {conversion['amount_qualifier']} {conversion['amount']} "
                f"{conversion['currency']}."
            )
            if conversion["currency"] == "USD" and fields.get("amount") and fields.get("currency") != "USD":
                # The article's own conversion is kept as the source's, never replaced by an ECB rate.
                stated = fx.stated_conversion(
                    amount=Decimal(fields["amount"]),
                    amount_usd=Decimal(str(conversion["amount"])),
                    published=proposal.article.published_on,
                )
                fields.update(stated.field_values())
    if proposal.entry == TRADE and fields.get("year") is None:
        fields["year_inferred"] = False
    if fields.get("date") is None and "date" in fields:
        fields.update(date_precision="", date_qualifier="", year_inferred=False)
    return fields


def _person(named: dict, *, user: AbstractBaseUser | None, why: _Why) -> Person:
    """The ledger's person of this name (the one serving the named country, if several), or one created
    now through person_create, serving that country, with the role the sentence gives."""
    found = list(Person.objects.filter(name=named["name"]).select_related("actor__parent").order_by("pk"))
    country = named.get("country") or ""
    for person in found:
        if person.actor is not None and getattr(person.actor.country, "code", "") == country:
            return person
    if found:
        return found[0]
    actor = _actor(country, {}, user=user, why=why)
    return person_create(
        user=user, reason=why.text(prefix=NEW_PERSON_PREFIX), name=named["name"], role=named["role"], actor=actor
    )


def _participants(
    proposal: IntakeProposal, fields: dict, values: dict, *, user: AbstractBaseUser | None, why: _Why
) -> list:
    """The people the sentence names, as the engagement's participants (each once; those the editor left
    out are not), in the role the editor kept or corrected: acting for their own body when it belongs to
    their side, else for their country."""
    result, seen = [], set()
    for index, proposed in enumerate(proposal.fields.get("participants") or []):
        included, role = participant_names(index)
        if not values.get(included, True):
            continue
        named = {**proposed, "role": values.get(role, proposed["role"]) or ""}
        person = _person(named, user=user, why=why)
        if person.pk in seen:
            continue
        seen.add(person.pk)
        side = fields["side_a" if named["side"] == "a" else "side_b"]
        body = person.actor
        if body is None or body.country != side.country:
            body = _actor(named.get("country") or "", {}, user=user, why=why)
        result.append({"person": person, "side": named["side"], "role": named["role"], "acting_for": body})
    return result


def _cite(entry, *, source: Source, proposal: IntakeProposal, note: str, user, reason: str) -> Citation:
    """The proposal's sentence as a citation of the entry, unless the entry already cites it from this source."""
    field = CITING_FIELDS[type(entry)]
    found = Citation.objects.filter(source=source, excerpt=proposal.evidence, **{field: entry}).first()
    return found or citation_create(
        user=user,
        reason=reason,
        source=source,
        excerpt=proposal.evidence,
        paragraph=proposal.paragraph,
        note=note,
        **{field: entry},
    )


def _refined_fields(proposal: IntakeProposal) -> set[str]:
    """The fields a refinement writes to the matched entry (a date brings its precision and qualifier)."""
    names = set(proposal.changes) if proposal.relation == IntakeProposal.Relation.REFINES else set()
    return names | ({"date_precision", "date_qualifier"} if "date" in names else set())


def _refine(
    entry, proposal: IntakeProposal, values: dict, *, user, why: _Why, expected_version: int | None, cite: dict
):
    """Apply what the article adds to the entry, with its citation (unless already cited), through the
    entry's normal versioned update."""
    names = _refined_fields(proposal)
    data = {
        name: values[name]
        for name in sorted(names)
        if name in values and hasattr(entry, name) and getattr(entry, name) != values[name]
    }
    if not data:
        return
    reason = why.text(suffix=": " + ", ".join(f"{name} → {value}" for name, value in data.items()))
    cited = Citation.objects.filter(
        source=cite["source"], excerpt=cite["excerpt"], **{CITING_FIELDS[type(entry)]: entry}
    ).exists()
    edits = None if cited else CitationEdits(add=[cite])
    if isinstance(entry, Pledge):
        pledge_update(
            pledge=entry, data=data, user=user, reason=reason, expected_version=expected_version, citations=edits
        )
    elif isinstance(entry, TradeFigure):
        trade_figure_update(
            trade_figure=entry,
            data=data,
            user=user,
            reason=reason,
            expected_version=expected_version,
            citations=edits,
        )


def _deliver(pledge: Pledge, values: dict, citation: Citation, *, user, why: _Why) -> Delivery:
    """Record the delivery against the pledge; a delivery of the whole pledge marks it delivered."""
    delivery = Delivery(
        pledge=pledge,
        citation=citation,
        quantity=values.get("quantity"),
        amount=values.get("amount"),
        date=values.get("date"),
        year_inferred=bool(values.get("year_inferred")),
        **{
            name: values.get(name) or ""
            for name in ("unit", "commodity", "currency", "amount_qualifier", "date_precision", "date_qualifier")
        },
    )
    save_entry(delivery, user=user, reason=why.text())
    whole = (delivery.quantity is not None and delivery.quantity == pledge.quantity) or (
        delivery.amount is not None and delivery.amount == pledge.amount and delivery.currency == pledge.currency
    )
    if whole and pledge.status != Pledge.Status.DELIVERED:
        pledge_update(
            pledge=pledge, data={"status": Pledge.Status.DELIVERED}, user=user, reason=why.text(suffix=": delivered")
        )
    return delivery


@transaction.atomic
def intake_proposal_accept(
    *,
    proposal: IntakeProposal,
    user: AbstractBaseUser | None,
    values: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> IntakeProposal:
    """Accept the proposal, with the editor's corrections in `values` if any (then it is "corrected").
    `expected_version`: the matched entry's version the editor saw, for a refinement."""
    proposal = IntakeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != IntakeProposal.State.PENDING:
        raise ValidationError(ERROR_REVIEWED.format(state=proposal.get_state_display()), code="reviewed")
    article = proposal.article
    proposed = proposal_values(proposal.entry, proposal.fields, proposal.evidence)
    final = {**proposed, **dict(values or {})}
    corrections = changed(proposed, final)
    why = _Why(article.headline, proposal.paragraph, ", ".join(corrections))
    reason = why.text()
    source = _source(article, user)
    existing = proposal.existing
    if proposal.relation and existing is None:
        raise ValidationError(ERROR_MATCH_GONE, code="match_gone")
    if proposal.relation in (IntakeProposal.Relation.SAME, IntakeProposal.Relation.REFINES):
        unapplied = [name for name in corrections if name not in _refined_fields(proposal)]
        if unapplied:
            raise ValidationError(
                ERROR_CORRECTS_EXISTING.format(fields=", ".join(unapplied), entry=existing), code="corrects_existing"
            )
        note = "repeats this entry" if proposal.relation == "same" else "refines this entry"
        if proposal.relation == IntakeProposal.Relation.REFINES:  # the refinement and its citation: one version
            cite = {"source": source, "excerpt": proposal.evidence, "paragraph": proposal.paragraph, "note": note}
            _refine(existing, proposal, final, user=user, why=why, expected_version=expected_version, cite=cite)
        proposal.citation = _cite(existing, source=source, proposal=proposal, note=note, user=user, reason=reason)
        setattr(proposal, CITING_FIELDS[type(existing)], existing)
    elif proposal.relation == IntakeProposal.Relation.DELIVERS:
        note = "reports a delivery against this pledge (not counted again)"
        proposal.citation = _cite(existing, source=source, proposal=proposal, note=note, user=user, reason=reason)
        proposal.delivery = _deliver(existing, final, proposal.citation, user=user, why=why)
        proposal.pledge = existing
    else:
        create = {
            PLEDGE: pledge_create,
            TRADE: trade_figure_create,
            STATEMENT: statement_create,
            ENGAGEMENT: engagement_create,
        }[proposal.entry]
        citation = {"source": source, "excerpt": proposal.evidence, "paragraph": proposal.paragraph}
        fields = _entry_fields(proposal, final, user=user, why=why)
        if proposal.entry == ENGAGEMENT:
            fields["participants"] = _participants(proposal, fields, final, user=user, why=why)
        entry = create(citations=[citation], user=user, reason=reason, **fields)
        setattr(proposal, CITING_FIELDS[type(entry)], entry)
        proposal.citation = entry.citations.order_by("-id").first()
    proposal.state = IntakeProposal.State.CORRECTED if corrections else IntakeProposal.State.ACCEPTED
    proposal.accepted_fields = as_json(final)
    proposal.reviewed_by, proposal.reviewed_at = user, timezone.now()
    proposal.save()
    return proposal


def intake_proposal_correct(
    *,
    proposal: IntakeProposal,
    user: AbstractBaseUser | None,
    values: Mapping[str, Any],
    expected_version: int | None = None,
) -> IntakeProposal:
    """Accept the proposal with the editor's corrections; refuses when nothing was corrected."""
    proposed = proposal_values(proposal.entry, proposal.fields, proposal.evidence)
    if not changed(proposed, {**proposed, **values}):
        raise ValidationError(ERROR_NOTHING_CORRECTED, code="nothing_corrected")
    return intake_proposal_accept(proposal=proposal, user=user, values=values, expected_version=expected_version)


@transaction.atomic
def intake_proposal_reject(*, proposal: IntakeProposal, reason: str, user: AbstractBaseUser | None) -> IntakeProposal:
    """Reject the proposal, keeping the reason; nothing enters the ledger."""
    reason = _checked(reason, ERROR_NO_REJECT_REASON)
    proposal = IntakeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != IntakeProposal.State.PENDING:
        raise ValidationError(ERROR_REVIEWED.format(state=proposal.get_state_display()), code="reviewed")
    proposal.state, proposal.reason = IntakeProposal.State.REJECTED, reason
    proposal.reviewed_by, proposal.reviewed_at = user, timezone.now()
    proposal.save()
    return proposal
