"""``database.fetch`` (the pages' read path) and the ``client.data_version`` triggers, on the
engine the suite runs on (SQLite, or PostgreSQL with ESPACO_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import date

from factories import make_client, make_location

from espaco import database
from espaco.db import placeholders
from espaco.tables import Collection, Location


def test_placeholders_follow_the_engine():
    sql = "SELECT a FROM t WHERE b = {} AND c IN ({}, {})"
    assert placeholders(sql, "sqlite") == "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
    assert placeholders(sql, "postgres") == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    assert placeholders("SELECT 1", "postgres") == "SELECT 1"


async def test_rows_read_by_name_by_position_and_unpacked(db):
    client_id, _ = await make_client(name="Padaria Pão Quente Ltda")
    rows = await database.fetch(
        "SELECT id, name, active FROM client WHERE id = {} AND name LIKE {}", client_id, "Padaria%"
    )
    assert len(rows) == 1
    (row,) = rows
    assert row["id"] == row[0] == client_id
    assert row["name"] == "Padaria Pão Quente Ltda"
    ident, name, active = row
    assert (ident, name, bool(active)) == (client_id, "Padaria Pão Quente Ltda", True)
    assert await database.fetch("SELECT id FROM client WHERE id = {}", client_id + 1000) == []


async def test_inside_a_transaction_it_sees_the_transactions_own_writes(db):
    client_id, _ = await make_client()
    async with Location._meta.db.transaction():
        await make_location(client_id, label="Depósito")
        inside = await database.fetch("SELECT label FROM location WHERE client = {}", client_id)
        assert [r["label"] for r in inside] == ["Depósito"]
    after = await database.fetch("SELECT label FROM location WHERE client = {}", client_id)
    assert [r[0] for r in after] == ["Depósito"]


async def _version(client_id: int) -> int:
    rows = await database.fetch("SELECT data_version FROM client WHERE id = {}", client_id)
    return int(rows[0][0])


def _collection(client_id: int, location_id: int, n: int) -> Collection:
    return Collection(
        client=client_id,
        location=location_id,
        external_id=f"COL-T{n}",
        scheduled_on=date(2026, 11, 20),
        event_on=date(2026, 11, 20),
        status="scheduled",
        service="Troca de caçamba",
        waste_description="Entulho",
        content_hash="",
    )


async def test_every_change_to_a_clients_collections_bumps_its_data_version(db):
    client_id, _ = await make_client()
    other_id, _ = await make_client()
    location_id = await make_location(client_id)
    assert await _version(client_id) == 0

    await Collection.insert(_collection(client_id, location_id, 1))
    after_insert = await _version(client_id)
    assert after_insert > 0

    await Collection.update({Collection.status: "cancelled"}).where(
        Collection.external_id == "COL-T1"
    )
    after_update = await _version(client_id)
    assert after_update > after_insert

    await Collection.delete().where(Collection.external_id == "COL-T1")
    assert await _version(client_id) > after_update
    assert await _version(other_id) == 0  # another client's cache stays valid
