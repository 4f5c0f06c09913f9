"""Matriz e filiais in the portal: the group's code through any member's document opens every
member; a member's own code opens that member alone; the unit selector narrows a page."""

from __future__ import annotations

import re

import groups_samples as gs
import pytest
from support import HX, call, client_login, soup

from espaco.services.access.access_codes import format_code, normalize_code


def _login(web, document: str, code: str):
    return client_login(web, document, code)


@pytest.fixture
def seeded(web, settings):
    return call(web, gs.seed, settings)


@pytest.mark.parametrize("member", [1, 2])
def test_the_group_code_through_each_members_document_opens_the_whole_group(web, seeded, member):
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[member], code).status_code == 303
    page = soup(web.get("/financeiro"))
    options = [o.get_text() for o in page.select("select#unidade option")]
    assert options == ["Todas as unidades", "Cliente 1", "Cliente 2"]
    invoices = web.get("/financeiro?inicio=2026-01-01&fim=2026-12-31")
    assert "Cliente 1" in invoices.text and "Cliente 2" in invoices.text
    assert "Cliente 3" not in invoices.text


def test_typed_loosely_the_group_code_still_opens(web, seeded):
    code = call(web, gs.group_code, seeded["G1"])
    typed = format_code(normalize_code(code)).lower().replace("-", " ")
    assert _login(web, gs.DOCS[1], typed).status_code == 303


def test_a_members_own_code_opens_that_member_alone(web, seeded):
    code = call(web, gs.client_code, 2)
    assert _login(web, gs.DOCS[2], code).status_code == 303
    page = web.get("/financeiro?inicio=2026-01-01&fim=2026-12-31")
    assert 'id="unidade"' not in page.text and "Unidade" not in page.text
    assert web.get(f"/financeiro?unidade={seeded['CLI-1']}").status_code == 404
    assert web.get(f"/financeiro?unidade={seeded['CLI-2']}").status_code == 200


@pytest.mark.parametrize("which", ["wrong", "other-group", "member-code-as-group"])
def test_wrong_codes_are_refused(web, seeded, which):
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


def test_the_unit_selector_narrows_financeiro_and_refuses_outsiders(web, seeded):
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


def test_regenerating_the_group_code_ends_the_groups_sessions(web, seeded):
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[1], code).status_code == 303
    assert web.get("/financeiro").status_code == 200
    call(web, gs.group_code, seeded["G1"])
    assert web.get("/financeiro", follow_redirects=False).status_code != 200


def _group_login(web, seeded, member: int = 1) -> None:
    code = call(web, gs.group_code, seeded["G1"])
    assert _login(web, gs.DOCS[member], code).status_code == 303


PERIOD = "inicio=2026-01-01&fim=2026-12-31"


def test_coletas_of_a_group_list_every_unit_and_narrow_to_one(web, seeded):
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


def test_the_csv_of_a_group_names_each_rows_unit(web, seeded):
    _group_login(web, seeded, member=2)
    lines = web.get(f"/coletas/exportar?{PERIOD}").text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Unidade da empresa;Data;")
    assert sorted(line.split(";")[0] for line in lines[1:]) == ["Cliente 1", "Cliente 2"]
    only = web.get(f"/coletas/exportar?{PERIOD}&unidade={seeded['CLI-1']}").text.splitlines()
    assert [line.split(";")[0] for line in only[1:]] == ["Cliente 1"]
    assert web.get(f"/coletas/exportar?{PERIOD}&unidade={seeded['CLI-3']}").status_code == 404


def test_a_members_own_session_lists_its_collections_only(web, seeded):
    code = call(web, gs.client_code, 1)
    assert _login(web, gs.DOCS[1], code).status_code == 303
    page = soup(web.get(f"/coletas?{PERIOD}"))
    assert not page.select('td[data-label="Unidade"]') and not page.select("select#unidade")
    assert len(page.select("#coletas-tabela tbody tr")) == 1
    lines = web.get(f"/coletas/exportar?{PERIOD}").text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Data;") and len(lines) == 2


