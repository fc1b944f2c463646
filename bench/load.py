"""A bounded load test: readers and editors at once, against gunicorn on 127.0.0.1.

    .venv/bin/python bench/load.py                      # 60 s, 8 readers, 2 editors, PostgreSQL
    .venv/bin/python bench/load.py --sqlite --duration 20

1. Builds a fresh ledger of its own: a PostgreSQL database (--pg-url, dropped and created again)
   or a SQLite file in bench/data/, migrated, with the seed article and `generate_ledger`.
2. Serves it with gunicorn (gunicorn.conf.py, production settings, DEBUG off) on 127.0.0.1.
3. For --duration seconds (and at most --max-requests requests), --users threads read the public
   pages and exports found by following the site's own links, while --editors threads log in to
   the admin and save corrections (each to its own pledges) and new sources, as a browser would:
   form read back, CSRF token, reason. A write is acknowledged when the admin redirects to its list.
4. Stops gunicorn and checks the database: every acknowledged correction is the pledge's final
   value and is in its history, under that editor's name; every acknowledged new source exists
   once; nothing that was not acknowledged was written.
5. Prints p50/p99 latencies per kind of request and, with --write-benchmarks, puts them in
   BENCHMARKS.md between the load-test markers (bench/run.py keeps that section).

Only the standard library: http.client on keep-alive connections, one per thread. Every request
carries `X-Forwarded-Proto: https`, as the TLS proxy of a deployment would add. Exits 1 on any
error or lost write."""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 - bench/harness.py: the app's environment, gunicorn, the data folder
import hostile_mix  # noqa: E402 - bench/hostile_mix.py: --hostile, visitors trying to stall the site
from browser import Browser, errors_in, form_fields, set_field  # noqa: E402
from load_report import EXPORT_SHARE, markdown, summary, write_benchmarks  # noqa: E402

ROOT = harness.ROOT
EDITOR_PASSWORD = "load-test-editor-password"
BENCH_SQLITE = harness.DATA / "ledger.sqlite3"
READER_TIMEOUT = 300  # seconds without a byte before a reader gives up


def log(*parts):
    harness.log(*parts)


# Building the ledger ---------------------------------------------------------------------------


def build_ledger(args):
    """A ledger of the run's own: generated, or (--from-bench) a copy of bench/run.py's 1M ledger."""
    if args.sqlite:
        harness.DATA.mkdir(parents=True, exist_ok=True)
        path = harness.DATA / "load.sqlite3"
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        if args.from_bench:
            log(f"copying {BENCH_SQLITE} to {path}")
            shutil.copyfile(BENCH_SQLITE, path)
        url = f"sqlite:///{path}"
    else:
        admin = args.pg_url.rsplit("/", 1)[0] + "/postgres"
        name = args.pg_url.rsplit("/", 1)[1]
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
        template = f' TEMPLATE "{args.bench_pg_url.rsplit("/", 1)[1]}"' if args.from_bench else ""
        if template:
            log(f"copying PostgreSQL database{template}")
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"{template}'], check=True)
        url = args.pg_url
    harness.manage(url, "migrate", "--no-input", "-v0")
    if not args.from_bench:
        log(f"building the ledger: {url}")
        harness.manage(url, "generate_ledger", f"--pledges={args.pledges}", f"--trade={args.trade}", "--seed=1")
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        "from ledger.roles import EDITORS\n"
        "from ledger.models import Pledge\n"
        f"for i in range({args.editors}):\n"
        f"    user = get_user_model().objects.create_user(f'load-editor-{{i}}', password='{EDITOR_PASSWORD}', is_staff=True)\n"
        "    user.groups.add(Group.objects.get(name=EDITORS))\n"
        f"print(list(Pledge.objects.order_by('?').values_list('pk', flat=True)[:{args.editors * 200}]))\n"
    )
    pledges = json.loads(
        harness.manage(url, "shell", "--no-imports", "-c", code, capture=True).strip().splitlines()[-1]
    )
    return url, pledges


