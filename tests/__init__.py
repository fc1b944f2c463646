"""The test suite. `make test` runs all of it; `make test-fast` leaves out the tests tagged "slow"."""

import logging


class QuietLoggers:
    """Test-case mixin: the loggers named in `quiet_loggers` print nothing below CRITICAL while the
    class runs, for libraries that warn about what a test provokes on purpose (django-axes on a
    lockout). Expected 4xx answers need no mixin: the test runner (aidledger/test_runner.py) drops
    Django's records of them, and keeps those of server errors."""

    quiet_loggers: tuple[str, ...] = ()

    @classmethod
    def setUpClass(cls):
        cls._quieted_levels = {name: logging.getLogger(name).level for name in cls.quiet_loggers}
        for name in cls.quiet_loggers:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for name, level in cls._quieted_levels.items():
            logging.getLogger(name).setLevel(level)
