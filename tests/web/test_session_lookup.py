"""The session lookups of requests that arrive together, over real HTTP (``read.Lookup``): read
with one statement, and each request still gets its own client's page, never another's; a
logout shows on the very next request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from factories import cnpj, make_client
from live import LiveServer, serving

from espaco.db import read
from espaco.services.access import sessions
from espaco.settings import Settings
from espaco.web.auth import CLIENT_COOKIE, cookie_name

CLIENTS = 24


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with serving(settings) as server:
        yield server


@pytest.fixture
def session_statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of keys of each session statement the server runs."""
    seen: list[int] = []
    real = read.db_fetch

    async def counted(engine: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if "FROM web_session" in sql:
            seen.append(len(set(args)))
        return await real(engine, sql, *args, **kwargs)

    monkeypatch.setattr(read, "db_fetch", counted)
    return seen


def _clients(live: LiveServer) -> list[tuple[str, str]]:
    """(trade name, session cookie) of each of :data:`CLIENTS` clients."""
    made = []
    for n in range(CLIENTS):
        name = f"Unidade-{n:02d}-Sul"
        client_id, _ = live.call(
            make_client, name=f"{name} Ltda", trade_name=name, document=cnpj(700 + n), code=None
        )
        raw = live.call(
            sessions.create_session, now=datetime.now(UTC), ip="127.0.0.1", client_id=client_id
        )
        made.append((name, raw))
    return made


async def _at_once(live: LiveServer, cookies: list[str], path: str) -> list[httpx.Response]:
    """GET ``path`` once per cookie, all on open connections while the server's loop is held,
    so that every request is read in the same turn of the loop."""
    name = cookie_name(live.settings, CLIENT_COOKIE)
    limits = httpx.Limits(max_connections=len(cookies), max_keepalive_connections=len(cookies))
    async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=30) as client:
        # One open connection for each request to come.
        await asyncio.gather(*(client.get("/entrar") for _ in cookies))

        # The server's loop does nothing for half a second while the requests arrive.
        live.loop.call_soon_threadsafe(time.sleep, 0.5)
        await asyncio.sleep(0.1)
        return await asyncio.gather(
            *(client.get(path, headers={"Cookie": f"{name}={raw}"}) for raw in cookies)
        )


def test_requests_at_once_share_one_session_statement_and_each_sees_its_own(
    live, session_statements
) -> None:  # type: ignore[no-untyped-def]
    made = _clients(live)
    responses = asyncio.run(_at_once(live, [raw for _, raw in made], "/inicio"))
    for (name, _), response in zip(made, responses, strict=True):
        assert response.status_code == 200, (name, response.status_code)
        shown = {other for other, _ in made if other in response.text}
        assert shown == {name}, f"{name}'s page shows {sorted(shown)}"
    # Read together: a few statements for the 24 requests (one when all came in one turn).
    assert sum(session_statements) == CLIENTS
    assert len(session_statements) <= 3, session_statements
    assert max(session_statements) >= CLIENTS // 2


def test_a_logout_shows_on_the_requests_that_come_after_it(live) -> None:  # type: ignore[no-untyped-def]
    made = _clients(live)[:4]
    live.call(sessions.end_session, made[0][1])
    responses = asyncio.run(_at_once(live, [raw for _, raw in made], "/inicio"))
    assert responses[0].status_code == 303
    assert responses[0].headers["location"].startswith("/entrar")
    assert [r.status_code for r in responses[1:]] == [200, 200, 200]
