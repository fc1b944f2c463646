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
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_DATA") or ROOT / "bench" / "data")
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DATASETTE = ROOT / "bench" / ".venv" / "bin" / "datasette"
# The pledges page's CSV download, unfiltered, by id (the order the shell baselines dump in). Add
# "/pledges/?_export=csv" for the page's own order (newest first): about 1.5x slower on SQLite, where
# the rows come in date-index order rather than table order.
EXPORT_PATHS = ["/pledges/?_export=csv&sort=id"]
PAGE_SIZE = 25  # the app's table page size (ledger/views/pages.py)
DEEP_PAGE = 400  # the deepest page the app serves (ledger/paginators.py MAX_PAGE)
# One key for the whole run: the admin session made by `manage.py shell` must be valid under gunicorn.
SECRET_KEY = secrets.token_urlsafe(50)

# The CSV export's rows and columns (ledger/exports.py PLEDGES), as the sqlite3 shell and psql dump
# them for the baselines: the same joins, the same counted_in_totals test, the citations aggregated.
EXPORT_SQL = {
    "sqlite": """
SELECT p.id, d.name, d.code, r.name, r.code, p.kind, p.status, p.amount, p.currency, p.amount_qualifier,
       p.amount_usd, p.usd_rate, p.usd_rate_date, p.usd_rate_source, p.quantity, p.unit, p.commodity,
       p.valuation, p.valuation_method, p.date, p.date_precision, p.date_qualifier, p.year_inferred,
       p.package_id, p.official_id,
       NOT EXISTS (SELECT 1 FROM ledger_pledge part WHERE part.package_id = p.id) AS counted_in_totals,
       p.description, c.sources, c.paragraphs, c.excerpts, c.notes, p.updated_at
FROM ledger_pledge p
JOIN ledger_actor d ON d.id = p.donor_id
JOIN ledger_actor r ON r.id = p.recipient_id
LEFT JOIN (SELECT pledge_id, group_concat(source_id, '; ') AS sources,
                  group_concat(coalesce(paragraph, ''), '; ') AS paragraphs,
                  group_concat(excerpt, char(10)) AS excerpts, group_concat(note, char(10)) AS notes
           FROM ledger_citation WHERE pledge_id IS NOT NULL GROUP BY pledge_id) c ON c.pledge_id = p.id
ORDER BY p.id""".strip(),
    "postgresql": """
SELECT p.id, d.name, d.code, r.name, r.code, p.kind, p.status, p.amount, p.currency, p.amount_qualifier,
       p.amount_usd, p.usd_rate, p.usd_rate_date, p.usd_rate_source, p.quantity, p.unit, p.commodity,
       p.valuation, p.valuation_method, p.date, p.date_precision, p.date_qualifier, p.year_inferred,
       p.package_id, p.official_id,
       NOT EXISTS (SELECT 1 FROM ledger_pledge part WHERE part.package_id = p.id) AS counted_in_totals,
       p.description, c.sources, c.paragraphs, c.excerpts, c.notes, p.updated_at
FROM ledger_pledge p
JOIN ledger_actor d ON d.id = p.donor_id
JOIN ledger_actor r ON r.id = p.recipient_id
LEFT JOIN (SELECT pledge_id, string_agg(source_id::text, '; ' ORDER BY id) AS sources,
                  string_agg(coalesce(paragraph::text, ''), '; ' ORDER BY id) AS paragraphs,
                  string_agg(excerpt, E'\\n' ORDER BY id) AS excerpts, string_agg(note, E'\\n' ORDER BY id) AS notes
           FROM ledger_citation WHERE pledge_id IS NOT NULL GROUP BY pledge_id) c ON c.pledge_id = p.id
ORDER BY p.id""".strip(),
}


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url, **extra):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(database_url, *args, capture=False):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=app_env(database_url),
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else None


# Databases -------------------------------------------------------------------------------------


def sqlite_ledger(args):
    """Build bench/data/ledger.sqlite3 once per (pledges, trade, seed); migrate it on reuse."""
    DATA.mkdir(parents=True, exist_ok=True)
    path, params = DATA / "ledger.sqlite3", DATA / "ledger.json"
    wanted = {"pledges": args.pledges, "trade": args.trade, "seed": args.seed}
    url = f"sqlite:///{path}"
    if path.exists() and params.exists() and json.loads(params.read_text()) == wanted:
        log(f"reusing {path}")
        manage(url, "migrate", "--no-input", "-v0")
        return url, None
    building = DATA / "building.sqlite3"
    for stale in (path, params, building):
        stale.unlink(missing_ok=True)
    log(f"building the SQLite ledger: {args.pledges:,} pledges, {args.trade:,} trade figures, seed {args.seed}")
    started = time.perf_counter()
    manage(f"sqlite:///{building}", "migrate", "--no-input", "-v0")
    manage(
        f"sqlite:///{building}",
        "generate_ledger",
        f"--pledges={args.pledges}",
        f"--trade={args.trade}",
        f"--seed={args.seed}",
    )
    seconds = time.perf_counter() - started
    building.rename(path)
    params.write_text(json.dumps(wanted))
    return url, seconds


