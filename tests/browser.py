"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server.

On a failure the page's screenshot and HTML are kept in test-artifacts/ (named after the test)."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@tag("slow")  # a real browser; every test case that inherits this class is tagged too
class BrowserTestCase(StaticLiveServerTestCase):
    """Live-server tests flush the tables, so the seed fixtures are loaded for every test."""

    fixtures = ["cibercuba-2026-02-05"]
    viewport = {"width": 1280, "height": 900}

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop; Django would refuse ORM calls from it otherwise.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self):
        super().setUp()
        self.context = self.browser.new_context(viewport=self.viewport)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        result = self._outcome.result
        self._problems_before = len(result.errors) + len(result.failures)

    def tearDown(self):
        result = self._outcome.result
        if len(result.errors) + len(result.failures) > self._problems_before:
            self.keep_artifacts("failure")
        self.context.close()
        super().tearDown()

    def keep_artifacts(self, label):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / f"{self.id()}-{label}"
        try:
            self.page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(self.page.content(), encoding="utf-8")
        except Exception as error:  # the page may be gone; the test's own error matters more
            print(f"could not keep artifacts for {self.id()}: {error}")

    def visit(self, path):
        return self.page.goto(f"{self.live_server_url}{path}")
