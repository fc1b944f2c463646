"""BENCHMARKS.md from the figures of one run (bench/run.py)."""

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

from harness import DATA, DATASETTE, PYTHON, ROOT
from ledgers import EXPORT_SQL


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.platform(),
    )
    pg = (
        subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
        if shutil.which("psql")
        else "-"
    )
    versions = subprocess.run(
        [
            str(PYTHON),
            "-c",
            "import django, gunicorn, sqlite3, sys; print(sys.version.split()[0], django.__version__, "
            "gunicorn.__version__, sqlite3.sqlite_version)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ds = subprocess.run([str(DATASETTE), "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 1024 / 1024:.0f} GB RAM; {os_name}; Python {versions[0]}, "
        f"Django {versions[1]}, gunicorn {versions[2]} (gthread, 2 workers x 4 threads), SQLite {versions[3]}; "
        f"{pg}; {ds}"
    )


def fmt_ms(page):
    if page is None:
        return "–"
    if page.get("status") != 200:
        return f"HTTP {page.get('status')}"
    return f"{page['median_ms']:.1f} ms"


def verdict(ok):
    return "yes" if ok else "**no**"


def report(runs, args, builds, started):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# Benchmarks",
        "",
        "The tables are written by `make bench` (`bench/run.py`); a section of notes on the run may follow them. Each figure is the median of "
        f"{args.repeat} requests after two warm-ups, over one keep-alive connection, with the app under gunicorn "
        "(`gunicorn.conf.py`, production settings, DEBUG off) on 127.0.0.1. Baselines ran in the same run, on the "
        "same data: Datasette serving the same SQLite file (default settings, facet suggestions off), the "
        "`sqlite3` shell and `psql \\copy`. The load average (1, 5, 15 min) is the machine's when each figure was "
        "taken: other work shares these 2 cores, so figures taken under load are slower than the machine can do. "
        '"First request" is the first time the page was asked for in the run: for the overview and the actor page it '
        'includes computing the totals that are then cached until the next write (ledger/cache.py). "CPU per '
        "request\" is the server processes' CPU time (user + system, from /proc) over the timed requests divided by "
        "their number: unlike wall time, the other work on the machine does not inflate it.",
        "",
        f"- Command: `{args.command}`",
        f"- Run: {started:%Y-%m-%d %H:%M} UTC, commit {commit}, {dt.datetime.now(dt.UTC) - started} in all",
        f"- Machine: {machine()}",
        f"- Data: `generate_ledger --pledges {args.pledges} --trade {args.trade} --seed {args.seed}` "
        "(creation history included)",
    ]
    for label, seconds in builds.items():
        if seconds:
            lines.append(f"- Built the {label} ledger in this run: {seconds / 60:.1f} min")
    lines.append("")
    for run in runs:
        label = run["label"]
        lines += [
            f"## {label}",
            "",
            f"Load average {run['load_before']} at the start, {run['load_after']} at the end.",
            "",
        ]
        has_ds = any("datasette" in p for p in run["pages"])
        head = (
            "| page | app | target | met |"
            + (" Datasette | app ÷ Datasette |" if has_ds else "")
            + " app CPU per request | Datasette CPU per request | app, first request | load |"
        )
        lines += [head, "|" + " --- |" * (head.count("|") - 1)]
        for page in run["pages"]:
            app, ds = page["app"], page.get("datasette")
            target = (
                300
                if page["name"].startswith(("Admin", "Overview")) or "after an admin save" in page["name"]
                else 200
                if page["name"].startswith("Search")
                else 100
            )
            met = app.get("status") == 200 and app["median_ms"] <= target
            if ds and ds.get("status") == 200 and app.get("status") == 200:
                met = met and app["median_ms"] <= ds["median_ms"]
                ratio = f"{app['median_ms'] / ds['median_ms']:.2f}"
            else:
                ratio = "–"
            row = (
                f"| {page['name']} | {fmt_ms(app)} | ≤ {target} ms{' and ≤ Datasette' if ds else ''} | {verdict(met)} |"
            )
            if has_ds:
                row += f" {fmt_ms(ds)} | {ratio} |"
            first = f"{app['first_ms']:,.0f} ms" if "first_ms" in app else "–"
            cpu = lambda r: f"{r['cpu_ms']:.0f} ms" if r and r.get("cpu_ms") is not None else "–"  # noqa: E731
            row += f" {cpu(app)} | {cpu(ds)} | {first} | {app.get('load', '–')} |"
            lines.append(row)
        shell, ds = run["shell_export"], run.get("datasette_export")
        lines += [
            "",
            "| full CSV export of the pledges | rows | rows/s | ÷ shell | ÷ Datasette | rows per server CPU-second | server RSS peak (sampled / worker VmHWM) | load |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for export in run["exports"]:
            if export["status"] != 200:
                lines.append(
                    f"| app: `GET {export['path']}` | HTTP {export['status']} | – | – | – | – | – | {export['load']} |"
                )
                continue
            vs_ds = f"{export['rows_per_s'] / ds['rows_per_s']:.2f}" if ds else "–"
            lines.append(
                f"| app: `GET {export['path']}` | {export['rows']:,} | {export['rows_per_s']:,.0f} "
                f"(≥ 250,000: {verdict(export['rows_per_s'] >= 250_000)}) | {export['rows_per_s'] / shell['rows_per_s']:.2f} "
                f"| {vs_ds} | {export['rows_per_cpu_s']:,.0f} | {export['sampled_rss_mb']:.0f} MB / {export['peak_rss_mb']:.0f} MB "
                f"(≤ 150 MB: {verdict(export['sampled_rss_mb'] <= 150)}) | {export['load']} |"
            )
        if ds:
            lines.append(
                f"| Datasette: `GET {ds['path']}` | {ds['rows']:,} | {ds['rows_per_s']:,.0f} | "
                f"{ds['rows_per_s'] / shell['rows_per_s']:.2f} | 1 | – | – | {ds['load']} |"
            )
        lines.append(
            f"| `{shell['command']}` | {shell['rows']:,} | {shell['rows_per_s']:,.0f} | 1 | – | "
            f"{shell['rows_per_cpu_s']:,.0f} (client's CPU) | – | {shell['load']} |"
        )
        lines += [
            "",
            "The exports run on a freshly started gunicorn. Sampled RSS: the gunicorn processes' largest VmRSS, "
            "read every 50 ms during that export. VmHWM: the workers' high-water mark since that server started "
            "(both exports). Rows per server CPU-second: rows divided by the CPU time gunicorn's processes spent "
            "during the export, which the other work on the machine does not change.",
        ]
        lines.append("")
    for vendor, sql in EXPORT_SQL.items():
        lines += [
            f"The export query the {vendor} shell baseline runs (the app's export columns):",
            "",
            "```sql",
            sql,
            "```",
            "",
        ]
    # bench/load.py's section (from its start marker) and the sections after it (intake quality, import
    # speed: written by their own scripts or by hand) are kept as they were.
    previous = (ROOT / "BENCHMARKS.md").read_text() if (ROOT / "BENCHMARKS.md").exists() else ""
    start = previous.find("<!-- load-test:start -->")
    if start != -1:
        lines += ["", previous[start:].rstrip("\n"), ""]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines))
    (DATA / "results.json").write_text(json.dumps(runs, indent=2, default=str))
