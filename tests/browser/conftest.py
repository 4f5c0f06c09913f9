"""Browser tests: the app served by uvicorn in a thread, driven by the system's Chromium.

One live server per session, on a migrated database (SQLite or, with
``ESPACO_TEST_DATABASE_URL``, PostgreSQL). Each test gets a fresh browser context (no cookies,
no cache) at 360×740, pt-BR, America/Sao_Paulo: ``page`` with JavaScript and ``page_nojs``
without. ``browser_log`` collects console errors, CSP violations, page errors and failed
requests; ``assert_accessible(page)`` runs axe-core and fails on serious or critical findings.
Seed data with ``live_server.call(coroutine_function, *args)``, which runs it on the server's
event loop: the ``db`` fixture's loop cannot run beside Playwright's.

Playwright's own browser downloads are never used (``playwright install`` cannot reach its CDN
here): set ``CHROMIUM_PATH`` when Chromium is not at ``/usr/bin/chromium``, or deselect these
tests with ``-m "not browser"``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import make_settings, truncate_pg
from tests.live import LiveServer, free_port, serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONTEXT_OPTIONS: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "locale": "pt-BR",
    "timezone_id": "America/Sao_Paulo",
}
SERIOUS = ("serious", "critical")
NOJS_PAGES: weakref.WeakSet[Page] = weakref.WeakSet()

# Recorded before any page script runs; init scripts are not subject to the page's CSP.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


# -- the live server ---------------------------------------------------------------------------
class Mailbox:
    """A real SMTP server (aiosmtpd) in the test process: the live server's e-mails land here."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        )
        return "250 OK"

    def wait_for(
        self, predicate: Callable[[EmailMessage], bool], timeout: float = 15
    ) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no such e-mail arrived; got {[m['Subject'] for m in self.messages]}")


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


# One server per test module, stopped at the module's end: its background e-mail sender queries
# through Piccolo's process-wide tables, which later tests point at their own databases (an
# asyncpg pool used from this thread would crash the process).
@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path | None, mailbox: Mailbox
) -> Iterator[LiveServer]:
    if migrated_template is None:  # PostgreSQL: start from empty tables
        asyncio.run(truncate_pg())
    data_dir = tmp_path_factory.mktemp("live")
    if migrated_template is not None:
        shutil.copy(migrated_template, data_dir / "espaco.db")
    settings = make_settings(data_dir, smtp_url=f"smtp+insecure://127.0.0.1:{mailbox.port}")  # type: ignore[attr-defined]
    with serving(settings) as live:
        yield live


# -- the browser -------------------------------------------------------------------------------
# Playwright's sync API keeps an asyncio loop marked as running on the main thread while it is
# open, and then every asyncio.run() (fixtures, other tests) fails: so it lives for one module
# only, and starts after the live server (whose start-up runs migrations through asyncio.run).
@pytest.fixture(scope="module")
def playwright(live_server: LiveServer) -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium), "
            'set CHROMIUM_PATH, or deselect browser tests with -m "not browser"'
        )
    # A launched (non-persistent) browser starts from a fresh temporary profile.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class BrowserLog:
    """What went wrong in the browser while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on(
            "requestfailed",
            lambda r: self.failed_requests.append(f"{r.url}: {r.failure}"),
        )
        page.on(
            "response",
            lambda r: (
                self.failed_requests.append(f"{r.url}: {r.status}") if r.status >= 400 else None
            ),
        )

    def csp_violations(self, page: Page) -> list[str]:
        """CSP violations the page reported (JavaScript on) and those Chromium logged."""
        reported: list[str] = page.evaluate("window.__cspViolations || []")
        logged = [m for m in self.console_errors if "Content Security Policy" in m]
        return reported + logged

    def assert_clean(self, page: Page | None = None) -> None:
        problems = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "failed requests": self.failed_requests,
        }
        if page is not None:
            problems["CSP violations"] = self.csp_violations(page)
        found = {k: v for k, v in problems.items() if v}
        assert not found, found


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


def _new_page(
    browser: Browser, live_server: LiveServer, log: BrowserLog, **options: Any
) -> Iterator[Page]:
    live_server.activate()
    context: BrowserContext = browser.new_context(
        base_url=live_server.url, **CONTEXT_OPTIONS, **options
    )
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    if options.get("java_script_enabled") is False:
        NOJS_PAGES.add(page)
    log.watch(page)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, browser_log: BrowserLog) -> Iterator[Page]:
    """A fresh page with JavaScript on; relative URLs go to the live server."""
    yield from _new_page(browser, live_server, browser_log)


@pytest.fixture
def page_nojs(browser: Browser, live_server: LiveServer, browser_log: BrowserLog) -> Iterator[Page]:
    """A fresh page with JavaScript off, as some clients' browsers have it."""
    yield from _new_page(browser, live_server, browser_log, java_script_enabled=False)


# -- logging in --------------------------------------------------------------------------------
def log_in(page: Page, document: str, code: str) -> None:
    """The client's login form, filled and sent as a person does; waits for /inicio."""
    page.goto("/entrar")
    page.get_by_label("CNPJ ou CPF").fill(document)
    page.get_by_label("Código de acesso").fill(code)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/inicio")


# -- accessibility -----------------------------------------------------------------------------
def _describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"


@pytest.fixture(scope="session")
def assert_accessible() -> Callable[[Page], None]:
    """``assert_accessible(page)``: axe-core (bundled with axe-playwright-python) finds nothing
    serious or critical on the page as it is now.

    ``page.evaluate`` runs the script through the DevTools protocol, which the page's CSP does
    not govern, so the strict policy stays on while axe looks at the page. axe's promise never
    settles where scripts are off, so it runs on ``page`` only (htmx does not change the login
    page's markup, so the audit covers what a browser without JavaScript shows too).
    """
    axe = Axe()

    def check(page: Page) -> None:
        if page in NOJS_PAGES:
            pytest.fail("axe-core runs as a script: audit a page with JavaScript on (`page`)")
        results = axe.run(page).response
        serious = [v for v in results["violations"] if v["impact"] in SERIOUS]
        if serious:
            pytest.fail("axe-core found:\n" + "\n".join(_describe(v) for v in serious))

    return check
