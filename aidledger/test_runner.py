"""The test runner (settings.TEST_RUNNER): what `manage.py test` changes from the settings the app serves with.

- A fast password hasher: the production one is slow on purpose, and the suite creates and logs
  in hundreds of users. Child processes that tests start (manage.py) keep the production hasher.
- No cache: the suite rolls back between tests and reuses history ids, so a cached total could
  outlive the rows it was computed from. tests/test_cache.py turns a cache on for its own tests.
- No warning that `collectstatic` has not run (WhiteNoise gives one per test client).
- Expected client errors are not logged: a 403 or 404 is what many tests ask for, and Django logs
  each one (with a traceback for a refused permission). Records of server errors (5xx) and every
  other logger still print, so an unexpected 500 is visible even when a test only checks a status.
  A test that wants to see the 4xx records uses `assertLogs`, which is not filtered; other loggers
  a test provokes on purpose are quieted per class with tests.QuietLoggers.

Every other setting comes from the environment, as in production (the Makefile's TEST_ENV).
"""

import copy
import logging
import warnings

from django.conf import settings
from django.test.runner import DiscoverRunner, ParallelTestSuite
from django.test.utils import override_settings
from django.utils.log import configure_logging

EXPECTED_CLIENT_ERRORS_FILTER = "expected_client_errors"


class ExpectedClientErrorsFilter(logging.Filter):
    """Drops the records Django writes for 4xx answers (loggers django.request and django.security.*)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" or record.name.startswith("django.security"):
            status = getattr(record, "status_code", None)
            return status is None or status >= 500
        return True


def quiet_logging_config(config: dict) -> dict:
    """A copy of a LOGGING dict whose every handler drops expected client errors."""
    config = copy.deepcopy(config)
    config.setdefault("filters", {})[EXPECTED_CLIENT_ERRORS_FILTER] = {"()": ExpectedClientErrorsFilter}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), EXPECTED_CLIENT_ERRORS_FILTER]
    return config


def settings_for_tests() -> dict:
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
        "LOGGING": quiet_logging_config(settings.LOGGING),
    }


def apply_test_settings() -> override_settings:
    """Switches the running process to the test settings; returns the override, to undo it."""
    override = override_settings(**settings_for_tests())
    override.enable()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    # Each test client builds the middleware again, and WhiteNoise warns every time that
    # `collectstatic` has not run; in tests that is expected.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    return override


def _spawned_worker_setup() -> None:
    # A worker started with "spawn" (macOS, Windows) imports everything afresh; "fork" inherits.
    apply_test_settings()


class TestSuiteInParallel(ParallelTestSuite):
    process_setup = _spawned_worker_setup  # Django calls it as a plain function (process_setup.__func__)


class TestRunner(DiscoverRunner):
    parallel_test_suite = TestSuiteInParallel

    def setup_test_environment(self, **kwargs) -> None:
        super().setup_test_environment(**kwargs)
        self._test_settings = apply_test_settings()

    def teardown_test_environment(self, **kwargs) -> None:
        self._test_settings.disable()
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        super().teardown_test_environment(**kwargs)
