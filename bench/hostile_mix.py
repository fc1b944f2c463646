"""bench/load.py --hostile N: N more threads, each an anonymous visitor trying to stall the site
(issue 16, defect 1 and 2), alongside the readers and editors.

Each hostile request is one of:
- a cache-busting overview: `/?junk=<random>` (and with a random `donor` code, a real miss);
- an unindexed search: `/?q=<two letters>` or `/pledges/?q=<two letters>&page=<1..400>`;
- the whole pledges table as xlsx: `/pledges/?_export=xlsx`.
Answers the app gives on purpose count as handled, not as errors: 200, 400 (xlsx above
XLSX_MAX_ROWS, filters refused), 429 (budget spent) and 503 ("this query took too long"). Note that
bench/harness.py lifts the per-client budget (the readers share one address), so this mix measures
the cache key, the time limit and the xlsx row limit, not the 429s. The hostile requests' own
latencies and statuses are printed after the run (kind "hostile"); the readers' p50/p99 are in the
usual table, to compare with a run without --hostile."""

import collections
import random
import string
import threading

from browser import Browser

HANDLED = {200, 400, 429, 503}
statuses = collections.Counter()
_lock = threading.Lock()


def add_arguments(parser) -> None:
    parser.add_argument("--hostile", type=int, default=0, help="hostile visitor threads (default 0)")


def hostile_path(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(2))
    return rng.choice(
        [
            f"/?junk={rng.randrange(10**9)}",
            f"/?donor={rng.choice(['CHN', 'RUS', 'VEN', 'MEX', 'CAN'])}&junk={rng.randrange(10**9)}",
            f"/?q={letters}",
            f"/pledges/?q={letters}&page={rng.randint(1, 400)}",
            "/pledges/?_export=xlsx",
        ]
    )


def hostile(port: int, recorder, stop: threading.Event, seed: int) -> None:
    rng, browser = random.Random(1000 + seed), Browser(port, timeout=300)
    while not stop.is_set():
        path = hostile_path(rng)
        try:
            status, _, _, elapsed = browser.request("GET", path)
        except Exception as error:  # noqa: BLE001 - every failure is counted as an error
            recorder.record("hostile", 0.0, f"GET {path}: {error!r}")
            browser = Browser(port, timeout=300)
            continue
        with _lock:
            statuses[status] += 1
        recorder.record("hostile", elapsed, None if status in HANDLED else f"GET {path}: HTTP {status}")


def threads(args, port: int, recorder, stop: threading.Event) -> list[threading.Thread]:
    return [
        threading.Thread(target=hostile, args=(port, recorder, stop, i), daemon=True)
        for i in range(getattr(args, "hostile", 0))
    ]


def report(recorder) -> str:
    values = sorted(recorder.latencies.get("hostile", []))
    if not values:
        return ""
    p50, p99 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.99))]
    counts = ", ".join(f"HTTP {status}: {n}" for status, n in sorted(statuses.items()))
    return f"hostile: {len(values)} requests ({counts}); p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
