"""Grupos over HTTP (master only): create a group, find clients and add them, the group's
E-mail list, its code generated, sealed, e-mailed and used to log in; removing a member;
renaming and deleting the group; the audit trail; CSRF and Portuguese errors."""

from __future__ import annotations

import email
import email.policy
import json
import re
import time

import groups_samples as gs
import pytest
from litestar.testing import TestClient
from support import HX, call, client_login, make_client, post, soup, staff_logged_in

from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, ClientGroup, ClientGroupEmail, OutboxEmail, WebSession

GROUP_CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){4}")
LIST = "/admin/clientes/grupos"


def _create(admin: TestClient, name: str = "Rede Pão Quente") -> int:
    response = post(admin, LIST, {"nome": name}, form_page=LIST)
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def delivered_group_code(settings: Settings) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(settings.outbox_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            found = GROUP_CODE.search(text)
            if found:
                assert "qualquer uma das unidades" in text
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError("the group's code e-mail was not delivered")


def test_the_whole_grouping_flow(admin: TestClient, settings: Settings) -> None:
    matriz = make_client(admin, name="Pão Quente Matriz", trade_name="Matriz Centro",
                         document="11222333000181")  # fmt: skip
    filial = make_client(admin, name="Pão Quente Filial", trade_name="Filial Norte",
                         document="11222333000262")  # fmt: skip
    make_client(admin, name="Outra Empresa Ltda", trade_name="Outra")
    assert "Grupos (matriz e filiais)" in admin.get("/admin/clientes").text

    group = _create(admin)
    page = admin.get(f"{LIST}/{group}")
    assert "Rede Pão Quente" in page.text and "Nenhuma unidade no grupo" in page.text
    found = soup(admin.get(f"{LIST}/{group}?q=pão quente", headers={"HX-Request": "true"}))
    assert found.select_one("#grupo") is not None
    assert len(found.select('#busca input[name="cliente"]')) == 2
    for client_id in (matriz, filial):
        response = post(admin, f"{LIST}/{group}/membros", {"cliente": str(client_id)},
                        form_page=f"{LIST}/{group}")  # fmt: skip
        assert response.status_code == 303
    page = soup(admin.get(f"{LIST}/{group}"))
    assert [a.get_text() for a in page.select("#membros a")] == [
        "Pão Quente Filial", "Pão Quente Matriz",
    ]  # fmt: skip
    button = page.find("button", string="Gerar código do grupo")
    assert button is not None and button.has_attr("disabled")  # no e-mail yet

    bad = post(admin, f"{LIST}/{group}/emails", {"endereco": "não é e-mail"}, form_page=LIST)
    assert bad.status_code == 422 and "Endereço de e-mail inválido" in bad.text
    ok = post(admin, f"{LIST}/{group}/emails", {"endereco": " Financeiro@PaoQuente.com.br "},
              form_page=LIST)  # fmt: skip
    assert ok.status_code == 303

    generated = post(admin, f"{LIST}/{group}/codigo", {"confirmado": "1"}, form_page=LIST)
    assert generated.status_code == 303
    landing = admin.get(generated.headers["location"])
    assert "Código do grupo gerado e enviado para financeiro@paoquente.com.br" in landing.text

    async def outbox() -> list[dict]:
        return await OutboxEmail.select().where(OutboxEmail.kind == "access_code")

    (row,) = call(admin, outbox)
    assert GROUP_CODE.search(row["body_text"] + row["body_html"]) is None  # sealed, never clear
    code = delivered_group_code(settings)
    assert code not in landing.text and code not in generated.text

    # Either member's document with the group's code opens both.
    assert client_login(admin, "11222333000262", code).status_code == 303
    options = [o.get_text() for o in soup(admin.get("/financeiro")).select("#unidade option")]
    assert options == ["Todas as unidades", "Filial Norte", "Matriz Centro"]

    # Removing a member ends the group's sessions; the member is no longer in the scope.
    removed = post(admin, f"{LIST}/{group}/membros/{filial}/remover", {"confirmado": "1"},
                   form_page=LIST)  # fmt: skip
    assert removed.status_code == 303
    assert admin.get("/financeiro", follow_redirects=False).status_code == 303
    assert client_login(admin, "11222333000262", code).status_code == 422
    assert client_login(admin, "11222333000181", code).status_code == 303

    async def audit() -> list[str]:
        rows = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
        return [r["action"] for r in rows if r["action"].startswith("group")]

    assert call(admin, audit) == [
        "group_created", "group_member_added", "group_member_added", "group_email_added",
        "group_access_code_generated", "group_member_removed",
    ]  # fmt: skip


def test_a_client_belongs_to_one_group_at_most(admin: TestClient) -> None:
    client_id = make_client(admin, name="Unidade Única")
    first, second = _create(admin, "Primeiro"), _create(admin, "Segundo")
    assert post(admin, f"{LIST}/{first}/membros", {"cliente": str(client_id)},
                form_page=LIST).status_code == 303  # fmt: skip
    refused = post(admin, f"{LIST}/{second}/membros", {"cliente": str(client_id)}, form_page=LIST)
    assert refused.status_code == 422
    assert "já pertence ao grupo “Primeiro”" in refused.text

    async def group_of() -> int | None:
        return (await Client.select(Client.client_group).where(Client.id == client_id))[0][
            "client_group"
        ]

    assert call(admin, group_of) == first


def test_bad_input_gets_portuguese_messages_and_unknown_ids_404(admin: TestClient) -> None:
    empty = post(admin, LIST, {"nome": "   "}, form_page=LIST)
    assert empty.status_code == 422 and "Informe o nome do grupo." in empty.text
    group = _create(admin)
    for value in ("", "abc", "99999999999999999999"):
        response = post(admin, f"{LIST}/{group}/membros", {"cliente": value}, form_page=LIST)
        assert response.status_code == 422 and "Escolha um cliente da busca." in response.text
    missing = post(admin, f"{LIST}/{group}/membros", {"cliente": "424242"}, form_page=LIST)
    assert missing.status_code == 422 and "Cliente não encontrado." in missing.text
    assert admin.get(f"{LIST}/424242").status_code == 404
    no_mail = post(admin, f"{LIST}/{group}/codigo", {"confirmado": "1"}, form_page=LIST)
    assert no_mail.status_code == 422 and "E-mail do grupo" in no_mail.text


def test_without_the_csrf_token_nothing_changes(admin: TestClient) -> None:
    response = admin.post(LIST, data={"nome": "Sem token"}, follow_redirects=False)
    assert response.status_code == 403
    assert "Sem token" not in admin.get(LIST).text


def test_planejamento_users_cannot_open_groups(web: TestClient) -> None:
    staff_logged_in(web, "bia", "planejamento")
    assert web.get(LIST).status_code == 403


def test_removing_twice_is_said_not_a_404(admin: TestClient) -> None:
    client_id = make_client(admin, name="Unidade Dupla")
    group = _create(admin)
    post(admin, f"{LIST}/{group}/membros", {"cliente": str(client_id)}, form_page=LIST)
    post(admin, f"{LIST}/{group}/emails", {"endereco": "a@example.com"}, form_page=LIST)
    email_id = (
        soup(admin.get(f"{LIST}/{group}"))
        .select_one('form[action*="/emails/"][action$="/remover"]')["action"]
        .split("/")[-2]
    )
    for notice in ("Endereço removido.", "Esse endereço já não estava na lista."):
        response = post(admin, f"{LIST}/{group}/emails/{email_id}/remover", {}, form_page=LIST)
        assert response.status_code == 303
        assert notice in admin.get(response.headers["location"]).text
    for notice in ("Cliente retirado do grupo.", "Esse cliente já não estava no grupo."):
        response = post(admin, f"{LIST}/{group}/membros/{client_id}/remover",
                        {"confirmado": "1"}, form_page=LIST)  # fmt: skip
        assert response.status_code == 303
        assert notice in admin.get(response.headers["location"]).text


async def _groups_state() -> dict:
    """What a refused form must leave as it was: groups, memberships, lists, sessions, audit."""
    return {
        "groups": await ClientGroup.select().order_by(ClientGroup.id),
        "members": await Client.select(Client.id, Client.client_group).order_by(Client.id),
        "emails": await ClientGroupEmail.select().order_by(ClientGroupEmail.id),
        "sessions": await WebSession.count(),
        "audit": await AuditEvent.count(),
    }


async def _audit_of(action: str) -> list[dict]:
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.details).where(
        AuditEvent.action == action
    )
    return [
        {"actor": r["actor"], "details": json.loads(r["details"])}
        if isinstance(r["details"], str)
        else {"actor": r["actor"], "details": r["details"]}
        for r in rows
    ]


