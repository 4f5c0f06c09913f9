"""Nobody sees what is not theirs: every portal route that takes an id in its URL, requested by
one client with another client's ids, answers 404 — and with its own ids it answers.

The routes are read from the app itself, so a new portal route with a path parameter fails this
test until it is given a case below.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from litestar.testing import TestClient
from support import app_client, call, client_login, csrf_token

from espaco.demo import build_demo_import
from espaco.demo.clients import set_demo_access_code
from espaco.services.collections import calendar_feed
from espaco.services.imports import import_file
from espaco.tables import (
    Boleto,
    Certificate,
    Client,
    CollectionPhoto,
    CollectionRequest,
    FiscalDocument,
    Invoice,
    Location,
)

PRIVATE = ("/admin", "/api", "/static")


async def ids_of(external_id: str) -> dict[str, object]:
    """One of each thing a client owns, with everything its routes need (PDF, XML, photo)."""
    client = (await Client.select(Client.id).where(Client.external_id == external_id))[0]["id"]
    fiscal = await FiscalDocument.select(FiscalDocument.invoice).where(
        (FiscalDocument.client == client)
        & FiscalDocument.pdf_path.is_not_null()
        & FiscalDocument.xml_path.is_not_null()
    )
    boletos = await Boleto.select(Boleto.invoice).where(
        Boleto.invoice.is_in([row["invoice"] for row in fiscal])
    )
    payable = await Invoice.select(Invoice.id).where(
        Invoice.id.is_in([row["invoice"] for row in boletos]) & (Invoice.status == "open")
    )
    photo = await CollectionPhoto.select(CollectionPhoto.id, CollectionPhoto.collection).where(
        CollectionPhoto.collection.client == client
    )
    certificate = await Certificate.select(Certificate.id).where(Certificate.client == client)
    location = await Location.select(Location.id).where(Location.client == client)
    protocol = f"2026-9{client:05d}"
    await CollectionRequest.insert(
        CollectionRequest(
            client=client,
            location=location[0]["id"],
            protocol=protocol,
            intended_on=date(2026, 12, 15),
            description="Troca de caçamba na obra da rua de trás",
            submission_key=f"cross-{client}",
            created_at=datetime.now(UTC),
        )
    )
    feed_token = await calendar_feed.renew(client, now=datetime.now(UTC))
    return {
        "client": client,
        # The calendar feed's path part: a secret URL, no session (web/avisos.py).
        "part": f"{feed_token}.ics",
        "invoice_id": (payable or fiscal)[0]["id" if payable else "invoice"],
        "collection_id": photo[0]["collection"],
        "photo_id": photo[0]["id"],
        "certificate_id": certificate[0]["id"],
        "protocol": protocol,
        "location_id": location[0]["id"],
    }


@pytest.fixture
def two_clients(settings, tmp_path):
    document = build_demo_import(tmp_path / "demo", today=date(2026, 11, 28))
    with app_client(settings) as web:
        result = call(web, import_file, document.path, settings, now=datetime.now(UTC))
        assert result.ok, result.problems[:3]
        mine, theirs = document.clients[0], document.clients[1]
        code = call(web, set_demo_access_code, mine.external_id, now=datetime.now(UTC))
        assert client_login(web, mine.document, code).status_code == 303
        theirs_ids = call(web, ids_of, theirs.external_id)
        # A feed URL is its own credential (a calendar cannot log in): whoever holds a live one
        # reads it. What must fail is any other: theirs is renewed, so the one we hold is dead.
        call(web, calendar_feed.renew, theirs_ids["client"], now=datetime.now(UTC))
        yield web, call(web, ids_of, mine.external_id), theirs_ids


def portal_routes(app) -> list[tuple[str, str, list[str]]]:
    routes = []
    for route in app.routes:
        if route.path.startswith(PRIVATE) or not route.path_parameters:
            continue
        for method in sorted(getattr(route, "methods", ()) - {"HEAD", "OPTIONS"}):
            routes.append((method, route.path, list(route.path_parameters)))
    return routes


def url(path: str, ids: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"new portal route {path}: add a cross-client case for {{{name}}}"
        return str(ids[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def request(web: TestClient, method: str, target: str):
    if method == "GET":
        return web.get(target, follow_redirects=False)
    token = csrf_token(web, "/inicio")
    return web.request(method, target, data={"_csrf_token": token}, follow_redirects=False)


def test_every_portal_route_with_ids_answers_404_for_another_clients_ids(two_clients):
    web, mine, theirs = two_clients
    routes = portal_routes(web.app)
    assert routes, "the portal has routes with ids: the walk found none"
    for method, path, _ in routes:
        response = request(web, method, url(path, theirs))
        assert response.status_code == 404, f"{method} {url(path, theirs)} → {response.status_code}"


def test_a_photo_of_another_client_is_not_found_under_ones_own_collection(two_clients):
    web, mine, theirs = two_clients
    paths = [
        p for _, p, names in portal_routes(web.app) if {"collection_id", "photo_id"} <= set(names)
    ]
    assert paths, "no route takes a collection and a photo id: the walk found none"
    for path in paths:
        mixed = {**mine, "photo_id": theirs["photo_id"]}
        assert web.get(url(path, mixed)).status_code == 404


def test_the_same_routes_answer_with_ones_own_ids(two_clients):
    web, mine, _ = two_clients
    # A POST with one's own ids would change one's own data: GETs only.
    gets = [path for method, path, _ in portal_routes(web.app) if method == "GET"]
    assert gets, "the portal has GET routes with ids: the walk found none"
    for path in gets:
        response = request(web, "GET", url(path, mine))
        assert response.status_code == 200, f"GET {url(path, mine)} → {response.status_code}"


def place_query_routes(app) -> list[tuple[str, str]]:
    """GET routes whose query parameter (named in ``opt["place_query"]``) is a place id:
    the Relatório de resíduos (page, CSV, PDF, with its pendências) and the dossier."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            name = handler.opt.get("place_query")
            if name and "GET" in handler.http_methods:
                found.append((route.path, name))
    return found


