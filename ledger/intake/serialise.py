"""Proposals as the command prints them: the export's column names where one exists, parties as
{"code", "name", "new"}, amounts as exact decimal strings, dates ISO (the first day of the period)."""

from decimal import Decimal

from ledger.intake.types import ENGAGEMENT, PLEDGE, STATEMENT, TRADE, Money, Proposal


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _money(money: Money | None) -> dict | None:
    if money is None:
        return None
    return {"amount": _decimal(money.amount), "currency": money.currency, "amount_qualifier": money.qualifier}


def _party(party) -> dict | None:
    return party.as_dict() if party is not None else None


def proposal_dict(proposal: Proposal) -> dict:
    p = proposal
    data: dict = {"entry": p.entry}
    date = p.date
    date_fields = {
        "date": date.date.isoformat() if date else None,
        "date_precision": date.precision if date else "",
        "date_qualifier": date.qualifier if date else "",
        "year_inferred": bool(date and date.year_inferred),
    }
    if p.entry == PLEDGE:
        data.update(donor=_party(p.donor), recipient=_party(p.recipient), kind=p.kind, status=p.status)
        data.update(amount=_decimal(p.amount), currency=p.currency, amount_qualifier=p.amount_qualifier)
        data.update(quantity=_decimal(p.quantity), unit=p.unit, commodity=p.commodity)
        data["valuation"] = ("reported" if p.amount is not None else "not_stated") if p.quantity is not None else ""
        data.update(date_fields)
        data.update(conversion=_money(p.conversion), package=p.package)
    elif p.entry == TRADE:
        data.update(reporter=_party(p.donor), partner=_party(p.recipient), flow=p.kind)
        data.update(amount=_decimal(p.amount), currency=p.currency, amount_qualifier=p.amount_qualifier)
        data.update(year=p.year, year_inferred=bool(p.year is not None and date and date.year_inferred))
        data.update(rank=p.rank, rank_statement=p.rank_statement, relationship=p.relationship)
    elif p.entry == STATEMENT:
        data.update(donor=_party(p.donor), recipient=_party(p.recipient), kind=p.kind)
        data.update(date_fields)
    elif p.entry == ENGAGEMENT:
        from ledger.intake.engagements import proposal_fields

        data.update(proposal_fields(p), **date_fields)
    data["evidence"] = p.evidence.as_dict()
    data["marks"] = {name: [list(span) for span in spans] for name, spans in p.spans.items()}
    data["existing"] = p.existing.as_dict() if p.existing else None
    if p.existing and p.existing.changes:
        data["existing"]["changes"] = dict(p.existing.changes)
    data["flags"] = list(p.flags)
    data["confidence"] = p.confidence
    return data


def proposal_line(index: int, data: dict) -> str:
    """One proposal as a line of text for the command's text format."""
    evidence = data["evidence"]
    if data["entry"] == TRADE:
        parties = f"{(data['reporter'] or {}).get('code', '?')} – {(data['partner'] or {}).get('code', '?')}"
        what = data["flow"]
        if data["rank_statement"]:
            what += f" ({data['rank_statement']})"
        if data["year"]:
            what += f", {data['year']}"
    elif data["entry"] == ENGAGEMENT:
        parties = f"{(data['side_a'] or {}).get('code', '?')} – {(data['side_b'] or {}).get('code', '?')}"
        what = data["kind"] + "".join(f"; {p['name']} ({p['side']})" for p in data["participants"])
    else:
        parties = f"{(data['donor'] or {}).get('code', '?')} → {(data['recipient'] or {}).get('code', '?')}"
        what = data["kind"] + (f", {data['status']}" if data.get("status") else "")
        if data.get("date"):
            what += f", {data['date']} ({data['date_precision']}{' ' + data['date_qualifier'] if data['date_qualifier'] else ''})"
    figures = []
    if data.get("amount"):
        figures.append(f"{data['amount_qualifier']} {data['amount']} {data['currency']}")
    if data.get("quantity"):
        figures.append(f"{data['quantity']} {data['unit']} {data['commodity']}")
    if data.get("conversion"):
        c = data["conversion"]
        figures.append(f"(stated as {c['amount_qualifier']} {c['amount']} {c['currency']})")
    existing = data["existing"]
    matched = f" [{existing['relation']} {existing['entry']} #{existing['id']}]" if existing else ""
    flags = f" flags: {', '.join(data['flags'])}" if data["flags"] else ""
    return (
        f"{index:>3}. {data['entry']:<9} {parties}: {what}; {' '.join(figures) or 'no figure'}{matched}"
        f" (confidence {data['confidence']:.2f}){flags}\n     ¶{evidence['paragraph']} [{evidence['start']}:{evidence['end']}] "
        f"{evidence['text']}"
    )
