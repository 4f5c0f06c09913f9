"""Coletas in Chromium at 360 px, with JavaScript (htmx swaps, pushed URLs) and without (plain
pages): filter, open a CDF's MTRs, load more, open a ticket; axe finds nothing serious."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import tests.coletas_samples as cs
import tests.import_samples as s
from tests.browser.conftest import log_in as browser_log_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
RANGE = "inicio=2026-01-01&fim=2026-12-31"


def seed(live_server) -> tuple[str, str]:
    """A client of its own with 60 collections (the newest with photos and a signature) and
    one CDF; returns its document and access code."""
    n = 7000 + next(_numbers)
    ext, loc = f"CLI-B{n}", f"LOC-B{n}"
    client = s.client(n, external_id=ext, locations=[s.location(n, external_id=loc)])
    day0 = date(2026, 11, 1)
    collections: list[dict[str, Any]] = [
        cs.collection(
            n * 100 + i,
            ext,
            loc,
            external_id=f"COL-B{n}-{i}",
            status="done" if i % 2 else "validated",
            performed_at=f"{(day0 - timedelta(days=i)).isoformat()}T10:00:00-03:00",
            scheduled_on=(day0 - timedelta(days=i)).isoformat(),
            mtr_number=f"9{n}{i:04d}",
        )  # fmt: skip
        for i in range(60)
    ]
    collections[0] = cs.with_photos(collections[0], 2)
    doc = s.document(
        clients=[client],
        collections=collections,
        certificates=[s.certificate(n, ext, external_id=f"CDF-B{n}", mtr_numbers=[f"9{n}0000"])],
    )

    async def run() -> str:
        await cs.seed(live_server.settings, doc)
        return await cs.login_code(ext)

    return client["document"], live_server.call(run)


def log_in(page: Page, document: str, code: str) -> None:
    browser_log_in(page, document, code)
    page.get_by_role("link", name="Coletas", exact=True).click()
    page.wait_for_url("**/coletas")


def rows(page: Page):
    return page.locator("#coletas-tabela tbody:not(#carregar-mais) tr")


def filter_year(page: Page) -> None:
    page.get_by_label("De", exact=True).fill("2026-01-01")
    page.get_by_label("Até", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url(f"**/coletas?{RANGE}*")
    expect(rows(page)).to_have_count(50)


def open_ticket(page: Page) -> None:
    link = page.get_by_role("link", name="PDF do ticket").first
    href = link.get_attribute("href")
    assert href and href.endswith("/ticket.pdf")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "ticket-COL-B" in response.headers["content-disposition"]
    assert response.body().startswith(b"%PDF-")


def test_coletas_with_javascript(page: Page, live_server, browser_log, assert_accessible):
    document, code = seed(live_server)
    log_in(page, document, code)
    page.wait_for_function("() => window.htmx !== undefined")
    filter_year(page)
    expect(page.locator(".cartoes")).to_contain_text("60")

    page.get_by_role("link", name="1 MTR do CDF").click()  # opens in place
    detail = page.locator("section#cdf-detalhe")
    expect(detail.get_by_role("heading")).to_contain_text("CDF nº")
    expect(detail.get_by_role("link", name="Ticket da coleta do MTR")).to_have_count(1)
    assert "/cdf/" not in page.url and page.locator("header").count() == 1

    page.get_by_role("link", name="Carregar mais").click()
    expect(rows(page)).to_have_count(60)
    expect(page.get_by_role("link", name="Carregar mais")).to_have_count(0)
    assert "pagina=" not in page.url  # loading more does not change the URL
    assert page.locator("header").count() == 1  # rows were appended, not a whole page

    page.get_by_label("Situação", exact=True).select_option("realizada")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**situacao=realizada**")
    expect(rows(page)).to_have_count(30)
    expect(page.locator("#coletas-tabela .selo:not(a)").first).to_have_text("Realizada")

    open_ticket(page)
    assert_accessible(page)
    page.go_back()
    page.wait_for_url(f"**/coletas?{RANGE}*")
    expect(page.get_by_label("Situação", exact=True)).to_have_value("")
    browser_log.assert_clean(page)


def test_coletas_without_javascript(page_nojs: Page, live_server, browser_log):
    page = page_nojs
    document, code = seed(live_server)
    log_in(page, document, code)
    filter_year(page)
    # Seen again: gzip now joins in the rows' kept deflate stream (web/compression.Kept)
    again = page.reload()
    assert again is not None and again.headers["content-encoding"] == "gzip"
    expect(rows(page)).to_have_count(50)
    expect(rows(page).last).to_contain_text("13/09/2026")

    page.get_by_role("link", name="1 MTR do CDF").click()  # a page of its own
    page.wait_for_url("**/coletas/cdf/*/mtrs")
    expect(page.get_by_role("heading", level=2)).to_contain_text("CDF nº")
    expect(page.get_by_role("link", name="Ticket da coleta do MTR")).to_have_count(1)
    page.go_back()
    page.wait_for_url(f"**/coletas?{RANGE}*")

    page.get_by_role("link", name="Carregar mais").click()
    page.wait_for_url("**pagina=**")
    expect(rows(page)).to_have_count(10)  # the next page, as a whole page
    expect(page.get_by_role("link", name="Voltar ao início da lista")).to_be_visible()

    page.get_by_label("Situação", exact=True).select_option("validada")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**situacao=validada**")
    expect(rows(page)).to_have_count(30)
    open_ticket(page)
    assert page.viewport_size and page.viewport_size["width"] == 360
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways at 360 px (the table should scroll alone)"
    browser_log.assert_clean(page)
