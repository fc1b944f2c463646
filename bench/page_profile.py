"""Where a page's time goes, in-process: the Django test client against DATABASE_URL (a copy of the
benchmark's 1M ledger, say), production settings. For each path: the median wall and CPU time of
REPEAT requests after two warm-ups, the queries of one more (slowest first), and with PROF=1 a
cProfile of three requests (SORT=cumulative|tottime, N lines).

    cp bench/data/ledger.sqlite3 /tmp/l1m.sqlite3
    PYTHONPATH=. DATABASE_URL=sqlite:////tmp/l1m.sqlite3 SECRET_KEY=<50+ characters> DEBUG=0 \\
      ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 EXPENSIVE_REQUESTS_BURST=1000 \\
      PROF=1 .venv/bin/python bench/page_profile.py /pledges/ "/pledges/?donor=HUN&kind=in_kind"
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main(paths: list[str]) -> None:
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    for path in paths:
        for _ in range(2):
            response = client.get(path)
        walls, cpus = [], []
        for _ in range(int(os.environ.get("REPEAT", "9"))):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(
            f"{path}: HTTP {response.status_code}, median {statistics.median(walls):.1f} ms, "
            f"CPU {statistics.median(cpus):.1f} ms, {len(queries)} queries, load {load}"
        )
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"])):
            print(f"   {float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
        if os.environ.get("PROF"):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                client.get(path)
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("N", "60")))


if __name__ == "__main__":
    main(sys.argv[1:] or ["/pledges/"])