def test_routes_filtered_by_place_answer_404_for_another_clients_place(two_clients):
    web, mine, theirs = two_clients
    routes = place_query_routes(web.app)
    paths = {path for path, _ in routes}
    assert {"/coletas/relatorio", "/coletas/relatorio.csv", "/coletas/relatorio.pdf",
            "/coletas/dossie", "/coletas/dossie.zip"} <= paths  # fmt: skip
    for path, name in routes:
        other = web.get(path, params={name: theirs["location_id"]}, follow_redirects=False)
        assert other.status_code == 404, f"GET {path}?{name}={theirs['location_id']}"
        own = web.get(path, params={name: mine["location_id"], "periodo": "2026-t3"})
        assert own.status_code == 200, f"GET {path}?{name}={mine['location_id']}"


# -- groups (matriz e filiais) -------------------------------------------------------------------
# Every portal route (the client's pages, by the ``client`` session they take) either reads the
# ``unidade`` query parameter (a unit outside the session's scope: 404) or names why it does not.
UNIT_ROUTES = {
    "/financeiro", "/coletas", "/coletas/exportar", "/solicitar-coleta", "/solicitacoes",
    # The per-CNPJ documents (DMR): one unit at a time, by default the one that logged in.
    "/coletas/relatorio", "/coletas/relatorio.csv", "/coletas/relatorio.pdf", "/coletas/dossie",
    "/coletas/dossie.zip",
    # The notices (e-mail and calendar feed): one unit at a time, as the per-CNPJ documents.
    "/avisos",
}  # fmt: skip
# The forms that act on one unit post its ``unidade`` in the body, checked against the scope
# again (another group's unit, or another member for a member's own login: 404).
UNIT_FORMS = {"/avisos/coleta-realizada", "/avisos/agenda", "/avisos/agenda/desligar"}
WITHOUT_UNIT = {
    "/inicio": "the landing page: the pendências of the unit that logged in",
    "/coletas/relatorio/aviso": "the weekly e-mail opt-out of the unit that logged in",
}


