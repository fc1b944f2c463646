"""The test runner's settings (aidledger/test_runner.py): a run prints its summary, not the 4xx
answers that tests provoke on purpose, while server errors stay visible."""

import io
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.test import Client, SimpleTestCase, TestCase
from django.utils.log import log_response

import aidledger.settings
from aidledger.test_runner import ExpectedClientErrorsFilter


def record(logger, status_code=None):
    extra = {} if status_code is None else {"status_code": status_code}
    return logging.getLogger(logger).makeRecord(logger, logging.WARNING, __file__, 1, "message", (), None, extra=extra)


class ExpectedClientErrorsFilterTests(SimpleTestCase):
    def test_drops_django_records_of_4xx_answers_only(self):
        keeps = ExpectedClientErrorsFilter().filter
        self.assertFalse(keeps(record("django.request", 403)))
        self.assertFalse(keeps(record("django.request", 404)))
        self.assertFalse(keeps(record("django.security.csrf", 403)))
        self.assertFalse(keeps(record("django.security.DisallowedHost", 400)))
        self.assertTrue(keeps(record("django.request", 500)))
        self.assertTrue(keeps(record("django.request", 503)))
        self.assertTrue(keeps(record("django.request")))  # no status: not an answer's record
        self.assertTrue(keeps(record("axes.handlers.database", 403)))
        self.assertTrue(keeps(record("aidledger.availability", 404)))


class ConsoleDuringTestsTests(TestCase):
    def console_output(self, action):
        handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
        self.assertTrue(handlers)
        stream = io.StringIO()
        previous = [handler.setStream(stream) for handler in handlers]
        try:
            action()
        finally:
            for handler, old in zip(handlers, previous):
                handler.setStream(old)
        return stream.getvalue()

    def test_a_404_and_a_403_print_nothing(self):
        staff = get_user_model().objects.create_user("no-permissions", password="pw-for-tests-only", is_staff=True)

        def requests():
            self.assertEqual(self.client.get("/sources/999999/").status_code, 404)
            self.client.force_login(staff)
            self.assertEqual(self.client.get("/admin/ledger/pledge/add/").status_code, 403)  # PermissionDenied
            self.assertEqual(Client(enforce_csrf_checks=True).post("/admin/login/", {}).status_code, 403)  # CSRF

        self.assertEqual(self.console_output(requests), "")

    def test_a_server_error_is_still_printed(self):
        from django.http import HttpResponse
        from django.test import RequestFactory

        request = RequestFactory().get("/broken/")
        output = self.console_output(
            lambda: log_response("Server error: %s", request.path, response=HttpResponse(status=500), request=request)
        )
        self.assertIn("Server error: /broken/", output)

    def test_assert_logs_still_sees_4xx_records(self):
        with self.assertLogs("django.request", "WARNING") as logs:
            self.client.get("/sources/999999/")
        self.assertIn("Not Found: /sources/999999/", logs.output[0])


class CacheDuringTestsTests(SimpleTestCase):
    def test_tests_run_without_a_cache_while_the_app_has_one(self):
        self.assertIsInstance(caches["default"], DummyCache)
        self.assertEqual(
            aidledger.settings.CACHES["default"]["BACKEND"], "django.core.cache.backends.locmem.LocMemCache"
        )
        self.assertIsNot(settings.CACHES, aidledger.settings.CACHES)
