"""The Relatório de resíduos in Chromium at 360 px, with JavaScript (htmx swaps the results and
pushes the URL) and without (plain GET pages): pick a quarter, then dates, see the wastes and the
pendências, follow a pendência to its collection, open the dossier page; axe finds nothing
serious and the console stays clean."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import tests.coletas_samples as cs
import tests.import_samples as s
from tests.browser.conftest import log_in as browser_log_in

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


def seed(live_server) -> tuple[str, str]:
    """A client with hazardous and non-hazardous wastes in 2026's 3rd and 4th quarters, one of
    them with no MTR (a pendência)."""
    n = 8000 + next(_numbers)
    ext, loc = f"CLI-R{n}", f"LOC-R{n}"
    client = s.client(n, external_id=ext, locations=[s.location(n, external_id=loc)])
    oil = {"description": "Óleo lubrificante usado", "class": "I", "ibama_code": "13 02 05*",
           "physical_state": "líquido"}  # fmt: skip
    collections: list[dict[str, Any]] = [
        cs.collection(n * 100 + i, ext, loc, external_id=f"COL-R{n}-{i}",
                      performed_at=f"2026-{month:02d}-10T10:00:00-03:00",
                      scheduled_on=f"2026-{month:02d}-10", mtr_number=f"8{n}{i:03d}",
                      transporter={"name": "Transportes Exemplo Ltda"},
                      destination={"treatment": "Rerrefino"}, quantity="200", unit="L",
                      waste=oil)
        for i, month in enumerate((7, 8, 10, 11))
    ]  # fmt: skip
    collections.append(
        cs.collection(n * 100 + 9, ext, loc, external_id=f"COL-R{n}-9", mtr_number=None,
                      mtr_status=None, performed_at="2026-10-20T10:00:00-03:00",
                      scheduled_on="2026-10-20")
    )  # fmt: skip
    doc = s.document(clients=[client], collections=collections)

    async def run() -> str:
        await cs.seed(live_server.settings, doc)
        return await cs.login_code(ext)

    return client["document"], live_server.call(run)


def log_in(page: Page, document: str, code: str) -> None:
    browser_log_in(page, document, code)
    expect(page.locator("#inicio-pendencias")).to_contain_text("Coleta realizada sem MTR: 1")
    page.get_by_role("link", name="Coletas", exact=True).click()
    page.wait_for_url("**/coletas")
    page.get_by_role("link", name="Relatório de resíduos").click()
    page.wait_for_url("**/coletas/relatorio")


def lines(page: Page):
    return page.locator("#relatorio-tabela tbody tr")


def no_sideways_scroll(page: Page) -> None:
    assert page.viewport_size and page.viewport_size["width"] == 360
    overflow = page.evaluate("document.documentElement.scrollWidth > 360")
    assert not overflow, "the page scrolls sideways at 360 px"


def pick_quarter_then_dates(page: Page) -> None:
    page.get_by_label("Trimestre ou semestre").select_option("2026-t4")
    page.get_by_role("button", name="Ver relatório").click()
    page.wait_for_url("**periodo=2026-t4**")
    expect(page.locator("#relatorio-periodo")).to_contain_text("4º trimestre de 2026")
    expect(lines(page)).to_have_count(2)
    expect(lines(page).first).to_contain_text("13 02 05*")
    expect(lines(page).first).to_contain_text("400,000 L")
    page.get_by_label("Trimestre ou semestre").select_option("")
    page.get_by_label("De", exact=True).fill("2026-07-01")
    page.get_by_label("Até", exact=True).fill("2026-08-31")
    page.get_by_role("button", name="Ver relatório").click()
    page.wait_for_url("**inicio=2026-07-01**")
    expect(lines(page)).to_have_count(1)
    expect(page.locator(".total-unidade")).to_have_text("400,000 L")


def follow_pendencia(page: Page) -> None:
    pendencias = page.locator("#pendencias")
    expect(pendencias).to_contain_text("Coleta realizada sem MTR: 1")
    pendencias.locator("a", has_text="20/10/2026").click()
    page.wait_for_url("**/coletas?inicio=2026-10-20&fim=2026-10-20**")
    expect(page.locator("#coletas-tabela tbody tr")).to_have_count(1)


def test_report_with_javascript(page: Page, live_server, browser_log, assert_accessible):
    document, code = seed(live_server)
    log_in(page, document, code)
    page.wait_for_function("() => window.htmx !== undefined")
    pick_quarter_then_dates(page)
    assert page.locator("header").count() == 1  # swapped in place, not a new page
    no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_role("link", name="Dossiê de fiscalização").click()
    page.wait_for_url("**/coletas/dossie?**inicio=2026-07-01**")
    expect(page.locator(".dossie-itens")).to_contain_text("2 tickets de coleta")
    assert_accessible(page)
    page.go_back()
    page.wait_for_url("**/coletas/relatorio?**inicio=2026-07-01**")
    page.get_by_label("Trimestre ou semestre").select_option("2026-t4")
    page.get_by_role("button", name="Ver relatório").click()
    page.wait_for_url("**periodo=2026-t4**")
    follow_pendencia(page)
    browser_log.assert_clean(page)


def test_report_without_javascript(page_nojs: Page, live_server, browser_log):
    page = page_nojs
    document, code = seed(live_server)
    log_in(page, document, code)
    pick_quarter_then_dates(page)
    no_sideways_scroll(page)  # axe runs as a script: the same markup is audited with JS on
    response = page.request.get(page.get_by_role("link", name="Baixar CSV").get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"\xef\xbb\xbf")
    page.get_by_label("Trimestre ou semestre").select_option("2026-t4")
    page.get_by_role("button", name="Ver relatório").click()
    page.wait_for_url("**periodo=2026-t4**")
    page.get_by_role("button", name="Não receber o aviso semanal").click()
    page.wait_for_url("**/coletas/relatorio#pendencias")
    expect(page.get_by_role("button", name="Receber o aviso semanal")).to_be_visible()
    no_sideways_scroll(page)
    follow_pendencia(page)
    browser_log.assert_clean(page)
