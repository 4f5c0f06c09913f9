"""A master user renames and deletes a group (matriz e filiais) in Chromium by keyboard, once
with JavaScript at 360 px (htmx, its confirm dialog) and once without at 320 px (the
confirmation page): labels are visible, the page fits the phone, axe finds nothing serious,
the browser logs no error, and the group's members stay as clients on their own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from espaco.services.access import groups
from espaco.services.access.staff import create_staff
from espaco.tables import Client
from tests.browser.conftest import BrowserLog
from tests.browser.test_phone import Walk, new_context

pytestmark = pytest.mark.browser

VIEWS = [(True, 360), (False, 320)]  # (JavaScript, width)
PASSWORD = "senha-dos-grupos-123"
_numbers = itertools.count(1)


async def seed(number: int) -> tuple[str, int, list[int]]:
    """A master user and a group of two new clients: the user's name, the group's id and the
    members' ids."""
    now = datetime.now(UTC)
    username = f"grupos{number}"
    assert await create_staff(username, PASSWORD, "master", now=now) is None
    group_id = await groups.create_group(f"Rede Teste {number}", actor="t", ip="", now=now)
    members = []
    for n in (1, 2):
        rows = await Client.insert(
            Client(external_id=f"GRUPO-{number}-{n}", document=f"{number:06d}{n:05d}",
                   name=f"Unidade {number}.{n} Ltda", trade_name=f"Unidade {number}.{n}",
                   created_at=now, updated_at=now)
        ).returning(Client.id)  # fmt: skip
        members.append(rows[0]["id"])
        await groups.add_member(group_id, rows[0]["id"], actor="t", ip="", now=now)
    return username, group_id, members


async def group_of(client_id: int) -> int | None:
    rows = await Client.select(Client.client_group).where(Client.id == client_id)
    return rows[0]["client_group"]


@pytest.fixture(params=VIEWS, ids=["js-360", "nojs-320"])
def phone(request, browser: Browser, live_server) -> Iterator[tuple[Page, bool, int]]:
    javascript, width = request.param
    for context in new_context(browser, live_server, width, javascript):
        yield context.new_page(), javascript, width


def test_a_master_renames_and_deletes_a_group_on_a_phone(phone, live_server) -> None:
    page, javascript, width = phone
    username, group_id, members = live_server.call(seed, next(_numbers) + (10 if javascript else 0))
    log = BrowserLog()
    log.watch(page)
    walk = Walk(width, javascript, [], Axe() if javascript else None)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before deleting
    page.goto("/admin/entrar")
    page.get_by_label("Usuário").fill(username)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/admin/**")
    url = f"/admin/clientes/grupos/{group_id}"
    walk.check(page, url, log)

    # Rename by keyboard: the visible label names the field; Enter sends it.
    field = page.get_by_label("Nome", exact=True)
    field.focus()
    field.press("Control+a")
    page.keyboard.type("   ")
    page.keyboard.press("Enter")
    expect(page.locator("#nome-erro")).to_have_text("Informe o nome do grupo.")
    # That 422 was the answer asked for: the browser reports it, the walk must not count it.
    log.console_errors.clear()
    log.failed_requests.clear()
    field = page.get_by_label("Nome", exact=True)
    field.fill("Rede Renomeada")
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rede Renomeada")
    expect(page.get_by_text("Grupo renomeado para “Rede Renomeada”.")).to_be_visible()
    walk.check(page, url, log)

    # Delete by keyboard: with JavaScript the dialog asks, without it a page does.
    button = page.get_by_role("button", name="Excluir grupo")
    button.focus()
    page.keyboard.press("Enter")
    if not javascript:
        expect(page.get_by_role("heading", level=1)).to_have_text("Excluir grupo")
        page.get_by_role("button", name="Sim, excluir o grupo").focus()
        page.keyboard.press("Enter")
    page.wait_for_url("**/admin/clientes/grupos")
    expect(page.get_by_text("Grupo “Rede Renomeada” excluído.")).to_be_visible()
    walk.check(page, "/admin/clientes/grupos", log)
    assert [live_server.call(group_of, m) for m in members] == [None, None]
    assert page.goto(url).status == 404  # type: ignore[union-attr]
    assert not walk.problems, "\n".join(walk.problems)
