"""{% actor_pledge_list actor "donor" rows %}: an actor page's list of pledges with its count line
("showing 50 of 4,220"), the link to all of them in the pledges table, and their breakdown by partner
and by year."""

from django import template
from django.http import QueryDict

from ledger.models import Actor
from ledger.selectors_actor import BREAKDOWN_ROWS, ROLES, actor_breakdown
from ledger.views.overview import top_rows

register = template.Library()

PARTNER_LABELS = {"donor": "Recipient", "recipient": "Donor"}


@register.inclusion_tag("ledger/_actor_pledges.html")
def actor_pledge_list(actor: Actor, role: str, rows: list) -> dict:
    breakdown = actor_breakdown(actor=actor, role=role)
    by_partner, other_partners = top_rows(breakdown.by_partner, BREAKDOWN_ROWS)
    query = QueryDict(mutable=True)
    query[role] = actor.code
    return {
        "actor": actor,
        "role": role,
        "rows": rows,
        "other_label": "To" if role == "donor" else "From",
        "shown": len(rows),
        "entries": breakdown.entries,
        "table_query": query.urlencode(),
        "partner_role": ROLES[role],
        "partner_label": PARTNER_LABELS[role],
        "partner_caption": f"By {PARTNER_LABELS[role].lower()}",
        "by_partner": by_partner,
        "other_partners": other_partners,
        "by_year": breakdown.by_year.to_dict("records"),
    }
