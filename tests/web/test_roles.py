"""Every route of the app's table against the role it declares (web/guards.py): a route with no
role fails here and stops the app at start; each role's door is tried with nobody, a
Planejamento user, a client, and API tokens without the route's scope."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
import pytest
from litestar import get
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from support import (
    call,
    client_login,
    cnpj,
    make_client,
    make_staff,
    now,
    post,
    staff_login,
)

from espaco.app import create_app
from espaco.services.access import api_tokens
from espaco.web import coletas, guards
from espaco.web.guards import Role, role_of

CODE = "ABCD-EFGH-JKMN-PQRS"
LOGIN = {Role.client: "/entrar", Role.staff: "/admin/entrar", Role.master: "/admin/entrar"}


def routes(web: TestClient, *roles: Role) -> list[tuple[str, str, Role, HTTPRouteHandler]]:
    """(method, url, role, handler) of every route with one of ``roles``; path parameters get a
    value that parses (the guard answers before the handler looks the id up)."""
    found = []
    for path, handler in guards.handlers(web.app):
        role = role_of(handler)
        if role not in roles:
            continue
        url = re.sub(r"\{\w+:(\w+)\}", lambda m: "1" if m.group(1) == "int" else "x", path)
        for method in sorted(handler.http_methods - {"HEAD"}):
            found.append((method, url, role, handler))
    return found


def send(web: TestClient, method: str, url: str) -> httpx.Response:
    """A GET, or a POST with a valid CSRF token of its area (so that only the guard refuses)."""
    if method == "GET":
        return web.get(url, follow_redirects=False)
    return post(web, url, form_page="/admin/entrar" if url.startswith("/admin") else "/entrar")


def test_every_route_declares_exactly_one_role(web: TestClient) -> None:
    assert guards.undeclared(web.app) == []
    declared = {role_of(handler) for _, handler in guards.handlers(web.app)}
    assert declared == set(Role)  # the table has routes of every kind, so the loops below bite


def test_a_route_with_no_role_or_two_is_found_and_stops_the_app(settings, monkeypatch) -> None:
    @get("/sem-papel", include_in_schema=False)
    async def bare() -> str:
        return ""

    @get("/dois-papeis", include_in_schema=False, guards=[guards.client_only], opt=guards.PUBLIC)
    async def both() -> str:
        return ""

    for handler, path in ((bare, "/sem-papel"), (both, "/dois-papeis")):
        monkeypatch.setattr(coletas, "ROUTES", [*coletas.ROUTES, handler])
        with pytest.raises(ImproperlyConfiguredException, match=path):
            create_app(settings)


def login_of(method: str, url: str, role: Role) -> str:
    """The login a guard sends nobody to: a client's page asked for by GET goes along."""
    if role is Role.client and method == "GET" and url != "/inicio":
        return f"{LOGIN[role]}?{urlencode({'volta': url})}"
    return LOGIN[role]


def test_nobody_is_sent_to_the_login_of_every_client_staff_and_master_route(web) -> None:
    checked = routes(web, Role.client, Role.staff, Role.master)
    assert len(checked) > 30
    for method, url, role, _ in checked:
        response = send(web, method, url)
        assert (response.status_code, response.headers.get("location")) == (
            303,
            login_of(method, url, role),
        ), f"{method} {url}"
        htmx = web.request(method, url, headers={"HX-Request": "true"}, follow_redirects=False)
        if method == "GET":  # (a POST without its CSRF token stops before the guard)
            assert htmx.headers.get("hx-redirect") == LOGIN[role], f"{method} {url}"


def test_a_planejamento_user_gets_403_on_every_master_route_and_opens_staff_ones(web) -> None:
    make_staff(web, "pedro", role="planejamento")
    assert staff_login(web, "pedro").status_code == 303
    master = routes(web, Role.master)
    assert len(master) > 10
    for method, url, _, _ in master:
        assert send(web, method, url).status_code == 403, f"{method} {url}"
    for method, url, _, _ in routes(web, Role.staff):
        response = send(web, method, url)
        assert response.status_code not in (401, 403), f"{method} {url}"
        assert response.headers.get("location") != "/admin/entrar", f"{method} {url}"
    for method, url, _, _ in routes(web, Role.client):  # a staff session is no client's
        location = send(web, method, url).headers.get("location")
        assert location == login_of(method, url, Role.client), f"{method} {url}"


def test_a_client_opens_client_routes_and_no_back_office_route(web) -> None:
    document = cnpj(90_001)
    make_client(web, document=document, code=CODE)
    assert client_login(web, document, CODE).status_code == 303
    for method, url, _, handler in routes(web, Role.client):
        if handler.handler_name in {"dossier_zip"}:
            continue  # a zip of everything: opened in test_dossie
        response = send(web, method, url)
        assert response.status_code not in (401, 403), f"{method} {url}"
        assert response.headers.get("location") != "/entrar", f"{method} {url}"
    for method, url, _, _ in routes(web, Role.staff, Role.master):
        assert send(web, method, url).headers.get("location") == "/admin/entrar", url


def test_every_api_route_wants_a_token_with_its_scope(web) -> None:
    checked = routes(web, Role.api)
    assert len(checked) >= 8
    for method, url, _, handler in checked:
        url = url.replace("/x", "/EXT-1")
        nobody = web.request(method, url, json={})
        assert nobody.status_code == 401, f"{method} {url}"
        others = tuple(s for s in api_tokens.SCOPES if s != handler.opt["scope"])
        value = call(web, api_tokens.create_token, "ERP", others, created_by=None, now=now())
        wrong = web.request(method, url, json={}, headers={"Authorization": f"Bearer {value}"})
        assert wrong.status_code == 403, f"{method} {url}"
