"""The pages' read cache (services/page_cache): a second view of a page costs one statement, the
session lookup; a write to anything the page shows — made by another process, on its own
connection, as another worker, an import or a hand fix would — is seen on the very next view; the
cache keeps at most CACHE_SIZE entries; and another client never gets the first one's reads.
On both engines."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import date
from typing import Any

import httpx
import pytest
from live import serving
from support import app_client, call, client_login

from espaco.db import placeholders
from espaco.demo.clients import set_demo_access_code
from espaco.domain.periods import Period
from espaco.services import page_cache
from espaco.services.billing import financeiro
from espaco.services.imports import import_document
from espaco.settings import Settings
from espaco.tables import CollectionRequest, Location
from tests import import_samples as s
from tests.conftest import PG_URL
from tests.import_samples import NOW
from tests.web.test_query_count import counting_statements

PERIOD = "inicio=2026-10-01&fim=2026-11-30"


async def _seed(settings: Settings, clients: int = 1) -> list[str]:
    document = s.document(
        clients=[
            s.client(n, locations=[s.location(n, label=f"Matriz {n}")])
            for n in range(1, clients + 1)
        ],
        invoices=[s.invoice(n, client_id=f"CLI-{n}") for n in range(1, clients + 1)],
        collections=[
            s.collection(n, client_id=f"CLI-{n}", location_id=f"LOC-{n}")
            for n in range(1, clients + 1)
        ],
        certificates=[s.certificate(1)],
    )
    result = await import_document(document, settings, base_dir=None, now=NOW)
    assert result.ok, result.problems
    for n, place in enumerate(await Location.select(Location.id, Location.client)):
        await CollectionRequest.insert(
            CollectionRequest(
                protocol=f"2026-{n + 1:06d}",
                client=place["client"],
                location=place["id"],
                intended_on=date(2026, 12, 1),
                description="Pedido de coleta de teste",
                status="pending",
                submission_key=f"cache-{n}",
                created_at=NOW,
            )  # fmt: skip
        )
    return [await set_demo_access_code(f"CLI-{n}", now=NOW) for n in range(1, clients + 1)]


def _write_elsewhere(settings: Settings, sql: str) -> None:
    """One committed write on a connection of its own: what another worker, the ERP import or a
    hand fix in the database does, unseen by this process's caches."""
    if PG_URL:
        import asyncpg

        async def run() -> None:
            connection = await asyncpg.connect(PG_URL)
            try:
                await connection.execute(placeholders(sql, "postgres"))
            finally:
                await connection.close()

        asyncio.run(run())
        return
    with contextlib.closing(sqlite3.connect(settings.sqlite_path)) as connection:
        connection.execute(placeholders(sql, "sqlite"))
        connection.commit()


