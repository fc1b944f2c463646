"""Faults: a database that cannot be reached gets a clean 503 page, never a traceback.

The app runs in a child process with DATABASE_URL pointing at a dead PostgreSQL port and at a
SQLite file that cannot be opened, with production settings (DEBUG off)."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase, TestCase

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
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class PathsFromTheUrlConf(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        urls = UrlMap()
        cls.paths = sorted(({e.url for e in urls.public()} | {"/admin/", "/admin/ledger/"}) - {"/accounts/logout/", "/accounts/login/"})  # the login form needs no database


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
                for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "127.0.0.1", "nonexistent-directory"):
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
