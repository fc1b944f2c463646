"""Score the extractor on the gold set (tests/intake_gold/): precision and recall per field, forbidden
proposals, evidence spans. Runs the same path as `propose_entries`: extract, match against the seed
ledger, serialise; then compares the printed proposals with what an editor would accept.

    .venv/bin/python -m ledger.intake.quality      # prints the Markdown table"""

import json
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ledger.intake.extract import alias_index, extract
from ledger.intake.matching import match
from ledger.intake.parties import people_aliases
from ledger.intake.serialise import proposal_dict
from ledger.intake.text import paragraph_number

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "intake_gold"
SEED_FIXTURE = ROOT / "fixtures" / "cibercuba-2026-02-05.json"
SETS = ("dev", "heldout")
FIELDS = ("entries", "money", "goods", "dates", "donor", "recipient", "kind", "matches", "status")
SKIP = object()


@dataclass
class Ledger:
    actors: list[dict]
    people: list[dict]
    entries: list[dict]


def _decimal(value):
    return None if value in (None, "") else Decimal(str(value))


def seed_ledger(path: Path = SEED_FIXTURE) -> Ledger:
    """The seed fixture as the plain data the extractor and matcher take."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    actors = {r["pk"]: r["fields"] for r in rows if r["model"] == "ledger.actor"}
    code = {pk: f["code"] for pk, f in actors.items()}
    actor_list = [
        {
            "code": f["code"],
            "name": f["name"],
            "kind": f["kind"],
            "iso3": f["iso3"],
            "parent": code.get(f["parent"], ""),
        }
        for f in actors.values()
    ]
    people = [
        {"name": r["fields"]["name"], "actor": code.get(r["fields"]["actor"], "")}
        for r in rows
        if r["model"] == "ledger.person"
    ]
    entries = []
    for r in rows:
        f, model = r["fields"], r["model"]
        if model not in ("ledger.pledge", "ledger.tradefigure", "ledger.statement"):
            continue
        entry = {"id": r["pk"], "kind": f.get("kind") or f.get("flow"), "status": f.get("status", "")}
        entry["entry"] = {"ledger.pledge": "pledge", "ledger.tradefigure": "trade", "ledger.statement": "statement"}[
            model
        ]
        entry["donor"] = code[f.get("donor") or f.get("reporter") or f.get("speaker")]
        entry["recipient"] = code[f.get("recipient") or f.get("partner") or f.get("subject")]
        for name in ("currency", "amount_qualifier", "unit", "commodity", "date_precision", "date_qualifier"):
            entry[name] = f.get(name, "")
        entry["amount"], entry["quantity"] = _decimal(f.get("amount")), _decimal(f.get("quantity"))
        entry["date"] = date.fromisoformat(f["date"]) if f.get("date") else None
        entry["year_inferred"], entry["year"], entry["rank"] = (
            f.get("year_inferred", False),
            f.get("year"),
            f.get("rank"),
        )
        entries.append(entry)
    return Ledger(actor_list, people, entries)


@dataclass
class Article:
    name: str
    set: str
    text: str
    meta: dict


def load_gold(root: Path = GOLD) -> list[Article]:
    articles = []
    for set_name in SETS:
        for path in sorted((root / set_name).glob("*.txt")):
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            articles.append(Article(path.stem, set_name, path.read_text(encoding="utf-8"), meta))
    return articles


def propose(article: Article, ledger: Ledger) -> tuple[list[dict], float]:
    """The command's path for one article: (printed proposals, seconds taken)."""
    index = alias_index(ledger.actors, people_aliases(ledger.people, ledger.actors))
    started = time.perf_counter()
    proposals = extract(
        article.text,
        published=date.fromisoformat(article.meta["published"]),
        language=article.meta["language"],
        index=index,
    )
    existing = ledger.entries if article.meta.get("ledger") == "seed" else []
    result = [proposal_dict(p) for p in match(proposals, existing)]
    return result, time.perf_counter() - started


def flat(proposal: dict) -> dict:
    """A printed proposal in the gold files' shape: parties as codes, paragraph at the top level."""
    view = dict(proposal)
    for role, alias in (("reporter", "donor"), ("partner", "recipient")):
        if role in view:
            view[alias] = view.pop(role)
    view["kind"] = view.get("kind") or view.get("flow")
    for role in ("donor", "recipient"):
        view[role] = (view.get(role) or {}).get("code")
    view["paragraph"] = proposal["evidence"]["paragraph"]
    return view


def value(name: str, entry: dict):
    kind = entry["entry"]
    if name == "money":
        if entry.get("amount") in (None, ""):
            return None
        return _decimal(entry.get("amount")), entry.get("currency"), entry.get("amount_qualifier") or "exact"
    if name == "goods":
        return (
            (_decimal(entry.get("quantity")), entry.get("unit"), entry.get("commodity"))
            if entry.get("quantity")
            else None
        )
    if name == "dates":
        if kind == "statement":
            return SKIP
        if kind == "trade":
            return entry.get("year")
        if not entry.get("date"):
            return None
        return (
            entry["date"],
            entry.get("date_precision"),
            entry.get("date_qualifier") or "",
            bool(entry.get("year_inferred")),
        )
    if name == "matches":
        existing = entry.get("existing")
        return (existing["entry"], existing["id"], existing["relation"]) if existing else None
    if name == "status":
        return entry.get("status") or (SKIP if kind != "pledge" else None)
    return entry.get(name) or None