def test_renaming_a_group_with_and_without_javascript(admin: TestClient) -> None:
    group = _create(admin)
    page = f"{LIST}/{group}"
    field = soup(admin.get(page)).select_one('form[action$="/nome"] input[name="nome"]')
    assert field["value"] == "Rede Pão Quente" and field["id"] == "nome"
    assert soup(admin.get(page)).select_one('label[for="nome"]').get_text() == "Nome"
    renamed = post(admin, f"{page}/nome", {"nome": "  Rede   Pão Quente S.A. "}, form_page=page)
    assert renamed.status_code == 303 and renamed.headers["location"] == page
    landing = soup(admin.get(page))
    assert landing.select_one("h1").get_text() == "Rede Pão Quente S.A."
    assert "Grupo renomeado para “Rede Pão Quente S.A.”." in landing.get_text()
    # htmx: a page load (the title is outside the fragment), not a swap.
    again = post(admin, f"{page}/nome", {"nome": "Rede PQ"}, form_page=page, headers=HX)
    assert again.status_code == 200 and again.headers["HX-Redirect"] == page
    assert soup(admin.get(LIST)).select_one("#grupos a").get_text() == "Rede PQ"
    post(admin, f"{page}/nome", {"nome": "Rede PQ"}, form_page=page)  # the same: nothing to do
    changes = call(admin, _audit_of, "group_renamed")
    assert [c["details"] for c in changes] == [
        {"group": group, "from": "Rede Pão Quente", "to": "Rede Pão Quente S.A."},
        {"group": group, "from": "Rede Pão Quente S.A.", "to": "Rede PQ"},
    ]
    assert {c["actor"] for c in changes} == {"ana"}


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("", 422, "Informe o nome do grupo."),
        (" \t  ", 422, "Informe o nome do grupo."),
        ("x" * 10_000, 422, "O nome do grupo tem no máximo 200 caracteres."),
        ("Rede\x00Nula", 400, "caractere de controle (NUL)"),
        ("\x00" * 50, 400, "caractere de controle (NUL)"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_hostile_name_gets_a_portuguese_message_and_changes_nothing(
    admin: TestClient, typed: str, status: int, message: str, htmx: bool
) -> None:
    group = _create(admin)
    page = f"{LIST}/{group}"
    before = call(admin, _groups_state)
    refused = post(admin, f"{page}/nome", {"nome": typed}, form_page=page,
                   headers=HX if htmx else None)  # fmt: skip
    assert refused.status_code == status and message in refused.text
    assert call(admin, _groups_state) == before
    if status == 422:  # the form again, its message beside the field, what was typed kept
        form = soup(refused)
        assert (form.select_one("#grupo") is not None) and (form.select_one("html") is None) == htmx
        assert form.select_one("#nome-erro").get_text() == message
        assert form.select_one("#nome")["aria-invalid"] == "true"
        assert len(form.select_one("#nome")["value"]) <= 300


def test_rename_and_delete_need_the_csrf_token_and_a_master(admin: TestClient) -> None:
    group = _create(admin)
    page = f"{LIST}/{group}"
    before = call(admin, _groups_state)
    for path, data in (
        (f"{page}/nome", {"nome": "Outro"}),
        (f"{page}/excluir", {"confirmado": "1"}),
    ):
        assert admin.post(path, data=data, follow_redirects=False).status_code == 403
        bad = {**data, "_csrf_token": "x" * 40}
        assert admin.post(path, data=bad, follow_redirects=False).status_code == 403
    assert call(admin, _groups_state) == before
    assert post(admin, f"{LIST}/424242/nome", {"nome": "X"}, form_page=page).status_code == 404
    assert post(admin, f"{LIST}/424242/excluir", {"confirmado": "1"},
                form_page=page).status_code == 404  # fmt: skip
    admin.cookies.clear()
    staff_logged_in(admin, "bia", "planejamento")
    before = call(admin, _groups_state)
    for path in (f"{page}/nome", f"{page}/excluir"):
        refused = post(admin, path, {"nome": "X", "confirmado": "1"}, form_page="/admin")
        assert refused.status_code == 403
    assert call(admin, _groups_state) == before


def _cookie(web: TestClient):
    (cookie,) = [c for c in web.cookies.jar if c.name.endswith("espaco_sessao")]
    return cookie


def _use(web: TestClient, cookie) -> None:
    for c in [c for c in web.cookies.jar if c.name.endswith("espaco_sessao")]:
        web.cookies.delete(c.name, domain=c.domain, path=c.path)
    web.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)