def data_description(args) -> str:
    if args.from_bench:
        built = json.loads((harness.DATA / "ledger.json").read_text())
        return (
            f"a copy of the benchmark ledger, `generate_ledger --pledges {built['pledges']} --trade {built['trade']} "
            f"--seed {built['seed']}`"
        )
    return f"`generate_ledger --pledges {args.pledges} --trade {args.trade} --seed 1`"


def saved_runs() -> list[dict]:
    """This run and the others saved in bench/data (one per database, plain and hostile)."""
    runs = [json.loads(path.read_text()) for path in sorted(harness.DATA.glob("load-*.json"))]
    return sorted(runs, key=lambda run: (run["database"] != "SQLite", run.get("hostile", 0)))


def crawl(port, limit):
    """Public pages and export links, found by following the site's links from the front page."""
    browser, seen, queue, exports = Browser(port), set(), ["/"], set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        status, _, content, _ = browser.request("GET", path)
        if status != 200:
            raise RuntimeError(f"crawl: GET {path} answered {status}")
        for href in re.findall(rb'href="([^"#]+)"', content):
            href = href.decode().replace("&amp;", "&")
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(path, href))
            if parts.netloc or parts.path.startswith(("/admin", "/accounts", "/static")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if "_export=" in parts.query:
                exports.add(target)
            elif target not in seen and len(seen) + len(queue) < limit * 3:
                queue.append(target)
    return sorted(seen), sorted(exports)


# The load --------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}
        self.errors = []
        self.requests = 0

    def record(self, kind, elapsed, error=None):
        with self.lock:
            self.requests += 1
            self.latencies.setdefault(kind, []).append(elapsed)
            if error:
                self.errors.append(f"{kind}: {error}")


def refused_on_purpose(path: str, status: int, content: bytes) -> bool:
    """A download of more rows than its format's limit (xlsx: XLSX_MAX_ROWS, IATI: IATI_MAX_ROWS, a
    timeline: TIMELINE_MAX_ROWS) is refused (HTTP 400) saying how to get the rows instead: the answer
    the app gives on purpose, not an error."""
    return status == 400 and "_export=" in path and re.match(rb"Nothing was exported: \S.* holds at most ", content)


def reader(port, pages, exports, recorder, stop, seed):
    # A browser waits minutes for a download's first byte (an Excel file is built whole first).
    rng, browser = random.Random(seed), Browser(port, timeout=READER_TIMEOUT)
    while not stop.is_set():
        is_export = exports and rng.random() < EXPORT_SHARE
        path = rng.choice(exports if is_export else pages)
        kind = "export" if is_export else "page"
        try:
            status, _, content, elapsed = browser.request("GET", path)
        except Exception as error:  # noqa: BLE001 - every failure is counted as an error
            recorder.record(kind, 0.0, f"GET {path}: {error!r}")
            browser = Browser(port, timeout=READER_TIMEOUT)
            continue
        handled = (status == 200 and content) or refused_on_purpose(path, status, content)
        recorder.record(kind, elapsed, None if handled else f"GET {path}: HTTP {status}")


def editor(*args):
    try:
        edit(*args)
    except Exception as error:  # noqa: BLE001 - a crashed editor is an error, never a silent stop
        args[4].record("admin save", 0.0, f"editor {args[0]} stopped: {error!r}")


def edit(index, editors, port, pledges, recorder, stop, acknowledged, attempted):
    browser = Browser(port)
    username = f"load-editor-{index}"
    _, _, page, _ = browser.request("GET", "/admin/login/")
    fields = form_fields(page, "login-form")
    set_field(fields, "username", username)
    set_field(fields, "password", EDITOR_PASSWORD)
    status, location, _, _ = browser.request("POST", "/admin/login/?next=/admin/", fields)
    if status != 302 or location != "/admin/":
        recorder.record("admin save", 0.0, f"{username} could not log in: HTTP {status} → {location!r}")
        return
    mine = pledges[index::editors]  # each editor corrects its own pledges: the last write is known
    step = 0
    while not stop.is_set():
        step += 1
        if step % 4 == 0:
            token = f"load-{index}-{step}"
            path = "/admin/ledger/source/add/"
            start = time.perf_counter()
            status, _, page, _ = browser.request("GET", path)
            fields = form_fields(page, "source_form")
            values = {
                "publisher": f"Load test desk {index}",
                "headline": f"Load test source {token}",
                "url": f"https://load.example.org/{token}",
                "published_on": "2026-02-05",
                "language": "en",
                "change_reason": "load test: new source",
            }
            for name, value in values.items():
                set_field(fields, name, value)
            attempted.append(("source", token))
            status, location, body, _ = browser.request("POST", path, fields)
            elapsed = time.perf_counter() - start
            if status == 302 and urllib.parse.urlsplit(location).path == "/admin/ledger/source/":
                acknowledged.append(("source", token, username))
                recorder.record("admin save", elapsed)
            else:
                recorder.record(
                    "admin save", elapsed, f"new source {token}: HTTP {status} → {location!r} {errors_in(body)}"
                )
        else:
            pk = mine[step % len(mine)]
            token = f"load-{index}-{step}: corrected under load"
            path = f"/admin/ledger/pledge/{pk}/change/"
            start = time.perf_counter()
            status, _, page, _ = browser.request("GET", path)
            if status != 200:
                recorder.record("admin save", time.perf_counter() - start, f"GET {path}: HTTP {status}")
                continue
            fields = form_fields(page, "pledge_form")
            set_field(fields, "description", token)
            set_field(fields, "change_reason", "load test: correction")
            attempted.append(("pledge", pk, token))
            status, location, body, _ = browser.request("POST", path, fields)
            elapsed = time.perf_counter() - start
            if status == 302 and urllib.parse.urlsplit(location).path == "/admin/ledger/pledge/":
                acknowledged.append(("pledge", pk, token, username))
                recorder.record("admin save", elapsed)
            else:
                recorder.record("admin save", elapsed, f"save {path}: HTTP {status} → {location!r} {errors_in(body)}")


# Checking the final state ----------------------------------------------------------------------

CHECK = """
import json, sys
from ledger.models import Pledge, Source
acknowledged = json.loads(sys.stdin.read())
problems = []
last = {}
for item in acknowledged:
    if item[0] == "pledge":
        last[item[1]] = item
for pk, (_, _, token, username) in last.items():
    pledge = Pledge.objects.get(pk=pk)
    if pledge.description != token:
        problems.append(f"pledge {pk}: final description {pledge.description!r}, last acknowledged {token!r}")
history = {}
for item in acknowledged:
    if item[0] == "pledge":
        history.setdefault(item[1], []).append((item[2], item[3]))
for pk, writes in history.items():
    recorded = [
        (h.description, h.history_user.username if h.history_user else None)
        for h in Pledge.history.filter(id=pk, description__startswith="load-").order_by("history_id")
    ]
    if recorded != writes:
        problems.append(f"pledge {pk}: history {recorded[:5]}... != acknowledged {writes[:5]}...")
tokens = [item[1] for item in acknowledged if item[0] == "source"]
for token in tokens:
    n = Source.objects.filter(url=f"https://load.example.org/{token}").count()
    if n != 1:
        problems.append(f"source {token}: {n} rows")
extra = Source.objects.filter(url__startswith="https://load.example.org/").exclude(
    url__in=[f"https://load.example.org/{t}" for t in tokens]).count()
if extra:
    problems.append(f"{extra} sources written that were never acknowledged")
unacknowledged = Pledge.objects.filter(description__startswith="load-").exclude(pk__in=list(last)).count()
if unacknowledged:
    problems.append(f"{unacknowledged} pledges carry a correction that was never acknowledged")
print(json.dumps({"problems": problems, "pledges": len(last), "sources": len(tokens),
                  "corrections": sum(len(w) for w in history.values())}))
"""


def check_final_state(database_url, acknowledged):
    out = subprocess.run(
        [str(harness.PYTHON), "manage.py", "shell", "--no-imports", "-c", CHECK],
        cwd=ROOT,
        env=harness.app_env(database_url),
        input=json.dumps(acknowledged),
        text=True,
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=8, help="reader threads (default 8)")
    parser.add_argument("--editors", type=int, default=2, help="editor threads (default 2)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--pledges", type=int, default=20_000)
    parser.add_argument("--trade", type=int, default=2_000)
    parser.add_argument("--crawl", type=int, default=120, help="public pages to collect (default 120)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--pg-url", default=os.environ.get("LOAD_PG_URL", "postgres://postgres@127.0.0.1:5432/aidledger_load")
    )
    parser.add_argument(
        "--from-bench",
        action="store_true",
        help="load a copy of bench/run.py's ledger (1M pledges: bench/data/ledger.sqlite3, or --bench-pg-url "
        "as a template) instead of generating --pledges",
    )
    parser.add_argument(
        "--bench-pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/aidledger_bench")
    )
    parser.add_argument(
        "--write-benchmarks",
        action="store_true",
        help="put the figures in BENCHMARKS.md, with the other saved runs (one per database, with and without --hostile)",
    )
    hostile_mix.add_arguments(parser)
    args = parser.parse_args()
    if args.from_bench:
        args.pledges, args.trade = json.loads((harness.DATA / "ledger.json").read_text())["pledges"], None

    harness.DATA.mkdir(parents=True, exist_ok=True)
    database_url, pledges = build_ledger(args)
    server = harness.gunicorn("gunicorn-load", database_url)
    try:
        pages, exports = crawl(server.port, args.crawl)
        log(f"{len(pages)} pages, {len(exports)} export links; load for {args.duration:.0f} s")
        recorder, stop = Recorder(), threading.Event()
        acknowledged, attempted = [], []
        threads = (
            [
                threading.Thread(target=reader, args=(server.port, pages, exports, recorder, stop, i), daemon=True)
                for i in range(args.users)
            ]
            + [
                threading.Thread(
                    target=editor,
                    args=(i, args.editors, server.port, pledges, recorder, stop, acknowledged, attempted),
                    daemon=True,
                )
                for i in range(args.editors)
            ]
            + hostile_mix.threads(args, server.port, recorder, stop)
        )
        load_before = harness.loadavg()
        started_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while time.perf_counter() - started < args.duration and recorder.requests < args.max_requests:
            time.sleep(0.2)
        stop.set()
        seconds = time.perf_counter() - started
        for thread in threads:  # requests in flight are let finish, and counted
            thread.join(timeout=READER_TIMEOUT + 60)
        tail = time.perf_counter() - started - seconds
        load_after = harness.loadavg()
    finally:
        server.stop()

    final = check_final_state(database_url, acknowledged)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "command": " ".join(["bench/load.py", *sys.argv[1:]]),
        "started": started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "seconds": seconds,
        "rows": summary(recorder, seconds),
        "errors": recorder.errors,
        "final": final,
        "tail": tail,
        "pages": len(pages),
        "exports": len(exports),
        "database": "SQLite" if args.sqlite else "PostgreSQL",
        "data": data_description(args),
        "users": args.users,
        "editors": args.editors,
        "hostile": args.hostile,
        "hostile_line": hostile_mix.report(recorder),
        "load_before": load_before,
        "load_after": load_after,
        "attempted_writes": len(attempted),
    }
    saved = harness.DATA / f"load-{result['database'].lower()}-{'hostile' if args.hostile else 'plain'}.json"
    saved.write_text(json.dumps(result, indent=2, default=str))
    section = markdown(saved_runs())
    print(section)
    for error in recorder.errors[:20]:
        print("error:", error, file=sys.stderr)
    if args.write_benchmarks:
        write_benchmarks(section)
        log("wrote the load-test section of BENCHMARKS.md")
    failed = (
        bool(recorder.errors)
        or bool(final["problems"])
        or len(attempted) != len(acknowledged)
        or (args.editors and not acknowledged)
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
