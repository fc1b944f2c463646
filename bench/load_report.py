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


def markdown(runs):
    """The load-test section: what every run did, then one table per run (database, with or without
    the hostile visitors), so the readers' p50 and p99 compare across them."""
    first = runs[0]
    lines = [
        MARK_START,
        "## Load test: readers and editors at once, with and without hostile visitors",
        "",
        "Written by `bench/load.py`; the rest of this file is `bench/run.py`'s. "
        f"{first['users']} reader threads and {first['editors']} editor threads, each on its own keep-alive "
        "connection, against gunicorn (`gunicorn.conf.py`, production settings, DEBUG off) on 127.0.0.1. "
        f"Readers pick a public page or, one request in {round(1 / EXPORT_SHARE)}, an export link, among "
        "the pages and export links found by following the site's links. "
        "Editors log in to the admin and save corrections to pledges (each editor its own) and new sources, "
        "reading the form back and sending its CSRF token and a reason; a latency for a save covers "
        "opening the form and saving it. With `--hostile N`, N more threads are anonymous visitors trying to "
        "stall the site (bench/hostile_mix.py: cache-busting overviews, unindexed searches, deep search pages, "
        "whole-table XLSX exports); their own answers are listed under each table. The client runs on the same "
        "2 cores as the server, and so does whatever else the machine is doing: see the load average.",
    ]
    for result in runs:
        hostile = result.get("hostile", 0)
        lines += [
            "",
            f"### {result['database']}, {f'{hostile} hostile visitors' if hostile else 'no hostile visitors'}",
            "",
            f"- Command: `{result['command']}`",
            f"- Run: {result['started']}, commit {result['commit']}; {result['seconds']:.0f} s of load, then "
            f"{result['tail']:.0f} s for the requests in flight; {result['pages']} pages and {result['exports']} "
            "export links crawled",
            f"- Data: {result.get('data', '')}",
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
        problems = final["problems"]
        lines += [
            "",
            f"Errors: **{len(result['errors'])}**. Acknowledged writes: {final['corrections']:,} corrections to "
            f"{final['pledges']} pledges and {final['sources']} new sources; after the run every correction is its "
            f"pledge's final value and in its history under the editor's name, every source exists once, and "
            f"nothing unacknowledged was written: **{'yes' if not problems else 'NO: ' + '; '.join(problems[:3])}**.",
        ]
        if result.get("hostile_line"):
            lines += ["", f"Hostile visitors' requests: {result['hostile_line'].removeprefix('hostile: ')}."]
    lines.append(MARK_END)
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
