"""How fast the full pledges CSV downloads, against the database's own shell dumping the baseline query,
in the same run: the sqlite3 shell (`sqlite3 -csv -header` of bench/ledgers.py EXPORT_SQL["sqlite"]) and
psql (`\\copy (EXPORT_SQL["postgresql"]) TO STDOUT WITH CSV HEADER`).

    .venv/bin/python bench/export_speed.py --sqlite /tmp/copy-of-ledger.sqlite3 \\
        [--postgres postgres://postgres@127.0.0.1:5432/aidledger_bench] [--repeat 3] [--no-http] [--python-writer]

For each database, alternating, `--repeat` times each:
- in-process: a fresh Python process times the download's generator (ledger.exports.sql.stream_csv, as
  the view calls it, over Pledge.objects.order_by("id")) to the end, and reports its peak RSS;
  `--python-writer` times the Python writer (writers.stream_csv) too;
- over HTTP: gunicorn (gunicorn.conf.py, production settings) serving /pledges/?_export=csv&sort=id, read
  to the end by bench/harness.py's stream_rows (rows, peak RSS of the worker, server CPU);
- the shell baseline (bench/harness.py's shell_dump: its output read from a pipe and dropped).
Prints the median rows/s of each, the app/shell ratios, and the load average with every figure; and
rows per CPU-second of the measured process (in-process: the app; http: gunicorn's processes; shell:
sqlite3 or psql, whose figure leaves out the PostgreSQL server's own CPU), steadier on a shared machine.

The SQLite file is opened read-write by Django (WAL): point --sqlite at a copy, never at
bench/data/ledger.sqlite3. Server logs go to a temporary directory (BENCH_DATA)."""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_DATA", tempfile.mkdtemp(prefix="export-speed-"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import PYTHON, gunicorn, loadavg, log, shell_dump, stream_rows  # noqa: E402
from ledgers import EXPORT_SQL  # noqa: E402

PATH = "/pledges/?_export=csv&sort=id"
CHILD_ENV = {
    "SECRET_KEY": "bench-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "DJANGO_SETTINGS_MODULE": "aidledger.settings",
    "PYTHONPATH": str(ROOT),
}


def in_process_child(writer: str) -> None:
    """Runs in the child process: times one download's generator to its end, prints JSON."""
    import django

    django.setup()
    from ledger import exports
    from ledger.exports import sql
    from ledger.models import Pledge

    rows = Pledge.objects.count()
    load = loadavg()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    queryset = Pledge.objects.order_by("id")
    chunks = sql.stream_csv(exports.PLEDGES, queryset) if writer == "sql" else None
    if chunks is None:
        chunks = exports.stream_csv(exports.PLEDGES, queryset)
    size = sum(len(chunk) for chunk in chunks)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(json.dumps({"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "bytes": size,
                      "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": cpu, "rows_per_cpu_s": rows / cpu,
                      "load": load}))  # fmt: skip


def in_process(database_url: str, writer: str) -> dict:
    env = {**os.environ, **CHILD_ENV, "DATABASE_URL": database_url}
    out = subprocess.run(
        [str(PYTHON), __file__, "--child", writer], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def shell_command(label: str, target: str) -> list[str]:
    if label == "sqlite":
        return ["sqlite3", "-csv", "-header", target, EXPORT_SQL["sqlite"]]
    query = " ".join(EXPORT_SQL["postgresql"].split())
    return ["psql", target, "-qc", f"\\copy ({query}) TO STDOUT WITH CSV HEADER"]


def measure(label: str, database_url: str, shell_target: str, args) -> dict:
    figures = {"in-process": [], "shell": []}
    if args.python_writer:
        figures["in-process, Python writer"] = []
    rows = None
    for turn in range(args.repeat):
        log(label, "turn", turn + 1)
        result = in_process(database_url, "sql")
        rows = result["rows"]
        figures["in-process"].append(result)
        if args.python_writer:
            figures["in-process, Python writer"].append(in_process(database_url, "python"))
        figures["shell"].append(shell_dump(shell_command(label, shell_target), rows))
    if not args.no_http:
        env_url = database_url
        figures["http"] = []
        app = gunicorn(f"export-speed-{label}", env_url)
        try:
            for turn in range(args.repeat):
                log(label, "http turn", turn + 1)
                result = stream_rows(app.port, PATH, server=app)
                assert result["status"] == 200 and result["rows"] == rows, result
                figures["http"].append(result)
                figures["shell"].append(shell_dump(shell_command(label, shell_target), rows))
        finally:
            app.stop()
    return {"rows": rows, "figures": figures}


def report(label: str, measured: dict) -> None:
    figures = measured["figures"]
    shell = statistics.median(f["rows_per_s"] for f in figures["shell"])
    print(f"\n{label}: {measured['rows']:,} pledges, median of {len(figures['shell'])} shell runs: {shell:,.0f} rows/s")
    for name, runs in figures.items():
        rates = [f["rows_per_s"] for f in runs]
        peaks = [f.get("peak_rss_mb") for f in runs if f.get("peak_rss_mb")]
        line = f"  {name:28s} median {statistics.median(rates):9,.0f} rows/s  (runs: "
        line += ", ".join(f"{r:,.0f}" for r in rates) + ")"
        if name != "shell":
            line += f"  = {statistics.median(rates) / shell:.2f}x shell"
        if peaks:
            line += f"  peak RSS {max(peaks):.0f} MB"
        per_cpu = [f["rows_per_cpu_s"] for f in runs if f.get("rows_per_cpu_s")]
        if per_cpu:  # the client's (or server's) own CPU: steadier than wall time on a loaded machine
            line += f"  {statistics.median(per_cpu):,.0f} rows per CPU-second"
        line += "  load " + " | ".join(f["load"] for f in runs)
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", help="a COPY of the 1M SQLite ledger (Django opens it read-write)")
    parser.add_argument("--postgres", help="the PostgreSQL ledger's URL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--python-writer", action="store_true", help="time the Python writer in-process too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return in_process_child(args.child)
    if not (args.sqlite or args.postgres):
        parser.error("give --sqlite and/or --postgres")
    if args.sqlite and Path(args.sqlite).resolve() == (ROOT / "bench" / "data" / "ledger.sqlite3").resolve():
        parser.error("--sqlite must be a copy: Django opens the file read-write")
    print(f"export_speed: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load before {loadavg()}")
    results = {}
    if args.sqlite:
        results["SQLite"] = measure("sqlite", f"sqlite:///{Path(args.sqlite).resolve()}", args.sqlite, args)
    if args.postgres:
        results["PostgreSQL"] = measure("postgresql", args.postgres, args.postgres, args)
    for label, measured in results.items():
        report(label, measured)
    print(f"\nload after {loadavg()}")


if __name__ == "__main__":
    main()
