"""Small builders that keep related rows consistent, for tests."""

from datetime import date
from decimal import Decimal

from ledger.models import Actor, Citation, Pledge, Source, TradeFigure


def actor(code="AAA", name=None, kind=Actor.Kind.COUNTRY, **fields):
    defaults = {"iso3": code} if kind == Actor.Kind.COUNTRY else {}
    return Actor.objects.create(code=code, name=name or code, kind=kind, **{**defaults, **fields})


def source(url="https://example.org/a", **fields):
    defaults = dict(publisher="Example", headline="A headline", published_on=date(2026, 2, 5), language="en")
    return Source.objects.create(url=url, **{**defaults, **fields})


def pledge(donor, recipient, *, src=None, excerpt="an excerpt", amount=Decimal("1000000"), currency="USD", **fields):
    money = {}
    if amount is not None:
        money = dict(amount=amount, currency=currency, amount_qualifier="exact")
        if currency == "USD":
            money["amount_usd"] = amount
    defaults = dict(kind=Pledge.Kind.GRANT, status=Pledge.Status.COMMITTED)
    p = Pledge.objects.create(donor=donor, recipient=recipient, **{**defaults, **money, **fields})
    Citation.objects.create(
        source=src or source(url=f"https://example.org/p{p.pk}"), pledge=p, excerpt=excerpt, paragraph=1
    )
    return p


def trade(reporter, partner, *, src=None, excerpt="a trade excerpt", amount=Decimal("5000000"), **fields):
    money = (
        dict(amount=amount, currency="USD", amount_qualifier="exact", amount_usd=amount) if amount is not None else {}
    )
    defaults = dict(flow=TradeFigure.Flow.TOTAL_TRADE)
    if amount is None:
        defaults["rank_statement"] = "a main trading partner"
    t = TradeFigure.objects.create(reporter=reporter, partner=partner, **{**defaults, **money, **fields})
    Citation.objects.create(
        source=src or source(url=f"https://example.org/t{t.pk}"), trade_figure=t, excerpt=excerpt, paragraph=1
    )
    return t
