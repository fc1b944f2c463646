"""Reads for the actor page's lists: how many pledges an actor made or received (so a list of the
latest 50 says "showing 50 of 4,220"), and the breakdown of those pledges by partner and by year,
summed as the overview sums (packages through their parts, USD only where the ledger has it)."""

from dataclasses import dataclass

import pandas as pd

from ledger import cache as ledger_cache
from ledger import selectors, summary_reads
from ledger.models import Actor

BREAKDOWN_ROWS = 10  # partners listed one by one; the rest are summed in one row


@dataclass(frozen=True)
class ActorBreakdown:
    """entries: every pledge of the actor in that role (packages and parts both, as the table lists
    them); by_partner: actor_code, actor_name + TOTAL_COLUMNS, largest first; by_year: year (None when
    undated) + TOTAL_COLUMNS, latest first."""

    entries: int
    by_partner: pd.DataFrame
    by_year: pd.DataFrame


ROLES = {"donor": "recipient", "recipient": "donor"}  # the actor's side -> the partner's side


def actor_breakdown(*, actor: Actor, role: str) -> ActorBreakdown:
    """The pledges `actor` made (role "donor") or received (role "recipient"), counted and broken
    down; cached until the next write, like the page's totals. Computed for both roles at once from the
    maintained totals: three queries (one per role, the partners' names)."""
    return ledger_cache.cached("actor-breakdowns", actor.pk, lambda: _breakdowns(actor))[role]


def _breakdowns(actor: Actor) -> dict[str, ActorBreakdown]:
    """Read from the maintained totals (ledger/summary_reads.py), so the cost depends on the actor's
    partners and years, not on how many pledges it has: one query per role, and the partners' names."""
    rows = {role: summary_reads.actor_breakdown_rows(actor.pk, role) for role in ROLES}
    ids = {pk for role, partner in ROLES.items() for pk in rows[role][1][f"{partner}_id"]}
    actors = {a["id"]: a for a in Actor.objects.filter(pk__in=ids).values("id", "code", "name")} if ids else {}
    return {
        role: ActorBreakdown(
            entries=rows[role][0],
            by_partner=selectors._actor_totals(rows[role][1], f"{partner}_id", actors),
            by_year=_by_year(rows[role][2]),
        )
        for role, partner in ROLES.items()
    }


def _by_year(frame: pd.DataFrame) -> pd.DataFrame:
    by_year = selectors._group_totals(frame, ["year"])
    if not by_year.empty:
        years = [selectors._year(y) for y in by_year["year"]]
        by_year["year"] = pd.Series(years, index=by_year.index, dtype=object)
        by_year["_sort"] = [-y if y is not None else 1 for y in years]  # latest first, undated last
        by_year = by_year.sort_values("_sort", kind="stable").drop(columns="_sort").reset_index(drop=True)
    return by_year
