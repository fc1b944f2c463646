"""A stored proposal as the flat values an editor reviews and may correct before accepting (parties as
actor codes, amounts as Decimals, dates as dates), and back to JSON for the record of what was written."""

from datetime import date
from decimal import Decimal

from ledger.intake.types import ENGAGEMENT, PLEDGE, STATEMENT, TRADE

DATED = ("date", "date_precision", "date_qualifier", "year_inferred")
MONEY = ("amount", "currency", "amount_qualifier")
EDITABLE = {
    PLEDGE: ("donor", "recipient", "kind", "status", *MONEY, "quantity", "unit", "commodity", *DATED),
    TRADE: ("reporter", "partner", "flow", *MONEY, "year", "year_inferred", "rank", "rank_statement", "relationship"),
    STATEMENT: ("speaker", "subject", "kind", "summary", *DATED),
    ENGAGEMENT: ("side_a", "side_b", "kind", "place_country", "place_city", *DATED),
}
PARTIES = {
    PLEDGE: ("donor", "recipient"),
    TRADE: ("reporter", "partner"),
    STATEMENT: ("speaker", "subject"),
    ENGAGEMENT: ("side_a", "side_b", "place_country"),
}
OPTIONAL_PARTIES = ("place_country",)  # empty for a call, or when the source does not say where
# A statement's parties are printed as donor and recipient, an engagement's place as place (the command's contract).
_STORED_AS = {"speaker": "donor", "subject": "recipient", "place_country": "place"}
_DECIMALS = ("amount", "quantity")


def participant_names(index: int) -> tuple[str, str]:
    """The values that keep (or leave out) an engagement's index-th proposed participant, and give its role."""
    return f"participant_{index}_included", f"participant_{index}_role"


def proposal_values(entry: str, fields: dict, evidence: str) -> dict:
    """The editable values of a proposal as stored (`fields`: the command's JSON); an engagement's
    proposed participants each add whether they are kept and their role."""
    values = {}
    for name in EDITABLE[entry]:
        stored = fields.get(_STORED_AS.get(name, name))
        if name in PARTIES[entry]:
            values[name] = (stored or {}).get("code", "")
        elif name in _DECIMALS:
            values[name] = None if stored in (None, "") else Decimal(stored)
        elif name == "date":
            values[name] = date.fromisoformat(stored) if stored else None
        elif name == "summary":
            values[name] = evidence
        elif name in ("year", "rank"):
            values[name] = stored
        elif name == "year_inferred":
            values[name] = bool(stored)
        else:
            values[name] = stored or ""
    if entry == ENGAGEMENT:
        for index, named in enumerate(fields.get("participants") or []):
            included, role = participant_names(index)
            values[included], values[role] = True, named["role"]
    return values


def party_info(fields: dict, entry: str, role: str) -> dict:
    """What the proposal knows of a party (code, name, kind, new), for creating a new actor."""
    return fields.get(_STORED_AS.get(role, role)) or {}


def as_json(values: dict) -> dict:
    """Values as JSON: Decimals as exact strings, dates ISO."""
    result = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        elif isinstance(value, date):
            value = value.isoformat()
        result[name] = value
    return result


def changed(proposed: dict, final: dict) -> list[str]:
    """The fields the editor corrected."""
    return [name for name in proposed if _same_value(proposed[name]) != _same_value(final.get(name))]


def _same_value(value):
    if isinstance(value, Decimal):
        return value.normalize()
    return None if value == "" else value
