"""The pledges as IATI 2.03 activity XML: one `iati-activity` per pledge, the ledger reporting as a
secondary reporter. A package is a parent activity (hierarchy 1) and its parts are children
(hierarchy 2), linked both ways by `related-activity`. A package with parts carries no transaction of
its own, so a reader summing transactions counts it through its parts, never twice (the ledger's
"counted in totals" rule).

Mapping of the ledger's fields (codes are from the 2.03 codelists; tests check them):
- status → transaction type: announced, pledged → 12 Outgoing Pledge; committed → 2 Outgoing
  Commitment; disbursed, delivered → 3 Disbursement. Cancelled → activity-status 5 and no transaction.
  Activity status otherwise: announced, pledged → 1; committed → 2; disbursed, delivered → 3.
- kind → default-finance-type: grant → 110 Standard grant; loan → 421 Standard loan (410 was withdrawn in 2015).
- in-kind goods → disbursement-channel 4 (aid in kind, donors manage it) on the transaction, and the
  goods in words in a description of type 4 (IATI has no field for a quantity).
- each citation → a `document-link` of category A12, with its headline, excerpt and source date.
- what IATI has no field for (amount qualifier, USD value and rate, date precision and qualifier,
  year inferred, quantity, unit, publisher, paragraph) → attributes and elements of LEDGER_NS, as the
  schema allows ("extended with additional elements and attributes in an explicit namespace").

Trade figures and statements are never exported as IATI: `iati_activities` takes pledges only.
An amount the sources do not state gives no transaction: IATI values are numbers, and an unknown
amount is never written as 0."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

import pycountry
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from ledger.models import Actor, Citation, Pledge

IATI_VERSION = "2.03"
LEDGER_NS = "urn:x-aid-ledger:iati-extension:1"
NSMAP = {"ledger": LEDGER_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The ledger has no IATI organisation identifier of its own; a deployment that registers one sets it.
REPORTING_ORG_REF = getattr(settings, "IATI_REPORTING_ORG_REF", "AIDLEDGER")
REPORTING_ORG_NAME = getattr(settings, "IATI_REPORTING_ORG_NAME", "Aid Ledger (compiled from news reports)")
REPORTING_ORG_TYPE = "90"  # OrganisationType: Other

S = Pledge.Status
TRANSACTION_TYPE = {
    S.ANNOUNCED: "12",
    S.PLEDGED: "12",
    S.COMMITTED: "2",
    S.DISBURSED: "3",
    S.DELIVERED: "3",
}
ACTIVITY_STATUS = {
    S.ANNOUNCED: "1",
    S.PLEDGED: "1",
    S.COMMITTED: "2",
    S.DISBURSED: "3",
    S.DELIVERED: "3",
    S.CANCELLED: "5",
}
# ActivityDateType: 1 planned start (not yet committed), 2 actual start.
ACTIVITY_DATE_TYPE = {S.ANNOUNCED: "1", S.PLEDGED: "1", S.CANCELLED: "1"}
FINANCE_TYPE = {Pledge.Kind.GRANT: "110", Pledge.Kind.LOAN: "421"}  # Standard grant, Standard loan
IN_KIND_DISBURSEMENT_CHANNEL = "4"
ORGANISATION_TYPE = {
    Actor.Kind.COUNTRY: "10",
    Actor.Kind.GOVERNMENT_BODY: "10",
    Actor.Kind.PARTY_ORGAN: "90",
    Actor.Kind.INTERNATIONAL_ORGANISATION: "40",
}
ROLE_FUNDING, ROLE_ACCOUNTABLE = "1", "2"
RELATED_PARENT, RELATED_CHILD = "1", "2"
DOCUMENT_CATEGORY = "A12"  # Activity web page: the nearest fit for a news article
DOCUMENT_FORMAT = "text/html"
DESCRIPTION_GENERAL, DESCRIPTION_OTHER = "1", "4"
CHUNK_BYTES = 64 * 1024


# Where each column of the pledges table goes in the XML (the data dictionary shows it). Paths are from
# `iati-activity`; `ledger:` marks the ledger's own namespace, for what IATI has no field for.
ELEMENTS = {
    "id": "iati-identifier",
    "donor": "participating-org[@role=1]/narrative",
    "recipient": "participating-org[@role=2]/narrative",
    "donor_code": "participating-org[@role=1], transaction/provider-org (@ledger:code)",
    "recipient_code": "participating-org[@role=2], transaction/receiver-org (@ledger:code); "
    "recipient-country/@code (ISO 3166-1 alpha-2)",
    "kind": "default-finance-type/@code (grant 110, loan 421); @ledger:kind",
    "status": "transaction/transaction-type/@code, activity-status/@code; @ledger:status",
    "amount": "transaction/value",
    "currency": "transaction/value/@currency",
    "amount_qualifier": "transaction/value/@ledger:qualifier",
    "amount_usd": "transaction/value/@ledger:amount-usd",
    "usd_rate": "transaction/value/@ledger:usd-rate",
    "usd_rate_date": "transaction/value/@value-date, @ledger:usd-rate-date",
    "usd_rate_source": "transaction/value/@ledger:usd-rate-source",
    "usd_rate_basis": "transaction/value/@ledger:usd-rate-basis",
    "usd_missing_reason": "transaction/value/@ledger:usd-missing-reason",
    "quantity": "description[@type=4]; ledger:goods/@quantity",
    "unit": "ledger:goods/@unit",
    "commodity": "description[@type=4]; ledger:goods/@commodity",
    "valuation": "ledger:goods/@valuation",
    "valuation_method": "ledger:goods/@valuation-method",
    "date": "activity-date/@iso-date, transaction/transaction-date/@iso-date",
    "date_precision": "activity-date/@ledger:date-precision",
    "date_qualifier": "activity-date/@ledger:date-qualifier",
    "year_inferred": "activity-date/@ledger:year-inferred",
    "package": "related-activity[@type=1]/@ref (its parts: related-activity[@type=2])",
    "counted_in_totals": "@ledger:counted-in-totals",
    "description": "description[@type=1]",
    "sources": "document-link/@url (one per citation)",
    "paragraphs": "document-link/@ledger:paragraph",
    "excerpts": "document-link/description/narrative",
    "citation_notes": "document-link/@ledger:note",
    "updated_at": "@last-updated-datetime",
}


def _ledger(name: str) -> str:
    return f"{{{LEDGER_NS}}}{name}"


def _narrative(parent: etree._Element, tag: str, text: str, *, lang: str = "", **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    narrative = etree.SubElement(element, "narrative")
    narrative.text = text
    if lang and lang != "en":
        narrative.set(XML_LANG, lang)
    return element


def _decimal(value) -> str:
    return format(value, "f")


def _date_attrs(pledge: Pledge, date_source: str) -> dict[str, str]:
    attrs = {_ledger("date-source"): date_source}
    if date_source == "entry":
        attrs[_ledger("date-precision")] = pledge.date_precision
        if pledge.date_qualifier:
            attrs[_ledger("date-qualifier")] = pledge.date_qualifier
        attrs[_ledger("year-inferred")] = "true" if pledge.year_inferred else "false"
    return attrs


def activity_identifier(pledge_id: int) -> str:
    return f"{REPORTING_ORG_REF}-pledge-{pledge_id}"


def country_alpha2(actor: Actor) -> str:
    country = actor.country
    if country is None or not country.iso3:
        return ""
    found = pycountry.countries.get(alpha_3=country.iso3)
    return found.alpha_2 if found is not None else ""


def _org(parent: etree._Element, tag: str, actor: Actor, **attrs: str) -> None:
    element = _narrative(parent, tag, actor.name, type=ORGANISATION_TYPE[actor.kind], **attrs)
    element.set(_ledger("code"), actor.code)


def _activity_date(pledge: Pledge, citations: list[Citation]) -> tuple[datetime.date | None, str]:
    """The entry's date, or failing that its first source's publication date."""
    if pledge.date is not None:
        return pledge.date, "entry"
    published = [c.source.published_on for c in citations]
    return (min(published), "publication") if published else (None, "")


def activity_element(pledge: Pledge) -> etree._Element:
    """One pledge as an `iati-activity`, its children in the order the 2.03 schema requires."""
    citations = list(pledge.citations.all())
    has_parts = bool(pledge.parts.all())
    activity = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": pledge.updated_at.isoformat(),
            XML_LANG: "en",
            "hierarchy": "2" if pledge.package_id else "1",
            _ledger("kind"): pledge.kind,
            _ledger("status"): pledge.status,
            _ledger("path"): pledge.get_absolute_url(),
            _ledger("counted-in-totals"): "false" if has_parts else "true",
        },
        nsmap=NSMAP,
    )
    etree.SubElement(activity, "iati-identifier").text = activity_identifier(pledge.pk)
    _narrative(activity, "reporting-org", REPORTING_ORG_NAME, ref=REPORTING_ORG_REF, type=REPORTING_ORG_TYPE).set(
        "secondary-reporter", "1"
    )
    _narrative(activity, "title", f"{pledge.get_kind_display()}: {pledge.donor.name} to {pledge.recipient.name}")
    _narrative(activity, "description", pledge.description or pledge.value_display, type=DESCRIPTION_GENERAL)
    if pledge.quantity is not None:
        _narrative(activity, "description", f"In kind: {pledge.goods_display}", type=DESCRIPTION_OTHER)
    _org(activity, "participating-org", pledge.donor, role=ROLE_FUNDING)
    _org(activity, "participating-org", pledge.recipient, role=ROLE_ACCOUNTABLE)
    etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS[pledge.status])
    day, date_source = _activity_date(pledge, citations)
    if day is not None:
        etree.SubElement(
            activity,
            "activity-date",
            {"type": ACTIVITY_DATE_TYPE.get(pledge.status, "2"), "iso-date": day.isoformat()},
        ).attrib.update(_date_attrs(pledge, date_source))
    alpha2 = country_alpha2(pledge.recipient)
    if alpha2:
        etree.SubElement(activity, "recipient-country", code=alpha2, percentage="100")
    if pledge.kind in FINANCE_TYPE:
        etree.SubElement(activity, "default-finance-type", code=FINANCE_TYPE[pledge.kind])
    with_transaction = pledge.amount is not None and pledge.status in TRANSACTION_TYPE and not has_parts
    if with_transaction and day is not None:
        _transaction(activity, pledge, day, date_source)
    for citation in citations:
        _document_link(activity, citation)
    if pledge.package_id:
        etree.SubElement(activity, "related-activity", ref=activity_identifier(pledge.package_id), type=RELATED_PARENT)
    for part in pledge.parts.all():
        etree.SubElement(activity, "related-activity", ref=activity_identifier(part.pk), type=RELATED_CHILD)
    if pledge.amount is not None and not (with_transaction and day is not None):
        # Cancelled, or a package counted through its parts: the stated amount, outside IATI's sums.
        etree.SubElement(activity, _ledger("amount"), _money_attrs(pledge)).text = _decimal(pledge.amount)
    if pledge.quantity is not None:
        etree.SubElement(
            activity,
            _ledger("goods"),
            {
                "quantity": _decimal(pledge.quantity),
                "unit": pledge.unit,
                "commodity": pledge.commodity,
                "valuation": pledge.valuation,
                **({"valuation-method": pledge.valuation_method} if pledge.valuation_method else {}),
            },
        )
    return activity


def _money_attrs(pledge: Pledge) -> dict[str, str]:
    attrs = {"currency": pledge.currency, "qualifier": pledge.amount_qualifier}
    if pledge.amount_usd is not None:
        attrs["amount-usd"] = _decimal(pledge.amount_usd)
    if pledge.usd_rate is not None:
        attrs["usd-rate"] = _decimal(pledge.usd_rate)
    if pledge.usd_rate_date is not None:
        attrs["usd-rate-date"] = pledge.usd_rate_date.isoformat()
    if pledge.usd_rate_source:
        attrs["usd-rate-source"] = pledge.usd_rate_source
    if pledge.usd_rate_basis:
        attrs["usd-rate-basis"] = pledge.usd_rate_basis
    if pledge.usd_missing_reason:
        attrs["usd-missing-reason"] = pledge.usd_missing_reason
    return attrs


def _transaction(activity: etree._Element, pledge: Pledge, day: datetime.date, date_source: str) -> None:
    transaction = etree.SubElement(activity, "transaction")
    etree.SubElement(transaction, "transaction-type", code=TRANSACTION_TYPE[pledge.status])
    etree.SubElement(transaction, "transaction-date", {"iso-date": day.isoformat()}).attrib.update(
        _date_attrs(pledge, date_source)
    )
    value_date = pledge.usd_rate_date or day
    value = etree.SubElement(transaction, "value", {"currency": pledge.currency, "value-date": value_date.isoformat()})
    value.text = _decimal(pledge.amount)
    value.attrib.update({_ledger(k): v for k, v in _money_attrs(pledge).items() if k != "currency"})
    _narrative(transaction, "description", pledge.value_display)
    _org(transaction, "provider-org", pledge.donor)
    _org(transaction, "receiver-org", pledge.recipient)
    if pledge.kind == Pledge.Kind.IN_KIND or pledge.quantity is not None:
        etree.SubElement(transaction, "disbursement-channel", code=IN_KIND_DISBURSEMENT_CHANNEL)


def _document_link(activity: etree._Element, citation: Citation) -> None:
    source = citation.source
    attrs = {"url": source.url, "format": DOCUMENT_FORMAT, _ledger("publisher"): source.publisher}
    if citation.paragraph is not None:
        attrs[_ledger("paragraph")] = str(citation.paragraph)
    if citation.note:
        attrs[_ledger("note")] = citation.note
    if source.wire_agency:
        attrs[_ledger("wire-agency")] = source.wire_agency
    link = etree.SubElement(activity, "document-link", attrs)
    _narrative(link, "title", source.headline, lang=source.language)
    _narrative(link, "description", citation.excerpt, lang=source.language)
    etree.SubElement(link, "category", code=DOCUMENT_CATEGORY)
    if len(source.language) == 2:
        etree.SubElement(link, "language", code=source.language.lower())
    etree.SubElement(link, "document-date", {"iso-date": source.published_on.isoformat()})


def pledges_for_iati(pledges: QuerySet) -> QuerySet:
    """The pledges with everything an activity shows, in a fixed order, in a handful of queries."""
    if pledges.model is not Pledge:
        raise TypeError("Only pledges are exported as IATI activities; trade figures and statements never are.")
    return (
        pledges.select_related("donor__parent__parent", "recipient__parent__parent")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
            Prefetch("parts", queryset=Pledge.objects.only("pk", "package_id").order_by("pk")),
        )
        .order_by("pk")
    )


def iati_activities(pledges: QuerySet, *, generated: datetime.datetime | None = None) -> Iterator[bytes]:
    """The IATI 2.03 document for `pledges`, as a stream of UTF-8 chunks (for a StreamingHttpResponse).
    No pledges give an `iati-activities` element with no activity (see tests for what the XSD says)."""
    buffer = io.BytesIO()
    generated = generated or timezone.now()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        root_attrs = {"version": IATI_VERSION, "generated-datetime": generated.isoformat(timespec="seconds")}
        with xf.element("iati-activities", root_attrs, nsmap=NSMAP):
            xf.write("\n")
            for pledge in pledges_for_iati(pledges).iterator(chunk_size=500):
                xf.write(activity_element(pledge), pretty_print=True)
                if buffer.tell() >= CHUNK_BYTES:
                    xf.flush()
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
    yield buffer.getvalue()


def iati_document(pledges: QuerySet, **kwargs) -> bytes:
    """The whole document at once (tests, the export command)."""
    return b"".join(iati_activities(pledges, **kwargs))