def postgres_ledger(args):
    """Build the PostgreSQL ledger in its own database (never the test one); reuse it if complete."""
    url = args.pg_url
    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    exists = (
        subprocess.run(
            ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        == "1"
    )
    marker = f"generate_ledger --pledges={args.pledges} --trade={args.trade} --seed={args.seed}"
    if exists:
        comment = subprocess.run(
            [
                "psql",
                admin,
                "-tAc",
                f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if comment == marker:
            log(f"reusing PostgreSQL database {name}")
            manage(url, "migrate", "--no-input", "-v0")
            return url, None
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{name}"'], check=True)
    log(f"building the PostgreSQL ledger in {name}")
    started = time.perf_counter()
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage(url, "migrate", "--no-input", "-v0")
    manage(url, "generate_ledger", f"--pledges={args.pledges}", f"--trade={args.trade}", f"--seed={args.seed}")
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    subprocess.run(["psql", admin, "-qc", f"COMMENT ON DATABASE \"{name}\" IS '{marker}'"], check=True)
    return url, time.perf_counter() - started


def bench_session(database_url):
    """A superuser session for the admin changelist, stored in the bench database."""
    code = (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "User = get_user_model()\n"
        "user = User.objects.filter(username='bench').first() or User.objects.create_superuser('bench', None, None)\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(user.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "s.create()\n"
        "print(s.session_key)\n"
    )
    return manage(database_url, "shell", "--no-imports", "-c", code, capture=True).strip()


def sample_values(database_url):
    """The busiest donor (the heaviest filter) and an actor, to put in the URLs."""
    code = (
        "from django.db.models import Count\n"
        "from ledger.models import Actor, Pledge\n"
        "donor = Pledge.objects.values('donor').annotate(n=Count('id')).order_by('-n')[0]\n"
        "actor = Actor.objects.get(pk=donor['donor'])\n"
        "print(actor.pk, actor.code, Pledge.objects.count())\n"
    )
    pk, code, count = manage(database_url, "shell", "--no-imports", "-c", code, capture=True).split()
    return {"donor_id": int(pk), "donor_code": code, "pledges": int(count)}


# Servers ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, name, command, env, port, ready_path):
        self.name, self.port = name, port
        self.logfile = open(DATA / f"{name}.log", "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.logfile.name}")
            try:
                status, _, _ = request(port, ready_path, timeout=60)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} did not start; see {self.logfile.name}")

    def pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [self.process.pid] + [int(p) for p in children.read_text().split()]
        except OSError:
            return [self.process.pid]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.logfile.close()


def gunicorn(name, database_url):
    port = free_port()
    env = app_env(database_url, GUNICORN_BIND=f"127.0.0.1:{port}")
    return Server(name, [str(GUNICORN), "-c", "gunicorn.conf.py"], env, port, "/data-dictionary/")


def datasette(path):
    port = free_port()
    command = [
        str(DATASETTE),
        "serve",
        str(path),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--setting",
        "suggest_facets",
        "off",
    ]
    return Server("datasette", command, dict(os.environ), port, "/")


def cpu_seconds(pids):
    """User + system CPU time of these processes so far (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def proc_kb(pid, field):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


# Measuring -------------------------------------------------------------------------------------

HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}


def request(port, path, *, cookie=None, timeout=120, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(HEADERS, **({"Cookie": cookie} if cookie else {}))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if connection is None:
        conn.close()
    return response.status, body, response


def median_ms(port, path, *, repeat, cookie=None, server=None):
    """Median wall time of `repeat` GETs over one keep-alive connection, after two warm-ups."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    status, body, _ = request(port, path, cookie=cookie, connection=conn)
    first_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        conn.close()
        return {"status": status, "path": path}
    request(port, path, cookie=cookie, connection=conn)
    times, load = [], loadavg()
    cpu_before = cpu_seconds(server.pids()) if server else 0
    for _ in range(repeat):
        started = time.perf_counter()
        status, body, _ = request(port, path, cookie=cookie, connection=conn)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    conn.close()
    cpu_ms = (cpu_seconds(server.pids()) - cpu_before) * 1000 / repeat if server else None
    return {
        "status": 200,
        "path": path,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "first_ms": first_ms,
        "cpu_ms": cpu_ms,
        "bytes": len(body),
        "load": load,
    }


def stream_rows(port, path, server=None):
    """Reads a CSV download to the end; returns rows (lines less the header), seconds and peak RSS."""
    peak = {"rss_kb": 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for pid in server.pids():
                peak["rss_kb"] = max(peak["rss_kb"], proc_kb(pid, "VmRSS"))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True) if server else None
    if watcher:
        watcher.start()
    load = loadavg()
    cpu_before = cpu_seconds(server.pids()) if server else 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    started = time.perf_counter()
    conn.request("GET", path, headers=HEADERS)
    response = conn.getresponse()
    # Rows end in CRLF (csv.writer's terminator); a line break inside a quoted cell is a bare LF.
    lines = size = 0
    tail = b""
    while chunk := response.read1(1 << 20):
        lines += (tail + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
        tail = chunk[-1:]
        size += len(chunk)
    seconds = time.perf_counter() - started
    conn.close()
    stop.set()
    result = {
        "status": response.status,
        "path": path,
        "rows": max(0, lines - 1),
        "seconds": seconds,
        "bytes": size,
        "load": load,
        "content_type": response.getheader("Content-Type"),
    }
    result["rows_per_s"] = result["rows"] / seconds if seconds else 0
    if server:
        watcher.join()
        workers = server.pids()[1:] or server.pids()
        result["peak_rss_mb"] = max(proc_kb(pid, "VmHWM") for pid in workers) / 1024
        result["sampled_rss_mb"] = peak["rss_kb"] / 1024
        result["server_cpu_s"] = cpu_seconds(server.pids()) - cpu_before
        result["rows_per_cpu_s"] = result["rows"] / result["server_cpu_s"] if result["server_cpu_s"] else 0
    return result


def shell_dump(command, rows):
    """Times a shell client dumping the export query to a pipe (the bench reads and drops it)."""
    load = loadavg()
    started = time.perf_counter()
    size = 0
    children_before = os.times().children_user + os.times().children_system
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        while chunk := process.stdout.read1(1 << 20):
            size += len(chunk)
    seconds = time.perf_counter() - started
    cpu = os.times().children_user + os.times().children_system - children_before
    assert process.returncode == 0 and size > rows * 50, (command[:3], process.returncode, size)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "load": load,
        "bytes": size,
        "cpu_s": cpu,
        "rows_per_cpu_s": rows / cpu if cpu else 0,
        "command": " ".join(command[:-1]) + " '<export query>'",
    }


def pages(sample, deep_page):
    """(name, app path, Datasette path) for each timed page; Datasette's `_next` is its keyset cursor."""
    donor, code = sample["donor_id"], sample["donor_code"]
    deep_offset = (deep_page - 1) * PAGE_SIZE
    table = f"/ledger/ledger_pledge?_size={PAGE_SIZE}"
    return [
        ("Pledges, first page", "/pledges/", f"{table}&_sort_desc=date"),
        ("Pledges sorted by amount (USD)", "/pledges/?sort=-amount_usd", f"{table}&_sort_desc=amount_usd"),
        (
            f"Pledges filtered by donor ({code}) and kind (in kind)",
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
    ]


def run_backend(label, database_url, args, *, sqlite_path=None):
    sample = sample_values(database_url)
    cookie = f"sessionid={bench_session(database_url)}"
    deep_page = DEEP_PAGE
    results = {"label": label, "sample": sample, "pages": [], "load_before": loadavg()}
    app = gunicorn(f"gunicorn-{label.lower()}", database_url)
    results["gunicorn_pids"] = app.pids()
    ds = datasette(sqlite_path) if sqlite_path else None
    try:
        for name, app_path, ds_path in pages(sample, deep_page):
            log(label, name)
            row = {"name": name, "app": median_ms(app.port, app_path, repeat=args.repeat, server=app)}
            if ds:
                row["datasette"] = median_ms(ds.port, ds_path, repeat=args.repeat, server=ds)
            results["pages"].append(row)
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


# Report ----------------------------------------------------------------------------------------


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
            target = 300 if page["name"].startswith(("Admin", "Overview")) else 100
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
    # bench/load.py's section (between its markers) is kept as it was.
    previous = (ROOT / "BENCHMARKS.md").read_text() if (ROOT / "BENCHMARKS.md").exists() else ""
    start, end = previous.find("<!-- load-test:start -->"), previous.find("<!-- load-test:end -->")
    if start != -1 and end != -1:
        lines += ["", previous[start : end + len("<!-- load-test:end -->")], ""]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines))
    (DATA / "results.json").write_text(json.dumps(runs, indent=2, default=str))


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
