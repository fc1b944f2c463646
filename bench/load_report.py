"""bench/load.py's figures: latency percentiles per kind of request, and its section of BENCHMARKS.md
(between the load-test markers, which bench/run.py keeps)."""

import statistics

import harness

ROOT = harness.ROOT
MARK_START, MARK_END = "<!-- load-test:start -->", "<!-- load-test:end -->"
EXPORT_SHARE = 0.1  # of the readers' requests


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(recorder, seconds):
    rows = []
    for kind in ("page", "export", "admin save"):
        values = recorder.latencies.get(kind, [])
        if not values:
            continue
        rows.append(
            {
                "kind": kind,
                "requests": len(values),
                "per_second": len(values) / seconds,  # over the load window
                "p50_ms": percentile(values, 50) * 1000,
                "p99_ms": percentile(values, 99) * 1000,
                "max_ms": max(values) * 1000,
                "mean_ms": statistics.fmean(values) * 1000,
            }
        )
    return rows


def markdown(args, result):
    lines = [
        MARK_START,
        "## Load test: readers and editors at once",
        "",
        "Written by `bench/load.py`; the rest of this file is `bench/run.py`'s. "
        f"{args.users} reader threads and {args.editors} editor threads, each on its own keep-alive connection, "
        f"for {result['seconds']:.0f} s (then {result['tail']:.0f} s for the requests in flight to finish) against gunicorn (`gunicorn.conf.py`, production settings, DEBUG off) on "
        f"127.0.0.1. Readers pick a public page or, one request in {round(1 / EXPORT_SHARE)}, an export link, among "
        f"the {result['pages']} pages and {result['exports']} export links found by following the site's links. "
        "Editors log in to the admin and save corrections to pledges (each editor its own) and new sources, "
        "reading the form back and sending its CSRF token and a reason; a latency for a save covers "
        "opening the form and saving it. The client runs on the same 2 cores as the server, and so does "
        "whatever else the machine is doing: see the load average.",
        "",
        f"- Command: `{result['command']}`",
        f"- Run: {result['started']}, commit {result['commit']}",
        f"- Database: {result['database']}; data: "
        f"`generate_ledger --pledges {args.pledges} --trade {args.trade} --seed 1`",
        f"- Load average (1, 5, 15 min): {result['load_before']} before, {result['load_after']} after",
        "",
        "| requests | count | per second | p50 | p99 | max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['kind']} | {row['requests']:,} | {row['per_second']:.1f} | {row['p50_ms']:.0f} ms "
            f"| {row['p99_ms']:.0f} ms | {row['max_ms']:.0f} ms |"
        )
    final = result["final"]
    lines += [
        "",
        f"Errors: **{len(result['errors'])}**. Acknowledged writes: {final['corrections']:,} corrections to "
        f"{final['pledges']} pledges and {final['sources']} new sources; after the run every correction is its "
        f"pledge's final value and in its history under the editor's name, every source exists once, and nothing "
        f"unacknowledged was written: **{'yes' if not final['problems'] else 'NO: ' + '; '.join(final['problems'][:3])}**.",
        MARK_END,
    ]
    return "\n".join(lines)


def write_benchmarks(section):
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if MARK_START in text:
        before, _, rest = text.partition(MARK_START)
        _, _, after = rest.partition(MARK_END)
        text = before.rstrip("\n") + "\n\n" + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)
