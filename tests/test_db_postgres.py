"""PostgreSQL connections keep custom plans: a per-client query prepared once and run many times
is planned for its own arguments every time (a generic plan measured ~5x slower for the big
clients; FACTS.md), on every connection of the pool."""

from __future__ import annotations

from datetime import date

import pytest

from espaco.db import PgEngine, database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL's plan cache: set ESPACO_TEST_DATABASE_URL (CI runs it)"
)

QUERY = "SELECT count(*) FROM invoice WHERE client = $1 AND due_on >= $2"


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
