"""A page's database round trips do not grow with the rows it shows.

Every read the drivers send is counted (SQLite: each connection's trace callback; asyncpg:
its connection's execute paths), while a client with 1 invoice, collection, certificate and
request, then one with 40 of each, opens every portal page. An N+1 query (one per row) makes the
second count larger and fails the test; the counts are equal on both engines. Each page is
opened twice: the second view reaches the database with one statement, the session lookup (the
page's reads come from services/page_cache while the client's data version stays).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from support import app_client, call, client_login

from espaco.demo.clients import set_demo_access_code
from espaco.services.imports import import_document
from espaco.settings import Settings
from espaco.tables import CollectionRequest, Location
from tests import import_samples as s
from tests.conftest import PG_URL, make_settings, truncate_pg
from tests.import_samples import NOW

PERIOD = "inicio=2026-10-01&fim=2026-11-30"
# Pages whose reads the worker caches (services/page_cache): a second view costs the session
# lookup alone.
CACHED = (
    "/inicio",
    f"/financeiro?{PERIOD}",
    f"/coletas?{PERIOD}",
    "/solicitacoes",
    "/solicitar-coleta",
)
# Pages and downloads that read the database at every view.
UNCACHED = (
    "/avisos",
    f"/coletas/relatorio?{PERIOD}",
    f"/coletas/relatorio.csv?{PERIOD}",
    f"/coletas/exportar?{PERIOD}",
    f"/coletas/dossie?{PERIOD}",
)
PAGES = CACHED + UNCACHED


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, statement: str) -> None:
        # Reads of the pages only: not the connection set-up (PRAGMAs), transaction control, the
        # once-a-minute session touch, asyncpg's reset of a connection going back to its pool,
        # nor the e-mail sender working in the background.
        text = statement.lstrip().upper()
        background = "OUTBOX_EMAIL" in text or "PG_ADVISORY_UNLOCK_ALL" in text  # pool reset
        if text.startswith(("SELECT", "WITH")) and not background:
            self.count += 1
            self.statements.append(statement)


@contextlib.contextmanager
def counting_statements() -> Iterator[Counter]:
    """Count every statement sent to SQLite or PostgreSQL while the block runs."""
    counter = Counter()
    patch = pytest.MonkeyPatch()
    original_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = original_connect(*args, **kwargs)
        connection.set_trace_callback(lambda sql: counter(sql))
        return connection

    patch.setattr(sqlite3, "connect", connect)
    from asyncpg.connection import Connection

    # fetch, fetchrow, fetchval and execute with arguments all go through _execute; execute
    # without arguments sends a simple query of its own.
    original_execute, original_simple = Connection._execute, Connection.execute

    def counted_execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        counter(query)
        return original_execute(self, query, *args, **kwargs)

    def counted_simple(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:
            counter(query)
        return original_simple(self, query, *args, **kwargs)

    patch.setattr(Connection, "_execute", counted_execute)
    patch.setattr(Connection, "execute", counted_simple)
    try:
        yield counter
    finally:
        patch.undo()


def _document(rows: int) -> dict[str, Any]:
    return s.document(
        clients=[s.client(1)],
        invoices=[s.invoice(n) for n in range(1, rows + 1)],
        collections=[
            s.collection(n, performed_at=f"2026-10-{1 + n % 28:02d}T09:32:00-03:00")
            for n in range(1, rows + 1)
        ],
        certificates=[s.certificate(n) for n in range(1, rows + 1)],
    )


async def _seed(settings: Settings, rows: int) -> str:
    result = await import_document(_document(rows), settings, base_dir=None, now=NOW)
    assert result.ok, result.problems
    location = (await Location.select(Location.id, Location.client))[0]
    for n in range(rows):
        await CollectionRequest.insert(
            CollectionRequest(
                protocol=f"2026-{n + 1:06d}",
                client=location["client"],
                location=location["id"],
                intended_on=date(2026, 12, 1) + timedelta(days=n % 20),
                description=f"Pedido de coleta número {n}",
                status="pending",
                submission_key=f"query-count-{n}",
                created_at=NOW,
            )
        )
    return await set_demo_access_code("CLI-1", now=NOW)


def _statements_per_page(settings: Settings, rows: int) -> dict[str, list[int]]:
    """For each page: the statements of its first and second request, after login."""
    with counting_statements() as counter, app_client(settings) as http:
        code = call(http, _seed, settings, rows)
        assert client_login(http, s.cnpj(1001), code).status_code == 303
        counts: dict[str, list[int]] = {}
        for path in PAGES:
            for _ in range(2):
                before = counter.count
                page = http.get(path)
                assert page.status_code == 200, (path, page.text[:300])
                counts.setdefault(path, []).append(counter.count - before)
        return counts


def test_statements_per_page_do_not_grow_with_the_rows_shown(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A second empty database for the 40-row client: a copy of this one before it is filled.
    other_dir = tmp_path / "forty"
    other_dir.mkdir()
    if not PG_URL:
        other_dir.joinpath("espaco.db").write_bytes(settings.sqlite_path.read_bytes())
    one = _statements_per_page(settings, 1)
    if PG_URL:
        asyncio.run(truncate_pg())
    forty = _statements_per_page(make_settings(other_dir), 40)
    assert all(count > 0 for counts in one.values() for count in counts), one
    assert forty == one, {"1 row": one, "40 rows": forty}
    seconds = {path: second for path, (_, second) in one.items() if path in CACHED}
    assert seconds == dict.fromkeys(CACHED, 1), one


def test_pages_take_the_clients_data_version_from_the_session_lookup(settings: Settings) -> None:
    # Início's pendências and Coletas' summary are cached per client.data_version; the session
    # lookup every page makes reads it in the same statement, so no page reads it again.
    with counting_statements() as counter, app_client(settings) as http:
        with http.portal() as portal:
            code = portal.call(lambda: _seed(settings, 3))
        assert client_login(http, s.cnpj(1001), code).status_code == 303
        counter.statements.clear()
        for path in CACHED:
            assert http.get(path).status_code == 200, path
    statements = [" ".join(statement.split()) for statement in counter.statements]
    lookups = [st for st in statements if "FROM web_session" in st and st.startswith("SELECT")]
    assert lookups and all("c.data_version" in st for st in lookups)
    assert [st for st in statements if st.startswith("SELECT data_version FROM client")] == []
