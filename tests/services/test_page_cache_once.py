"""``page_cache.once``: callers asking for the same read while it runs share one computation,
its result and its error; a caller that goes away does not take it from the others; it runs in
a context of its own. ``page_cache.through`` inside a transaction neither keeps nor shares."""

from __future__ import annotations

import asyncio
import contextvars
from collections import OrderedDict
from datetime import UTC, datetime

import pytest

from espaco.db import database
from espaco.services import page_cache
from espaco.settings import Settings
from espaco.tables import Client


async def test_callers_at_once_share_one_computation() -> None:
    runs = 0
    release = asyncio.Event()

    async def compute() -> list[int]:
        nonlocal runs
        runs += 1
        await release.wait()
        return [runs]

    callers = [asyncio.create_task(page_cache.once("read", compute)) for _ in range(20)]
    await asyncio.sleep(0.01)
    release.set()
    results = await asyncio.gather(*callers)
    assert runs == 1 and all(result is results[0] for result in results)
    # Once it has landed, the next caller computes again (the caches decide what to keep).
    assert await page_cache.once("read", compute) == [2]
    # Other keys run on their own.
    assert await asyncio.gather(page_cache.once("a", compute), page_cache.once("b", compute)) == [
        [3],
        [4],
    ]


async def test_every_caller_gets_the_error() -> None:
    release = asyncio.Event()

    async def compute() -> None:
        await release.wait()
        raise LookupError("banco fora do ar")

    callers = [asyncio.create_task(page_cache.once("read", compute)) for _ in range(5)]
    await asyncio.sleep(0.01)
    release.set()
    outcomes = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(outcome, LookupError) for outcome in outcomes), outcomes
    assert page_cache._flights == {}


async def test_a_caller_that_goes_away_leaves_the_computation_to_the_others() -> None:
    release = asyncio.Event()
    runs = 0

    async def compute() -> str:
        nonlocal runs
        runs += 1
        await release.wait()
        return "linhas"

    first = asyncio.create_task(page_cache.once("read", compute))
    second = asyncio.create_task(page_cache.once("read", compute))
    await asyncio.sleep(0.01)
    first.cancel()  # its connection closed
    with pytest.raises(asyncio.CancelledError):
        await first
    release.set()
    assert await second == "linhas" and runs == 1


async def test_a_read_is_never_neither_in_flight_nor_kept(db: Settings) -> None:
    # (db: through asks the engine whether a transaction is open)
    # The flight leaves page_cache._flights as it lands and its callers wake a loop turn later;
    # a request whose own query returned in between looked in both places, found nothing and
    # read again (CI, PostgreSQL: the pendências of 32 requests at once ran twice). So the entry
    # must be in the cache by the time the flight lands: checked at that very moment, from a
    # callback that runs right after the flight has left _flights.
    cache: OrderedDict[str, list[int]] = OrderedDict()
    release = asyncio.Event()

    async def compute() -> list[int]:
        await release.wait()
        return [1]

    first = asyncio.create_task(page_cache.through(cache, "linhas", compute, 8))
    await asyncio.sleep(0)
    flight = page_cache._flights[(id(cache), "linhas")]
    seen: list[tuple[bool, bool]] = []
    flight.add_done_callback(
        lambda _: seen.append(((id(cache), "linhas") in page_cache._flights, "linhas" in cache))
    )
    release.set()
    assert await first == [1]
    assert seen == [(False, True)]  # landed, and already kept


async def test_the_computation_runs_in_a_context_of_its_own() -> None:
    # What the first caller has set (a transaction, a page being rendered) is not the others'
    mark: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="nobody's")
    seen = []

    async def compute() -> None:
        seen.append(mark.get())

    async def caller() -> None:
        mark.set("the first caller's")
        await page_cache.once("read", compute)

    await asyncio.create_task(caller())
    assert seen == ["nobody's"]


class _RolledBack(Exception):
    pass


async def test_inside_a_transaction_a_read_is_neither_kept_nor_shared(db: Settings) -> None:
    # It may see the transaction's own writes, which may yet be rolled back: were it kept, the
    # next view would be handed a name that was never committed.
    client = Client(external_id="C-1", document="11222333000181", name="Antes", data_version=1)
    client.created_at = client.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
    await client.save()
    cache: OrderedDict[str, str] = OrderedDict()

    async def name() -> str:
        (row,) = await database.fetch("SELECT name FROM client WHERE id = {}", client.id)
        return str(row["name"])

    with pytest.raises(_RolledBack):
        async with database.current_engine().transaction():
            await Client.update({Client.name: "Depois"}).where(Client.id == client.id)
            assert await page_cache.through(cache, "name", name, 8) == "Depois"
            assert not cache and not page_cache._flights
            raise _RolledBack
    assert await page_cache.through(cache, "name", name, 8) == "Antes"
    assert list(cache.items()) == [("name", "Antes")]  # outside one, kept as before
