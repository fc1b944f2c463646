"""Article intake on the gold set (tests/intake_gold/): precision and recall per field on the dev and the
held-out articles, and how long intake takes per article. Prints Markdown.

    .venv/bin/python bench/intake_quality.py [--repeat 5]

No database and no network: the extractor and the matcher are pure functions, run here on the seed
fixture's actors and entries exactly as `propose_entries` runs them on the database's."""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import importlib  # noqa: E402

from ledger.intake.quality import load_gold, markdown, propose, score, seed_ledger  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per article (the median is reported)")
    args = parser.parse_args()
    started = time.perf_counter()
    ledger = seed_ledger()
    articles = load_gold()
    importlib.import_module("ledger.intake.extract")._cached_index.cache_clear()
    cold_started = time.perf_counter()
    propose(articles[0], ledger)
    cold = time.perf_counter() - cold_started  # includes building the alias index and compiling the patterns
    report = score(articles, ledger)
    print("### Article intake: quality on the gold set\n")
    print(f"{sum(a.set == 'dev' for a in articles)} dev articles, {sum(a.set == 'heldout' for a in articles)} held-out "
          "articles. The held-out figures below are no longer blind (each batch's failures were reproduced on "
          "new dev articles and fixed); each batch's blind first run is in tests/intake_gold/README.md.\n")  # fmt: skip
    print(markdown(report))
    for title, items in (("Forbidden", report.forbidden), ("Missed", report.missed), ("Extra", report.extra)):
        if items:
            print(f"\n{title} ({len(items)}):\n")
            for item in items:
                print(f"- {item}")
    print("\n### Article intake: time per article\n")
    print("| article | set | characters | median ms |")
    print("|---|---|---|---|")
    medians = []
    for article in articles:
        runs = []
        for _ in range(args.repeat):
            _proposals, seconds = propose(article, ledger)
            runs.append(seconds)
        medians.append(statistics.median(runs))
        print(f"| {article.name} | {article.set} | {len(article.text)} | {medians[-1] * 1000:.1f} |")
    print(
        f"\nMedian over articles {statistics.median(medians) * 1000:.1f} ms, slowest {max(medians) * 1000:.1f} ms; "
        f"the first article of a process {cold * 1000:.0f} ms (builds the alias index and compiles the patterns). "
        f"Whole run {time.perf_counter() - started:.1f} s."
    )


if __name__ == "__main__":
    main()
