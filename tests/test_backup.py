"""Backup and move: a dumpdata/loaddata round trip gives back every row, history included, and a
ledger moves from SQLite to PostgreSQL with the commands in the README."""

import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.test import SimpleTestCase, TransactionTestCase, tag

from ledger import services
from ledger.models import Actor, Pledge, Source

# The README's "Backup, restore and moving to PostgreSQL" section shows these arguments; a test
# below checks that it still does.
DUMP_ARGS = [
    "dumpdata",
    "--natural-foreign",
    "--natural-primary",
    "--exclude",
    "contenttypes",
    "--exclude",
    "auth.permission",
    "--exclude",
    "sessions",
    "--exclude",
    "axes",
    "--exclude",
    "ledger.pledgetotal",
]
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
# The maintained totals are derived: loading the pledges rebuilds them (ledger/summaries.py).
EXCLUDED_MODELS = {"auth.permission", "ledger.pledgetotal"}


def snapshot():
    """Every row the backup should carry, serialized with natural keys (so users, groups and
    content types compare by name, not by an id that a new database may number differently)."""
    rows = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDED_APPS or label in EXCLUDED_MODELS or not model._meta.managed:
            continue
        data = serializers.serialize(
            "python",
            model._default_manager.order_by("pk"),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        for row in data:
            row["fields"] = {name: to_milliseconds(value) for name, value in row["fields"].items()}
            rows.append(json.dumps(row, sort_keys=True, default=str))
    return sorted(rows)


def to_milliseconds(value):
    """JSON dumps keep times to the millisecond (Django's encoder cuts the rest), so compare so."""
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def make_edits():
    """History with users and reasons, an update, a group with permissions: what a backup must keep."""
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name="Backup test editors")
    editor = User.objects.create_user("backup-editor", password="pw-for-backup-test", is_staff=True)
    editor.groups.add(editors)
    pledge = Pledge.objects.order_by("pk").first()
    services.pledge_update(
        pledge=pledge,
        data={"description": "Corrected after a second reading ✓"},
        expected_version=pledge.version,
        user=editor,
        reason="typo in the source's name",
    )
    services.source_create(
        publisher="Ministerio «MINREX»",
        headline="Nota oficial: ‘ayuda’ — 2026",
        url="https://example.org/nota?a=1&b=2",
        published_on=date(2026, 2, 6),
        language="es",
        user=editor,
        reason="second source",
    )
    return editor


class DumpLoadRoundTripTests(TransactionTestCase):
    # The flush at the end re-runs post_migrate, which makes the role groups again for later tests.
    fixtures = ["cibercuba-2026-02-05"]

    def test_dumpdata_then_loaddata_into_an_empty_database_gives_back_every_row(self):
        make_edits()
        before = snapshot()
        self.assertTrue(any('"model": "ledger.historicalpledge"' in row for row in before))
        with tempfile.TemporaryDirectory() as tmp:
            backup = Path(tmp) / "backup.json"
            call_command(*DUMP_ARGS, "--output", str(backup), verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
            self.assertEqual(Pledge.objects.count(), 0)
            self.assertFalse(get_user_model().objects.exists())
            call_command("loaddata", str(backup), verbosity=0)
        after = snapshot()
        self.assertEqual(len(after), len(before))
        self.assertEqual(after, before)

    def test_a_restored_ledger_accepts_new_entries(self):
        with tempfile.TemporaryDirectory() as tmp:
            backup = Path(tmp) / "backup.json"
            call_command(*DUMP_ARGS, "--output", str(backup), verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(backup), verbosity=0)
        highest = Actor.objects.order_by("-pk").first().pk
        actor = services.actor_create(
            code="TST-BODY",
            name="A body added after the restore",
            kind="government_body",
            reason="Added after the restore (test)",
        )
        self.assertGreater(actor.pk, highest)
        self.assertEqual(Source.objects.count(), 1)


class DocumentedCommandsTests(SimpleTestCase):
    def test_the_readme_shows_the_tested_backup_command(self):
        readme = (Path(settings.BASE_DIR) / "README.md").read_text()
        self.assertIn("manage.py " + " ".join(DUMP_ARGS), " ".join(readme.replace("\\\n", " ").split()))


def _postgres_admin_url():
    url = os.environ.get("MOVE_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def _postgres_admin_connection():
    import psycopg

    config = dj_database_url.parse(_postgres_admin_url())
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=3,
        autocommit=True,
    )


SEED_SCRIPT = """
from tests.test_backup import make_edits
make_edits()
"""

NEW_ROW_SCRIPT = """
from ledger.models import Actor
from ledger import services
highest = Actor.objects.order_by("-pk").first().pk
actor = services.actor_create(code="TST-AFTER-MOVE", name="Added after the move", kind="government_body", reason="test")
assert actor.pk > highest, (actor.pk, highest)
print("new actor", actor.pk)
"""


@tag("slow")  # migrates two databases in child processes
class SqliteToPostgresMoveTests(SimpleTestCase):
    """Runs the README's commands in child processes: a SQLite ledger, dumped, loaded into a fresh
    PostgreSQL database of its own, dumped again; the two dumps must be the same."""

    def manage(self, database_url, *args, stdin=None):
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-only-not-secret", "LOG_LEVEL": "ERROR"}
        env.pop("TEST_DATABASE_NAME", None)
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=settings.BASE_DIR,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.assertEqual(done.returncode, 0, f"manage.py {' '.join(args)}:\n{done.stderr[-3000:]}")
        return done.stdout

    def test_a_sqlite_ledger_moves_to_postgresql_unchanged(self):
        try:
            admin = _postgres_admin_connection()
        except Exception as error:  # noqa: BLE001 - any failure to connect means: no server here
            self.skipTest(f"no PostgreSQL server reachable at {_postgres_admin_url()}: {error}")
        suffix = os.environ.get("TEST_DATABASE_NAME") or "default"
        name = f"aidledger_move_{suffix}_{uuid.uuid4().hex[:8]}".lower()
        pg = dj_database_url.parse(_postgres_admin_url())
        pg_url = f"postgres://{pg['USER'] or 'postgres'}{':' + pg['PASSWORD'] if pg['PASSWORD'] else ''}@{pg['HOST'] or '127.0.0.1'}:{pg['PORT'] or 5432}/{name}"
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_url = f"sqlite:///{tmp}/ledger.sqlite3"
            self.manage(sqlite_url, "migrate", "--no-input", "-v", "0")
            self.manage(sqlite_url, "loaddata", "cibercuba-2026-02-05", "-v", "0")
            self.manage(sqlite_url, "shell", stdin=SEED_SCRIPT)
            self.manage(sqlite_url, *DUMP_ARGS, "--indent", "1", "--output", f"{tmp}/ledger.json")

            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                self.manage(pg_url, "migrate", "--no-input", "-v", "0")
                self.manage(pg_url, "loaddata", f"{tmp}/ledger.json", "-v", "0")
                self.manage(pg_url, *DUMP_ARGS, "--indent", "1", "--output", f"{tmp}/moved.json")
                original = json.loads(Path(f"{tmp}/ledger.json").read_text())
                moved = json.loads(Path(f"{tmp}/moved.json").read_text())
                self.assertGreater(len(original), 40)
                self.assertEqual(
                    sorted(json.dumps(o, sort_keys=True) for o in moved),
                    sorted(json.dumps(o, sort_keys=True) for o in original),
                )
                self.assertIn("new actor", self.manage(pg_url, "shell", stdin=NEW_ROW_SCRIPT))
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
