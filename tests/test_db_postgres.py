"""PostgreSQL connections as the pool hands them out: a per-client query prepared once and run
many times is planned for its own arguments every time (a generic plan measured ~5x slower for
the big clients; FACTS.md), on every connection of the pool; no reset query at each release (see
``espaco.db.keep_session``), and the source keeps the promise that makes skipping it safe: no
session state is left on a pool connection."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from espaco.db import FairPool, PgEngine, database
from tests.conftest import PG_URL

postgres_only = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL's pool: set ESPACO_TEST_DATABASE_URL (CI runs it)"
)

QUERY = "SELECT count(*) FROM invoice WHERE client = $1 AND due_on >= $2"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "espaco"


@postgres_only
async def test_pool_connections_plan_every_run_for_its_own_arguments(db) -> None:  # type: ignore[no-untyped-def]
    engine = database.current_engine()
    assert isinstance(engine, PgEngine) and engine.pool is not None
    async with engine.pool.acquire() as connection:
        assert await connection.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
        assert await connection.fetchval("SHOW timezone") == "UTC"
        for client in range(1, 12):  # past the 5 runs after which PostgreSQL may go generic
            await connection.fetchval(QUERY, client, date(2026, 1, 1))
        plans = await connection.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            QUERY,
        )
    assert plans is not None, "asyncpg did not keep the statement prepared"
    assert plans["generic_plans"] == 0 and plans["custom_plans"] >= 11


@postgres_only
async def test_a_released_connection_gets_no_reset_query(db) -> None:  # type: ignore[no-untyped-def]
    engine = database.current_engine()
    assert isinstance(engine, PgEngine) and engine.pool is not None
    async with engine.pool.acquire() as connection:
        pid = await connection.fetchval("SELECT pg_backend_pid() /* the last query */")
    watcher = await asyncpg.connect(PG_URL)
    try:
        last = await watcher.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid)
    finally:
        await watcher.close()
    assert last == "SELECT pg_backend_pid() /* the last query */"


@postgres_only
async def test_a_transaction_left_open_is_rolled_back_at_release(db) -> None:  # type: ignore[no-untyped-def]
    engine = database.current_engine()
    assert isinstance(engine, PgEngine) and engine.pool is not None
    connection = await engine.pool.acquire()
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    await connection.execute("BEGIN")
    await engine.pool.release(connection)
    watcher = await asyncpg.connect(PG_URL)
    try:
        state = await watcher.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid)
    finally:
        await watcher.close()
    assert state == "idle"


# SQL that would leave state on a session: SET without LOCAL, LISTEN, a session-level
# advisory lock, a cursor declared outside a transaction's scope, a temporary table.
SESSION_STATE = re.compile(
    r"""["']\s*(SET\s+(?!LOCAL\b)(SESSION\s+)?\w+\s*(=|TO\b)|LISTEN\b|DECLARE\b|CREATE\s+TEMP)"""
    r"|pg_advisory_lock\(",
    re.IGNORECASE,
)


def test_no_code_leaves_session_state_on_a_pool_connection() -> None:
    found = {
        line.strip(): path.relative_to(SOURCE)
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line in path.read_text().splitlines()
        if SESSION_STATE.search(line)
    }
    # The migrations' advisory lock: taken on a connection of its own, closed after.
    assert list(found) == [
        'await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)'
    ], found


@postgres_only
async def test_lookups_by_key_reuse_one_generic_plan_on_the_lookup_pool(db) -> None:  # type: ignore[no-untyped-def]
    # The session lookup runs at every request; planning it cost more than running it
    # (docs/benchmarks.md). A read.Lookup is generic: it runs on the lookup pool, planned once.
    from espaco.db import read
    from espaco.services.access.sessions import _CLIENT_SESSION

    engine = database.current_engine()
    assert isinstance(engine, PgEngine) and engine.lookup_pool is not None
    assert _CLIENT_SESSION.query.generic
    for _ in range(3):
        assert await _CLIENT_SESSION.rows("no such session") == []
    sql = db_placeholders(read.spelled_in(_CLIENT_SESSION.query.sql, read.KEYS, 1))
    async with engine.lookup_pool.acquire() as connection:
        assert await connection.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
        plans = await connection.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            sql,
        )
    assert plans is not None, "the lookup did not run on the lookup pool"
    assert plans["generic_plans"] >= 3 and plans["custom_plans"] == 0


