"""How fast the pledges CSV streams, the SQLite date-as-text path against the Python date path, in one run.

    .venv/bin/python bench/export_speed.py [--pledges 100000] [--repeat 5] [--db /tmp/aidledger-export-speed.sqlite3]

Builds the synthetic ledger into a scratch SQLite file (generate_ledger --trade 1000 --seed 1
--no-history), unless that file already exists, checks that both paths write the same bytes for
every table, then times `b"".join(exports.stream_csv(PLEDGES, Pledge.objects.all()))` with each
path, alternating, and prints the median rows/s of each and their ratio. In-process, no HTTP:
it measures the writer, not the server. Set DATABASE_URL to time another database instead (the
ledger must already be generated there)."""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="/tmp/aidledger-export-speed.sqlite3")
    args = parser.parse_args()
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret")}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{args.db}"
        if not Path(args.db).exists():
            manage = [sys.executable, str(ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
            subprocess.run(
                [
                    *manage,
                    "generate_ledger",
                    "--pledges",
                    str(args.pledges),
                    "--trade",
                    "1000",
                    "--seed",
                    "1",
                    "--no-history",
                ],
                check=True,
                env=env,
                cwd=ROOT,
            )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from ledger import exports
    from ledger.models import Pledge

    for table in exports.TABLES:
        queryset = table.model.objects.all()
        fast = b"".join(exports.stream_csv(table, queryset))
        python = b"".join(exports.stream_csv(table, queryset, raw_dates=False))
        if fast != python:
            sys.exit(f"{table.name}: the two paths differ")
    rows = Pledge.objects.count()
    times = {False: [], True: []}
    for _ in range(args.repeat):
        for raw_dates in (False, True):
            start = time.perf_counter()
            b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.all(), raw_dates=raw_dates))
            times[raw_dates].append(time.perf_counter() - start)
    before, after = (rows / statistics.median(times[key]) for key in (False, True))
    print(f"{connection.vendor}, {rows:,} pledges, median of {args.repeat}, same bytes on every table")
    print(f"Python date path (raw_dates=False): {before:,.0f} rows/s")
    print(f"dates as stored text (default):     {after:,.0f} rows/s")
    print(f"ratio: {after / before:.2f}")


if __name__ == "__main__":
    main()
