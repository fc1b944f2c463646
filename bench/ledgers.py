"""The benchmark's ledgers: built once with generate_ledger (SQLite in bench/data/, PostgreSQL in its own
database), reused while their parameters match; the export query the shell baselines run; the values
the timed URLs need."""

import json
import subprocess
import time
import urllib.parse

from harness import DATA, log, manage

# The CSV export's rows and columns (ledger/exports.py PLEDGES), as the sqlite3 shell and psql dump
# them for the baselines: the same joins, the same counted_in_totals test, the citations aggregated.
EXPORT_SQL = {
    "sqlite": """
SELECT p.id, d.name, d.code, r.name, r.code, p.kind, p.status, p.amount, p.currency, p.amount_qualifier,
       p.amount_usd, p.usd_rate, p.usd_rate_date, p.usd_rate_source, p.usd_rate_basis, p.usd_missing_reason,
       p.quantity, p.unit, p.commodity,
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
       p.amount_usd, p.usd_rate, p.usd_rate_date, p.usd_rate_source, p.usd_rate_basis, p.usd_missing_reason,
       p.quantity, p.unit, p.commodity,
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
    """The busiest donor (the heaviest filter), and one of its grants that the admin save corrects."""
    code = (
        "from django.db.models import Count\n"
        "from ledger.models import Actor, Pledge\n"
        "donor = Pledge.objects.values('donor').annotate(n=Count('id')).order_by('-n')[0]\n"
        "actor = Actor.objects.get(pk=donor['donor'])\n"
        "edited = Pledge.objects.filter(donor=actor, kind='grant', package__isnull=True).order_by('id')[0]\n"
        "print(actor.pk, actor.code, Pledge.objects.count(), edited.pk)\n"
    )
    pk, code, count, edited = manage(database_url, "shell", "--no-imports", "-c", code, capture=True).split()
    return {"donor_id": int(pk), "donor_code": code, "pledges": int(count), "pledge_id": int(edited)}
