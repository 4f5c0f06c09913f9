"""Cadastros use cases against the database: search, e-mail lists, access codes, deactivation."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime

import pytest

from espaco.domain.documents import cnpj_check_digits
from espaco.domain.errors import Invalid, NotFound
from espaco.mail import FileTransport
from espaco.services.access import cadastros, sessions
from espaco.services.access.access_codes import normalize_code
from espaco.services.access.passwords import verify_secret
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, ClientEmail, OutboxEmail, WebSession

NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
CODE_PATTERN = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}")


def cnpj(n: int) -> str:
    base = f"{n:08d}0001"
    return base + cnpj_check_digits(base)


async def delivered_code(settings: Settings) -> str:
    """Deliver the outbox as .eml files and read the code from the one message."""
    transport = FileTransport(settings.outbox_dir)
    assert (await outbox.deliver_due(settings, now=NOW, transport=transport)).sent == 1
    (path,) = settings.outbox_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = CODE_PATTERN.search(text)
    assert found is not None
    return found.group(0)


async def new_client(
    n: int, name: str, *, trade_name: str = "", emails: tuple[str, ...] = (), active: bool = True
) -> int:
    rows = await Client.insert(
        Client(
            external_id=f"ERP-{n:04d}",
            document=cnpj(n),
            name=name,
            trade_name=trade_name,
            active=active,
            created_at=NOW,
            updated_at=NOW,
        )
    ).returning(Client.id)
    client_id = int(rows[0]["id"])
    for address in emails:
        await ClientEmail.insert(ClientEmail(client=client_id, kind="access", address=address))
    return client_id


async def addresses(client_id: int, kind: str = "access") -> list[str]:
    rows = await ClientEmail.select(ClientEmail.address).where(
        (ClientEmail.client == client_id) & (ClientEmail.kind == kind)
    )
    return sorted(r["address"] for r in rows)


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        "a@b.co",
        "compras@paoquente.com.br",
        "nome.sobrenome+nf@sub.empresa-x.com",
        "o'neil@example.org",
        "x_y-z@a1.example.museum",
    ],
)
def test_sane_addresses_pass(address: str) -> None:
    assert cadastros.email_problem(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "",
        "sem-arroba",
        "a@b",
        "a@.com",
        "a@b..com",
        "a@-b.com",
        "a@b-.com",
        ".a@b.com",
        "a.@b.com",
        "a..b@c.com",
        "a b@c.com",
        "a,b@c.com",
        'a"b@c.com',
        "a@b.c",
        "a@b.c0m",
        "a@b.com\n",
        "á@b.com",
        "x" * 65 + "@b.com",
        "a@" + "b" * 250 + ".com",
    ],
)
def test_broken_addresses_are_refused(address: str) -> None:
    assert cadastros.email_problem(address) is not None


def test_addresses_are_normalised_to_lower_case() -> None:
    assert cadastros.normalize_email("  Compras@PaoQuente.COM.BR ") == "compras@paoquente.com.br"


# -- search ------------------------------------------------------------------------------------
async def test_search_matches_each_field_and_ignores_punctuation_in_documents(
    db: Settings,
) -> None:
    await new_client(1, "Padaria Pão Quente Ltda", trade_name="Pão Quente")
    await new_client(2, "Hospital São Lucas", trade_name="HSL")
    await new_client(3, "Oficina 100% Certa", trade_name="Oficina_Certa")
    await new_client(4, "AÇOUGUE BOI DE OURO LTDA", trade_name="AÇOUGUE ÚNICO")
    document = cnpj(2)
    formatted = f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"

    async def found(text: str) -> list[str]:
        return [c.name for c in (await cadastros.search_clients(text)).items]

    assert await found("pão") == ["Padaria Pão Quente Ltda"]
    assert await found("hsl") == ["Hospital São Lucas"]
    # Accented capitals fold like ASCII ones on both engines (SQLite's own lower() does not).
    assert await found("açougue") == ["AÇOUGUE BOI DE OURO LTDA"]
    assert await found("Único") == ["AÇOUGUE BOI DE OURO LTDA"]
    assert await found("SÃO") == ["Hospital São Lucas"]
    assert await found(formatted) == ["Hospital São Lucas"]
    assert await found(document) == ["Hospital São Lucas"]
    assert await found("erp-0003") == ["Oficina 100% Certa"]
    # LIKE wildcards typed by a person are taken literally.
    assert await found("100%") == ["Oficina 100% Certa"]
    assert await found("a_c") == ["Oficina 100% Certa"]
    assert await found("%") == ["Oficina 100% Certa"]
    assert await found("_") == ["Oficina 100% Certa"]
    assert len(await found("   ")) == 4


async def test_search_pages_by_twenty_five_and_clamps_the_page(db: Settings) -> None:
    for n in range(1, 28):
        await new_client(n, f"Cliente {n:02d}")
    first = await cadastros.search_clients("cliente", 1)
    assert (first.total, first.pages, len(first.items)) == (27, 2, 25)
    last = await cadastros.search_clients("cliente", 99)
    assert last.page == 2 and [c.name for c in last.items] == ["Cliente 26", "Cliente 27"]
    assert (await cadastros.search_clients("cliente", -3)).page == 1


# -- e-mail lists ------------------------------------------------------------------------------
async def test_add_email_normalises_deduplicates_and_caps_the_list(db: Settings) -> None:
    client_id = await new_client(1, "Cliente")
    kw = {"actor": "ana", "ip": "10.0.0.1", "now": NOW}
    await cadastros.add_email(client_id, "access", " A@X.com.br ", **kw)
    await cadastros.add_email(client_id, "access", "a@x.com.br", **kw)
    assert await addresses(client_id) == ["a@x.com.br"]
    await cadastros.add_email(client_id, "invoice", "a@x.com.br", **kw)
    assert await addresses(client_id, "invoice") == ["a@x.com.br"]
    for n in range(19):
        await cadastros.add_email(client_id, "access", f"p{n}@x.com.br", **kw)
    with pytest.raises(Invalid) as full:
        await cadastros.add_email(client_id, "access", "mais@x.com.br", **kw)
    assert "20" in full.value.errors["endereco"]
    assert len(await addresses(client_id)) == 20
    with pytest.raises(NotFound, match="Cliente não encontrado"):
        await cadastros.add_email(999, "access", "a@x.com.br", **kw)
    events = await AuditEvent.select().where(AuditEvent.action == "client_email_added")
    assert len(events) == 21 and events[0]["actor"] == "ana"


async def test_remove_email_only_within_its_client(db: Settings) -> None:
    mine = await new_client(1, "Meu", emails=("a@x.com.br",))
    other = await new_client(2, "Outro", emails=("b@y.com.br",))
    other_id = (await ClientEmail.select(ClientEmail.id).where(ClientEmail.client == other))[0]
    kw = {"actor": "ana", "ip": "", "now": NOW}
    with pytest.raises(NotFound):
        await cadastros.remove_email(mine, other_id["id"], **kw)
    assert await addresses(other) == ["b@y.com.br"]
    my_id = (await ClientEmail.select(ClientEmail.id).where(ClientEmail.client == mine))[0]["id"]
    removed = await cadastros.remove_email(mine, my_id, **kw)
    assert removed is not None and removed.address == "a@x.com.br"
    assert await addresses(mine) == []


# -- access codes ------------------------------------------------------------------------------
async def open_session(client_id: int) -> str:
    return await sessions.create_session(now=NOW, ip="10.0.0.9", client_id=client_id)


async def test_generating_a_code_stores_its_hash_mails_it_and_ends_sessions(
    db: Settings,
) -> None:
    client_id = await new_client(1, "Cliente", emails=("b@x.com.br", "a@x.com.br"))
    raw = await open_session(client_id)
    assert await sessions.load_client_session(raw, now=NOW) is not None

    sent_to = await cadastros.generate_access_code(
        client_id, settings=db, actor="ana", ip="10.0.0.1", now=NOW
    )
    assert sent_to == ("a@x.com.br", "b@x.com.br")

    email = (await OutboxEmail.select())[0]
    assert CODE_PATTERN.search(email["body_text"] + email["body_html"]) is None  # sealed
    code = await delivered_code(db)
    assert email["recipients"] == "a@x.com.br, b@x.com.br"
    assert email["kind"] == "access_code" and email["client"] == client_id
    assert db.base_url in email["body_text"]
    assert code not in email["subject"]
    row = (await Client.select().where(Client.id == client_id))[0]
    assert verify_secret(row["access_code_hash"], normalize_code(code))
    assert row["session_epoch"] == 1 and row["code_generated_at"] == NOW
    assert await sessions.load_client_session(raw, now=NOW) is None
    assert await WebSession.count().where(WebSession.client == client_id) == 0
    event = (await AuditEvent.select().where(AuditEvent.action == "access_code_generated"))[0]
    assert (event["actor"], event["ip"], event["client"]) == ("ana", "10.0.0.1", client_id)
    assert normalize_code(code) not in str(event) and code not in str(event)


async def test_no_address_means_no_code_and_no_change(db: Settings) -> None:
    client_id = await new_client(1, "Cliente")
    raw = await open_session(client_id)
    with pytest.raises(Invalid) as refused:
        await cadastros.generate_access_code(client_id, settings=db, actor="ana", ip="", now=NOW)
    assert refused.value.errors == {"codigo": cadastros.NO_RECIPIENTS}
    row = (await Client.select().where(Client.id == client_id))[0]
    assert row["access_code_hash"] is None and row["session_epoch"] == 0
    assert await OutboxEmail.count() == 0
    assert await sessions.load_client_session(raw, now=NOW) is not None


async def test_an_inactive_client_gets_no_code(db: Settings) -> None:
    client_id = await new_client(1, "Cliente", emails=("a@x.com.br",), active=False)
    with pytest.raises(Invalid) as refused:
        await cadastros.generate_access_code(client_id, settings=db, actor="ana", ip="", now=NOW)
    assert "inativo" in refused.value.errors["codigo"]
    assert await OutboxEmail.count() == 0


async def test_a_failed_enqueue_rolls_the_whole_change_back(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = await new_client(1, "Cliente", emails=("a@x.com.br",))
    raw = await open_session(client_id)

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disco cheio")

    monkeypatch.setattr(cadastros.outbox, "enqueue", broken)
    with pytest.raises(RuntimeError):
        await cadastros.generate_access_code(client_id, settings=db, actor="a", ip="", now=NOW)
    row = (await Client.select().where(Client.id == client_id))[0]
    assert row["access_code_hash"] is None and row["session_epoch"] == 0
    assert await sessions.load_client_session(raw, now=NOW) is not None


async def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(
    db: Settings,
) -> None:
    client_id = await new_client(1, "Cliente")
    raw = await open_session(client_id)
    await cadastros.set_active(client_id, False, actor="ana", ip="", now=NOW)
    assert await sessions.load_client_session(raw, now=NOW) is None
    await cadastros.set_active(client_id, True, actor="ana", ip="", now=NOW)
    assert await sessions.load_client_session(raw, now=NOW) is None
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action)]
    assert actions == ["client_deactivated", "client_reactivated"]
    with pytest.raises(NotFound):
        await cadastros.set_active(999, False, actor="ana", ip="", now=NOW)
