"""Who can reach what: the login switch for the public pages, failed-login throttling and CSRF on
every POST. The addresses come from the URLconf (tests/urlmap.py), so new pages are covered."""

import io
import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase, override_settings, tag
from django.urls import reverse

from tests import QuietLoggers
from tests.urlmap import UrlMap

PASSWORD = "a-long-correct-password-42"
CSRF_REFUSED = "CSRF verification failed. Request aborted."


class PublicPagesLoginSwitchTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.reader = get_user_model().objects.create_user("reader", password=PASSWORD)
        cls.public = [e for e in UrlMap().public() if e.name not in ("login", "logout")]

    def test_public_pages_are_open_by_default(self):
        self.assertFalse(settings.PUBLIC_PAGES_REQUIRE_LOGIN)
        self.assertTrue(self.public)
        for endpoint in self.public:
            with self.subTest(str(endpoint)):
                self.assertEqual(self.client.get(endpoint.url).status_code, 200)

    @override_settings(PUBLIC_PAGES_REQUIRE_LOGIN=True)
    def test_switched_on_every_public_page_sends_visitors_to_the_login_page(self):
        for endpoint in self.public:
            with self.subTest(str(endpoint)):
                response = self.client.get(endpoint.url)
                self.assertRedirects(
                    response,
                    f"{reverse('login')}?next={endpoint.url.replace('?', '%3F')}",
                    fetch_redirect_response=False,
                )
        self.assertEqual(self.client.get(reverse("login")).status_code, 200)

    @override_settings(PUBLIC_PAGES_REQUIRE_LOGIN=True)
    def test_switched_on_a_logged_in_reader_sees_the_public_pages(self):
        response = self.client.post(reverse("login"), {"username": "reader", "password": PASSWORD, "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        for endpoint in self.public:
            with self.subTest(str(endpoint)):
                self.assertEqual(self.client.get(endpoint.url).status_code, 200)

    @override_settings(PUBLIC_PAGES_REQUIRE_LOGIN=True)
    def test_switched_on_the_admin_keeps_its_own_login(self):
        response = self.client.get(reverse("admin:index"))
        self.assertRedirects(response, f"{reverse('admin:login')}?next=/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("admin:login")).status_code, 200)

    @tag("slow")  # four child processes
    def test_the_switch_is_read_from_the_environment(self):
        code = "import django; django.setup(); from django.conf import settings; print(settings.PUBLIC_PAGES_REQUIRE_LOGIN)"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aidledger.settings", "SECRET_KEY": "x"}
        for value, expected in (("1", "True"), ("true", "True"), ("0", "False"), ("", "False")):
            with self.subTest(value=value):
                out = subprocess.run(
                    [sys.executable, "-c", code],
                    env={**env, "PUBLIC_PAGES_REQUIRE_LOGIN": value},
                    cwd=settings.BASE_DIR,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                self.assertEqual(out.stdout.strip(), expected)


class FailedLoginThrottlingTests(QuietLoggers, TestCase):
    quiet_loggers = ("axes",)  # django-axes warns of every failed login and lockout

    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
        cls.other = User.objects.create_user("other", password=PASSWORD, is_staff=True)

    def admin_login(self, username, password, address="10.0.0.1", client=None):
        client = client or self.client
        return client.post(
            f"{reverse('admin:login')}?next=/admin/",
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    def assertLoggedIn(self, response):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def fail_until_locked(self, username="editor", address="10.0.0.1"):
        for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
            response = self.admin_login(username, "wrong-password", address)
            if attempt < settings.AXES_FAILURE_LIMIT:
                self.assertEqual(response.status_code, 200, f"attempt {attempt}")
                self.assertContains(response, "Please enter the correct username and password")
        return response

    def test_repeated_failed_admin_logins_lock_the_account_for_that_address(self):
        self.assertGreaterEqual(settings.AXES_FAILURE_LIMIT, 3)
        last = self.fail_until_locked()
        self.assertEqual(last.status_code, 429)
        self.assertContains(last, "Too many failed logins", status_code=429)

        response = self.admin_login("editor", PASSWORD)  # even the right password is refused now
        self.assertEqual(response.status_code, 429)
        self.assertEqual(self.client.get("/admin/").status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_lockout_does_not_lock_out_other_users_or_the_same_user_elsewhere(self):
        self.fail_until_locked()
        self.assertLoggedIn(self.admin_login("other", PASSWORD, client=Client()))
        self.assertLoggedIn(self.admin_login("editor", PASSWORD, address="10.0.0.2", client=Client()))

    def test_a_successful_login_before_the_limit_resets_the_count(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.admin_login("editor", "wrong-password")
        self.assertLoggedIn(self.admin_login("editor", PASSWORD, client=Client()))
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.admin_login("editor", "wrong-password").status_code, 200)
        self.assertLoggedIn(self.admin_login("editor", PASSWORD, client=Client()))

    def test_an_administrator_can_unlock_an_account(self):
        self.fail_until_locked()
        call_command("axes_reset_username", "editor", stdout=io.StringIO())
        self.assertLoggedIn(self.admin_login("editor", PASSWORD))

    def test_the_public_login_page_is_throttled_too(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = self.client.post(
                reverse("login"), {"username": "editor", "password": "nope"}, REMOTE_ADDR="10.0.0.3"
            )
        self.assertEqual(response.status_code, 429)
        response = self.client.post(
            reverse("login"), {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
        )
        self.assertEqual(response.status_code, 429)

    def test_the_test_client_can_still_log_in_without_a_request(self):
        # Other tests use client.login(); axes alone would refuse it for want of a request.
        self.assertTrue(self.client.login(username="editor", password=PASSWORD))
        self.assertFalse(Client().login(username="editor", password="wrong-password"))


class CsrfOnEveryPostTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    @classmethod
    def setUpTestData(cls):
        cls.superuser = get_user_model().objects.create_superuser("csrf-admin", "c@example.org", PASSWORD)
        cls.urls = UrlMap()

    def test_no_view_is_exempt_from_csrf(self):
        exempt = [str(p.name or p.route) for p in self.urls.patterns if getattr(p.callback, "csrf_exempt", False)]
        self.assertEqual(exempt, [])

    def test_every_post_without_a_token_is_refused(self):
        self.assertTrue(self.urls.endpoints)
        for who in ("anonymous", "superuser"):
            client = Client(enforce_csrf_checks=True)
            if who == "superuser":
                client.force_login(self.superuser)
            for endpoint in self.urls.endpoints:
                with self.subTest(who=who, endpoint=str(endpoint)):
                    response = client.post(endpoint.url, {"username": "csrf-admin", "password": PASSWORD})
                    self.assertContains(response, CSRF_REFUSED, status_code=403)

    def test_a_post_with_a_forged_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.get(reverse("admin:login"))
        client.cookies["csrftoken"] = "A" * 32
        response = client.post(
            reverse("admin:login"),
            {"username": "csrf-admin", "password": PASSWORD, "csrfmiddlewaretoken": "B" * 32},
        )
        self.assertContains(response, CSRF_REFUSED, status_code=403)
        self.assertNotIn("_auth_user_id", client.session)

    def test_the_login_form_works_with_its_token(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get(reverse("admin:login"))
        token = page.context["csrf_token"]
        response = client.post(
            f"{reverse('admin:login')}?next=/admin/",
            {"username": "csrf-admin", "password": PASSWORD, "csrfmiddlewaretoken": str(token), "next": "/admin/"},
        )
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_a_refusal_for_want_of_the_cookie_says_the_site_needs_one(self):
        response = Client(enforce_csrf_checks=True).post(reverse("admin:login"), {})
        self.assertContains(response, CSRF_REFUSED, status_code=403)
        self.assertContains(response, "this site requires a CSRF cookie when submitting forms", status_code=403)
