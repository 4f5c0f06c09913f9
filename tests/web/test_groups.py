"""Matriz e filiais in the portal: the group's code through any member's document opens every
member; a member's own code opens that member alone; the unit selector narrows a page."""

from __future__ import annotations

import re

import groups_samples as gs
import pytest
from portal_client import HX, call, soup, web  # noqa: F401 - the fixture

from espaco.services.access_codes import format_code, normalize_code


def _login(web, document: str, code: str):  # noqa: F811
    token = re.search(r'name="_csrf_token" value="([^"]+)"', web.get("/entrar").text).group(1)
    return web.post(
        "/entrar",
        data={"documento": document, "codigo": code, "_csrf_token": token},
        follow_redirects=False,
    )


@pytest.fixture
def seeded(web, settings):  # noqa: F811
    return call(web, gs.seed, settings)


@pytest.mark.parametrize("member", [1, 2])
def test_the_group_code_through_each_members_document_opens_the_whole_group(web, seeded, member):  # noqa: F811
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[member], code).status_code == 303
    page = soup(web.get("/financeiro"))
    options = [o.get_text() for o in page.select("select#unidade option")]
    assert options == ["Todas as unidades", "Cliente 1", "Cliente 2"]
    invoices = web.get("/financeiro?inicio=2026-01-01&fim=2026-12-31")
    assert "Cliente 1" in invoices.text and "Cliente 2" in invoices.text
    assert "Cliente 3" not in invoices.text


def test_typed_loosely_the_group_code_still_opens(web, seeded):  # noqa: F811
    code = call(web, gs.group_code, seeded["G1"])
    typed = format_code(normalize_code(code)).lower().replace("-", " ")
    assert _login(web, gs.DOCS[1], typed).status_code == 303


def test_a_members_own_code_opens_that_member_alone(web, seeded):  # noqa: F811
    code = call(web, gs.client_code, 2)
    assert _login(web, gs.DOCS[2], code).status_code == 303
    page = web.get("/financeiro?inicio=2026-01-01&fim=2026-12-31")
    assert 'id="unidade"' not in page.text and "Unidade" not in page.text
    assert web.get(f"/financeiro?unidade={seeded['CLI-1']}").status_code == 404
    assert web.get(f"/financeiro?unidade={seeded['CLI-2']}").status_code == 200


@pytest.mark.parametrize("which", ["wrong", "other-group", "member-code-as-group"])
def test_wrong_codes_are_refused(web, seeded, which):  # noqa: F811
    if which == "wrong":
        code = "ABCD-EFGH-JKMN-PQRS-TUVW"
    elif which == "other-group":
        code = call(web, gs.group_code, seeded["G2"])
        call(web, gs.group_code, seeded["G1"])  # G1 has a code too, another one
    else:  # a member's own code works only with its own document
        code = call(web, gs.client_code, 1)
    response = _login(web, gs.DOCS[2], code)
    assert response.status_code == 422
    assert "CNPJ/CPF ou código de acesso incorretos." in response.text
    assert web.get("/financeiro", follow_redirects=False).status_code in (302, 303, 401)


def test_the_unit_selector_narrows_financeiro_and_refuses_outsiders(web, seeded):  # noqa: F811
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[1], code).status_code == 303
    url = "/financeiro?inicio=2026-01-01&fim=2026-12-31"
    both = soup(web.get(url))
    assert len(both.select("#fechamentos tbody tr")) == 2
    one = soup(web.get(f"{url}&unidade={seeded['CLI-2']}"))
    assert [td.get_text() for td in one.select('#fechamentos td[data-label="Unidade"]')] == [
        "Cliente 2"
    ]
    selected = one.select_one("select#unidade option[selected]")
    assert selected is not None and selected.get_text() == "Cliente 2"
    for outsider in (seeded["CLI-3"], 999999, "x"):
        assert web.get(f"{url}&unidade={outsider}").status_code == 404


def test_regenerating_the_group_code_ends_the_groups_sessions(web, seeded):  # noqa: F811
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[1], code).status_code == 303
    assert web.get("/financeiro").status_code == 200
    call(web, gs.group_code, seeded["G1"])
    assert web.get("/financeiro", follow_redirects=False).status_code != 200


def _group_login(web, seeded, member: int = 1) -> None:  # noqa: F811
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[member], code).status_code == 303


PERIOD = "inicio=2026-01-01&fim=2026-12-31"


def test_coletas_of_a_group_list_every_unit_and_narrow_to_one(web, seeded):  # noqa: F811
    _group_login(web, seeded)
    page = soup(web.get(f"/coletas?{PERIOD}"))
    units = [td.get_text() for td in page.select('#coletas-tabela td[data-label="Unidade"]')]
    assert sorted(units) == ["Cliente 1", "Cliente 2"]
    places = [o.get_text() for o in page.select("select#local option")]
    assert places == ["Todos os locais", "Cliente 1 — Pátio 1", "Cliente 2 — Pátio 2"]
    one = soup(web.get(f"/coletas?{PERIOD}&unidade={seeded['CLI-2']}", headers=HX))
    units = [td.get_text() for td in one.select('#coletas-tabela td[data-label="Unidade"]')]
    assert units == ["Cliente 2"]
    assert web.get(f"/coletas?{PERIOD}&unidade={seeded['CLI-4']}").status_code == 404


def test_the_csv_of_a_group_names_each_rows_unit(web, seeded):  # noqa: F811
    _group_login(web, seeded, member=2)
    lines = web.get(f"/coletas/exportar?{PERIOD}").text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Unidade da empresa;Data;")
    assert sorted(line.split(";")[0] for line in lines[1:]) == ["Cliente 1", "Cliente 2"]
    only = web.get(f"/coletas/exportar?{PERIOD}&unidade={seeded['CLI-1']}").text.splitlines()
    assert [line.split(";")[0] for line in only[1:]] == ["Cliente 1"]
    assert web.get(f"/coletas/exportar?{PERIOD}&unidade={seeded['CLI-3']}").status_code == 404


def test_a_members_own_session_lists_its_collections_only(web, seeded):  # noqa: F811
    code = call(web, gs.client_code, 1)
    assert _login(web, gs.DOCS[1], code).status_code == 303
    page = soup(web.get(f"/coletas?{PERIOD}"))
    assert not page.select('td[data-label="Unidade"]') and not page.select("select#unidade")
    assert len(page.select("#coletas-tabela tbody tr")) == 1
    lines = web.get(f"/coletas/exportar?{PERIOD}").text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Data;") and len(lines) == 2
