"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

* One Chromium per test process (per xdist worker), launched for the first browser test
  and closed after the last one of this package; one live server per process
  (pytest-django's ``live_server``). Every test gets fresh browser contexts, so each
  journey stands on its own.
* ``persona(role, user)`` opens one browser context per professional (own cookies, like separate
  devices) and ``Persona.sign_in()`` types e-mail, password and the authenticator code
  into the real allauth pages (see ``pages.py``).
* A failing test leaves a full-page screenshot and the HTML of every open page under
  ``test-results/browser/<test name>/`` (``pytest_runtest_makereport`` below).
* Chromium is ``/usr/bin/chromium`` (Debian's package; Playwright's own browser download
  is not used). ``KETENPLAN_CHROMIUM`` points elsewhere. Missing, the tests fail in CI
  (``CI`` set) and are skipped elsewhere, saying why.

Live-server tests commit, so Django empties the database after each of them;
``ketenplan/conftest.py`` puts back what the migrations loaded (method profiles, life
domains, risk instruments) for the next test.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KETENPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-proxy-server",  # the live server is on the loopback interface; never via a proxy
]
# Generous for a loaded two-core CI machine; a passing run never waits this long.
TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1280, "height": 900}
RESULTS = Path("test-results") / "browser"

_pages_key = pytest.StashKey[list]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# --- The browser --------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """Chromium, shared by the browser tests of this process.

    While Playwright's sync API runs, the main thread has a running asyncio loop, and
    Django refuses ORM calls from a thread with a running loop. The test code here is
    synchronous (the loop only drives the browser), so that check is lifted for as long
    as the browser is open, and restored afterwards.
    """
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"Chromium not found at {CHROMIUM}. Install Debian's package (`apt-get install "
            "chromium`) or set KETENPLAN_CHROMIUM to a Chromium executable."
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (`make install-test`).")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


# --- Pages and failure capture ------------------------------------------------------------


@pytest.fixture
def new_context(request, browser, base_url):
    """``new_context(label, language=None)`` → a fresh browser context and its page.

    Dialogs (the ``data-confirm`` confirmations) are accepted and remembered on
    ``page.dialogs``; script errors and failed requests are collected on
    ``page.problems``. Every page is registered for the screenshot on failure.
    """
    from django.conf import settings

    from .pages import USED_CODES

    USED_CODES.clear()
    shutil.rmtree(_results_dir(request.node), ignore_errors=True)  # an earlier run's failure
    opened = request.node.stash.setdefault(_pages_key, [])
    contexts = []

    def _new(label: str, *, language: str | None = None):
        context = browser.new_context(
            base_url=base_url, viewport=VIEWPORT, locale="en-GB", timezone_id=settings.TIME_ZONE
        )
        context.set_default_timeout(TIMEOUT_MS)
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])
        page = context.new_page()
        page.dialogs = []
        page.problems = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on("console", lambda message: _console_problem(page, message))
        page.on("response", lambda response: _server_error(page, response))
        contexts.append(context)
        opened.append((label, page))
        return page

    yield _new
    for context in contexts:
        # A crashed browser must not hide the test's own failure.
        with contextlib.suppress(Exception):
            context.close()


def _console_problem(page, message) -> None:
    """Errors in the console: script errors, refused by the Content Security Policy…
    A failed request says so in the console too; those are judged by their status
    (4xx answers are expected in tests of refusals), see ``_server_error``."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.problems.append(f"console error: {message.text}")


def _server_error(page, response) -> None:
    if response.status >= 500:
        page.problems.append(f"server error {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page(new_context):
    """One page in a fresh context, in the default language."""
    return new_context("page")


@pytest.fixture
def persona(new_context):
    """``persona(role, user, language="en")`` → a ``Persona`` at their own browser
    context, not signed in yet (``.sign_in()``)."""
    from .pages import Persona

    def _persona(role: str, user, *, language: str | None = "en") -> Persona:
        return Persona(role, user, new_context(role, language=language))

    return _persona


def _results_dir(item) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_") or "test"
    return item.config.rootpath / RESULTS / name


def _capture(item, report) -> None:
    pages = item.stash.get(_pages_key, [])
    if not pages:
        return
    target = _results_dir(item)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    lines = []
    for number, (label, page) in enumerate(pages, start=1):
        stem = f"{number}-{re.sub(r'[^A-Za-z0-9_-]+', '_', label)}"
        try:
            if page.is_closed():
                lines.append(f"{stem}: page already closed")
                continue
            lines.append(f"{stem}: {page.url}")
            (target / f"{stem}.html").write_text(page.content(), encoding="utf-8")
            page.screenshot(path=str(target / f"{stem}.png"), full_page=True, timeout=10_000)
        except Exception as exc:  # capture what can be captured
            lines.append(f"{stem}: capture failed: {exc}")
        lines.extend(f"    {problem}" for problem in getattr(page, "problems", []))
        lines.extend(f"    dialog: {message}" for message in getattr(page, "dialogs", []))
    (target / "pages.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.sections.append(("browser pages", f"Saved to {target}:\n" + "\n".join(lines)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in {"setup", "call"}:
        _capture(item, report)
    return report