def _csrf(web, url: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', web.get(url).text).group(1)


def test_solicitar_coleta_groups_the_places_by_unit_and_files_for_the_owner(web, seeded):
    _group_login(web, seeded)
    page = soup(web.get("/solicitar-coleta"))
    groups = [
        (
            g.select_one(".unidade-nome").get_text(),
            [label.strong.get_text() for label in g.select("label")],
        )
        for g in page.select(".unidade-locais")
    ]
    assert groups == [("Cliente 1", ["Pátio 1"]), ("Cliente 2", ["Pátio 2"])]
    form = page.select_one("#solicitar form")
    place = form.select_one('input[name="local"][id]')
    second = [
        i
        for i in form.select('input[name="local"]')
        if "Pátio 2" in page.find("label", attrs={"for": i["id"]}).get_text()
    ][0]
    assert place is not None
    response = web.post(
        "/solicitar-coleta",
        data={
            "_csrf_token": form.select_one('input[name="_csrf_token"]')["value"],
            "chave": form.select_one('input[name="chave"]')["value"],
            "local": second["value"],
            "data_livre": "2026-12-15",
            "descricao": "Troca da caçamba de entulho no pátio da filial",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    protocol = response.headers["location"].split("/")[-1].split("?")[0]
    owner = call(web, _request_client, protocol)
    assert owner == seeded["CLI-2"]
    listing = soup(web.get("/solicitacoes"))
    assert [u.get_text() for u in listing.select(".solicitacao .unidade-nome")] == ["Cliente 2"]
    only_1 = soup(web.get(f"/solicitacoes?unidade={seeded['CLI-1']}", headers=HX))
    assert only_1.select_one("#solicitacoes") and not only_1.select(".solicitacao")
    assert web.get(f"/solicitacoes?unidade={seeded['CLI-3']}").status_code == 404
    narrowed = soup(web.get(f"/solicitar-coleta?unidade={seeded['CLI-1']}", headers=HX))
    assert narrowed.select_one("#solicitar") is not None
    assert [lab.strong.get_text() for lab in narrowed.select("#solicitar label[for^=local-]")] == [
        "Pátio 1"
    ]
    assert narrowed.select_one('input[name="unidade"]')["value"] == str(seeded["CLI-1"])


async def _request_client(protocol: str) -> int:
    from espaco.tables import CollectionRequest

    rows = await CollectionRequest.select(CollectionRequest.client).where(
        CollectionRequest.protocol == protocol
    )
    return rows[0]["client"]


def test_a_place_of_another_group_is_refused_on_solicitar(web, seeded):
    _group_login(web, seeded)
    outsider = call(web, _location_of, seeded["CLI-3"])
    response = web.post(
        "/solicitar-coleta",
        data={
            "_csrf_token": _csrf(web, "/solicitar-coleta"),
            "chave": "k-outsider",
            "local": str(outsider),
            "data_livre": "2026-12-15",
            "descricao": "Troca da caçamba de entulho no pátio da filial",
        },
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "Escolha um dos seus locais de coleta." in response.text


async def _location_of(client_id: int) -> int:
    from espaco.tables import Location

    return (await Location.select(Location.id).where(Location.client == client_id))[0]["id"]


def test_the_relatorio_of_a_group_is_one_unit_at_a_time(web, seeded):
    _group_login(web, seeded, member=1)
    own = soup(web.get("/coletas/relatorio"))
    assert own.h1.get_text() == "Relatório de resíduos: Cliente 1"
    assert [o.get_text() for o in own.select("select#unidade option")] == ["Cliente 1", "Cliente 2"]
    other = soup(web.get(f"/coletas/relatorio?unidade={seeded['CLI-2']}"))
    assert other.h1.get_text() == "Relatório de resíduos: Cliente 2"
    assert (
        "unidade=" + str(seeded["CLI-2"])
        in other.select_one('a[href^="/coletas/relatorio.csv"]')["href"]
    )
    assert web.get(f"/coletas/relatorio?unidade={seeded['CLI-3']}").status_code == 404
    dossie = soup(web.get(f"/coletas/dossie?unidade={seeded['CLI-2']}"))
    assert dossie.h1.get_text() == "Dossiê de fiscalização: Cliente 2"


def test_inicio_of_a_group_names_the_group_and_each_units_pendencias(web, seeded):
    _group_login(web, seeded, member=2)
    page = soup(web.get("/inicio"))
    assert page.h1.get_text() == "Olá, Grupo G1"
    assert page.select_one(".cliente-nome").get_text() == "Grupo G1"
    units = [li.strong.get_text() for li in page.select("#inicio-pendencias li")]
    assert units == ["Cliente 1:", "Cliente 2:"]
    code = call(web, gs.client_code, 2)
    assert _login(web, gs.DOCS[2], code).status_code == 303
    own = soup(web.get("/inicio"))
    assert own.h1.get_text() == "Olá, Cliente 2" and "por unidade" not in own.text


def test_a_members_new_code_or_deactivation_and_the_groups_session(web, seeded):
    _group_login(web, seeded, member=1)
    call(web, gs.client_code, 1)  # the member's own code is regenerated: the group's lives on
    assert web.get("/financeiro").status_code == 200
    call(web, _deactivate, seeded["CLI-2"])  # a deactivated member drops out of the scope
    page = soup(web.get("/financeiro"))
    assert [o.get_text() for o in page.select("select#unidade option")] == [
        "Todas as unidades", "Cliente 1",
    ]  # fmt: skip
    assert web.get(f"/financeiro?unidade={seeded['CLI-2']}").status_code == 404
    call(web, _deactivate, seeded["CLI-1"])  # the one that logged in: the session ends
    assert web.get("/financeiro", follow_redirects=False).status_code == 303


async def _deactivate(client_id: int) -> None:
    from espaco.services.access import cadastros

    await cadastros.set_active(client_id, False, actor="ana", ip="", now=gs.NOW)
