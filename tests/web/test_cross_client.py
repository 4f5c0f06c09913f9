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
