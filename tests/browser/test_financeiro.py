"""Financeiro in Chromium at 360 px, with JavaScript (htmx swaps) and without (plain pages):
filter the period, open a note, download a boleto; axe finds nothing serious."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from espaco.services.access.access_codes import normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.tables import Client
from tests.browser.conftest import log_in as browser_log_in
from tests.financeiro_factories import NOW, make_invoice

pytestmark = pytest.mark.browser

CODE = "ABCD-EFGH-JKLM-NPQR"
_numbers = itertools.count(1)


def seed(live_server) -> tuple[str, date]:
    """A client with invoices this year and in 2024; returns its document and today."""
    number = next(_numbers)
    document = f"{number:08d}0001" + "00"
    from espaco.domain.documents import cnpj_check_digits

    document = document[:12] + cnpj_check_digits(document[:12])
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()

    async def run() -> None:
        rows = await Client.insert(
            Client(
                external_id=f"FIN-{number}",
                document=document,
                name=f"Restaurante Sabor {number} Ltda",
                trade_name=f"Sabor {number}",
                access_code_hash=hash_secret(normalize_code(CODE)),
                code_generated_at=NOW,
                created_at=NOW,
                updated_at=NOW,
            )
        ).returning(Client.id)
        client_id = rows[0]["id"]
        await make_invoice(client_id, today + timedelta(days=5), 150_075, fiscal="nfse")
        await make_invoice(
            client_id, date(today.year, 1, 10), 99_90, status="paid", paid_on=date(today.year, 1, 8)
        )
        await make_invoice(client_id, date(2024, 3, 10), 42_00, status="paid", fiscal="nfe")

    live_server.call(run)
    return document, today


def log_in(page: Page, document: str) -> None:
    browser_log_in(page, document, CODE)
    page.get_by_role("link", name="Financeiro", exact=True).click()
    page.wait_for_url("**/financeiro")


def filter_2024(page: Page) -> None:
    page.get_by_label("Vencimento de").fill("2024-01-01")
    page.get_by_label("até").fill("2024-12-31")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**/financeiro?inicio=2024-01-01&fim=2024-12-31")
    expect(page.locator("#card-geral")).to_contain_text("R$ 42,00")
    expect(page.locator("#fechamentos tbody tr")).to_have_count(1)


def download_boleto(page: Page) -> None:
    page.get_by_role("link", name="Este ano").click()
    expect(page.locator("#card-geral")).to_contain_text("R$ 1.600,65")
    page.get_by_role("link", name="Boleto").first.click()
    page.wait_for_url("**/boleto")
    expect(page.locator("#linha-digitavel")).to_contain_text(".")
    with page.expect_download() as info:
        page.get_by_role("link", name="Baixar boleto (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_financeiro_with_javascript(page: Page, live_server, browser_log, assert_accessible):
    document, _ = seed(live_server)
    log_in(page, document)
    expect(page.locator("#card-geral")).to_contain_text("R$ 1.600,65")
    assert_accessible(page)

    # htmx: the fragment is swapped in place (no new document) and the URL is pushed.
    page.evaluate("window.__same_document = true")
    filter_2024(page)
    assert page.evaluate("window.__same_document === true"), "htmx should swap, not reload"
    page.go_back()
    expect(page.locator("#card-geral")).to_contain_text("R$ 1.600,65")
    page.go_forward()
    expect(page.locator("#card-geral")).to_contain_text("R$ 42,00")
    page.reload()
    expect(page.locator("#card-geral")).to_contain_text("R$ 42,00")

    page.evaluate("window.__same_document = true")
    page.get_by_role("link", name="NF-e").first.click()
    expect(page.locator("#nota-detalhe h2")).to_contain_text("NF-e nº")
    expect(page.locator("#nota-detalhe .chave")).to_be_visible()
    assert page.url.endswith("fim=2024-12-31")  # the note opened in place
    assert page.evaluate("window.__same_document === true")
    assert_accessible(page)

    download_boleto(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copiar linha digitável").click()
    expect(page.locator(".copiado")).to_have_text("Copiado.")
    line = page.locator("#linha-digitavel").inner_text().strip()
    assert page.evaluate("navigator.clipboard.readText()") == line
    assert_accessible(page)
    browser_log.assert_clean(page)


def test_financeiro_without_javascript(page_nojs: Page, live_server, browser_log):
    page = page_nojs
    document, _ = seed(live_server)
    log_in(page, document)
    filter_2024(page)
    page.get_by_role("link", name="NF-e").first.click()
    page.wait_for_url("**/nota")
    expect(page.get_by_role("heading", level=2)).to_contain_text("NF-e nº")
    page.go_back()
    download_boleto(page)
    # Without JavaScript there is no copy button; the line stays selectable text.
    expect(page.get_by_role("button", name="Copiar linha digitável")).to_have_count(0)
    browser_log.assert_clean()
