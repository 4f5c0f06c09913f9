"""A group's portal (matriz e filiais) in Chromium at 360 px (320 without JavaScript): the unit
selector swaps Financeiro, Coletas, Solicitar coleta, Solicitações and Avisos (one unit at a
time there, whose notices the group's login sets) in place with JavaScript, and is a plain GET
form without it; every view fits the phone (no sideways scroll, targets >= 24 px), axe finds
nothing serious, and the browser logs no error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from espaco.demo import build_demo_import
from espaco.demo.names import DEMO_GROUP
from espaco.services.access import groups
from espaco.services.collections import done_email
from espaco.services.imports import import_file
from espaco.tables import Client, ClientGroup
from tests.browser.conftest import BrowserLog
from tests.browser.test_phone import Walk, new_context

pytestmark = pytest.mark.browser

# The narrowest phone without JavaScript, a common one with it (both widths, both ways would
# double the run for the same layout rules).
VIEWS = [(True, 360), (False, 320)]
PAGES = ("/financeiro", "/coletas", "/solicitar-coleta", "/solicitacoes")


@dataclass(frozen=True)
class Group:
    code: str
    documents: list[str]  # matriz, filial, filial
    units: dict[str, int]  # trade name -> client id


async def seed(data_dir: Path, settings: Any) -> Group:
    now = datetime.now(UTC)
    demo = build_demo_import(data_dir, today=now.date())
    result = await import_file(demo.path, settings, now=now)
    assert result.ok, result.problems[:3]
    external_id, _, members = DEMO_GROUP
    group = await ClientGroup.select(ClientGroup.id).where(ClientGroup.external_id == external_id)
    code = await groups.set_demo_access_code(group[0]["id"], now=now)
    rows = await Client.select(Client.id, Client.trade_name).where(
        Client.client_group == group[0]["id"]
    )
    return Group(
        code, [demo.clients[i].document for i in members], {r["trade_name"]: r["id"] for r in rows}
    )


@pytest.fixture(scope="module")
def group(live_server, tmp_path_factory: pytest.TempPathFactory) -> Group:
    return live_server.call(seed, tmp_path_factory.mktemp("demo"), live_server.settings)


@pytest.fixture(params=VIEWS, ids=["js-360", "nojs-320"])
def phone(request, browser: Browser, live_server) -> Iterator[tuple[Page, bool, int]]:
    javascript, width = request.param
    for context in new_context(browser, live_server, width, javascript):
        yield context.new_page(), javascript, width


def log_in(page: Page, document: str, code: str) -> None:
    page.goto("/entrar")
    page.get_by_label("CNPJ ou CPF").fill(document)
    page.get_by_label("Código de acesso").fill(code)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/inicio")


def choose_unit(page: Page, javascript: bool, label: str, button: str) -> None:
    """Pick a unit as a person does: with htmx the change swaps; without, the form's button."""
    if javascript:
        page.evaluate("window.__same_document = true")
        with page.expect_response(lambda r: "unidade=" in r.url):
            page.get_by_role("combobox", name="Unidade", exact=True).select_option(label=label)
        page.wait_for_url("**unidade=*")
        assert page.evaluate("window.__same_document === true"), "htmx should swap, not reload"
    else:
        page.get_by_role("combobox", name="Unidade", exact=True).select_option(label=label)
        page.get_by_role("button", name=button).click()
        page.wait_for_url("**unidade=*")


def test_the_unit_selector_on_a_phone(phone, group: Group, live_server) -> None:
    page, javascript, width = phone
    log = BrowserLog()
    log.watch(page)
    walk = Walk(width, javascript, [], Axe() if javascript else None)
    log_in(page, group.documents[1], group.code)  # a filial's CNPJ and the group's code
    jundiai, valinhos = group.units["Pão Quente Jundiaí"], group.units["Pão Quente Valinhos"]

    # Financeiro: every unit's closures, then one unit's.
    walk.check(page, "/financeiro?periodo=ultimos-12-meses", log)
    units = page.locator('#fechamentos td[data-label="Unidade"]').all_inner_texts()
    assert {"Pão Quente", "Pão Quente Valinhos", "Pão Quente Jundiaí"} <= set(units)
    choose_unit(page, javascript, "Pão Quente Jundiaí", "Filtrar")
    assert f"unidade={jundiai}" in page.url
    units = page.locator('#fechamentos td[data-label="Unidade"]').all_inner_texts()
    assert units and set(units) == {"Pão Quente Jundiaí"}
    walk.check(page, page.url.split(live_server.url, 1)[1], log)

    # Coletas: the table names the unit of each row.
    walk.check(page, "/coletas", log)
    choose_unit(page, javascript, "Pão Quente Valinhos", "Filtrar")
    cells = page.locator('#coletas-tabela td[data-label="Unidade"]').all_inner_texts()
    assert cells and set(cells) == {"Pão Quente Valinhos"}
    assert f"unidade={valinhos}" in page.url

    # Solicitar coleta: places grouped by unit; choosing one unit leaves its places only.
    walk.check(page, "/solicitar-coleta", log)
    headings = page.locator(".unidade-locais .unidade-nome").all_inner_texts()
    assert headings == ["Pão Quente", "Pão Quente Jundiaí", "Pão Quente Valinhos"]
    choose_unit(page, javascript, "Pão Quente Jundiaí", "Ver locais")
    expect(page.locator(".unidade-locais .unidade-nome")).to_have_text(["Pão Quente Jundiaí"])
    walk.check(page, f"/solicitar-coleta?unidade={jundiai}", log)

    # Solicitações: the selector narrows the list.
    walk.check(page, "/solicitacoes", log)
    choose_unit(page, javascript, "Pão Quente Valinhos", "Ver solicitações")
    expect(page.locator("#solicitacoes")).to_be_visible()
    walk.check(page, f"/solicitacoes?unidade={valinhos}", log)

    assert not walk.problems, "\n".join(walk.problems)


def test_a_groups_login_sets_each_units_notices_on_a_phone(
    phone, group: Group, live_server
) -> None:
    page, javascript, width = phone
    log = BrowserLog()
    log.watch(page)
    walk = Walk(width, javascript, [], Axe() if javascript else None)
    log_in(page, group.documents[1], group.code)
    walk.check(page, "/avisos", log)
    selector = page.get_by_role("combobox", name="Unidade", exact=True)
    current = selector.locator("option:checked").inner_text()
    others = sorted(name for name in group.units if name != current)
    chosen = others[0] if javascript else others[1]  # each run its own unit
    choose_unit(page, javascript, chosen, "Trocar de unidade")
    assert f"unidade={group.units[chosen]}" in page.url
    expect(page.locator("#avisos-unidade")).to_contain_text(f"Avisos da unidade {chosen}")

    # By keyboard: the unit's e-mail notice on; the page comes back on that unit.
    page.get_by_role("button", name="Receber o aviso de coleta realizada").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/avisos?unidade={group.units[chosen]}*")
    expect(page.locator("#coleta-realizada .selo")).to_have_text("Ligado")
    walk.check(page, f"/avisos?unidade={group.units[chosen]}", log)
    enabled = {name: live_server.call(done_email.is_enabled, i) for name, i in group.units.items()}
    assert enabled[chosen] and not enabled[current]
    assert not walk.problems, "\n".join(walk.problems)
