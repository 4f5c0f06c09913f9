"""Avisos e agenda and "Enviar pelo WhatsApp" in Chromium at 320 and 360 px, with JavaScript
and without: the client turns the e-mail on, creates the calendar feed, renews it (the old URL
is then refused), and finds the WhatsApp links on a boleto and on a ticket — each page fitting
the phone, with targets of 24 × 24 px at least, no console error, and axe clean."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import import_samples as s
import pytest
from playwright.sync_api import Page, expect

from espaco.demo.clients import set_demo_access_code
from espaco.services.imports import import_document
from espaco.tables import Client

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


async def seed(n: int, settings) -> tuple[str, str]:
    """A client with a boleto, a realizada (with its ticket) and an agendada; (document, code)."""
    today = datetime.now(UTC).date()
    ext = f"AV-{n}"
    client = s.client(700 + n, external_id=ext,
                      locations=[s.location(700 + n, external_id=f"LOC-AV-{n}")])  # fmt: skip
    doc = s.document(
        clients=[client],
        invoices=[s.invoice(700 + n, ext, external_id=f"FAT-AV-{n}")],
        collections=[
            s.collection(
                700 + n, ext, f"LOC-AV-{n}", external_id=f"COL-AV-{n}", mtr_number=f"99{n:04d}"
            ),  # fmt: skip
            s.collection(
                800 + n,
                ext,
                f"LOC-AV-{n}",
                external_id=f"COL-AG-{n}",
                status="scheduled",
                performed_at=None,
                mtr_number=None,
                mtr_status=None,
                scheduled_on=(today + timedelta(days=5)).isoformat(),
            ),  # fmt: skip
        ],
    )
    result = await import_document(doc, settings, base_dir=None, now=datetime.now(UTC))
    assert result.ok, result.problems[:3]
    code = await set_demo_access_code(ext, now=datetime.now(UTC))
    row = await Client.select(Client.document).where(Client.external_id == ext).first()
    return row["document"], code


def log_in(page: Page, document: str, code: str) -> None:
    page.goto("/entrar")
    page.get_by_label("CNPJ ou CPF").fill(document)
    page.get_by_label("Código de acesso").fill(code)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/inicio")


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def big_enough(page: Page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24, box


@pytest.fixture
def client_page(request, live_server, browser, browser_log):
    width, javascript = request.param
    live_server.activate()
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 740},
        locale="pt-BR",
        timezone_id="America/Sao_Paulo",
        java_script_enabled=javascript,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_log.watch(page)
    document, code = live_server.call(seed, next(_numbers), live_server.settings)
    log_in(page, document, code)
    try:
        yield page, width, javascript
    finally:
        context.close()


CASES = [(320, True), (360, True), (320, False), (360, False)]
IDS = ["320-js", "360-js", "320-nojs", "360-nojs"]


@pytest.mark.parametrize("client_page", CASES, ids=IDS, indirect=True)
def test_the_client_turns_the_email_on_and_creates_then_renews_the_feed(
    client_page, browser_log, assert_accessible
):
    page, width, javascript = client_page
    page.get_by_role("link", name="Avisos e agenda").click()
    page.wait_for_url("**/avisos")
    fits(page, width)
    if javascript:
        assert_accessible(page)

    page.get_by_role("button", name="Receber o aviso de coleta realizada").click()
    page.wait_for_url("**/avisos#coleta-realizada")
    expect(page.locator("#coleta-realizada")).to_contain_text("Ligado")

    create = page.get_by_role("button", name="Criar endereço da agenda")
    big_enough(page, create)
    create.click()
    address = page.locator("#endereco-agenda")
    expect(address).to_be_visible()
    first = address.inner_text().strip()
    assert first.endswith(".ics") and "/agenda/" in first
    fits(page, width)
    if javascript:
        copy = page.get_by_role("button", name="Copiar endereço")
        expect(copy).to_be_visible()
        big_enough(page, copy)
        assert_accessible(page)
    else:
        assert page.get_by_role("button", name="Copiar endereço").count() == 0
    expect(page.get_by_role("link", name="Abrir no aplicativo de calendário")).to_have_attribute(
        "href", "webcal://" + first.split("://", 1)[1]
    )
    feed = page.request.get(urlsplit(first).path)  # the settings' base URL is not this host
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VEVENT" in feed.body()

    page.goto("/avisos")
    expect(page.locator("#agenda")).to_contain_text("Ligada")
    assert first not in page.content()  # shown once
    page.get_by_role("button", name="Gerar novo endereço").click()
    page.get_by_role("button", name="Sim, gerar novo endereço").click()
    expect(page.locator("#endereco-agenda")).to_be_visible()
    second = page.locator("#endereco-agenda").inner_text().strip()
    assert second != first
    assert page.request.get(urlsplit(first).path).status == 404
    assert page.request.get(urlsplit(second).path).status == 200
    browser_log.failed_requests.clear()  # the 404 above was asked for
    browser_log.assert_clean(page if javascript else None)


@pytest.mark.parametrize("client_page", CASES, ids=IDS, indirect=True)
def test_whatsapp_links_on_the_boleto_and_the_ticket(client_page, browser_log, assert_accessible):
    page, width, javascript = client_page
    page.goto("/financeiro?inicio=2024-01-01&fim=2027-12-31")
    page.locator("a[href$='/boleto']").first.click()
    page.wait_for_url("**/boleto")
    share = page.get_by_role("link", name="Enviar pelo WhatsApp")
    expect(share).to_be_visible()
    big_enough(page, share)
    assert share.get_attribute("href").startswith("https://wa.me/?text=")
    assert share.get_attribute("target") == "_blank"
    assert "noopener" in share.get_attribute("rel")
    fits(page, width)
    if javascript:
        assert_accessible(page)

    page.goto("/coletas?inicio=2024-01-01&fim=2027-12-31")
    ticket = page.get_by_role("link", name="Enviar o ticket COL-AV")
    expect(ticket).to_have_count(1)
    expect(ticket).to_be_visible()
    expect(ticket).to_have_text("WhatsApp")
    big_enough(page, ticket)
    assert ticket.get_attribute("href").startswith("https://wa.me/?text=")
    assert ticket.get_attribute("target") == "_blank"
    fits(page, width)
    if javascript:
        assert_accessible(page)
    browser_log.assert_clean(page if javascript else None)
