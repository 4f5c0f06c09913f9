"""Grupos over HTTP (master only): create a group, find clients and add them, the group's
E-mail list, its code generated, sealed, e-mailed and used to log in; removing a member; the
audit trail; CSRF and Portuguese errors."""

from __future__ import annotations

import email
import email.policy
import re
import time

from litestar.testing import TestClient
from support import call, client_login, make_client, post, soup, staff_logged_in

from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, OutboxEmail

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
