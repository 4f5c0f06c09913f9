"""``database.fetch`` (the pages' read path), and the triggers behind ``client.data_version``
and ``certificate.mtr_count``, on the engine the suite runs on (SQLite, or PostgreSQL with
ESPACO_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_client, make_location

from espaco.db import database, placeholders
from espaco.tables import Certificate, CertificateMtr, Collection, Location


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
    before = await _version(client_id)  # a new place bumps it too (the page cache's key)
    assert before > 0

    await Collection.insert(_collection(client_id, location_id, 1))
    after_insert = await _version(client_id)
    assert after_insert > before

    await Collection.update({Collection.status: "cancelled"}).where(
        Collection.external_id == "COL-T1"
    )
    after_update = await _version(client_id)
    assert after_update > after_insert

    await Collection.delete().where(Collection.external_id == "COL-T1")
    assert await _version(client_id) > after_update
    assert await _version(other_id) == 0  # another client's cache stays valid


async def _mtr_counts() -> dict[int, tuple[int, int]]:
    """Each certificate's (mtr_count, its certificate_mtr rows counted)."""
    rows = await database.fetch(
        "SELECT c.id, c.mtr_count, (SELECT COUNT(*) FROM certificate_mtr m"
        " WHERE m.certificate = c.id) FROM certificate c"
    )
    return {int(i): (int(kept), int(counted)) for i, kept, counted in rows}


async def test_certificate_mtr_count_follows_every_write_of_its_mtrs(db):
    client_id, _ = await make_client()

    async def certificate(n: int) -> int:
        rows = await Certificate.insert(
            Certificate(
                client=client_id, external_id=f"CDF-{n}", number=f"2026/{n}",
                issued_on=date(2026, 11, 1), period_start=date(2026, 10, 1),
                period_end=date(2026, 10, 31), receiver="Aterro Regional",
            )
        ).returning(Certificate.id)  # fmt: skip
        return int(rows[0]["id"])

    first, second = await certificate(1), await certificate(2)
    await CertificateMtr.insert(
        *(CertificateMtr(certificate=first, client=client_id, mtr_number=f"M{n}") for n in range(7))
    )
    await CertificateMtr.insert(
        CertificateMtr(certificate=second, client=client_id, mtr_number="X")
    )
    assert await _mtr_counts() == {first: (7, 7), second: (1, 1)}

    await CertificateMtr.delete().where(CertificateMtr.mtr_number.is_in(["M0", "M1"]))
    await CertificateMtr.update({CertificateMtr.certificate: second}).where(
        CertificateMtr.mtr_number == "M2"
    )
    assert await _mtr_counts() == {first: (4, 4), second: (2, 2)}

    await Certificate.delete().where(Certificate.id == first)  # its MTRs go with it
    assert await _mtr_counts() == {second: (2, 2)}


@pytest.mark.parametrize("engine_type", ["sqlite", "postgres"])
def test_a_question_mark_placeholder_is_refused_on_both_engines(engine_type: str) -> None:
    with pytest.raises(ValueError, match=r"not \?"):
        placeholders("UPDATE t SET a = ? WHERE id IN ({})", engine_type)
