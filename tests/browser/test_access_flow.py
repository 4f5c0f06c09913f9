"""The whole way in: a master user generates a client's code, the code arrives by e-mail through
a real SMTP server, the client logs in with it, sees its name, and logs out.
Once with JavaScript (htmx) and once without."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from espaco.services.access.staff import create_staff
from espaco.tables import Client, ClientEmail
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PASSWORD = "senha-do-teste-123"
CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")
_numbers = itertools.count(1)


def seed(live_server, document: str, address: str) -> str:
    number = next(_numbers)
    username = f"master{number}"

    async def run() -> None:
        now = datetime.now(UTC)
        error = await create_staff(username, PASSWORD, "master", now=now)
        assert error is None, error
        rows = await Client.insert(
            Client(
                external_id=f"FLUXO-{document}",
                document=document,
                name=f"Transportadora Fluxo {number} Ltda",
                trade_name=f"Fluxo {number}",
                created_at=now,
                updated_at=now,
            )
        ).returning(Client.id)
        await ClientEmail.insert(ClientEmail(client=rows[0]["id"], kind="access", address=address))

    live_server.call(run)
    return username


def staff_generates_code(page: Page, username: str, document: str, *, javascript: bool) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before replacing
    page.goto("/admin/entrar")
    page.get_by_label("Usuário").fill(username)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/admin/clientes*")
    page.get_by_label("Buscar por nome, nome fantasia, CNPJ/CPF ou código do ERP").fill(document)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=re.compile("Transportadora Fluxo")).first.click()
    page.get_by_role("link", name="Configurações").click()
    page.get_by_role("button", name="Gerar código de acesso").click()
    if not javascript:  # no confirm() dialog: a page asks first
        expect(page.get_by_role("heading", level=1)).to_have_text("Gerar código de acesso")
        page.get_by_role("button", name="Sim, gerar e enviar").click()
    expect(page.get_by_text(re.compile("Código gerado e enviado para"))).to_be_visible()
    assert not CODE.search(page.content()), "the code must never be shown to staff"


def client_logs_in_and_out(page: Page, document: str, code: str, name: str) -> None:
    log_in(page, document, code.lower())  # any case, with dashes
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    page.get_by_role("button", name="Sair").click()
    page.wait_for_url("**/entrar")
    page.goto("/inicio")
    page.wait_for_url("**/entrar")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_code_generated_by_staff_arrives_by_email_and_lets_the_client_in(
    browser: Browser, live_server, mailbox, javascript: bool, browser_log, assert_accessible
) -> None:
    document = "12ABC34501DE35" if javascript else "11444777000161"
    address = f"acesso-{'js' if javascript else 'nojs'}@fluxo.com.br"
    username = seed(live_server, document, address)

    options = {
        "base_url": live_server.url,
        "java_script_enabled": javascript,
        "viewport": {"width": 360, "height": 740},
        "locale": "pt-BR",
    }
    staff_context = browser.new_context(**options)
    staff_page = staff_context.new_page()
    browser_log.watch(staff_page)
    staff_generates_code(staff_page, username, document, javascript=javascript)
    if javascript:
        assert_accessible(staff_page)
    staff_context.close()

    message = mailbox.wait_for(lambda m: address in str(m["To"]))
    assert "código de acesso" in str(message["Subject"]).lower()
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = CODE.search(text)
    assert match, text
    assert live_server.settings.base_url + "/entrar" in text

    client_context = browser.new_context(**options)
    client_page = client_context.new_page()
    browser_log.watch(client_page)
    number = username.removeprefix("master")
    client_logs_in_and_out(client_page, document, match.group(0), f"Fluxo {number}")
    client_context.close()
    browser_log.assert_clean()
