"""Compare proposals with the ledger's existing entries: **same** (accepting adds a citation, nothing is
counted twice), **refines** (the article adds what the entry lacks: a stated year, a finer date, a
figure, a more exact amount) or **delivers** (a delivery against a pledge). A pure function over plain
dicts, so the admin, the command and the gold set use the same rule.

An existing entry is a dict: entry ("pledge", "trade", "statement"), id, donor and recipient codes (the
reporter and partner of a trade figure, the speaker and subject of a statement), kind (a trade figure's
flow), status, amount (Decimal or None), currency, amount_qualifier, quantity, unit, commodity, date,
date_precision, date_qualifier, year_inferred, year, rank."""

from datetime import date
from decimal import Decimal

from ledger.intake.types import PLEDGE, STATEMENT, TRADE, Match, Proposal

_TOLERANCE = Decimal("0.1")  # an approximate amount is compatible with one within 10 %


def _period(value: date | None, precision: str) -> tuple[date, date] | None:
    if value is None:
        return None
    if precision == "year":
        return date(value.year, 1, 1), date(value.year, 12, 31)
    if precision == "month":
        nxt = date(value.year + (value.month == 12), value.month % 12 + 1, 1)
        return value, date.fromordinal(nxt.toordinal() - 1)
    return value, value


def _dates_compatible(proposal: Proposal, entry: dict) -> bool:
    mine = _period(proposal.date.date, proposal.date.precision) if proposal.date else None
    theirs = _period(entry.get("date"), entry.get("date_precision", ""))
    return mine is None or theirs is None or (mine[0] <= theirs[1] and theirs[0] <= mine[1])


def _amounts_compatible(amount, currency, qualifier, entry: dict) -> bool:
    other = entry.get("amount")
    if amount is None or other is None:
        return True
    if currency != entry.get("currency"):
        return False
    if amount == other:
        return True
    if "approximately" in (qualifier, entry.get("amount_qualifier")):
        return abs(amount - other) <= _TOLERANCE * max(amount, other)
    return False


_PRECISION_RANK = {"year": 1, "month": 2, "day": 3}


def _refinements(proposal: Proposal, entry: dict) -> list[tuple[str, str]]:
    changes = []
    if (
        proposal.amount is not None
        and entry.get("amount") is None
        or (
            proposal.amount is not None
            and entry.get("amount_qualifier") == "approximately"
            and proposal.amount_qualifier == "exact"
            and proposal.amount != entry.get("amount")
        )
    ):
        changes.append(("amount", str(proposal.amount)))
    if proposal.date is not None:
        if entry.get("date") is None or _PRECISION_RANK.get(proposal.date.precision, 0) > _PRECISION_RANK.get(
            entry.get("date_precision"), 0
        ):
            changes.append(("date", proposal.date.date.isoformat()))
        if entry.get("year_inferred") and not proposal.date.year_inferred and entry.get("date") is not None:
            changes.append(("year_inferred", "False"))
    if proposal.entry == TRADE:
        if proposal.year is not None and entry.get("year") is None:
            changes.append(("year", str(proposal.year)))
        if proposal.rank is not None and entry.get("rank") is None:
            changes.append(("rank", str(proposal.rank)))
    return changes


def _pledge_relation(proposal: Proposal, entry: dict) -> tuple[str, int] | None:
    """(relation, score) if the pledge proposal matches the entry, else None."""
    if not _dates_compatible(proposal, entry) and proposal.status != "delivered":
        return None
    goods = proposal.quantity is not None
    if goods:
        if entry.get("quantity") is None or (proposal.unit, proposal.commodity) != (
            entry.get("unit"),
            entry.get("commodity"),
        ):
            return None
        if proposal.quantity == entry["quantity"] and _dates_compatible(proposal, entry):
            if proposal.status == "delivered" and entry.get("status") != "delivered":
                return "delivers", 3
            return ("refines" if _refinements(proposal, entry) else "same"), 4
        if proposal.quantity < entry["quantity"] and proposal.status == "delivered":
            return "delivers", 3
        return None
    if proposal.amount is None:
        if proposal.kind == entry.get("kind") and entry.get("amount") is None and entry.get("quantity") is None:
            return ("refines" if _refinements(proposal, entry) else "same"), 2
        return None
    if entry.get("amount") is None or not _amounts_compatible(
        proposal.amount, proposal.currency, proposal.amount_qualifier, entry
    ):
        return None
    if proposal.status == "delivered" and entry.get("status") not in ("delivered", "disbursed"):
        return "delivers", 3
    if not _dates_compatible(proposal, entry):
        return None
    return ("refines" if _refinements(proposal, entry) else "same"), 4 + (proposal.kind == entry.get("kind"))


def _trade_relation(proposal: Proposal, entry: dict) -> tuple[str, int] | None:
    if proposal.kind != entry.get("kind"):
        return None
    if proposal.year is not None and entry.get("year") is not None and proposal.year != entry["year"]:
        return None
    if not _amounts_compatible(proposal.amount, proposal.currency, proposal.amount_qualifier, entry):
        return None
    score = (
        1
        + (proposal.amount is not None and proposal.amount == entry.get("amount"))
        + (proposal.rank == entry.get("rank"))
    )
    return ("refines" if _refinements(proposal, entry) else "same"), score


def _statement_relation(proposal: Proposal, entry: dict) -> tuple[str, int] | None:
    if proposal.kind != entry.get("kind") or not _dates_compatible(proposal, entry):
        return None
    return "same", 1


_RELATIONS = {PLEDGE: _pledge_relation, TRADE: _trade_relation, STATEMENT: _statement_relation}


def match_one(proposal: Proposal, existing: list[dict]) -> Match | None:
    best, best_score = None, 0
    for entry in existing:
        if entry.get("entry") != proposal.entry or proposal.donor is None or proposal.recipient is None:
            continue
        if (entry.get("donor"), entry.get("recipient")) != (proposal.donor.code, proposal.recipient.code):
            continue
        found = _RELATIONS[proposal.entry](proposal, entry)
        if found and found[1] > best_score:
            relation, best_score = found
            changes = tuple(_refinements(proposal, entry)) if relation == "refines" else ()
            best = Match(proposal.entry, entry["id"], relation, changes)
    return best


def match(proposals: list[Proposal], existing: list[dict]) -> list[Proposal]:
    """Set each proposal's `existing` to its best match among the entries (or None); returns the list."""
    for proposal in proposals:
        proposal.existing = match_one(proposal, existing)
    return proposals
