"""Production settings come from the environment and pass Django's deployment checklist.

Settings are read once at import, so each case runs a fresh `manage.py` with its own environment."""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, tag

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
DEPLOY_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "TEST_DATABASE_NAME",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARIABLES}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ledger.example.org",
        DATABASE_URL="postgres://ledger@db.example.org:5432/aidledger",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )


ENV_READERS = {"env", "env_bool", "env_int", "env_list"}  # the helpers in settings.py and gunicorn.conf.py


def environment_variables_read(path):
    """Names the file reads from the environment: os.environ.get("X"), os.environ["X"], env*("X")."""
    names = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads = (isinstance(func, ast.Name) and func.id in ENV_READERS) or (
                isinstance(func, ast.Attribute) and func.attr == "get" and ast.unparse(func.value) == "os.environ"
            )
            if reads:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return names


class EnvExampleTests(SimpleTestCase):
    def test_env_example_lists_exactly_the_variables_settings_and_gunicorn_read(self):
        base = Path(settings.BASE_DIR)
        read = environment_variables_read(base / "aidledger" / "settings.py") | environment_variables_read(
            base / "gunicorn.conf.py"
        )
        self.assertTrue({"SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT", "WEB_CONCURRENCY"} <= read, read)
        example = (base / ".env.example").read_text(encoding="utf-8")
        listed = re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE)
        self.assertEqual(len(listed), len(set(listed)), "a variable is listed twice")
        self.assertEqual(set(listed), read)


@tag("slow")  # each test starts manage.py or gunicorn in a child process
class DeploySettingsTests(SimpleTestCase):
    def test_deploy_check_passes_with_production_values(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_production_turns_on_https_cookies_hsts_and_the_proxy_header(self):
        code = (
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.DATABASES['default']['ENGINE'], "
            "s.DATABASES['default']['HOST'], s.ALLOWED_HOSTS)"
        )
        result = manage("shell", "--no-imports", "-c", code, env=production_env())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip(),
            "False True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') "
            "django.db.backends.postgresql db.example.org ['ledger.example.org']",
        )

    def test_deploy_check_fails_on_a_weak_key_and_no_hosts(self):
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="short", ALLOWED_HOSTS="")
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W009", result.stderr)
        self.assertIn("security.W020", result.stderr)

    def test_app_refuses_to_start_without_a_secret_key(self):
        result = manage("check", env=production_env(SECRET_KEY=None))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY is not set", result.stderr)

    def test_gunicorn_uses_threaded_workers_so_streams_are_not_killed_and_reads_its_environment(self):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        result = subprocess.run(
            [gunicorn, "-c", "gunicorn.conf.py", "--print-config"],
            env=production_env(GUNICORN_THREADS="", GUNICORN_TIMEOUT="90"),  # empty keeps the default
            capture_output=True,
            text=True,
            timeout=60,
            cwd=settings.BASE_DIR,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        config = {
            name.strip(): value.strip()
            for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
            if value
        }
        self.assertEqual(config["worker_class"], "gthread")
        self.assertEqual(config["wsgi_app"], "aidledger.wsgi:application")
        self.assertEqual(config["threads"], "4")
        self.assertEqual(config["timeout"], "90")