def _agree(expected: dict, predicted: dict) -> int:
    return sum(
        value(n, expected) is not None and value(n, expected) == value(n, predicted)
        for n in ("money", "goods", "kind", "donor", "recipient")
    )


def align(expected: list[dict], predicted: list[dict]) -> list[tuple[dict, dict]]:
    """Pair expected and predicted proposals of the same type and paragraph, best agreement first."""
    candidates = []
    for i, e in enumerate(expected):
        for j, p in enumerate(predicted):
            if e["entry"] == p["entry"] and e["paragraph"] == p["paragraph"]:
                figure = value("money", e) == value("money", p) and value("goods", e) == value("goods", p)
                score = _agree(e, p) + 3 * figure
                if score >= 2:
                    candidates.append((score, i, j))
    pairs, used_e, used_p = [], set(), set()
    for _score, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_e and j not in used_p:
            pairs.append((expected[i], predicted[j]))
            used_e.add(i)
            used_p.add(j)
    return pairs


def violates(forbidden: dict, predicted: dict) -> bool:
    for key, wanted in forbidden.items():
        got = predicted.get(key)
        if key in ("amount", "quantity"):
            if _decimal(got) != _decimal(wanted):
                return False
        elif got != wanted:
            return False
    return True


@dataclass
class Counts:
    correct: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass
class Report:
    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)  # set → field → counts
    forbidden: list[str] = field(default_factory=list)
    not_verbatim: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def score(articles: list[Article] | None = None, ledger: Ledger | None = None) -> Report:
    articles = load_gold() if articles is None else articles
    ledger = seed_ledger() if ledger is None else ledger
    report = Report()
    for article in articles:
        proposals, seconds = propose(article, ledger)
        report.seconds[article.name] = seconds
        predicted = [flat(p) for p in proposals]
        expected = article.meta["expected"]
        counts = report.counts.setdefault(article.set, {name: Counts() for name in FIELDS})
        for p in proposals:
            e = p["evidence"]
            if (
                article.text[e["start"] : e["end"]] != e["text"]
                or paragraph_number(article.text, e["start"]) != e["paragraph"]
            ):
                report.not_verbatim.append(f"{article.name} ¶{e['paragraph']}")
        for forbidden in article.meta.get("forbidden", []):
            for p in predicted:
                if violates(forbidden, p):
                    report.forbidden.append(f"{article.name}: {forbidden} (¶{p['paragraph']})")
        pairs = align(expected, predicted)
        paired_e = {id(e) for e, _p in pairs}
        paired_p = {id(p) for _e, p in pairs}
        counts["entries"].correct += len(pairs)
        counts["entries"].predicted += len(predicted)
        counts["entries"].expected += len(expected)
        for name in FIELDS[1:]:
            for e, p in pairs:
                ve, vp = value(name, e), value(name, p)
                if ve is SKIP or vp is SKIP or (name == "status" and "status" not in e):
                    continue
                counts[name].expected += ve is not None
                counts[name].predicted += vp is not None
                counts[name].correct += ve is not None and ve == vp
            for e in expected:
                if id(e) not in paired_e and value(name, e) not in (None, SKIP) and (name != "status" or "status" in e):
                    counts[name].expected += 1
            for p in predicted:
                if id(p) not in paired_p and value(name, p) not in (None, SKIP) and name != "status":
                    counts[name].predicted += 1
        report.missed += [
            f"{article.name} ¶{e['paragraph']} {e['entry']} {_describe(e)}" for e in expected if id(e) not in paired_e
        ]
        report.extra += [
            f"{article.name} ¶{p['paragraph']} {p['entry']} {_describe(p)}" for p in predicted if id(p) not in paired_p
        ]
    return report


def _describe(entry: dict) -> str:
    return " ".join(
        str(x)
        for x in (
            entry.get("donor"),
            entry.get("recipient"),
            entry.get("kind"),
            entry.get("amount"),
            entry.get("currency"),
            entry.get("quantity"),
            entry.get("commodity"),
        )
        if x not in (None, "")
    )


def markdown(report: Report) -> str:
    lines = ["| field | dev precision | dev recall | held-out precision | held-out recall |", "|---|---|---|---|---|"]
    for name in FIELDS:
        cells = []
        for set_name in SETS:
            c = report.counts.get(set_name, {}).get(name, Counts())
            cells += [f"{c.precision:.2f} ({c.correct}/{c.predicted})", f"{c.recall:.2f} ({c.correct}/{c.expected})"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Forbidden proposals made: {len(report.forbidden)}. Evidence spans not verbatim: {len(report.not_verbatim)}."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    only = sys.argv[1] if len(sys.argv) > 1 else None
    result = score([a for a in load_gold() if only is None or a.set == only])
    print(markdown(result))
    for title, items in (("Forbidden", result.forbidden), ("Missed", result.missed), ("Extra", result.extra)):
        for item in items:
            print(f"{title}: {item}")
