"""How fast an import creates new pledges: the batch path against the row-at-a-time path, in one run.

    .venv/bin/python bench/import_speed.py [--rows 5000] [--baseline-rows 300] [--repeat 3] [--restore] [--db /tmp/aidledger-import-speed.sqlite3]

Builds the synthetic ledger into a scratch SQLite file (generate_ledger --pledges 20000 --trade 2000
--seed 1), unless that file already exists; set DATABASE_URL to time another database instead (the
ledger must already be generated there; nothing is left written: every import is rolled back). The
file imported is the export of the ledger's first ROWS pledges (ledger.exports' CSV writer) with the
id and updated_at cells emptied, so every row creates a new pledge with its citations; with
--restore the ids are kept, moved above the table's highest (a restore, which keeps updated_at).

Each path imports through `imports.import_texts` (parsing included) in a transaction that is rolled
back; the batch path imports ROWS rows (REPEAT times, the median printed), the row-at-a-time path (row_at_a_time=True, the import as it
was) the first BASELINE_ROWS of them, as it takes 20-70 ms a row (about 110 queries). Prints rows/s
of each, the ratio, the queries per row of each, and the load average before and after."""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    pass


def _scratch_ledger(db: str, env: dict) -> None:
    if Path(db).exists():
        return
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    subprocess.run(
        [*manage, "generate_ledger", "--pledges", "20000", "--trade", "2000", "--seed", "1"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--baseline-rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="batch imports timed; the median is printed")
    parser.add_argument("--restore", action="store_true", help="keep the ids, moved above the table's highest")
    parser.add_argument("--db", default="/tmp/aidledger-import-speed.sqlite3")
    args = parser.parse_args()
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret")}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{args.db}"
        _scratch_ledger(args.db, env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Max

    from ledger import exports, imports
    from ledger.models import Pledge

    ids = list(Pledge.objects.order_by("id").values_list("id", flat=True)[: args.rows])
    text = b"".join(exports.stream_csv(exports.PLEDGES, Pledge.objects.filter(pk__in=ids))).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, body = records[0], records[1:]
    shift = (Pledge.objects.aggregate(top=Max("id"))["top"] or 0) + 10
    id_index, updated_index, package_index = (header.index(c) for c in ("id", "updated_at", "package"))
    for cells in body:
        if args.restore:
            cells[id_index] = str(int(cells[id_index]) + shift)
        else:
            cells[id_index] = cells[updated_index] = ""

    def csv_text(rows: int) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([header, *body[:rows]])
        return out.getvalue()

    parts = sum(1 for cells in body if cells[package_index])
    user, _ = get_user_model().objects.get_or_create(username="import-speed-bench")

    def timed(rows: int, row_at_a_time: bool) -> tuple[float, float]:
        file_text = csv_text(rows)
        executed = 0

        def count(execute, sql, params, many, context):
            nonlocal executed
            executed += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    result = imports.import_texts(
                        [("pledges.csv", file_text)], user=user, reason="import speed", row_at_a_time=row_at_a_time
                    )
                    elapsed = time.perf_counter() - start
                    if result.problems or sum(r.count("create") for r in result.reports) != rows:
                        sys.exit(f"the import did not create {rows} pledges: {result.problems[:3]}")
                    raise Rollback
            except Rollback:
                pass
        return rows / elapsed, executed / rows

    load_before = Path("/proc/loadavg").read_text().split()[:3]
    runs = [timed(len(body), row_at_a_time=False) for _ in range(args.repeat)]
    batch_rate, batch_queries = statistics.median(rate for rate, _ in runs), runs[0][1]
    baseline = min(args.baseline_rows, len(body))
    row_rate, row_queries = timed(baseline, row_at_a_time=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    kind = "restored ids" if args.restore else "ids emptied"
    print(
        f"{connection.vendor}, {Pledge.objects.count():,} pledges in the ledger; file: {len(body):,} rows ({kind}, {parts} parts)"
    )
    print(
        f"batch path:        {batch_rate:8,.0f} rows/s  ({len(body):,} rows, {batch_queries:.3f} queries/row; "
        f"median of {args.repeat}: {', '.join(f'{rate:,.0f}' for rate, _ in runs)})"
    )
    print(f"row-at-a-time:     {row_rate:8,.1f} rows/s  ({baseline:,} rows, {row_queries:.1f} queries/row)")
    print(f"ratio: {batch_rate / row_rate:.0f}x")
    print(f"load average before: {' '.join(load_before)}; after: {' '.join(load_after)}")


if __name__ == "__main__":
    main()
