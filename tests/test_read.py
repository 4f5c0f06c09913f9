"""``espaco.db.read``: the pages' typed rows come back with the same Python types on SQLite and on
PostgreSQL (the suite's engine), inside a transaction or not; and writes through
``database.fetch`` outside a transaction land (SQLite gives them a transaction of their own)."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import UTC, date, datetime
from typing import NamedTuple

from factories import make_client

from espaco.db import database, read
from espaco.db.read import Json, Lookup, Query
from espaco.tables import Client, Invoice


class _Typed(NamedTuple):
    id: int
    active: bool
    created_at: datetime
    due_on: date
    paid_on: date | None
    total: int
    items: Json


_TYPED = Query(
    _Typed,
    "SELECT k.id, k.active, k.created_at, i.due_on, i.paid_on,"
    " (SELECT SUM(amount_cents) FROM invoice WHERE client = k.id) AS total, f.items"
    " FROM client k JOIN invoice i ON i.client = k.id"
    " LEFT JOIN (SELECT '[{\"a\": 1}]' AS items) f ON 1 = 1 WHERE k.id = {}",
)


async def _seed() -> int:
    client_id, _ = await make_client()
    for n in (1, 2):
        await Invoice(
            client=client_id, external_id=f"FAT-R{n}", reference_start=date(2026, 10, 1),
            reference_end=date(2026, 10, 31), issued_on=date(2026, 11, 1),
            due_on=date(2026, 11, 10), amount_cents=12_345 * n, status="open",
            updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        ).save()  # fmt: skip
    return client_id


def _check(row: _Typed | None, client_id: int) -> None:
    assert row is not None
    assert type(row) is _Typed
    assert row.id == client_id
    assert row.active is True
    assert isinstance(row.created_at, datetime)
    assert row.created_at.tzinfo is not None
    assert type(row.due_on) is date
    assert row.due_on == date(2026, 11, 10)
    assert row.paid_on is None
    assert type(row.total) is int  # PostgreSQL sums a BIGINT as numeric
    assert row.total == 37_035
    assert row.items == [{"a": 1}]


async def test_rows_have_the_declared_types_on_this_engine(db):
    client_id = await _seed()
    _check(await read.first(_TYPED, client_id), client_id)
    assert await read.rows(_TYPED, client_id + 1000) == []
    assert await read.first(_TYPED, client_id + 1000) is None


async def test_the_same_types_inside_a_transaction(db):
    client_id = await _seed()
    async with Client._meta.db.transaction():
        _check(await read.first(_TYPED, client_id), client_id)


async def test_a_query_extended_at_run_time_keeps_its_row_type(db):
    client_id = await _seed()
    query = _TYPED + " ORDER BY i.id LIMIT {}"
    assert [r.id for r in await read.rows(query, client_id, 1)] == [client_id]


async def test_a_write_outside_a_transaction_is_committed(db):
    client_id, _ = await make_client(name="Antes")
    await database.fetch("UPDATE client SET name = {} WHERE id = {}", "Depois", client_id)
    # Read back through Piccolo: on SQLite another connection, which sees only what is committed.
    assert await Client.select(Client.name).where(Client.id == client_id) == [{"name": "Depois"}]


def test_like_finds_the_text_anywhere_with_its_wildcards_taken_literally():
    assert read.like("50%_a!b") == "%50!%!_a!!b%"


async def test_a_write_outside_a_transaction_waits_for_the_running_one_without_blocking(db):
    """On SQLite a write on the read connection would block the event loop on the file lock that
    the process's own writer holds (until the busy timeout); it queues for the writer instead."""
    client_id, _ = await make_client(name="Antes")
    async with Client._meta.db.transaction():
        await Client.update({Client.name: "Durante"}).where(Client.id == client_id)
        outside = asyncio.create_task(
            database.fetch("UPDATE client SET name = {} WHERE id = {}", "Depois", client_id),
            context=contextvars.Context(),  # not in the transaction
        )
        await asyncio.sleep(0.2)
        assert not outside.done()
    await asyncio.wait_for(outside, 5)
    assert await Client.select(Client.name).where(Client.id == client_id) == [{"name": "Depois"}]


# The reads that run with a generic plan (read.Query(..., generic=True) and every read.Lookup):
# each a lookup by primary or unique key, whose generic plan was compared with the custom one by
# EXPLAIN ANALYZE on the scale data (docs/benchmarks.md, "PostgreSQL's share of a request,
# removed"). A new one belongs here only with the same evidence: a generic plan of a per-client
# list measured 2.8-7.7x slower.
GENERIC_READS = {
    "espaco.services.access.sessions._CLIENT_SESSION",
    "espaco.services.access.sessions._GROUP",
    "espaco.services.access.sessions._STAFF_SESSION",
    "espaco.services.collections.summary._VERSION",
    "espaco.services.page_cache._VERSIONS",
}


def test_only_the_reviewed_lookups_by_key_run_with_a_generic_plan() -> None:
    import importlib
    import pkgutil

    import espaco

    found = set()
    for module_info in pkgutil.walk_packages(espaco.__path__, "espaco."):
        if ".migrations" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, Lookup) or (isinstance(value, Query) and value.generic):
                found.add(f"{module_info.name}.{name}")
    assert found == GENERIC_READS
