"""The login page in Chromium, with JavaScript and without, on a 360 px phone screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360
CNPJ = "11.222.333/0001-81"
CODE = "ABCD-EFGH-JKLM"


def open_login(page: Page) -> None:
    response = page.goto("/entrar", wait_until="load")
    assert response is not None and response.status == 200


def tab_until(page: Page, selector: str, limit: int = 10) -> None:
    """Press Tab until ``selector`` has the focus (a skip link or the like may come first)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.locator(f"{selector}:focus").count():
            return
    raise AssertionError(f"Tab never reached {selector}")


def assert_focused(page: Page, selector: str) -> None:
    assert page.locator(f"{selector}:focus").count() == 1, f"{selector} should have the focus"


def test_login_page_loads_no_script_and_logs_no_error(page: Page, browser_log) -> None:
    # A plain form: htmx is left to the pages after login, so the first visit fits one window.
    open_login(page)
    assert page.evaluate("typeof window.htmx") == "undefined"
    browser_log.assert_clean(page)


def test_the_page_after_login_loads_htmx_4(page: Page) -> None:
    page.goto("/nao-existe")  # any page on the base layout but the login pages
    page.wait_for_function("() => window.htmx !== undefined")
    version = page.evaluate("window.htmx.version")
    assert str(version).startswith("4"), version


def test_login_page_works_with_the_keyboard_without_javascript(
    page_nojs: Page, browser_log
) -> None:
    page = page_nojs
    open_login(page)
    assert page.evaluate("typeof window.htmx") == "undefined"  # the script really did not run
    form = page.locator("form[action='/entrar']")
    expect(form).to_be_visible()
    expect(page.get_by_label("CNPJ ou CPF")).to_be_visible()
    expect(page.get_by_label("Código de acesso")).to_be_visible()
    expect(page.locator("label[for=documento]")).to_be_visible()
    expect(page.locator("label[for=codigo]")).to_be_visible()

    tab_until(page, "#documento")
    page.keyboard.type(CNPJ)
    page.keyboard.press("Tab")
    assert_focused(page, "#codigo")
    page.keyboard.type(CODE)
    page.keyboard.press("Tab")
    assert_focused(page, "form button[type=submit]")

    expect(page.locator("#documento")).to_have_value(CNPJ)
    expect(page.locator("#codigo")).to_have_value(CODE)
    assert browser_log.console_errors == [] and browser_log.failed_requests == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_login_page_fits_a_360px_screen(request: pytest.FixtureRequest, javascript: bool) -> None:
    target: Page = request.getfixturevalue("page" if javascript else "page_nojs")
    open_login(target)
    scroll_width = target.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{scroll_width} px wide on a {PHONE_WIDTH} px screen"


def test_login_page_has_no_serious_accessibility_problem(
    page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    open_login(page)
    assert_accessible(page)
