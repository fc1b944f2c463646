"""The Aid Ledger benchmark, in one run: `make bench` (or `.venv/bin/python bench/run.py`).

1. Builds the synthetic 1M-pledge ledger with generate_ledger into bench/data/ (SQLite), and into
   the PostgreSQL database named by BENCH_PG_URL, or reuses them when already built.
2. Serves the app under gunicorn (gunicorn.conf.py, production settings) on 127.0.0.1, and times
   the pages (median of --repeat requests after two warm-ups), the admin changelist and the full
   CSV export (rows/s and the serving worker's peak RSS, from /proc).
3. In the same run, times the baselines on the same data: `sqlite3 -csv` and `psql \\copy` dumping
   the same rows, and Datasette (from bench/.venv, facet suggestions off) serving the same SQLite
   file for the same queries.
4. Writes BENCHMARKS.md: every figure, its ratio to the baseline, the load average while it ran,
   the machine and the command.

Requests carry `X-Forwarded-Proto: https`, as the TLS proxy in front of a deployment would."""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Browser, errors_in, form_fields, set_field  # noqa: E402
from harness import DATA, datasette, gunicorn, loadavg, log, manage, median_ms, shell_dump, stream_rows  # noqa: E402
from ledgers import EXPORT_SQL, bench_session, postgres_ledger, sample_values, sqlite_ledger  # noqa: E402
from report import report  # noqa: E402

# The pledges page's CSV download, unfiltered, by id (the order the shell baselines dump in). Add
# "/pledges/?_export=csv" for the page's own order (newest first): about 1.5x slower on SQLite, where
# the rows come in date-index order rather than table order.
EXPORT_PATHS = ["/pledges/?_export=csv&sort=id"]
PAGE_SIZE = 25  # the app's table page size (ledger/views/pages.py)
DEEP_PAGE = 400  # the deepest page the app serves (ledger/paginators.py MAX_PAGE)
# Searches: a word in no entry, and a word in 861 pledges of the 1M generated ones (seed 1).
SEARCH_MISS, SEARCH_HITS = "zzqqxj", "un"


def pages(sample, deep_page):
    """(name, app path, Datasette path) for each timed page; Datasette's `_next` is its keyset cursor."""
    donor, code = sample["donor_id"], sample["donor_code"]
    deep_offset = (deep_page - 1) * PAGE_SIZE
    table = f"/ledger/ledger_pledge?_size={PAGE_SIZE}"
    return [
        ("Pledges, first page", "/pledges/", f"{table}&_sort_desc=date"),
        ("Pledges sorted by amount (USD)", "/pledges/?sort=-amount_usd", f"{table}&_sort_desc=amount_usd"),
        (
            f"Pledges filtered by donor ({code}) and kind (in kind), with the exact count",
            f"/pledges/?donor={code}&kind=in_kind",
            f"{table}&donor_id={donor}&kind=in_kind&_sort_desc=date",
        ),
        (
            f"Deep page (page {deep_page:,}, rows {deep_offset:,}+)",
            f"/pledges/?page={deep_page}",
            f"{table}&_next={deep_offset}",
        ),
        (f"Actor page ({code})", f"/actors/{code}/", f"/ledger/ledger_actor/{donor}"),
        ("Trade figures, first page", "/trade/", f"/ledger/ledger_tradefigure?_size={PAGE_SIZE}&_sort_desc=year"),
        ("Actors", "/actors/", f"/ledger/ledger_actor?_size={PAGE_SIZE}&_sort=name"),
        ("Sources", "/sources/", f"/ledger/ledger_source?_size={PAGE_SIZE}&_sort_desc=published_on"),
        ("Overview", "/", "/ledger"),
        (f"Search that matches nothing (q={SEARCH_MISS})", f"/pledges/?q={SEARCH_MISS}", None),
        (f"Search with a few hundred matches (q={SEARCH_HITS})", f"/pledges/?q={SEARCH_HITS}", None),
    ]


def after_admin_save(port, session_key, sample, *, repeat):
    """The overview and the actor page, each timed on its first request right after an editor saves a
    correction to one of the actor's pledges through the admin (form read back, CSRF token, reason)."""
    browser = Browser(port, timeout=600)
    browser.cookies["sessionid"] = session_key
    rows = []
    for name, path in (
        ("Overview, first request after an admin save", "/"),
        (f"Actor page ({sample['donor_code']}), first request after an admin save", f"/actors/{sample['donor_code']}/"),
    ):
        times, saves, load = [], [], loadavg()
        for step in range(repeat):
            edit = f"/admin/ledger/pledge/{sample['pledge_id']}/change/"
            started = time.perf_counter()
            _, _, page, _ = browser.request("GET", edit)
            fields = form_fields(page, "pledge_form")
            set_field(fields, "description", f"bench correction {step} {time.time()}")
            set_field(fields, "change_reason", "benchmark: a correction")
            status, location, body, _ = browser.request("POST", edit, fields)
            saves.append((time.perf_counter() - started) * 1000)
            if status != 302:
                return rows + [{"name": name, "app": {"status": status, "path": path, "error": errors_in(body)}}]
            status, _, _, elapsed = browser.request("GET", path)
            times.append(elapsed * 1000)
        app = {"status": status, "path": path, "median_ms": statistics.median(times), "min_ms": min(times)}
        app.update(max_ms=max(times), first_ms=times[0], cpu_ms=None, load=load, save_ms=statistics.median(saves))
        rows.append({"name": name, "app": app})
    return rows


