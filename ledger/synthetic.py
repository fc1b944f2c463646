"""A deterministic synthetic ledger for load tests and benchmarks (generate_ledger writes it).

The same seed always gives the same rows (ids included), so benchmarks are repeatable. The shape
imitates a real ledger: about 200 actors with real ISO 3166 codes (countries, plus a few government
bodies and international organisations), about 5,000 sources, donors and recipients on skewed (Zipf)
distributions, about 20% in-kind entries, a mix of currencies each converted at a stated rate,
packages with parts, unstated amounts and approximate dates, and every figure cited. Rows are dicts
of column attname -> value; every source is marked synthetic (a URL under the reserved `.invalid`
domain, and notes that say so)."""

import bisect
import datetime as dt
import itertools
import math
import random
from decimal import Decimal

import pycountry

from ledger.models import Actor, Pledge, TradeFigure

SYNTHETIC_URL = "https://synthetic.invalid/aid-ledger/seed-{seed}/source-{n}"
RATE_SOURCE = "synthetic annual average rate (generate_ledger)"
# Every synthetic row was "created" at this instant, so runs are identical to the byte.
CREATED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Fixed (same seed, same ledger) and before the day the ledger is generated: no entry is dated in
# the future, and every entry has sources published after it, within a plausible lag.
FIRST_SOURCE, LAST_SOURCE = dt.date(2000, 1, 1), dt.date(2025, 12, 31)
LAST_ENTRY = dt.date(2025, 10, 31)
REPORTING_LAG = {"day": 60, "month": 31 + 60, "year": 366 + 60}  # days from a period's start to its report
CENT = Decimal("0.01")

# Currency, share of entries, USD per unit (rounded 2025 averages; each year drifts from it).
CURRENCIES = [
    ("USD", 55, None),
    ("EUR", 12, "1.08"),
    ("CNY", 9, "0.139"),
    ("RUB", 5, "0.0108"),
    ("JPY", 5, "0.0066"),
    ("GBP", 4, "1.27"),
    ("INR", 2, "0.012"),
    ("BRL", 2, "0.18"),
    ("SAR", 2, "0.2667"),
    ("KRW", 1, "0.00073"),
    ("TRY", 1, "0.031"),
    ("MXN", 1, "0.055"),
    ("CAD", 1, "0.73"),
]
KINDS = [  # non-package entries; in-kind is about a fifth of the whole ledger
    (Pledge.Kind.IN_KIND, 21),
    (Pledge.Kind.GRANT, 25),
    (Pledge.Kind.LOAN, 16),
    (Pledge.Kind.FINANCIAL_ASSISTANCE, 16),
    (Pledge.Kind.TECHNICAL_ASSISTANCE, 8),
    (Pledge.Kind.DEBT_RELIEF, 5),
    (Pledge.Kind.OTHER, 4),
]
PART_KINDS = [(Pledge.Kind.FINANCIAL_ASSISTANCE, 40), (Pledge.Kind.IN_KIND, 40), (Pledge.Kind.GRANT, 20)]
STATUSES = [
    (Pledge.Status.ANNOUNCED, 30),
    (Pledge.Status.PLEDGED, 25),
    (Pledge.Status.COMMITTED, 20),
    (Pledge.Status.DISBURSED, 12),
    (Pledge.Status.DELIVERED, 10),
    (Pledge.Status.CANCELLED, 3),
]
QUALIFIERS = [("exact", 60), ("approximately", 25), ("up_to", 8), ("at_least", 7)]
GOODS = [  # commodity, unit, typical quantity (log-normal median)
    ("rice", "t", 5_000),
    ("wheat", "t", 20_000),
    ("diesel", "bbl", 100_000),
    ("crude oil", "bbl", 500_000),
    ("powdered milk", "t", 500),
    ("vaccines", "doses", 1_000_000),
    ("medicines", "kg", 20_000),
    ("solar panels", "units", 5_000),
    ("buses", "units", 100),
    ("fertiliser", "t", 10_000),
    ("cooking oil", "l", 200_000),
    ("generators", "units", 300),
]
VALUATIONS = [("not_stated", 55), ("reported", 30), ("estimated", 15)]
PRECISIONS = [("day", 45), ("month", 40), ("year", 12), (None, 3)]
FLOWS = [
    (TradeFigure.Flow.TOTAL_TRADE, 40),
    (TradeFigure.Flow.EXPORTS, 25),
    (TradeFigure.Flow.IMPORTS, 25),
    (TradeFigure.Flow.INVESTMENT, 10),
]
LANGUAGES = [("en", 50), ("es", 15), ("fr", 10), ("ru", 8), ("zh", 8), ("ar", 6), ("pt", 3)]
PUBLISHERS = [f"Synthetic {kind} {n}" for kind in ("Wire", "Daily", "Gazette", "Review") for n in range(1, 11)]
RANKS = {1: "largest", 2: "second-largest", 3: "third-largest"}
BODIES = ["Development Agency", "Ministry of Foreign Affairs", "Export-Import Bank", "Emergency Relief Office"]
ORGANISATIONS = [
    ("UN-WFP", "World Food Programme (synthetic)"),
    ("UN-UNDP", "UN Development Programme (synthetic)"),
    ("WB-IDA", "International Development Association (synthetic)"),
    ("EU-ECHO", "EU Humanitarian Aid (synthetic)"),
    ("IMF", "International Monetary Fund (synthetic)"),
    ("OPEC-FUND", "OPEC Fund (synthetic)"),
]


