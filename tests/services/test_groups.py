"""Grupos' use cases against the database: each failure is the project's one shape —
:class:`NotFound` for what is not there, :class:`Invalid` with a Portuguese message per form
field — and leaves nothing changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from import_samples import NOW, client, document

from espaco.domain.errors import Invalid, NotFound
from espaco.services.access import groups, login, scope
from espaco.services.imports import import_document
from espaco.tables import AuditEvent, Client, ClientGroup, ClientGroupEmail

WHO = {"actor": "ana", "ip": "127.0.0.1", "now": NOW}


async def _clients(db, *numbers: int) -> list[int]:
    result = await import_document(
        document(clients=[client(n) for n in numbers]), db, base_dir=None, now=NOW
    )
    assert result.ok, result.problems
    rows = await Client.select(Client.id).order_by(Client.external_id)
    return [r["id"] for r in rows]


async def _audited() -> list[str]:
    return [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Informe o nome do grupo."),
        ("  \t \n ", "Informe o nome do grupo."),
        ("x" * 201, "O nome do grupo tem no máximo 200 caracteres."),
    ],
)
def test_a_bad_name_is_invalid_with_its_message(typed, message):
    with pytest.raises(Invalid) as raised:
        groups.clean_name(typed)
    assert raised.value.errors == {"nome": message}


def test_a_name_is_kept_with_its_spaces_folded():
    assert groups.clean_name("  Rede   Pão\tQuente ") == "Rede Pão Quente"
    assert groups.clean_name("x" * 200) == "x" * 200


async def test_an_unknown_group_is_not_found_everywhere(db):
    (client_id,) = await _clients(db, 1)
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.group_detail(424242)
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.add_member(424242, client_id, **WHO)
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.add_email(424242, "a@example.com", **WHO)
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.generate_access_code(424242, settings=db, **WHO)
    assert await _audited() == []


async def test_member_failures_are_invalid_on_the_member_field(db):
    (client_id,) = await _clients(db, 1)
    first = await groups.create_group("Primeiro", **WHO)
    second = await groups.create_group("Segundo", **WHO)
    with pytest.raises(Invalid) as missing:
        await groups.add_member(first, 424242, **WHO)
    assert missing.value.errors == {"membro": "Cliente não encontrado."}
    assert await groups.add_member(first, client_id, **WHO) is None
    assert await groups.add_member(first, client_id, **WHO) is None  # twice: nothing to do
    with pytest.raises(Invalid) as taken:
        await groups.add_member(second, client_id, **WHO)
    assert taken.value.errors == {
        "membro": "Este cliente já pertence ao grupo “Primeiro”: retire-o de lá antes "
        "(um cliente pertence a no máximo um grupo)."
    }
    rows = await Client.select(Client.client_group).where(Client.id == client_id)
    assert rows[0]["client_group"] == first
    with pytest.raises(NotFound, match="Esse cliente já não estava no grupo."):
        await groups.remove_member(second, client_id, **WHO)
    await groups.remove_member(first, client_id, **WHO)
    with pytest.raises(NotFound, match="Esse cliente já não estava no grupo."):
        await groups.remove_member(first, client_id, **WHO)
    assert (await groups.group_detail(first)).members == ()


async def test_email_failures_are_invalid_on_the_address_field(db):
    group = await groups.create_group("Rede", **WHO)
    with pytest.raises(Invalid) as bad:
        await groups.add_email(group, "não é e-mail", **WHO)
    assert list(bad.value.errors) == ["endereco"]
    assert "Endereço de e-mail inválido" in bad.value.errors["endereco"]
    for n in range(groups.MAX_EMAILS):
        assert await groups.add_email(group, f"p{n}@example.com", **WHO) is None
    assert await groups.add_email(group, "P0@Example.com", **WHO) is None  # already there
    with pytest.raises(Invalid) as full:
        await groups.add_email(group, "mais@example.com", **WHO)
    assert full.value.errors == {
        "endereco": f"O E-mail do grupo já tem {groups.MAX_EMAILS} endereços, o máximo."
    }
    assert await ClientGroupEmail.count() == groups.MAX_EMAILS
    first = (await groups.group_detail(group)).emails[0]
    assert await groups.remove_email(group, first.id, **WHO) == first
    with pytest.raises(NotFound, match="Esse endereço já não estava na lista."):
        await groups.remove_email(group, first.id, **WHO)


async def test_no_code_without_an_address_and_the_addresses_it_went_to(db):
    group = await groups.create_group("Rede", **WHO)
    with pytest.raises(Invalid) as none:
        await groups.generate_access_code(group, settings=db, **WHO)
    assert none.value.errors == {"codigo": groups.NO_RECIPIENTS}
    assert (await ClientGroup.select(ClientGroup.access_code_hash))[0]["access_code_hash"] is None
    await groups.add_email(group, "compras@example.com", **WHO)
    sent = await groups.generate_access_code(group, settings=db, **WHO)
    assert sent == ("compras@example.com",)


@pytest.mark.parametrize("module", [groups, login])
def test_the_reads_are_named_queries_on_the_one_read_path(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    for bypass in (".select(", ".exists(", "database.fetch(", ".count("):
        assert bypass not in source, f"{module.__name__} reads around db/read.py: {bypass}"


async def test_a_unit_is_read_within_the_scope_only(db):
    first, second = await _clients(db, 1, 2)
    found = await scope.unit(second, (first, second))
    stored = await Client.select(Client.name, Client.trade_name, Client.document).where(
        Client.id == second
    )
    assert found._asdict() == stored[0]
    for unit, within in ((second, (first,)), (424242, (first, 424242))):
        with pytest.raises(NotFound, match="Unidade não encontrada."):
            await scope.unit(unit, within)


async def test_rename_cleans_the_name_and_refuses_a_bad_one_unchanged(db):
    group = await groups.create_group("Rede", **WHO)
    assert await groups.rename_group(group, "  Rede   Sul ", **WHO) == "Rede Sul"
    for typed in ("", "x" * 10_000):
        with pytest.raises(Invalid) as bad:
            await groups.rename_group(group, typed, **WHO)
        assert list(bad.value.errors) == ["nome"]
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.rename_group(424242, "Outro", **WHO)
    assert (await groups.group_detail(group)).name == "Rede Sul"
    assert (await _audited()).count("group_renamed") == 1


async def test_delete_leaves_the_members_on_their_own_and_the_other_groups_alone(db):
    one, two, three = await _clients(db, 1, 2, 3)
    group = await groups.create_group("Rede", **WHO)
    other = await groups.create_group("Outra", **WHO)
    for member in (one, two):
        await groups.add_member(group, member, **WHO)
    await groups.add_member(other, three, **WHO)
    await groups.add_email(group, "g@example.com", **WHO)
    await groups.add_email(other, "o@example.com", **WHO)
    assert await groups.delete_group(group, **WHO) == 2
    rows = await Client.select(Client.id, Client.client_group).order_by(Client.id)
    assert [(r["id"], r["client_group"]) for r in rows] == [
        (one, None),
        (two, None),
        (three, other),
    ]
    assert [g.id for g in await groups.list_groups()] == [other]
    assert [e["address"] for e in await ClientGroupEmail.select()] == ["o@example.com"]
    with pytest.raises(NotFound, match="Grupo não encontrado."):
        await groups.delete_group(group, **WHO)
    assert (await _audited()).count("group_deleted") == 1


async def test_two_deletes_at_once_delete_once(db):
    (member,) = await _clients(db, 1)
    group = await groups.create_group("Rede", **WHO)
    await groups.add_member(group, member, **WHO)
    results = await asyncio.gather(
        *(groups.delete_group(group, **WHO) for _ in range(4)), return_exceptions=True
    )
    assert sorted(map(repr, results)).count("1") == 1
    assert sum(isinstance(r, NotFound) for r in results) == 3
    assert (await _audited()).count("group_deleted") == 1
    assert await ClientGroup.count() == 0
