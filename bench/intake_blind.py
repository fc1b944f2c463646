"""Article intake on the blind batch (tests/intake_gold/blind/, written without seeing the rules): precision and
recall per field, forbidden proposals, evidence spans, and every miss and extra proposal. Uses quality.py's own
loading (the same file format) and scoring; prints Markdown.

    .venv/bin/python bench/intake_blind.py [--proposals]"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.intake.quality import FIELDS, SKIP, Article, Counts, align, flat, propose, score, seed_ledger, value  # noqa: E402

BLIND = ROOT / "tests" / "intake_gold" / "blind"


def load_blind(folder: Path = BLIND) -> list[Article]:
    """The blind articles, read as quality.load_gold reads a set: NAME.txt + NAME.json."""
    return [
        Article(path.stem, "blind", path.read_text(encoding="utf-8"), json.loads(path.with_suffix(".json").read_text()))
        for path in sorted(folder.glob("*.txt"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", action="store_true", help="also print every proposal, flattened")
    parser.add_argument("--folder", default="blind", help="the batch under tests/intake_gold/ (blind, blind2)")
    args = parser.parse_args()
    articles = load_blind(BLIND.parent / args.folder)
    ledger = seed_ledger()
    report = score(articles, ledger)
    counts = report.counts.get("blind", {})
    print(f"Batch {args.folder}: {len(articles)} articles\n")
    print("| field | precision | recall |\n|---|---|---|")
    for name in FIELDS:
        c = counts.get(name, Counts())
        print(f"| {name} | {c.precision:.2f} ({c.correct}/{c.predicted}) | {c.recall:.2f} ({c.correct}/{c.expected}) |")
    print(
        f"\nForbidden proposals made: {len(report.forbidden)}. Evidence spans not verbatim: {len(report.not_verbatim)}."
    )
    print(f"Slowest article: {max(report.seconds.values()):.3f} s")
    for title, items in (
        ("Forbidden", report.forbidden),
        ("Not verbatim", report.not_verbatim),
        ("Missed", report.missed),
        ("Extra", report.extra),
    ):
        for item in items:
            print(f"{title}: {item}")
    for article in articles:
        proposals, _seconds = propose(article, ledger)
        for e, p in align(article.meta["expected"], [flat(q) for q in proposals]):
            for name in FIELDS[1:]:
                ve, vp = value(name, e), value(name, p)
                if ve is SKIP or vp is SKIP or (name == "status" and "status" not in e) or ve == vp:
                    continue
                print(f"Wrong field: {article.name} ¶{e['paragraph']} {e['entry']} {name}: expected {ve}, got {vp}")
        if args.proposals:
            for p in proposals:
                view = {k: v for k, v in flat(p).items() if k not in ("evidence", "confidence") and v not in ("", None)}
                print(f"{article.name}: {json.dumps(view, ensure_ascii=False, default=str)}")


if __name__ == "__main__":
    main()