def client_routes(app) -> list[tuple[str, str, list[str]]]:
    """Every route a client session opens (its handler takes ``client``), with its methods."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if "client" in handler.parsed_fn_signature.parameters:
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    found.append((method, route.path, list(route.path_parameters)))
    return found


async def _group(name: str, *external_ids: str) -> int:
    from espaco.services.access import groups

    now = datetime.now(UTC)
    group = await groups.create_group(name, actor="teste", ip="", now=now)
    for external_id in external_ids:
        rows = await Client.select(Client.id).where(Client.external_id == external_id)
        assert await groups.add_member(group, rows[0]["id"], actor="t", ip="", now=now) is None
    return group


async def _ungroup() -> None:
    await Client.update({Client.client_group: None}, force=True)


@pytest.fixture
def two_groups(settings, tmp_path):
    """Demo clients 0 and 1 form group A, 2 and 3 group B; yields the web client, a login
    function (``"group"``: A's code through client 0's document; ``"member"``: client 0's own
    code) and the ids of clients 0 to 3."""
    from espaco.services.access import groups

    document = build_demo_import(tmp_path / "demo", today=date(2026, 11, 28))
    with app_client(settings) as web:
        result = call(web, import_file, document.path, settings, now=datetime.now(UTC))
        assert result.ok, result.problems[:3]
        clients = document.clients[:4]
        call(web, _ungroup)  # the demo's own group holds client 0: these tests make their own
        group_a = call(web, _group, "A", clients[0].external_id, clients[1].external_id)
        call(web, _group, "B", clients[2].external_id, clients[3].external_id)

        def login(kind: str, member: int = 0) -> None:
            now = datetime.now(UTC)
            if kind == "group":
                code = call(web, groups.set_demo_access_code, group_a, now=now)
            else:
                code = call(web, set_demo_access_code, clients[member].external_id, now=now)
            web.cookies.clear()
            token = re.search(r'name="_csrf_token" value="([^"]+)"', web.get("/entrar").text)
            response = web.post(
                "/entrar",
                data={"documento": clients[member].document, "codigo": code,
                      "_csrf_token": token.group(1)},
                follow_redirects=False,
            )  # fmt: skip
            assert response.status_code == 303

        yield web, login, [call(web, ids_of, c.external_id) for c in clients]


def post_unit(web, path: str, unit: object):
    token = csrf_token(web, "/inicio")
    data = {"_csrf_token": token, "unidade": str(unit)}
    return web.post(path, data=data, follow_redirects=False)


def test_every_client_route_is_classified_for_the_unit_selector(two_groups):
    web, _, _ = two_groups
    paths = {path for _, path, names in client_routes(web.app) if not names}
    assert paths, "the walk found no client route"
    unclassified = paths - UNIT_ROUTES - UNIT_FORMS - set(WITHOUT_UNIT)
    assert not unclassified, (
        f"new portal routes: put them in UNIT_ROUTES or WITHOUT_UNIT: {unclassified}"
    )
    assert UNIT_ROUTES | UNIT_FORMS | set(WITHOUT_UNIT) <= paths


@pytest.mark.parametrize("kind", ["group", "member"])
def test_every_route_answers_404_for_another_groups_ids(two_groups, kind):
    web, login, ids = two_groups
    login(kind)
    outsiders = [ids[2], ids[3]] + ([ids[1]] if kind == "member" else [])
    for theirs in outsiders:
        for method, path, names in client_routes(web.app):
            if names:
                response = request(web, method, url(path, theirs))
                assert response.status_code == 404, f"{kind}: {method} {url(path, theirs)}"
        for path in UNIT_ROUTES:
            response = web.get(path, params={"unidade": theirs["client"]}, follow_redirects=False)
            assert response.status_code == 404, f"{kind}: GET {path}?unidade={theirs['client']}"
        for path in UNIT_FORMS:
            response = post_unit(web, path, theirs["client"])
            assert response.status_code == 404, f"{kind}: POST {path} unidade={theirs['client']}"


def test_a_group_session_opens_every_members_ids_and_units(two_groups):
    """The group's session answers each member's ids as the member's own session does (a
    paid invoice has no boleto PDF for either)."""
    web, login, ids = two_groups
    gets = [path for method, path, names in client_routes(web.app) if names and method == "GET"]
    expected = {}
    for member in (0, 1):
        login("member", member)
        for path in gets:
            expected[url(path, ids[member])] = request(
                web, "GET", url(path, ids[member])
            ).status_code
    assert sum(code == 200 for code in expected.values()) >= len(expected) - 1
    login("group")
    for target, status in expected.items():
        assert request(web, "GET", target).status_code == status, f"GET {target}"
    for own in (ids[0], ids[1]):  # the member that logged in, and the other one
        for path in UNIT_ROUTES:
            response = web.get(path, params={"unidade": own["client"]})
            assert response.status_code == 200, f"GET {path}?unidade={own['client']}"
        for path in UNIT_FORMS:
            response = post_unit(web, path, own["client"])
            assert response.status_code in (200, 303), f"POST {path} unidade={own['client']}"