@postgres_only
async def test_a_generic_lookup_inside_a_transaction_sees_the_transactions_writes(db) -> None:  # type: ignore[no-untyped-def]
    from espaco.db import read
    from espaco.services.collections.summary import _VERSION
    from espaco.tables import Client

    engine = database.current_engine()
    assert isinstance(engine, PgEngine)
    client = Client(external_id="C-1", document="11222333000181", name="Cliente", data_version=7)
    client.created_at = client.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
    await client.save()
    async with engine.transaction():
        await Client.update({Client.data_version: 8}).where(Client.id == client.id)
        (inside,) = await read.rows(_VERSION, client.id)
        async with engine.lookup_pool.acquire() as connection:
            (outside,) = await connection.fetch(db_placeholders(_VERSION.sql), client.id)
    assert (inside.data_version, outside["data_version"]) == (8, 7)


def db_placeholders(sql: str) -> str:
    from espaco.db import placeholders

    return placeholders(sql, "postgres")


async def _overtakes(acquire, pages: int = 32, queries: int = 10) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """``pages`` tasks at once, each running ``queries`` statements one after another on
    connections taken with ``async with acquire()``: how many times a task got a connection
    while a task that asked before it was still waiting, and how many times one got it while
    others were waiting."""
    tickets = itertools.count()
    waiting: set[int] = set()
    overtakes = contended = 0

    async def page() -> None:
        nonlocal overtakes, contended
        for _ in range(queries):
            ticket = next(tickets)
            waiting.add(ticket)
            async with acquire() as connection:
                waiting.discard(ticket)
                overtakes += sum(1 for other in waiting if other < ticket)
                contended += bool(waiting)
                await connection.fetchval("SELECT 1")

    await asyncio.gather(*(page() for _ in range(pages)))
    return overtakes, contended


class _BargingPool:
    """A pool that does what asyncpg's did (docs/benchmarks.md), every time rather than by a
    race: a released connection is handed to the first waiter, but a task that asks before that
    waiter runs takes it, and the waiter queues again at the back (``asyncio.Queue``'s ``get``)."""

    def __init__(self, connections: list) -> None:  # type: ignore[type-arg]
        self._free: asyncio.Queue = asyncio.Queue()  # type: ignore[type-arg]
        for connection in connections:
            self._free.put_nowait(connection)

    async def acquire(self):  # type: ignore[no-untyped-def]
        return await self._free.get()

    async def release(self, connection) -> None:  # type: ignore[no-untyped-def]
        self._free.put_nowait(connection)

    @contextlib.asynccontextmanager
    async def held(self):  # type: ignore[no-untyped-def]
        """``async with``, as FairPool's ``acquire()`` is used."""
        connection = await self.acquire()
        try:
            yield connection
        finally:
            await self.release(connection)


@postgres_only
async def test_the_pools_serve_waiters_in_the_order_they_came() -> None:
    # asyncpg's own queue let a task that asks later take a released connection before the
    # waiter it was given to runs, and that waiter queued again at the back (at 32 connections
    # on the lookup pool, p99 was 10-40x p50: docs/benchmarks.md). Whether a given asyncpg
    # still does is a race (on CI's machine, 2026-12-07, five runs had no overtake), so the
    # barging is reproduced on purpose, on real connections: FairPool, in front of both of the
    # engine's pools, keeps the order whatever the pool behind it does.
    connections = [await asyncpg.connect(PG_URL) for _ in range(3)]
    raw = await asyncpg.create_pool(PG_URL, min_size=3, max_size=3)
    try:
        barging, _ = await _overtakes(_BargingPool(connections).held)
        behind_barging, contended = await _overtakes(
            FairPool(_BargingPool(connections), 3).acquire  # type: ignore[arg-type]
        )
        behind_asyncpg, _ = await _overtakes(FairPool(raw, 3).acquire)
    finally:
        await raw.close()
        for connection in connections:
            await connection.close()
    assert contended > 100  # 32 tasks on 3 connections: the pool was queued on throughout
    assert barging > 100  # what the measure sees when the order is not kept
    assert (behind_barging, behind_asyncpg) == (0, 0)


@postgres_only
async def test_both_engine_pools_are_fair(db) -> None:  # type: ignore[no-untyped-def]
    engine = database.current_engine()
    assert isinstance(engine, PgEngine)
    assert isinstance(engine.pool, FairPool) and isinstance(engine.lookup_pool, FairPool)
    # Piccolo's transactions take and give back the main pool's connections as before
    async with engine.transaction():
        assert [dict(row) for row in await database.fetch("SELECT 1 AS one")] == [{"one": 1}]
    assert engine.pool._gate._value == database.POOL_SIZE
    assert engine.lookup_pool._gate._value == database.LOOKUP_POOL_SIZE