# (page, a write another process makes, text the page shows before, text it shows after)
WRITES = [
    ("/financeiro?" + PERIOD, "UPDATE invoice SET amount_cents = 987654", None, "9.876,54"),
    ("/financeiro?" + PERIOD, "UPDATE fiscal_document SET number = '777123'", None, "777123"),
    ("/financeiro?" + PERIOD, "DELETE FROM boleto", '/boleto">Boleto', None),
    ("/coletas?" + PERIOD, "UPDATE location SET label = 'Pátio Novo'", "Matriz 1", "Pátio Novo"),
    ("/solicitar-coleta", "UPDATE location SET label = 'Pátio Novo'", "Matriz 1", "Pátio Novo"),
    ("/solicitacoes", "UPDATE location SET label = 'Pátio Novo'", "Matriz 1", "Pátio Novo"),
    (
        "/coletas?" + PERIOD,
        "UPDATE collection SET waste_description = 'Borra nova'",
        None,
        "Borra nova",
    ),  # fmt: skip
    ("/coletas?" + PERIOD, "UPDATE certificate SET receiver = 'Usina Nova'", None, "Usina Nova"),
    ("/coletas?" + PERIOD, "DELETE FROM certificate_mtr", '/mtrs" aria-label="CDF do MTR', None),
    (
        "/solicitacoes",
        "UPDATE collection_request SET protocol = '2026-777777'",
        None,
        "2026-777777",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("path", "sql", "before", "after"), WRITES)
def test_a_write_by_another_process_shows_on_the_next_view(
    settings: Settings, path: str, sql: str, before: str | None, after: str | None
) -> None:
    with app_client(settings) as http:
        (code,) = call(http, _seed, settings)
        assert client_login(http, s.cnpj(1001), code).status_code == 303
        first = http.get(path).text
        assert http.get(path).status_code == 200  # now from the cache
        if before:
            assert before in first
        if after:
            assert after not in first
        _write_elsewhere(settings, sql)
        seen = http.get(path).text
    if before:
        assert before not in seen
    if after:
        assert after in seen


def test_a_second_view_reads_only_the_session_and_a_write_costs_one_cold_view(
    settings: Settings,
) -> None:
    with counting_statements() as counter, app_client(settings) as http:
        (code,) = call(http, _seed, settings)
        assert client_login(http, s.cnpj(1001), code).status_code == 303
        path = "/financeiro?" + PERIOD
        counts = []
        for write in (None, None, "UPDATE invoice SET amount_cents = 5", None):
            if write:
                _write_elsewhere(settings, write)
            before = counter.count
            assert http.get(path).status_code == 200
            counts.append(counter.count - before)
    cold, warm, after_write, warm_again = counts
    assert warm == warm_again == 1  # the session lookup
    assert cold == after_write > 1


def test_another_client_never_gets_the_first_ones_reads(settings: Settings) -> None:
    with app_client(settings) as http:
        codes = call(http, _seed, settings, 2)
        pages = {}
        for n, code in enumerate(codes, 1):
            assert client_login(http, s.cnpj(1000 + n), code).status_code == 303
            pages[n] = {
                path: http.get(path).text
                for path in ("/coletas?" + PERIOD, "/solicitar-coleta", "/solicitacoes")
            }
            http.cookies.clear()
    for path, text in pages[2].items():
        assert "Matriz 2" in text and "Matriz 1" not in text, path
    for path, text in pages[1].items():
        assert "Matriz 1" in text and "Matriz 2" not in text, path


async def _fill(count: int) -> list[Any]:
    calls: list[int] = []

    async def compute(n: int) -> int:
        calls.append(n)
        return n

    for n in range(count):
        await page_cache.cached("test", (1,), 0, (n,), lambda n=n: compute(n))
    await page_cache.cached("test", (1,), 0, (count - 1,), lambda: compute(-1))  # kept
    await page_cache.cached("test", (1,), 0, (0,), lambda: compute(-2))  # the oldest went
    await page_cache.cached("test", (1,), 1, (count - 1,), lambda: compute(-3))  # new version
    await page_cache.cached("test", (2,), 0, (count - 1,), lambda: compute(-4))  # other client
    return calls


async def test_the_cache_keeps_at_most_its_size_least_recently_used_out(db: Settings) -> None:
    page_cache.clear()
    calls = await _fill(page_cache.CACHE_SIZE + 10)
    assert page_cache.size() == page_cache.CACHE_SIZE
    assert calls[-3:] == [-2, -3, -4]
    assert -1 not in calls


def test_a_scope_of_several_clients_keys_on_each_ones_version(settings: Settings) -> None:
    # A group's session carries no version: the cache reads every member's in one statement.
    async def run() -> tuple[Any, Any, Any]:
        await _seed(settings, 2)
        scope = tuple(r["client"] for r in await Location.select(Location.client))
        period = Period(date(2026, 10, 1), date(2026, 11, 30))
        first = await financeiro.financeiro(scope, period, date(2026, 11, 28))
        again = await financeiro.financeiro(scope, period, date(2026, 11, 28))
        return first, again, scope

    with app_client(settings) as http:
        first, again, scope = call(http, run)
        assert again is first
        _write_elsewhere(settings, f"UPDATE invoice SET amount_cents = 5 WHERE client = {scope[1]}")  # noqa: S608
        period = Period(date(2026, 10, 1), date(2026, 11, 30))
        after = call(http, lambda: financeiro.financeiro(scope, period, date(2026, 11, 28)))
    assert after is not first and after.totals.general.cents < first.totals.general.cents


def test_requests_at_once_get_the_same_page_and_after_a_write_the_new_one(
    settings: Settings,
) -> None:
    # 40 views at once (a cold cache: many compute the same entry together; on PostgreSQL 40
    # session lookups share the 3 connections of the lookup pool), then a write, then 40 again.
    path = "/financeiro?" + PERIOD
    with serving(settings) as live:
        (code,) = live.call(_seed, settings)
        with httpx.Client(base_url=live.url) as http:
            assert client_login(http, s.cnpj(1001), code).status_code == 303
            cookies = dict(http.cookies)

        async def at_once() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=40)
            async with httpx.AsyncClient(
                base_url=live.url, cookies=cookies, limits=limits, timeout=60
            ) as http:
                return await asyncio.gather(*(http.get(path) for _ in range(40)))

        before = asyncio.run(at_once())
        _write_elsewhere(settings, "UPDATE invoice SET amount_cents = 987654")
        after = asyncio.run(at_once())
    assert [r.status_code for r in before + after] == [200] * 80
    assert not any("9.876,54" in r.text for r in before)
    assert all("9.876,54" in r.text for r in after)
