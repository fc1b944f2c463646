"""`{% actor_timeline actor %}`: an actor page's short timeline section (its country's latest entries),
read through ledger/timeline.py's actor_timeline."""

from django import template

from ledger.models import Actor
from ledger.timeline import actor_timeline

register = template.Library()


@register.inclusion_tag("ledger/_actor_timeline.html")
def actor_timeline_section(actor: Actor) -> dict:
    country = actor.country or actor
    return {"actor": actor, "country": country, "timeline": actor_timeline(actor=actor)}
