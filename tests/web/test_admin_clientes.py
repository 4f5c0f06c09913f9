"""Cadastros over HTTP: search, tabs, e-mail lists, access codes, deactivation, escaping."""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from litestar.testing import TestClient
from support import (
    HX,
    call,
    client_login,
    cpf,
    make_client,
    message,
    post,
    soup,
)

from espaco.services.access.access_codes import normalize_code
from espaco.services.access.passwords import verify_secret
from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, ClientEmail, OutboxEmail

CODE = "ABCD-EFGH-JKMN-PQRS"
CODE_PATTERN = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}")


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.get_text(strip=True) for a in soup(response).select("#resultados tbody td a")]


def emails_of(admin: TestClient, client_id: int, kind: str = "access") -> list[str]:
    async def select() -> list[str]:
        rows = await ClientEmail.select(ClientEmail.address).where(
            (ClientEmail.client == client_id) & (ClientEmail.kind == kind)
        )
        return sorted(row["address"] for row in rows)

    return call(admin, select)


def client_row(admin: TestClient, client_id: int) -> dict:
    async def select() -> dict:
        return (await Client.select().where(Client.id == client_id))[0]

    return call(admin, select)


def delivered_code(settings: Settings) -> str:
    """The code in the one .eml the app's background sender writes (waits up to 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        files = sorted(settings.outbox_dir.glob("*.eml"))
        if files:
            message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
            found = CODE_PATTERN.search(text)
            assert found is not None and found.group(0) in html
            return found.group(0)
        time.sleep(0.05)
    raise AssertionError("the access-code e-mail was not delivered")


def outbox_rows(admin: TestClient) -> list[dict]:
    async def select() -> list[dict]:
        return await OutboxEmail.select().order_by(OutboxEmail.id)

    return call(admin, select)


# -- search ------------------------------------------------------------------------------------
@pytest.fixture
def three(admin: TestClient) -> dict[str, int]:
    return {
        "padaria": make_client(
            admin,
            name="Padaria Pão Quente Ltda",
            trade_name="Pão Quente",
            document="11222333000181",
            external_id="ERP-0042",
        ),
        "hospital": make_client(
            admin,
            name="Hospital São Lucas S.A.",
            trade_name="HSL Saúde",
            document="12ABC34501DE35",
            external_id="ERP-0777",
        ),
        "pessoa": make_client(
            admin, name="Maria Souza", trade_name="", document=cpf(5), external_id="PF_9"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("padaria", ["Padaria Pão Quente Ltda"]),
        ("PÃO QUENTE", ["Padaria Pão Quente Ltda"]),
        ("hsl", ["Hospital São Lucas S.A."]),
        ("11.222.333/0001-81", ["Padaria Pão Quente Ltda"]),
        ("11222333000181", ["Padaria Pão Quente Ltda"]),
        ("222.333", ["Padaria Pão Quente Ltda"]),
        ("12.abc.345/01de-35", ["Hospital São Lucas S.A."]),
        ("12ABC34501DE35", ["Hospital São Lucas S.A."]),
        ("erp-0777", ["Hospital São Lucas S.A."]),
        ("ERP-0", ["Hospital São Lucas S.A.", "Padaria Pão Quente Ltda"]),
        ("PF_9", ["Maria Souza"]),
        ("%", []),
        ("ninguém", []),
        ("", ["Hospital São Lucas S.A.", "Maria Souza", "Padaria Pão Quente Ltda"]),
    ],
)
def test_search_finds_by_name_trade_name_document_or_erp_id(
    admin: TestClient, three: dict[str, int], query: str, expected: list[str]
) -> None:
    response = admin.get("/admin/clientes", params={"q": query})
    assert response.status_code == 200
    assert names(response) == expected


def test_search_by_cpf_with_or_without_punctuation_shows_it_masked(
    admin: TestClient, three: dict[str, int]
) -> None:
    number = cpf(5)
    formatted = f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
    for query in (number, formatted):
        response = admin.get("/admin/clientes", params={"q": query})
        assert names(response) == ["Maria Souza"]
        results = soup(response).select_one("#resultados tbody").get_text()
        assert number not in results and formatted not in results
        assert f"***.{number[3:6]}.{number[6:9]}-**" in results


def test_search_form_works_without_javascript_and_htmx_enhances_it(admin: TestClient) -> None:
    page = soup(admin.get("/admin/clientes"))
    form = page.find("form", attrs={"role": "search"})
    assert form["method"] == "get" and form["action"] == "/admin/clientes"
    field = form.find("input", attrs={"name": "q"})
    assert field["hx-get"] == "/admin/clientes"
    assert field["hx-trigger"] == "input changed delay:300ms, search"
    assert field["hx-target"] == "#resultados"
    assert field["hx-push-url"] == "true"
    assert page.select_one("#resultados") is not None


def test_htmx_search_returns_only_the_results_fragment(
    admin: TestClient, three: dict[str, int]
) -> None:
    response = admin.get("/admin/clientes", params={"q": "padaria"}, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    assert "<html" not in response.text and '<nav aria-label="Equipe"' not in response.text
    fragment = soup(response)
    roots = [el for el in fragment.children if getattr(el, "name", None)]
    assert [(r.name, r["id"]) for r in roots] == [("section", "resultados")]
    assert names(response) == ["Padaria Pão Quente Ltda"]
    full = admin.get("/admin/clientes", params={"q": "padaria"})
    assert "HX-Request" in full.headers["vary"]
    assert full.text.startswith("<!doctype html>")


def test_results_are_paged_by_25_with_links_that_keep_the_query(admin: TestClient) -> None:
    for n in range(30):
        make_client(admin, name=f"Cliente Teste {n:02d}", trade_name="")
    first = admin.get("/admin/clientes", params={"q": "teste"})
    assert len(names(first)) == 25
    following = soup(first).select_one(".paginacao a[rel=next]")
    assert following["href"] == "/admin/clientes?q=teste&pagina=2"
    assert following["hx-get"] == following["href"]
    second = admin.get(following["href"], headers=HX)
    assert names(second) == [f"Cliente Teste {n:02d}" for n in range(25, 30)]
    assert admin.get("/admin/clientes?pagina=abc").status_code == 200


# -- the client page and its tabs --------------------------------------------------------------
def test_client_page_has_three_tabs_marking_the_current_one(admin: TestClient) -> None:
    client_id = make_client(admin)
    page = soup(admin.get(f"/admin/clientes/{client_id}?aba=email-nf"))
    tabs = page.select("#abas .abas a")
    assert [t.get_text(strip=True) for t in tabs] == ["E-mail", "E-mail NF", "Configurações"]
    assert [t["href"] for t in tabs] == [
        f"/admin/clientes/{client_id}?aba={slug}" for slug in ("email", "email-nf", "configuracoes")
    ]
    assert [t.get("aria-current") for t in tabs] == [None, "page", None]
    assert all(t["hx-target"] == "#abas" and t["hx-push-url"] == "true" for t in tabs)
    default = soup(admin.get(f"/admin/clientes/{client_id}?aba=nada"))
    assert default.select_one("#abas a[aria-current=page]").get_text(strip=True) == "E-mail"


def test_htmx_tab_switch_returns_only_the_tabs(admin: TestClient) -> None:
    client_id = make_client(admin)
    response = admin.get(f"/admin/clientes/{client_id}?aba=configuracoes", headers=HX)
    assert response.text.lstrip().startswith('<div id="abas">')
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]
    assert "Gerar código de acesso" in response.text


def test_unknown_client_is_404(admin: TestClient) -> None:
    assert admin.get("/admin/clientes/999999").status_code == 404


# -- e-mail lists ------------------------------------------------------------------------------
def add(admin: TestClient, client_id: int, address: str, tab: str = "email", **kw):  # type: ignore[no-untyped-def]
    return post(
        admin,
        f"/admin/clientes/{client_id}/emails",
        {"lista": tab, "endereco": address},
        form_page=f"/admin/clientes/{client_id}?aba={tab}",
        **kw,
    )


def test_addresses_are_added_lower_case_and_once(admin: TestClient) -> None:
    client_id = make_client(admin)
    response = add(admin, client_id, "  Compras@PaoQuente.COM.br ")
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/clientes/{client_id}?aba=email"
    page = admin.get(response.headers["location"])
    assert "compras@paoquente.com.br está na lista E-mail" in page.text
    # The notice is shown once.
    assert "está na lista" not in admin.get(f"/admin/clientes/{client_id}").text
    assert add(admin, client_id, "compras@paoquente.com.br").status_code == 303
    assert emails_of(admin, client_id) == ["compras@paoquente.com.br"]


def test_the_two_lists_are_separate(admin: TestClient) -> None:
    client_id = make_client(admin)
    add(admin, client_id, "fiscal@cliente.com.br", tab="email-nf")
    assert emails_of(admin, client_id, "invoice") == ["fiscal@cliente.com.br"]
    assert emails_of(admin, client_id, "access") == []
    page = soup(admin.get(f"/admin/clientes/{client_id}?aba=email-nf"))
    assert [li.span.get_text() for li in page.select(".lista-emails li")] == [
        "fiscal@cliente.com.br"
    ]


@pytest.mark.parametrize(
    "address",
    [
        "",
        "semarroba",
        "a@b",
        "a@@b.com",
        "a b@c.com",
        "a,b@c.com",
        ".a@c.com",
        "a..b@c.com",
        "a@-c.com",
        "a@c.com.",
        "<script>@x.com",
        "a@c.c0m",
    ],
)
def test_invalid_addresses_are_refused_in_portuguese(admin: TestClient, address: str) -> None:
    client_id = make_client(admin)
    response = add(admin, client_id, address)
    assert response.status_code == 422
    error = soup(response).select_one("#endereco-erro")
    assert error is not None and ("inválido" in error.text or "Informe" in error.text)
    assert emails_of(admin, client_id) == []


def test_htmx_add_with_an_error_returns_the_tabs_with_422(admin: TestClient) -> None:
    client_id = make_client(admin)
    response = add(admin, client_id, "errado", headers=HX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="abas">')
    field = soup(response).find("input", attrs={"name": "endereco"})
    assert field["aria-invalid"] == "true" and field["value"] == "errado"


def test_a_list_holds_at_most_twenty_addresses(admin: TestClient) -> None:
    client_id = make_client(admin, emails=tuple(f"p{n}@cliente.com.br" for n in range(20)))
    response = add(admin, client_id, "mais@cliente.com.br")
    assert response.status_code == 422
    assert "20" in message(response)
    assert len(emails_of(admin, client_id)) == 20
    assert soup(response).find("input", attrs={"name": "endereco"}) is None


def test_an_address_is_removed_by_its_own_button(admin: TestClient) -> None:
    client_id = make_client(admin, emails=("a@cliente.com.br", "b@cliente.com.br"))
    other = make_client(admin, emails=("c@outro.com.br",))
    page = soup(admin.get(f"/admin/clientes/{client_id}"))
    form = page.select(".lista-emails form")[0]
    response = post(
        admin, form["action"], {"lista": "email"}, form_page=f"/admin/clientes/{client_id}"
    )
    assert response.status_code == 303
    assert emails_of(admin, client_id) == ["b@cliente.com.br"]
    assert "a@cliente.com.br foi removido" in admin.get(response.headers["location"]).text
    # Another client's address id under this client's URL removes nothing.
    foreign = soup(admin.get(f"/admin/clientes/{other}")).select(".lista-emails form")[0]
    email_id = foreign["action"].split("/")[-2]
    post(admin, f"/admin/clientes/{client_id}/emails/{email_id}/remover", {"lista": "email"})
    assert emails_of(admin, other) == ["c@outro.com.br"]


# -- access codes ------------------------------------------------------------------------------
def test_generating_a_code_mails_it_and_never_shows_it(admin: TestClient) -> None:
    document = "11222333000181"
    client_id = make_client(
        admin, document=document, code=CODE, emails=("b@cliente.com.br", "a@cliente.com.br")
    )
    # The client is logged in with its current code.
    assert client_login(admin, document, CODE).status_code == 303
    assert admin.get("/inicio", follow_redirects=False).status_code == 200

    settings_page = admin.get(f"/admin/clientes/{client_id}?aba=configuracoes")
    button = soup(settings_page).find("button", string="Gerar código de acesso")
    assert button is not None and not button.has_attr("disabled")
    response = post(
        admin,
        f"/admin/clientes/{client_id}/codigo",
        {"confirmado": "1"},
        form_page=f"/admin/clientes/{client_id}?aba=configuracoes",
    )
    assert response.status_code == 303
    landing = admin.get(response.headers["location"])
    assert "Código gerado e enviado para a@cliente.com.br, b@cliente.com.br" in landing.text

    rows = outbox_rows(admin)
    assert len(rows) == 1
    email = rows[0]
    assert email["kind"] == "access_code"
    assert email["recipients"] == "a@cliente.com.br, b@cliente.com.br"
    assert email["client"] == client_id
    # The row holds the code only sealed; the app's sender writes it into the .eml it delivers.
    assert CODE_PATTERN.search(email["body_text"] + email["body_html"]) is None
    new_code = delivered_code(admin.app.state.settings)
    assert new_code != CODE and new_code not in email["subject"]

    row = client_row(admin, client_id)
    assert row["access_code_hash"].startswith("$argon2id$")
    assert verify_secret(row["access_code_hash"], normalize_code(new_code))
    for body in (response.text, landing.text, settings_page.text):
        assert new_code not in body and normalize_code(new_code) not in body

    # The session opened with the old code is over at once.
    home = admin.get("/inicio", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/entrar"
    assert client_login(admin, document, CODE).status_code == 422
    assert client_login(admin, document, new_code.lower()).status_code == 303

    async def audit() -> list[dict]:
        return await AuditEvent.select().where(AuditEvent.action == "access_code_generated")

    events = call(admin, audit)
    assert len(events) == 1
    assert events[0]["actor"] == "ana" and events[0]["ip"] and events[0]["client"] == client_id
    assert new_code not in str(events[0]) and normalize_code(new_code) not in str(events[0])


def test_htmx_generation_lands_on_the_tabs_with_the_notice(admin: TestClient) -> None:
    client_id = make_client(admin, emails=("a@cliente.com.br",))
    response = post(
        admin,
        f"/admin/clientes/{client_id}/codigo",
        form_page=f"/admin/clientes/{client_id}",
        headers=HX,
    )
    # htmx follows the 303 with its own headers, so the page it lands on answers a fragment.
    assert response.status_code == 303
    landing = admin.get(response.headers["location"], headers=HX)
    assert landing.text.lstrip().startswith('<div id="abas">')
    assert "Código gerado e enviado para a@cliente.com.br" in landing.text


def test_without_an_address_the_button_says_why_and_nothing_is_generated(
    admin: TestClient,
) -> None:
    client_id = make_client(admin, emails=(), invoice_emails=("nf@cliente.com.br",))
    page = soup(admin.get(f"/admin/clientes/{client_id}?aba=configuracoes"))
    button = page.find("button", string="Gerar código de acesso")
    assert button.has_attr("disabled")
    reason = page.find(id=button["aria-describedby"])
    assert "cadastre ao menos um endereço" in reason.get_text()
    response = post(
        admin,
        f"/admin/clientes/{client_id}/codigo",
        {"confirmado": "1"},
        form_page=f"/admin/clientes/{client_id}",
    )
    assert response.status_code == 422
    assert "Nenhum código foi gerado" in message(response)
    assert client_row(admin, client_id)["access_code_hash"] is None
    assert client_row(admin, client_id)["session_epoch"] == 0
    assert outbox_rows(admin) == []


def test_deactivation_ends_the_sessions_and_login_fails_with_the_usual_message(
    admin: TestClient,
) -> None:
    document = "11222333000181"
    client_id = make_client(admin, document=document, code=CODE, emails=("a@x.com.br",))
    assert client_login(admin, document, CODE).status_code == 303
    response = post(
        admin,
        f"/admin/clientes/{client_id}/situacao",
        {"ativo": "0", "confirmado": "1"},
        form_page=f"/admin/clientes/{client_id}?aba=configuracoes",
    )
    assert response.status_code == 303
    assert admin.get("/inicio", follow_redirects=False).headers["location"] == "/entrar"
    refused = client_login(admin, document, CODE)
    wrong = client_login(admin, document, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert refused.status_code == wrong.status_code == 422
    assert message(refused) == message(wrong)
    page = soup(admin.get(f"/admin/clientes/{client_id}?aba=configuracoes"))
    assert page.find("button", string="Gerar código de acesso").has_attr("disabled")
    assert page.find("button", string="Reativar cliente") is not None

    post(
        admin,
        f"/admin/clientes/{client_id}/situacao",
        {"ativo": "1"},
        form_page=f"/admin/clientes/{client_id}?aba=configuracoes",
    )
    assert client_row(admin, client_id)["active"] is True
    assert client_login(admin, document, CODE).status_code == 303


@pytest.mark.parametrize(
    ("action", "form", "button"),
    [("codigo", {}, "Sim, gerar e enviar"), ("situacao", {"ativo": "0"}, "Sim, desativar")],
)
def test_without_javascript_generating_or_deactivating_asks_first_and_changes_nothing(
    admin: TestClient, action: str, form: dict[str, str], button: str
) -> None:
    client_id = make_client(admin, emails=("a@cliente.com.br",))
    response = post(
        admin,
        f"/admin/clientes/{client_id}/{action}",
        form,
        form_page=f"/admin/clientes/{client_id}?aba=configuracoes",
    )
    assert response.status_code == 200
    page = soup(response)
    confirm = page.find("form", action=f"/admin/clientes/{client_id}/{action}")
    hidden = {i["name"]: i["value"] for i in confirm.find_all("input", type="hidden")}
    assert hidden["confirmado"] == "1" and hidden["_csrf_token"]
    assert all(hidden[k] == v for k, v in form.items())
    assert confirm.find("button", string=button) is not None
    back = page.find("a", string=re.compile("Voltar"))
    assert back["href"] == f"/admin/clientes/{client_id}?aba=configuracoes"
    row = client_row(admin, client_id)
    assert row["active"] is True and row["access_code_hash"] is None
    assert outbox_rows(admin) == []


def test_the_tabs_buttons_ask_through_hx_confirm_with_javascript(admin: TestClient) -> None:
    client_id = make_client(admin, emails=("a@cliente.com.br",))
    page = soup(admin.get(f"/admin/clientes/{client_id}?aba=configuracoes"))
    for action in ("codigo", "situacao"):
        form = page.find("form", action=f"/admin/clientes/{client_id}/{action}")
        assert form["hx-confirm"]


# -- escaping ----------------------------------------------------------------------------------
HOSTILE = '<script>alert(1)</script><a hx-get="/x" hx-trigger="load">x</a>" hx-get="/x'


def test_a_hostile_client_name_is_rendered_inert(admin: TestClient) -> None:
    client_id = make_client(admin, name=HOSTILE, trade_name=HOSTILE, emails=("a@cliente.com.br",))
    pages = [
        admin.get("/admin/clientes"),
        admin.get("/admin/clientes", params={"q": "script"}),
        admin.get("/admin/clientes", params={"q": "script"}, headers=HX),
        admin.get(f"/admin/clientes/{client_id}"),
        admin.get(f"/admin/clientes/{client_id}?aba=configuracoes"),
    ]
    for response in pages:
        assert response.status_code == 200
        html = soup(response)
        assert not html.find_all(attrs={"hx-get": "/x"}), response.url
        assert not html.find_all(attrs={"hx-trigger": "load"})
        for script in html.find_all("script"):
            assert "alert" not in script.get_text() and script.get("src"), response.url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
