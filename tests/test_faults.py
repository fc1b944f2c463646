"""Faults: a database that cannot be reached gets a clean 503 page, never a traceback; an import
killed halfway leaves nothing behind.

The app runs in a child process with DATABASE_URL pointing at a dead PostgreSQL port and at a
SQLite file that cannot be opened, with production settings (DEBUG off)."""

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase, tag

from tests.urlmap import UrlMap

DEAD_DATABASES = {
    "PostgreSQL on a closed port": "postgres://postgres@127.0.0.1:1/aidledger",
    "SQLite file that cannot be opened": "sqlite:////nonexistent-directory/for/aidledger.sqlite3",
}

CHILD = """
import json, sys
import django
django.setup()
from django.test import Client

client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32  # a returning visitor: the session is read from the database
answers = {}
for path in json.loads(sys.argv[1]):
    response = client.get(path)
    answers["GET " + path] = [response.status_code, response.get("Retry-After"), response.content.decode()]
response = client.post("/admin/login/?next=/admin/", {"username": "someone", "password": "secret", "next": "/admin/"})
answers["POST /admin/login/"] = [response.status_code, response.get("Retry-After"), response.content.decode()]
print(json.dumps(answers))
"""


def run_against(database_url, paths, **extra_env):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aidledger.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "CRITICAL",
        **extra_env,
    }
    env.pop("TEST_DATABASE_NAME", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(paths)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class PathsFromTheUrlConf(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        urls = UrlMap()
        cls.paths = sorted(
            ({e.url for e in urls.public()} | {"/admin/", "/admin/ledger/"}) - {"/accounts/logout/", "/accounts/login/"}
        )  # the login form needs no database


@tag("slow")  # the app runs in child processes
class DatabaseUnreachableTests(PathsFromTheUrlConf):
    # Pages that read the ledger; pages that need no database (the data dictionary, the login
    # form) may still be served, but nothing may answer with a server error or a traceback.
    MUST_BE_UNAVAILABLE = ("GET /", "GET /admin/", "POST /admin/login/")

    def assertCleanUnavailablePage(self, answers):
        for request in self.MUST_BE_UNAVAILABLE:
            self.assertEqual(answers[request][0], 503, request)
        for request, (status, retry_after, body) in answers.items():
            with self.subTest(request):
                self.assertIn(status, (200, 302, 503), body[:500])
                if status == 503:
                    self.assertEqual(retry_after, "30")
                    self.assertIn("Aid Ledger is briefly unavailable", body)
                for leak in (
                    "Traceback",
                    "OperationalError",
                    "psycopg",
                    "sqlite3",
                    "127.0.0.1",
                    "nonexistent-directory",
                ):
                    self.assertNotIn(leak, body)

    def test_pages_answer_503_when_the_database_is_unreachable(self):
        for label, url in DEAD_DATABASES.items():
            with self.subTest(label):
                self.assertCleanUnavailablePage(run_against(url, self.paths))

    def test_503_also_when_the_login_switch_reads_the_session_first(self):
        # With the switch on, the user is looked up in a middleware, before any view runs.
        answers = run_against(DEAD_DATABASES["PostgreSQL on a closed port"], self.paths, PUBLIC_PAGES_REQUIRE_LOGIN="1")
        self.assertCleanUnavailablePage(answers)


class UnavailablePageTests(SimpleTestCase):
    def test_the_page_does_not_need_the_database(self):
        from aidledger.middleware import database_unavailable_response

        response = database_unavailable_response()  # SimpleTestCase fails on any query
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "Nothing you saved before is lost", status_code=503)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_other_server_errors_are_left_alone(self):
        from aidledger.middleware import DatabaseUnavailableMiddleware

        middleware = DatabaseUnavailableMiddleware(lambda request: None)
        self.assertIsNone(middleware.process_exception(None, ValueError("not a database error")))


CREATE_IMPORTER = """
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("importer")
"""

COUNT_ROWS = """
import json
from django.apps import apps
print(json.dumps({m._meta.label: m._default_manager.count() for m in apps.get_app_config("ledger").get_models()}))
"""


@tag("slow")  # manage.py in child processes, and an import left to write for seconds
class KilledImportTests(SimpleTestCase):
    """`manage.py import_ledger` killed (SIGKILL) while it writes a big file leaves the ledger as
    it was: no entry, citation or history row of the half-done import survives."""

    # Imports write new rows in batches (ledger/services/batch.py, about 1,000-3,000 rows a second):
    # enough rows that the import is still writing when it is killed.
    ROWS = 20_000
    WRITING_FOR = 1  # seconds the import writes before it is killed

    def manage(self, database_url, *args, stdin=None):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=self.env(database_url),
            cwd=settings.BASE_DIR,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.assertEqual(done.returncode, 0, f"manage.py {' '.join(args)}:\n{done.stderr[-3000:]}")
        return done.stdout

    def env(self, database_url):
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-only-not-secret", "LOG_LEVEL": "ERROR"}
        env.pop("TEST_DATABASE_NAME", None)
        return env

    def big_pledge_file(self, folder):
        """The seed's pledges exported, then repeated with empty ids: every row a new pledge with
        its citation, so the import writes thousands of entries, citations and history rows."""
        with open(folder / "pledges.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [row for row in reader if row.get("package_id", "") == "" and row.get("kind") != "package"]
            columns = reader.fieldnames
        self.assertTrue(rows)
        big = folder / "big-pledges.csv"
        with open(big, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for i in range(self.ROWS):
                row = dict(rows[i % len(rows)], id="")
                row["description"] = f"killed-import row {i}"
                writer.writerow(row)
        return big

    def test_an_import_killed_halfway_leaves_nothing_behind(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = folder / "ledger.sqlite3"
            url = f"sqlite:///{path}"
            self.manage(url, "migrate", "--no-input", "-v", "0")
            self.manage(url, "loaddata", "cibercuba-2026-02-05", "-v", "0")
            self.manage(url, "shell", stdin=CREATE_IMPORTER)
            self.manage(url, "export_ledger", str(folder), "--no-progress")
            big = self.big_pledge_file(folder)
            before = json.loads(self.manage(url, "shell", stdin=COUNT_ROWS).strip().splitlines()[-1])

            importer = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "import_ledger",
                    str(big),
                    "--user",
                    "importer",
                    "--reason",
                    "killed import test",
                ],
                env=self.env(url),
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            # The app runs SQLite in WAL mode: the import's first written pages land in the -wal file
            # (the migrations before it were checkpointed when their connections closed); the import
            # then writes rows for a few seconds more.
            wal = Path(f"{path}-wal")

            def writing() -> bool:
                return wal.exists() and wal.stat().st_size > 0

            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and importer.poll() is None and not writing():
                time.sleep(0.05)
            time.sleep(self.WRITING_FOR)
            self.assertIsNone(importer.poll(), "the import finished before it could be killed: make the file bigger")
            self.assertTrue(writing(), "the import had not started writing")
            importer.send_signal(signal.SIGKILL)
            importer.wait(timeout=60)
            self.assertEqual(importer.returncode, -signal.SIGKILL)

            after = json.loads(self.manage(url, "shell", stdin=COUNT_ROWS).strip().splitlines()[-1])
            self.assertEqual(after, before)
            check = sqlite3.connect(path)
            # The actor-code CHECK uses REGEXP, which Django registers on its own connections.
            check.create_function(
                "REGEXP", 2, lambda pattern, text: text is not None and bool(re.search(pattern, text))
            )
            try:
                self.assertEqual(check.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                survivors = check.execute(
                    "SELECT count(*) FROM ledger_pledge WHERE description LIKE 'killed-import row %'"
                ).fetchone()[0]
                self.assertEqual(survivors, 0)
            finally:
                check.close()

            # The ledger is usable: the same file imports in full afterwards.
            with open(big, encoding="utf-8") as handle:
                first = [next(handle) for _ in range(4)]
            small = folder / "small.csv"
            small.write_text("".join(first), encoding="utf-8")
            self.manage(url, "import_ledger", str(small), "--user", "importer", "--reason", "after the kill")
            final = json.loads(self.manage(url, "shell", stdin=COUNT_ROWS).strip().splitlines()[-1])
            self.assertEqual(final["ledger.Pledge"], before["ledger.Pledge"] + 3)
