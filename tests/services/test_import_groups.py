"""``clients[].group`` in espaco-import/1 (optional): the ERP puts clients in a group (matriz e
filiais), renames it, takes a client out with null; a file without the field changes nothing."""

from __future__ import annotations

from import_samples import NOW, client, document

from espaco.services.access import groups
from espaco.services.imports import import_document
from espaco.tables import Client, ClientGroup, ClientGroupEmail

REDE = {"external_id": "GRP-1", "name": "Rede Cliente"}


async def _memberships() -> dict[str, str | None]:
    rows = await Client.select(Client.external_id, Client.client_group.external_id.as_alias("g"))
    return {r["external_id"]: r["g"] for r in rows}


async def _import(db, *clients):
    result = await import_document(document(clients=list(clients)), db, base_dir=None, now=NOW)
    return result


async def test_clients_join_the_group_they_name_and_the_group_is_made_once(db):
    result = await _import(db, client(1, group=REDE), client(2, group=REDE), client(3))
    assert result.ok, result.problems
    assert await _memberships() == {"CLI-1": "GRP-1", "CLI-2": "GRP-1", "CLI-3": None}
    assert [g["name"] for g in await ClientGroup.select(ClientGroup.name)] == ["Rede Cliente"]
    before = await ClientGroup.select().first()
    again = await _import(db, client(1, group=REDE), client(2, group=REDE), client(3))
    assert again.ok and again.counts["clients"].unchanged == 3
    assert await ClientGroup.select().first() == before  # the same file twice changes nothing


async def test_a_renamed_group_a_null_and_an_absent_field(db):
    assert (await _import(db, client(1, group=REDE), client(2, group=REDE))).ok
    renamed = {**REDE, "name": "Rede Cliente S.A."}
    # CLI-1 without the field keeps its group; CLI-2 leaves with null.
    assert (await _import(db, client(1), client(2, group=None), client(3, group=renamed))).ok
    assert await _memberships() == {"CLI-1": "GRP-1", "CLI-2": None, "CLI-3": "GRP-1"}
    assert (await ClientGroup.select(ClientGroup.name))[0]["name"] == "Rede Cliente S.A."


async def test_a_group_made_in_the_back_office_is_kept_by_files_without_the_field(db):
    assert (await _import(db, client(1), client(2))).ok
    group = await groups.create_group("Grupo da equipe", actor="ana", ip="", now=NOW)
    ids = {r["external_id"]: r["id"] for r in await Client.select(Client.id, Client.external_id)}
    assert await groups.add_member(group, ids["CLI-1"], actor="ana", ip="", now=NOW) is None
    assert (await _import(db, client(1), client(2))).ok
    assert (await Client.select(Client.client_group).where(Client.id == ids["CLI-1"]))[0][
        "client_group"
    ] == group


async def test_a_bad_group_is_refused_with_its_path(db):
    result = await _import(
        db,
        client(1, group={"external_id": "GRP-1"}),
        client(2, group={**REDE, "cor": "azul"}),
        client(3, group="GRP-1"),
        client(4, group=REDE),
        client(5, group={**REDE, "name": "Outro nome"}),
    )
    assert not result.ok
    found = {(p.path, p.code) for p in result.problems}
    assert found == {
        ("clients[0].group.name", "required"),
        ("clients[1].group.cor", "unknown_field"),
        ("clients[2].group", "type"),
        ("clients[4].group.name", "mismatch"),
    }
    assert await Client.count() == 0


async def test_a_later_import_naming_a_deleted_group_makes_it_again(db):
    assert (await _import(db, client(1, group=REDE), client(2, group=REDE))).ok
    (old,) = await ClientGroup.select(ClientGroup.id)
    await groups.add_email(old["id"], "g@example.com", actor="ana", ip="", now=NOW)
    await groups.set_demo_access_code(old["id"], now=NOW)
    assert await groups.delete_group(old["id"], actor="ana", ip="", now=NOW) == 2
    assert await _memberships() == {"CLI-1": None, "CLI-2": None}
    # A file without the field (or another client's) leaves them on their own.
    assert (await _import(db, client(1), client(2))).ok
    assert await ClientGroup.count() == 0
    # One that names the group again makes a new one, and the clients that name it join it.
    assert (await _import(db, client(1, group=REDE), client(2))).ok
    (new,) = await ClientGroup.select(
        ClientGroup.external_id, ClientGroup.name, ClientGroup.access_code_hash
    )
    # A new group: the old one's code and E-mail list are gone with it.
    assert new == {"external_id": "GRP-1", "name": "Rede Cliente", "access_code_hash": None}
    assert await ClientGroupEmail.count() == 0
    assert await _memberships() == {"CLI-1": "GRP-1", "CLI-2": None}


async def test_a_group_renamed_in_the_back_office_takes_the_erps_name_at_the_next_file(db):
    assert (await _import(db, client(1, group=REDE))).ok
    (group,) = await ClientGroup.select(ClientGroup.id)
    await groups.rename_group(group["id"], "Nome da equipe", actor="ana", ip="", now=NOW)
    assert (await _import(db, client(1))).ok  # without the field: kept
    assert (await ClientGroup.select(ClientGroup.name))[0]["name"] == "Nome da equipe"
    assert (await _import(db, client(1, group=REDE))).ok
    assert (await ClientGroup.select(ClientGroup.name))[0]["name"] == "Rede Cliente"
