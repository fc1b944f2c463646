"""`manage.py generate_ledger --pledges N --trade N --seed S`: a synthetic ledger for load tests.

The same arguments always give the same rows (ids included), so benchmarks are repeatable; the rows
and their shape are ledger/synthetic.py's. The pledge totals (ledger/summaries.py) are rebuilt at the
end, in the same transaction.

Rows go in through bulk inserts (executemany on SQLite, COPY on PostgreSQL) with explicit ids, in
one transaction: 1M pledges take minutes, and a failure leaves nothing behind.

History: bulk inserts bypass django-simple-history, so by default the command writes each row's
creation record ('+', no user, the reason naming the command and seed) itself, as
`bulk_create_with_history` would; every entry then has the history the admin expects. With
`--no-history` the history tables stay empty (half the rows; fine for a throwaway load test).

Every source is marked synthetic (its URL is under the reserved `.invalid` domain and its notes
say so), and the command refuses a database that already holds ledger rows, so synthetic figures
can never mix with real ones."""

import contextlib
import functools
import itertools

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import DateField, DateTimeField, DecimalField
from tqdm import tqdm

from ledger import summaries
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure
from ledger.synthetic import CREATED_AT, Ledger


class Writer:
    """Bulk-inserts dicts into one model's table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model, connection, *, extra=None):
        self.model, self.connection = model, connection
        fields = [f for f in model._meta.concrete_fields if f.attname != "history_id"]
        self.columns = [f.attname for f in fields]
        self.defaults = {f.attname: (f.get_default() if f.has_default() else None) for f in fields}
        self.defaults.update(extra or {})
        self.copy = connection.vendor == "postgresql"
        ops = connection.ops
        # Dates and instants repeat a lot, so their adapted form is cached. COPY adapts by itself.
        adapt = {
            DateTimeField: functools.lru_cache(maxsize=None)(ops.adapt_datetimefield_value),
            DateField: functools.lru_cache(maxsize=None)(ops.adapt_datefield_value),
            DecimalField: str,
        }
        kinds = [next((a for t, a in adapt.items() if isinstance(f, t)), None) for f in fields]
        self.adapters = [] if self.copy else [(i, a) for i, a in enumerate(kinds) if a]
        quote = ops.quote_name
        table, cols = quote(model._meta.db_table), ", ".join(quote(c) for c in self.columns)
        if self.copy:
            self.sql = f"COPY {table} ({cols}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(self.columns))})"

    def tuples(self, rows):
        getters = [(c, self.defaults[c]) for c in self.columns]
        adapters = self.adapters
        for row in rows:
            values = [row.get(c, default) for c, default in getters]
            for i, adapt in adapters:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            yield values

    def write(self, rows):
        with self.connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(self.sql) as copy:
                    for values in self.tuples(rows):
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, list(self.tuples(rows)))


class Command(BaseCommand):
    help = "Fill an empty database with a deterministic synthetic ledger (for load tests and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=10_000, help="Pledges to write (parts included).")
        parser.add_argument("--trade", type=int, default=1_000, help="Trade figures to write.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same ledger.")
        parser.add_argument("--actors", type=int, default=200)
        parser.add_argument("--sources", type=int, default=5_000)
        parser.add_argument("--batch", type=int, default=20_000, help="Rows per bulk insert.")
        parser.add_argument("--no-history", action="store_true", help="Leave the history tables empty.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, pledges, trade, seed, actors, sources, batch, no_history, database, verbosity, **kw):
        if min(pledges, trade) < 0 or min(actors, sources) < 1:
            raise CommandError("Counts must be positive (and at least one actor and one source).")
        if actors < 10:
            raise CommandError("A ledger needs at least 10 actors.")
        connection = connections[database]
        occupied = [
            str(m._meta.verbose_name_plural)
            for m in (Actor, Source, Pledge, TradeFigure, Statement, Person, Citation)
            if m.objects.using(database).exists()
        ]
        if occupied:
            raise CommandError(
                f"The database already holds {', '.join(occupied)}. generate_ledger only fills an empty ledger, "
                "so synthetic rows never mix with real ones: use a fresh database (migrate, then generate_ledger)."
            )
        ledger = Ledger(seed=seed, actors=actors, sources=sources)
        reason = f"generate_ledger --seed {seed}"
        history = {
            "history_date": CREATED_AT,
            "history_change_reason": reason,
            "history_type": "+",
            "history_user_id": None,
        }
        progress = tqdm(
            total=len(ledger.actors) + len(ledger.sources) + pledges + trade,
            unit=" rows",
            unit_scale=True,
            disable=verbosity == 0,
            file=self.stderr,
            mininterval=1,
        )

        def write(model, rows):
            Writer(model, connection).write(rows)
            if not no_history:
                Writer(model.history.model, connection, extra=history).write(rows)

        with self.fast_inserts(connection), transaction.atomic(using=database):
            for model, rows in ((Actor, ledger.actors), (Source, ledger.sources)):
                write(model, rows)
                progress.update(len(rows))
            for model, entries in ((Pledge, ledger.pledges(pledges)), (TradeFigure, ledger.trade(trade))):
                while chunk := list(itertools.islice(entries, batch)):
                    write(model, [row for row, _ in chunk])
                    write(Citation, [c for _, citations in chunk for c in citations])
                    progress.update(len(chunk))
            self.reset_sequences(connection, database)
            # Bulk inserts bypass the signals that keep the pledge totals: computed once, at the end.
            summaries.rebuild(using=database)
        progress.close()
        self.analyze(connection)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {len(ledger.actors)} actors, {len(ledger.sources)} sources, {pledges} pledges, "
                    f"{trade} trade figures and {ledger.citation_id} citations (seed {seed}"
                    f"{', no history' if no_history else ', with creation history'})."
                )
            )

    @contextlib.contextmanager
    def fast_inserts(self, connection):
        """On SQLite, skip fsync while loading (it is one transaction anyway) and use a bigger page
        cache. SQLite refuses the change inside a transaction (as in tests); it is only speed."""
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {synchronous}")

    def reset_sequences(self, connection, database):
        """Ids were given explicitly; move PostgreSQL's sequences past them."""
        models = [Actor, Source, Pledge, TradeFigure, Citation]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    def analyze(self, connection):
        """Give the query planner statistics on the new rows (skewed donors change its choices)."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