async def _groups_of() -> dict[int, int | None]:
    rows = await Client.select(Client.id, Client.client_group)
    return {r["id"]: r["client_group"] for r in rows}


def test_deleting_a_group_ends_its_sessions_and_its_members_stand_alone(web, settings) -> None:
    ids = call(web, gs.seed, settings)
    own = call(web, gs.client_code, 2)
    assert client_login(web, gs.DOCS[2], own).status_code == 303
    member = _cookie(web)
    group_code = call(web, gs.group_code, ids["G1"])
    assert client_login(web, gs.DOCS[1], group_code).status_code == 303
    grouped = _cookie(web)
    assert len(soup(web.get("/financeiro")).select("#unidade option")) == 3
    staff_logged_in(web)
    page = f"{LIST}/{ids['G1']}"
    added = post(web, f"{page}/emails", {"endereco": "g1@example.com"}, form_page=page)
    assert added.status_code == 303
    form = soup(web.get(page)).select_one('form[action$="/excluir"]')
    assert form["method"] == "post" and form["hx-confirm"].startswith("Excluir o grupo Grupo G1?")
    assert form.select_one('input[name="_csrf_token"]') is not None

    # Without JavaScript a confirmation page comes first, and nothing changes yet.
    before = call(web, _groups_state)
    asked = post(web, f"{page}/excluir", {}, form_page=page)
    assert asked.status_code == 200
    confirm = soup(asked)
    assert "As unidades continuam como clientes avulsos" in confirm.select_one("p").get_text()
    assert confirm.select_one('input[name="confirmado"]')["value"] == "1"
    assert confirm.select_one(f'a[href="{page}"]').get_text() == "Voltar sem excluir"
    assert call(web, _groups_state) == before

    done = post(web, f"{page}/excluir", {"confirmado": "1"}, form_page=page)
    assert done.status_code == 303 and done.headers["location"] == LIST
    landing = web.get(LIST).text
    assert (
        "Grupo “Grupo G1” excluído. As 2 unidades seguem como clientes avulsos, com os próprios "
        "códigos." in landing
    )
    assert web.get(page).status_code == 404
    assert call(web, _groups_of) == {
        ids["CLI-1"]: None, ids["CLI-2"]: None, ids["CLI-3"]: ids["G2"], ids["CLI-4"]: ids["G2"],
    }  # fmt: skip
    assert call(web, ClientGroupEmail.count) == 0
    (event,) = call(web, _audit_of, "group_deleted")
    assert event["details"] == {
        "group": ids["G1"], "name": "Grupo G1", "members": sorted([ids["CLI-1"], ids["CLI-2"]]),
    }  # fmt: skip
    # Twice the same click: the group is not there any more.
    assert post(web, f"{page}/excluir", {"confirmado": "1"}, form_page=LIST).status_code == 404

    # The group's session is over and its code opens nothing; the member's own session and
    # code live on and see that member alone, with its data.
    _use(web, grouped)
    assert web.get("/financeiro", follow_redirects=False).status_code == 303
    assert client_login(web, gs.DOCS[1], group_code).status_code == 422
    _use(web, member)
    alone = web.get("/financeiro?inicio=2026-01-01&fim=2026-12-31")
    assert alone.status_code == 200 and 'id="unidade"' not in alone.text
    assert client_login(web, gs.DOCS[2], own).status_code == 303
    assert web.get(f"/financeiro?unidade={ids['CLI-1']}").status_code == 404


def test_deleting_with_htmx_after_its_dialog(admin: TestClient) -> None:
    client_id = make_client(admin, name="Unidade Solo")
    group = _create(admin, "Rede Solo")
    page = f"{LIST}/{group}"
    post(admin, f"{page}/membros", {"cliente": str(client_id)}, form_page=page)
    done = post(admin, f"{page}/excluir", {}, form_page=page, headers=HX)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == LIST
    landing = admin.get(LIST).text
    assert "Grupo “Rede Solo” excluído. A unidade segue como cliente avulso" in landing
    assert "Nenhum grupo ainda." in landing
    assert call(admin, _groups_of) == {client_id: None}
    assert admin.get(f"/admin/clientes/{client_id}").status_code == 200