def run_backend(label, database_url, args, *, sqlite_path=None):
    sample = sample_values(database_url)
    session = bench_session(database_url)
    cookie = f"sessionid={session}"
    deep_page = DEEP_PAGE
    results = {"label": label, "sample": sample, "pages": [], "load_before": loadavg()}
    app = gunicorn(f"gunicorn-{label.lower()}", database_url)
    results["gunicorn_pids"] = app.pids()
    ds = None
    try:
        ds = datasette(sqlite_path) if sqlite_path else None
        for name, app_path, ds_path in pages(sample, deep_page):
            log(label, name)
            row = {"name": name, "app": median_ms(app.port, app_path, repeat=args.repeat, server=app)}
            if ds and ds_path:
                row["datasette"] = median_ms(ds.port, ds_path, repeat=args.repeat, server=ds)
            results["pages"].append(row)
        log(label, "overview and actor page after an admin save")
        results["pages"] += after_admin_save(app.port, session, sample, repeat=max(3, args.repeat // 3))
        for name, path in (
            ("Admin changelist (pledges)", "/admin/ledger/pledge/"),
            (
                f"Admin changelist filtered by donor ({sample['donor_code']})",
                f"/admin/ledger/pledge/?donor__id__exact={sample['donor_id']}",
            ),
        ):
            log(label, name)
            results["pages"].append(
                {"name": name, "app": median_ms(app.port, path, repeat=args.repeat, cookie=cookie, server=app)}
            )
        log(label, "full CSV export")
        app.stop()  # a fresh server for the exports, so its memory figures are the export's own
        app = gunicorn(f"gunicorn-{label.lower()}-export", database_url)
        results["exports"] = []
        for path in EXPORT_PATHS:
            log(label, "export", path)
            results["exports"].append(stream_rows(app.port, path, server=app))
        if ds:
            log(label, "Datasette CSV export")
            results["datasette_export"] = stream_rows(
                ds.port, "/ledger/ledger_pledge.csv?_stream=on&_size=max&_labels=off"
            )
    finally:
        app.stop()
        if ds:
            ds.stop()
    if sqlite_path:
        log(label, "sqlite3 -csv")
        results["shell_export"] = shell_dump(
            ["sqlite3", "-csv", "-header", str(sqlite_path), EXPORT_SQL["sqlite"]], sample["pledges"]
        )
    else:
        log(label, "psql \\copy")
        results["shell_export"] = shell_dump(
            [
                "psql",
                database_url,
                "-qc",
                f"\\copy ({' '.join(EXPORT_SQL['postgresql'].split())}) TO STDOUT WITH CSV HEADER",
            ],
            sample["pledges"],
        )
    results["load_after"] = loadavg()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pledges", type=int, default=1_000_000)
    parser.add_argument("--trade", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/aidledger_bench")
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    parser.add_argument(
        "--only-postgres",
        action="store_true",
        help="Measure PostgreSQL again; keep the SQLite figures of the last run (bench/data/results.json).",
    )
    parser.add_argument(
        "--only-sqlite", action="store_true", help="Measure SQLite again; keep the PostgreSQL figures of the last run."
    )
    args = parser.parse_args()
    args.command = os.environ.get("BENCH_COMMAND") or "make bench"
    started = dt.datetime.now(dt.UTC)
    builds, runs = {}, []
    manage("sqlite:///unused.sqlite3", "collectstatic", "--no-input", "-v0")  # whitenoise serves them
    results = DATA / "results.json"
    previous = json.loads(results.read_text()) if results.exists() else []
    if args.only_postgres:
        runs = [run for run in previous if "SQLite" in run["label"]]
        for run in runs:
            run["label"] = "SQLite (previous run)"
    else:
        sqlite_url, builds["SQLite"] = sqlite_ledger(args)
        runs.append(run_backend("SQLite", sqlite_url, args, sqlite_path=DATA / "ledger.sqlite3"))
        report(runs, args, builds, started)
    if args.only_sqlite:
        kept = [run for run in previous if "PostgreSQL" in run["label"]]
        for run in kept:
            run["label"] = "PostgreSQL (previous run)"
        report(runs + kept, args, builds, started)
    elif not args.no_postgres:
        pg_url, builds["PostgreSQL"] = postgres_ledger(args)
        runs.append(run_backend("PostgreSQL", pg_url, args))
        report(runs, args, builds, started)
    log("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
