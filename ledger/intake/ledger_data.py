"""The ledger as the plain data intake reads: actors, people and existing entries as dicts. Read-only."""

from ledger.models import Actor, Person, Pledge, Statement, TradeFigure

_MONEY = ("amount", "currency", "amount_qualifier")


def actors() -> list[dict]:
    return [
        {"code": code, "name": name, "kind": kind, "iso3": iso3, "parent": parent or ""}
        for code, name, kind, iso3, parent in Actor.objects.values_list("code", "name", "kind", "iso3", "parent__code")
    ]


def people() -> list[dict]:
    return [{"name": name, "actor": actor or ""} for name, actor in Person.objects.values_list("name", "actor__code")]


def entries() -> list[dict]:
    """Every pledge, trade figure and statement, in the matcher's shape (matching.py)."""
    found = []
    for row in Pledge.objects.values(
        "id", "donor__code", "recipient__code", "kind", "status", *_MONEY, "quantity", "unit", "commodity",
        "date", "date_precision", "date_qualifier", "year_inferred",
    ):  # fmt: skip
        row["donor"], row["recipient"] = row.pop("donor__code"), row.pop("recipient__code")
        found.append({"entry": "pledge", **row})
    for row in TradeFigure.objects.values(
        "id", "reporter__code", "partner__code", "flow", *_MONEY, "year", "year_inferred", "rank"
    ):
        row["donor"], row["recipient"], row["kind"] = (
            row.pop("reporter__code"),
            row.pop("partner__code"),
            row.pop("flow"),
        )
        found.append({"entry": "trade", **row})
    for row in Statement.objects.values(
        "id", "speaker__code", "subject__code", "kind", "date", "date_precision", "date_qualifier", "year_inferred"
    ):
        row["donor"], row["recipient"] = row.pop("speaker__code"), row.pop("subject__code")
        found.append({"entry": "statement", **row})
    return found