class Weighted:
    """Draws from (value, weight) pairs with one random() call and a bisect."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def zipf(values, exponent):
    return Weighted([(value, 1 / (rank**exponent)) for rank, value in enumerate(values, start=1)])


def round_like_a_source(value):
    """Figures in the press have two or three significant digits: 1.2 million, 340 million."""
    digits = 2 if value >= 10_000 else 3
    magnitude = 10 ** max(0, int(math.floor(math.log10(value))) - digits + 1)
    return Decimal(int(round(value / magnitude)) * magnitude)


class Ledger:
    """Builds the rows, deterministically from the seed, as dicts of column attname -> value."""

    def __init__(self, *, seed, actors, sources):
        self.seed = seed
        self.rng = random.Random(seed)
        self.actors = self._actors(actors)
        self.sources = self._sources(sources)
        rng = self.rng
        donors = [a["id"] for a in self.actors]
        recipients = [a["id"] for a in self.actors if a["kind"] == Actor.Kind.COUNTRY]
        rng.shuffle(donors)
        rng.shuffle(recipients)
        self.donors = zipf(donors, 1.1)
        self.recipients = zipf(recipients, 0.9)
        self.reporters = zipf(recipients, 1.0)
        self.cited = zipf([s["id"] for s in self.sources], 0.8)
        self.by_date = sorted((s["published_on"], s["id"]) for s in self.sources)
        self.names = {a["id"]: a["name"] for a in self.actors}
        self.currencies = Weighted([(code, share) for code, share, _ in CURRENCIES])
        self.rates = {
            (code, year): (Decimal(rate) * Decimal(1 + rng.uniform(-0.15, 0.15))).quantize(Decimal("1e-10"))
            for code, _, rate in CURRENCIES
            if rate
            for year in range(1990, 2027)
        }
        self.kinds, self.part_kinds = Weighted(KINDS), Weighted(PART_KINDS)
        self.statuses, self.qualifiers = Weighted(STATUSES), Weighted(QUALIFIERS)
        self.valuations, self.precisions = Weighted(VALUATIONS), Weighted(PRECISIONS)
        self.flows = Weighted(FLOWS)
        self.citation_id = 0

    def _actors(self, count):
        rng = self.rng
        organisations = ORGANISATIONS[: max(0, count // 40)]
        bodies = max(0, count // 20)
        countries = sorted(
            rng.sample(list(pycountry.countries), min(count - bodies - len(organisations), 249)),
            key=lambda c: c.alpha_3,
        )
        rows = [
            dict(code=c.alpha_3, iso3=c.alpha_3, name=c.name, kind=Actor.Kind.COUNTRY, parent_id=None)
            for c in countries
        ]
        for n in range(bodies):
            parent = rng.randrange(len(countries))  # ids follow list order, so its id is parent + 1
            body = BODIES[n % len(BODIES)]
            rows.append(
                dict(
                    # Upper case, as Actor.clean() makes every code: the actor pages look codes up so.
                    code=f"{rows[parent]['code']}-{''.join(w[0] for w in body.split())}{n}".upper(),
                    iso3="",
                    name=f"{rows[parent]['name']} {body} (synthetic {n})",
                    kind=Actor.Kind.GOVERNMENT_BODY,
                    parent_id=parent + 1,
                )
            )
        for code, name in organisations:
            rows.append(dict(code=code, iso3="", name=name, kind=Actor.Kind.INTERNATIONAL_ORGANISATION, parent_id=None))
        for pk, row in enumerate(rows, start=1):
            row.update(id=pk, description="", created_at=CREATED_AT, updated_at=CREATED_AT)
        return rows

    def _sources(self, count):
        rng, languages = self.rng, Weighted(LANGUAGES)
        rows = []
        for pk in range(1, count + 1):
            published = FIRST_SOURCE + dt.timedelta(days=rng.randrange((LAST_SOURCE - FIRST_SOURCE).days + 1))
            language = languages.draw(rng)
            wire = rng.random() < 0.3
            rows.append(
                dict(
                    id=pk,
                    publisher=rng.choice(PUBLISHERS),
                    byline=f"Staff writer {rng.randrange(300)}",
                    headline=f"Synthetic report {pk}: aid and trade figures of {published:%B %Y}",
                    url=SYNTHETIC_URL.format(seed=self.seed, n=pk),
                    published_on=published,
                    wire_agency="Synthetic Agency" if wire else "",
                    wire_date=published - dt.timedelta(days=1) if wire else None,
                    language=language,
                    original_language="en" if language != "en" and rng.random() < 0.2 else "",
                    notes="Synthetic source written by generate_ledger for load tests; not a real publication.",
                    created_at=CREATED_AT,
                    updated_at=CREATED_AT,
                )
            )
        return rows

    # Values ---------------------------------------------------------------------------------

    def money(self, row, year, median=3_000_000):
        rng = self.rng
        amount = round_like_a_source(math.exp(rng.gauss(math.log(median), 1.8)) + 1000)
        currency = self.currencies.draw(rng)
        row.update(amount=amount, currency=currency, amount_qualifier=self.qualifiers.draw(rng))
        if currency == "USD":
            row["amount_usd"] = amount
        else:
            rate = self.rates[(currency, min(max(year, 1990), 2026))]
            row.update(
                amount_usd=(amount * rate).quantize(CENT),
                usd_rate=rate,
                usd_rate_date=dt.date(min(max(year, 1990), 2026), 12, 31),
                usd_rate_source=RATE_SOURCE,
            )
        return row

    def date(self, row):
        rng = self.rng
        precision = self.precisions.draw(rng)
        year = 2000 + min(26, int(rng.triangular(0, 27, 24)))
        if precision is None:
            return year
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        if precision == "month":
            day = 1
            row["date_qualifier"] = rng.choice(["", "", "", "", "early", "mid", "end"])
        elif precision == "year":
            month = day = 1
            row["date_qualifier"] = rng.choice(["", "", "", "early", "end"])
        if dt.date(year, month, day) > LAST_ENTRY:
            year -= 1  # never in the future, and leave the sources time to report it
        row.update(date=dt.date(year, month, day), date_precision=precision, year_inferred=rng.random() < 0.05)
        return year

    def source_for(self, row):
        """A source that reports the entry: published on or after the start of its period, within the
        reporting lag (the first one after it if none falls in the lag); any source when undated."""
        if row.get("date") is not None:
            start, lag = row["date"], REPORTING_LAG[row["date_precision"]]
        elif row.get("year") is not None:
            start, lag = dt.date(row["year"], 1, 1), REPORTING_LAG["year"]
        else:
            return self.cited.draw(self.rng)
        low = bisect.bisect_left(self.by_date, (start, 0))
        high = bisect.bisect_right(self.by_date, (start + dt.timedelta(days=lag), math.inf))
        index = self.rng.randrange(low, high) if high > low else min(low, len(self.by_date) - 1)
        return self.by_date[index][1]

    def goods(self, row, year):
        rng = self.rng
        commodity, unit, median = rng.choice(GOODS)
        valuation = self.valuations.draw(rng)
        row.update(
            quantity=round_like_a_source(math.exp(rng.gauss(math.log(median), 1.2)) + 1),
            unit=unit,
            commodity=commodity,
            valuation=valuation,
        )
        if valuation == "estimated":
            row["valuation_method"] = "quantity times the synthetic average market price of the year"
        if valuation != "not_stated":
            self.money(row, year, median=2_000_000)

    # Entries --------------------------------------------------------------------------------

    def pledge(self, pk, donor, recipient, kind, *, package_id=None, year=None):
        rng = self.rng
        row = dict(
            id=pk,
            donor_id=donor,
            recipient_id=recipient,
            kind=kind,
            status=self.statuses.draw(rng),
            package_id=package_id,
            created_at=CREATED_AT,
            updated_at=CREATED_AT,
        )
        if year is None:
            year = self.date(row)
        if kind == Pledge.Kind.IN_KIND:
            self.goods(row, year)
        elif kind == Pledge.Kind.PACKAGE:
            if rng.random() < 0.5:
                self.money(row, year, median=50_000_000)
        elif rng.random() < 0.94:
            self.money(row, year)
        return row, year

    def pledges(self, count):
        """Yields (pledge, [citations]); about 3% of the rows are packages of 2 to 4 parts."""
        rng, pk = self.rng, 0
        while pk < count:
            donor = self.donors.draw(rng)
            recipient = self.recipients.draw(rng)
            while recipient == donor:
                recipient = self.recipients.draw(rng)
            parts = rng.randint(2, 4) if rng.random() < 0.01 else 0
            if parts and pk + 1 + parts <= count:
                pk += 1
                package, year = self.pledge(pk, donor, recipient, Pledge.Kind.PACKAGE)
                source = self.source_for(package)
                yield package, self.citations("pledge_id", package, source)
                package_date = {
                    k: package.get(k) for k in ("date", "date_precision", "date_qualifier", "year_inferred")
                }
                for _ in range(parts):
                    pk += 1
                    part, _ = self.pledge(
                        pk, donor, recipient, self.part_kinds.draw(rng), package_id=package["id"], year=year
                    )
                    part.update({k: v for k, v in package_date.items() if v is not None})
                    yield part, self.citations("pledge_id", part, source)
            else:
                pk += 1
                row, _ = self.pledge(pk, donor, recipient, self.kinds.draw(rng))
                yield row, self.citations("pledge_id", row, self.source_for(row))

    def trade(self, count):
        rng = self.rng
        for pk in range(1, count + 1):
            reporter = self.reporters.draw(rng)
            partner = self.reporters.draw(rng)
            while partner == reporter:
                partner = self.reporters.draw(rng)
            year = min(1995 + min(31, int(rng.triangular(0, 32, 29))), LAST_ENTRY.year)
            row = dict(
                id=pk,
                reporter_id=reporter,
                partner_id=partner,
                flow=self.flows.draw(rng),
                created_at=CREATED_AT,
                updated_at=CREATED_AT,
            )
            if rng.random() < 0.92:
                row["year"], row["year_inferred"] = year, rng.random() < 0.04
            if rng.random() < 0.85:
                self.money(row, year, median=800_000_000)
            if rng.random() < 0.2 or "amount" not in row:
                row["rank"] = rng.randint(1, 10)
                row["rank_statement"] = f"{RANKS.get(row['rank'], str(row['rank']) + 'th-largest')} trading partner"
            if rng.random() < 0.1:
                row["relationship"] = "strategic partnership"
            yield row, self.citations("trade_figure_id", row, self.source_for(row))

    def citations(self, entry_field, row, source):
        """One citation, or two (a second source confirming it) for about one entry in seven."""
        rng = self.rng
        excerpt = self.excerpt(entry_field, row)
        rows = []
        for source_id in [source] + ([self.source_for(row)] if rng.random() < 0.15 else []):
            self.citation_id += 1
            rows.append(
                dict(
                    id=self.citation_id,
                    source_id=source_id,
                    **{entry_field: row["id"]},
                    excerpt=excerpt,
                    paragraph=rng.randint(2, 30),
                    note="" if source_id == source else "confirms the figure",
                    created_at=CREATED_AT,
                    updated_at=CREATED_AT,
                )
            )
        return rows

    def excerpt(self, entry_field, row):
        value = f"{row['amount']:,} {row['currency']}" if row.get("amount") is not None else "an unstated sum"
        if entry_field == "trade_figure_id":
            flow = str(row["flow"]).replace("_", " ")
            year = row.get("year") or "recent years"
            if row.get("amount") is None:
                value = row.get("rank_statement") or "a main partner"
            return f"{flow.capitalize()} between {self.names[row['reporter_id']]} and {self.names[row['partner_id']]} reached {value} in {year}."
        what = f"{row['quantity']:,} {row['unit']} of {row['commodity']}" if row.get("quantity") else value
        return f"{self.names[row['donor_id']]} announced {what} for {self.names[row['recipient_id']]}."
