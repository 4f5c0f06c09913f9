"""CSRF tokens are bound to the session they protect, and cookies take ``__Host-`` under https.

The attack of issue 12: the victim's session cookie sent with the attacker's own CSRF cookie and
token (a pair he got from a visit of his own, and plants through a sibling subdomain or a
plain-http answer). With tokens that were only a random value echoed by a cookie, that passed
(303, request created); bound to the session, it is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from factories import make_location
from litestar.testing import TestClient
from support import (
    HX,
    app_client,
    call,
    client_login,
    csrf_token,
    make_client,
    make_staff,
    soup,
    staff_login,
)

from espaco.domain import scheduling
from espaco.settings import Settings
from espaco.tables import Client, CollectionRequest, OutboxEmail

CODE = "ABCD-EFGH-JKMN-PQRS"


def attackers_pair(web: TestClient, path: str) -> tuple[str, str]:
    """The CSRF cookie and token a stranger gets by opening ``path`` with no cookies."""
    kept = dict(web.cookies)
    web.cookies.clear()
    token = csrf_token(web, path)
    cookie = web.cookies["espaco_csrf"]
    web.cookies.clear()
    web.cookies.update(kept)
    return cookie, token


async def _document(client_id: int) -> str:
    return (await Client.select(Client.document).where(Client.id == client_id))[0]["document"]


def logged_in_client(web: TestClient) -> tuple[int, int]:
    client_id = make_client(web, code=CODE, emails=("compras@paoquente.com.br",))
    place = call(web, make_location, client_id, label="Matriz")
    assert client_login(web, call(web, _document, client_id), CODE).status_code == 303
    return client_id, place


def request_fields(web: TestClient, settings: Settings, place: int) -> dict[str, str]:
    today = datetime.now(UTC).astimezone(settings.tz).date()
    key = soup(web.get("/solicitar-coleta")).find("input", attrs={"name": "chave"})["value"]
    return {
        "local": str(place),
        "data": scheduling.earliest_date(today, settings.request_notice_days).isoformat(),
        "descricao": "Duas caçambas de entulho, acesso pela rua de trás.",
        "chave": str(key),
    }


def count(web: TestClient, table: type) -> int:
    return call(web, table.count)


@pytest.mark.parametrize("headers", [{}, HX], ids=["form", "htmx"])
def test_the_victims_session_with_the_attackers_csrf_pair_is_refused(
    web: TestClient, settings: Settings, headers: dict[str, str]
) -> None:
    _, place = logged_in_client(web)
    fields = request_fields(web, settings, place)
    cookie, token = attackers_pair(web, "/entrar")

    web.cookies.set("espaco_csrf", cookie)  # planted: the victim's session is untouched
    attack = web.post(
        "/solicitar-coleta",
        data={**fields, "_csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert attack.status_code == 403
    assert "Formulário expirado" in attack.text
    assert count(web, CollectionRequest) == 0

    # The victim's own form, from the same browser, still goes through.
    own = web.post(
        "/solicitar-coleta",
        data={**fields, "_csrf_token": csrf_token(web, "/solicitar-coleta")},
        headers=headers,
        follow_redirects=False,
    )
    assert own.status_code in (200, 303) and count(web, CollectionRequest) == 1


def test_a_staff_session_with_the_attackers_csrf_pair_cannot_send_a_new_code(
    web: TestClient,
) -> None:
    make_staff(web, "ana")
    client_id = make_client(web, code=CODE, emails=("compras@paoquente.com.br",))
    assert staff_login(web, "ana").status_code == 303
    cookie, token = attackers_pair(web, "/admin/entrar")
    web.cookies.set("espaco_csrf", cookie)
    attack = web.post(
        f"/admin/clientes/{client_id}/codigo",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert attack.status_code == 403
    assert count(web, OutboxEmail) == 0


def test_a_token_of_one_area_does_not_open_the_other(web: TestClient) -> None:
    make_staff(web, "ana")
    client_id = make_client(web, code=CODE, emails=("compras@paoquente.com.br",))
    assert staff_login(web, "ana").status_code == 303
    portal_token = csrf_token(web, "/entrar")
    refused = web.post(
        f"/admin/clientes/{client_id}/codigo",
        data={"_csrf_token": portal_token},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    accepted = web.post(
        f"/admin/clientes/{client_id}/codigo",
        data={
            "_csrf_token": csrf_token(web, f"/admin/clientes/{client_id}?aba=configuracoes"),
            "confirmado": "1",
        },
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and count(web, OutboxEmail) == 1


def test_a_login_form_token_works_only_with_its_own_pre_session_cookie(
    web: TestClient,
) -> None:
    client_id = make_client(web, code=CODE)
    document = call(web, _document, client_id)
    _, token = attackers_pair(web, "/entrar")
    csrf_token(web, "/entrar")  # this browser's own pre-session cookie
    forced = web.post(
        "/entrar",
        data={"documento": document, "codigo": CODE, "_csrf_token": token},
        follow_redirects=False,
    )
    assert forced.status_code == 403  # no login CSRF with a stranger's token
    assert client_login(web, document, CODE).status_code == 303


def test_the_token_may_come_in_a_header(web: TestClient) -> None:
    logged_in_client(web)
    token = csrf_token(web, "/inicio")
    out = web.post("/sair", headers={"X-CSRFToken": token, **HX}, follow_redirects=False)
    assert out.status_code == 200 and out.headers["HX-Redirect"] == "/entrar"


def test_a_new_session_makes_new_tokens(web: TestClient) -> None:
    before = csrf_token(web, "/entrar")
    logged_in_client(web)
    after = csrf_token(web, "/inicio")
    assert before != after
    stale = web.post("/sair", data={"_csrf_token": before}, follow_redirects=False)
    assert stale.status_code == 403


# -- __Host- cookies under https -----------------------------------------------------------------
@pytest.fixture
def https(settings: Settings) -> Iterator[TestClient]:
    secure = replace(settings, base_url="https://portal.example.com.br")
    with app_client(secure, base_url="https://testserver.local") as test_client:
        yield test_client


def set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def test_under_https_every_cookie_is_host_prefixed_and_secure(https: TestClient) -> None:
    first = set_cookies(https.get("/entrar"))
    assert list(first) == ["__Host-espaco_csrf"]
    client_id = make_client(https, code=CODE)
    document = call(https, _document, client_id)
    login = https.post(
        "/entrar",
        data={"documento": document, "codigo": CODE, "_csrf_token": csrf_token(https, "/entrar")},
        follow_redirects=False,
    )
    assert login.status_code == 303
    cookies = {**first, **set_cookies(login)}
    assert set(cookies) == {
        "__Host-espaco_csrf",
        "__Host-espaco_sessao",
        "__Host-espaco_dispositivo",
    }
    for header in cookies.values():
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
        assert not any(a.startswith("domain=") for a in attributes)
    assert https.get("/inicio", follow_redirects=False).status_code == 200

    out = https.post("/sair", data={"_csrf_token": csrf_token(https, "/inicio")})
    cleared = set_cookies(out.history[0] if out.history else out)["__Host-espaco_sessao"].lower()
    assert "max-age=0" in cleared and "secure" in cleared


def test_under_https_an_unprefixed_session_cookie_is_ignored(https: TestClient) -> None:
    client_id = make_client(https, code=CODE)
    document = call(https, _document, client_id)
    https.post(
        "/entrar",
        data={"documento": document, "codigo": CODE, "_csrf_token": csrf_token(https, "/entrar")},
        follow_redirects=False,
    )
    session = https.cookies["__Host-espaco_sessao"]
    https.cookies.clear()
    https.cookies.set("espaco_sessao", session)  # as a sibling subdomain could plant it
    home = https.get("/inicio", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/entrar"
