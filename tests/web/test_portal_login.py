"""The client's door through HTTP: /entrar, /inicio, /sair, cookies, CSRF, htmx."""

from __future__ import annotations

from conftest import make_settings
from factories import make_client
from support import HX, app_client, call, client_login, post, soup

from espaco.tables import Client


def test_login_shows_the_client_and_logout_ends_the_session(web):
    _, code = call(web, make_client, name="Padaria Pão Quente Ltda", document="12ABC34501DE35")
    response = client_login(web, "12.abc.345/01de-35", code.lower())
    assert response.status_code == 303 and response.headers["location"] == "/inicio"
    page = soup(web.get("/inicio"))
    assert "Pão Quente" in page.h1.text
    assert "Padaria Pão Quente Ltda" in page.text

    out = post(web, "/sair", form_page="/inicio")
    assert out.status_code == 303 and out.headers["location"] == "/entrar"
    again = web.get("/inicio", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/entrar"


def test_session_cookie_is_httponly_lax_and_new_at_every_login(web):
    _, code = call(web, make_client, document="12ABC34501DE35")
    web.cookies.set("espaco_sessao", "planted-by-an-attacker", domain="portal.example.com.br")
    response = client_login(web, "12ABC34501DE35", code)
    header = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session = next(h for h in header if h.startswith("espaco_sessao="))
    assert "HttpOnly" in session and "SameSite=lax" in session.replace("Lax", "lax")
    assert "Secure" not in session  # base URL is http in this test
    assert "planted-by-an-attacker" not in session
    first = web.cookies.get("espaco_sessao")
    client_login(web, "12ABC34501DE35", code)
    assert web.cookies.get("espaco_sessao") != first


def test_cookies_are_secure_when_the_base_url_is_https(settings):
    https = make_settings(settings.data_dir, base_url="https://portal.example.com.br")
    with app_client(https, base_url="https://portal.example.com.br") as web:
        _, code = call(web, make_client, document="12ABC34501DE35")
        response = client_login(web, "12ABC34501DE35", code)
        cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
        assert cookies and all("Secure" in c for c in cookies)


def test_wrong_code_rerenders_the_form_with_422_and_keeps_the_document(web):
    call(web, make_client, document="12ABC34501DE35")
    response = client_login(web, "12.ABC.345/01DE-35", "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one('[role="alert"]').text == "CNPJ/CPF ou código de acesso incorretos."
    assert page.select_one("#documento")["value"] == "12.ABC.345/01DE-35"
    assert page.select_one("#codigo").get("value") is None  # the code is never echoed


def test_invalid_document_points_at_its_field(web):
    response = client_login(web, "123.456.789-00", "X")
    page = soup(response)
    assert response.status_code == 422
    assert page.select_one("#documento")["aria-invalid"] == "true"
    assert "dígito verificador" in page.select_one("#documento-erro").text


def test_htmx_login_answers_the_fragment_or_a_redirect_header(web):
    _, code = call(web, make_client, document="12ABC34501DE35")
    bad = client_login(web, "12ABC34501DE35", "WRONG", headers=HX)
    assert bad.status_code == 422 and "<html" not in bad.text
    assert soup(bad).select_one("section#entrar")
    good = client_login(web, "12ABC34501DE35", code, headers=HX)
    assert good.status_code == 200 and good.headers["HX-Redirect"] == "/inicio"


def test_post_without_csrf_token_is_refused_with_a_clear_page(web):
    _, code = call(web, make_client, document="12ABC34501DE35")
    response = web.post("/entrar", data={"documento": "12ABC34501DE35", "codigo": code})
    assert response.status_code == 403
    assert "Formulário expirado" in response.text
    assert web.get("/inicio", follow_redirects=False).status_code == 303  # not logged in


def test_deactivating_a_client_ends_its_session_at_once(web):
    client_id, code = call(web, make_client, document="12ABC34501DE35")
    client_login(web, "12ABC34501DE35", code)
    assert web.get("/inicio").status_code == 200

    async def deactivate():
        await Client.update({Client.active: False}).where(Client.id == client_id)

    call(web, deactivate)
    assert web.get("/inicio", follow_redirects=False).status_code == 303


def test_client_name_with_markup_is_rendered_inert(web):
    name = '<script>alert(1)</script><a hx-get="/sair" hx-trigger="load">x</a>'
    _, code = call(web, make_client, name=name, trade_name=name, document="12ABC34501DE35")
    client_login(web, "12ABC34501DE35", code)
    html = web.get("/inicio").text
    page = soup(html)
    assert not page.select("[hx-trigger]")
    assert all("alert(1)" not in (s.string or "") for s in page.find_all("script"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_page_asked_for_before_login_is_where_the_login_goes(web):
    """The "coleta realizada" e-mail links a ticket: after the login, the client lands on it,
    not on /inicio. With JavaScript (htmx) the login answers HX-Redirect to the same place."""
    _, code = call(web, make_client, document="12ABC34501DE35")
    wanted = "/coletas?inicio=2026-01-01&fim=2026-03-31"
    response = web.get(wanted, follow_redirects=False)
    assert (
        response.headers["location"]
        == "/entrar?volta=%2Fcoletas%3Finicio%3D2026-01-01%26fim%3D2026-03-31"
    )
    form = soup(web.get(response.headers["location"])).select_one('input[name="volta"]')
    assert form is not None and form["value"] == wanted
    data = {"documento": "12ABC34501DE35", "codigo": "ERRADO-0000", "volta": wanted}
    wrong = post(web, "/entrar", data, form_page="/entrar")
    assert wrong.status_code == 422  # the form comes back, still going to the same place
    assert soup(wrong).select_one('input[name="volta"]')["value"] == wanted
    data["codigo"] = code
    assert post(web, "/entrar", data, form_page="/entrar").headers["location"] == wanted
    data["documento"], data["volta"] = "12ABC34501DE35", "/financeiro"
    htmx = post(web, "/entrar", data, form_page="/entrar", headers=HX)
    assert htmx.headers["HX-Redirect"] == "/financeiro"


def test_the_login_never_sends_the_client_off_the_portal_or_to_a_door(web):
    _, code = call(web, make_client, document="12ABC34501DE35")
    for volta in [
        "//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
        "/coletas\r\nSet-Cookie: x=1", "/entrar", "/sair", "/admin/clientes",
        "/api/v1/import", "/" + "a" * 600, "", "/",
    ]:  # fmt: skip
        data = {"documento": "12ABC34501DE35", "codigo": code, "volta": volta}
        response = post(web, "/entrar", data, form_page="/entrar")
        assert response.headers["location"] == "/inicio", repr(volta)
        page = soup(web.get("/entrar", params={"volta": volta}))
        assert page.select_one('input[name="volta"]') is None, repr(volta)
    # A fragment (htmx) asked for without a session does not carry itself to the login.
    web.cookies.clear()
    assert (
        web.get("/coletas", headers=HX, follow_redirects=False).headers["HX-Redirect"] == "/entrar"
    )
