"""Hostile input gets a 4xx with a Portuguese message and changes nothing, on both engines: ids
past the database's integers, page numbers and places past 2^63, periods ending in 9999, NUL
characters, JSON nested a thousand levels deep (issue 12, point 8).

``ESPACO_TEST_DATABASE_URL=postgresql://…`` runs the same cases on PostgreSQL, whose ``integer``
ids end at 2^31 - 1 and whose text cannot hold a NUL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hostile_support import World, earliest_request_date, form_token, snapshot, world

from espaco.settings import Settings

HUGE = [2**31, 2**63, 10**30]
NUL = "\x00"


@pytest.fixture
def w(settings: Settings) -> Iterator[World]:
    with world(settings) as made:
        yield made


def send(w: World, method: str, target: str, form: dict[str, str] | None = None):
    if method == "GET":
        return w.http.get(target, follow_redirects=False)
    data = {"_csrf_token": form_token(w.http, target), **(form or {})}
    return w.http.request(method, target, data=data, follow_redirects=False)


def int_routes(w: World) -> list[tuple[str, str]]:
    """Every (method, path) of the app with an ``int`` path parameter."""
    found = []
    for route in w.http.app.routes:
        if ":int}" not in route.path:
            continue
        for method in sorted(getattr(route, "methods", ()) - {"HEAD", "OPTIONS"}):
            found.append((method, route.path))
    return found


@pytest.mark.parametrize("huge", HUGE)
def test_an_id_past_the_database_integers_is_refused_on_every_route(w: World, huge: int):
    routes = int_routes(w)
    assert len(routes) >= 15, routes  # the walk found the portal's and the back-office's routes
    before = snapshot(w.http)
    for method, path in routes:
        target = re.sub(r"\{\w+:int\}", str(huge), path)
        response = send(w, method, target)
        assert response.status_code == 400, f"{method} {target} → {response.status_code}"
        assert "Pedido inválido" in response.text
    assert snapshot(w.http) == before


def test_an_id_inside_the_range_but_not_there_is_still_404(w: World):
    assert send(w, "GET", f"/coletas/{2**31 - 1}/ticket.pdf").status_code == 404
    assert send(w, "GET", "/financeiro/0/nota").status_code == 400


# (method, path, form, expected status, a text the answer shows)
CASES = [
    ("GET", f"/coletas?local={2**63}", None, 422, "Local inválido"),
    ("GET", f"/coletas?local={2**31}", None, 422, "Local inválido"),
    ("GET", "/coletas?local=-1", None, 422, "Local inválido"),
    ("GET", "/coletas?pagina=1e20", None, 200, "Coletas"),
    ("GET", f"/coletas?pagina=2026-11-01.{2**63}", None, 200, "Coletas"),
    ("GET", f"/coletas?pagina=9999-12-31.{2**31 - 1}", None, 200, "Coletas"),
    ("GET", f"/financeiro?pagina={10**20}", None, 200, "Financeiro"),
    ("GET", "/financeiro?pagina=1e20", None, 200, "Financeiro"),
    ("GET", "/coletas?inicio=0001-01-01&fim=9999-11-30", None, 422, "Data fora do intervalo"),
    ("GET", "/coletas?inicio=9999-12-01&fim=9999-12-31", None, 422, "Data fora do intervalo"),
    ("GET", "/financeiro?inicio=9999-12-01&fim=9999-12-31", None, 422, "Data fora do intervalo"),
    ("GET", "/financeiro?fim=9999-12-31", None, 422, "Data fora do intervalo"),
    ("GET", "/coletas?inicio=2001-01-01&fim=2026-12-31", None, 422, "no máximo 5 anos"),
    ("GET", "/coletas/exportar?inicio=9999-12-01&fim=9999-12-31", None, 200, "Data"),
    ("GET", "/solicitar-coleta?mes=9999-12", None, 200, "Solicitar coleta"),
    ("GET", "/coletas?situacao=%00", None, 400, "Caractere não permitido"),
    ("GET", "/solicitacoes/2026-%00", None, 400, "Caractere não permitido"),
    ("POST", "/solicitar-coleta", {"local": str(2**63), "descricao": "x" * 20}, 422, "locais"),
    ("POST", "/solicitar-coleta", {"local": "1", "descricao": f"Caçamba{NUL} cheia"}, 400, "NUL"),
    ("POST", "/solicitar-coleta", {"local": NUL, "data": f"2027-01-04{NUL}"}, 400, "NUL"),
    ("GET", "/admin/clientes?q=a%00b", None, 400, "NUL"),
    ("GET", f"/admin/clientes?pagina={10**20}", None, 200, "Clientes"),
    ("GET", "/admin/solicitacoes?cliente=%00", None, 400, "NUL"),
    ("GET", f"/admin/solicitacoes?pagina={10**20}", None, 200, "Solicitações"),
    ("GET", "/admin/solicitacoes?inicio=0001-01-01&fim=9999-12-31", None, 200, "Solicitações"),
    ("GET", f"/admin/emails?pagina={10**20}", None, 200, "E-mails"),
    ("GET", "/admin/emails?pagina=1e20", None, 200, "E-mails"),
    ("POST", "/admin/entrar", {"usuario": f"ana{NUL}", "senha": "x"}, 400, "NUL"),
    ("POST", "/entrar", {"documento": f"11222333000181{NUL}", "codigo": "x"}, 400, "NUL"),
    ("POST", "/admin/tokens", {"nome": f"ERP{NUL}", "escopos": "import"}, 400, "NUL"),
]


@pytest.mark.parametrize(
    ("method", "path", "form", "status", "shown"),
    CASES,
    ids=[f"{m} {p} {sorted(f or {})}" for m, p, f, _, _ in CASES],
)
def test_hostile_input_gets_a_4xx_or_its_page_and_changes_nothing(
    w: World, method, path, form, status, shown
):
    before = snapshot(w.http)
    response = send(w, method, path, form)
    assert response.status_code == status, response.text[:500]
    assert shown in response.text
    assert snapshot(w.http) == before


def test_a_collection_request_with_a_nul_is_not_written_and_the_clean_one_is(w: World):
    """The refusal is about the NUL alone: the same form without it goes through."""
    form = {
        "local": str(w.location_id),
        "descricao": "Duas caçambas de entulho, acesso pela rua de trás.",
        "data_livre": earliest_request_date(w.settings).isoformat(),
        "chave": "fuzz-nul-1",
    }
    assert send(w, "POST", "/solicitar-coleta", {**form, "chave": f"x{NUL}"}).status_code == 400
    assert send(w, "POST", "/solicitar-coleta", form).status_code == 303


API = "/api/v1"


def api(w: World, method: str, path: str, body: bytes):
    return w.http.request(
        method,
        API + path,
        content=body,
        headers={"Authorization": f"Bearer {w.api_token}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/import"), ("PUT", "/invoices/FAT-1/status")]
)
def test_json_nested_too_deep_is_refused_before_it_is_decoded(w: World, depth, method, path):
    before = snapshot(w.http)
    nested = b'{"format":"espaco-import/1","clients":' + b"[" * depth + b"]" * depth + b"}"
    response = api(w, method, path, nested)
    assert response.status_code == 400
    assert response.json() == {
        "path": "",
        "code": "too_deep",
        "message": "JSON aninhado demais: no máximo 32 níveis de listas e objetos.",
    }
    assert snapshot(w.http) == before


def test_json_as_deep_as_allowed_reaches_the_validator(w: World):
    depth = 31  # the document's own object is the 32nd level
    nested = b'{"format":"espaco-import/1","clients":' + b"[" * depth + b"]" * depth + b"}"
    response = api(w, "POST", "/import", nested)
    assert response.status_code == 422
    assert response.json()["code"] != "too_deep"


def test_brackets_inside_json_strings_are_text_not_nesting(w: World):
    name = "[" * 5_000 + "{" * 5_000
    body = ('{"format":"espaco-import/1","clients":[{"name":"' + name + '"}]}').encode()
    response = api(w, "POST", "/import", body)
    assert response.status_code == 422
    assert response.json()["code"] != "too_deep"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", "/invoices/FAT-1/status", b'{"status":"open\\u0000"}', 400),
        ("POST", "/import", b'{"format":"espaco-import/1","clients":[{"name":"a\\u0000"}]}', 400),
        ("PATCH", "/collections/COL%00/", b'{"mtr_number":"1"}', 400),
        ("PUT", "/invoices/FAT%001/status", b'{"status":"open"}', 400),
    ],
)
def test_a_nul_in_the_api_is_refused_in_its_error_shape(w: World, method, path, body, status):
    before = snapshot(w.http)
    response = api(w, method, path, body)
    assert response.status_code == status
    assert set(response.json()) >= {"path", "code", "message"}
    assert response.json()["code"] == "nul_character"
    assert snapshot(w.http) == before
