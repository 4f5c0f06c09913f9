"""The app served by a real uvicorn in a thread, for tests that need real HTTP: the browser tests
(``tests/browser/conftest.py``) and requests truly at once (many connections, one event loop
serving them), which the TestClient's one-at-a-time calls cannot make."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine

from espaco import piccolo_conf
from espaco import serve as espaco_serve
from espaco.app import create_app
from espaco.clock import Clock
from espaco.settings import Settings
from espaco.tables import ALL_TABLES

T = TypeVar("T")


@dataclass(frozen=True)
class LiveServer:
    """The app served over real HTTP at ``url``."""

    url: str
    settings: Settings
    loop: asyncio.AbstractEventLoop
    engine: Engine

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in the server's event loop, on its database connections
        (to seed data), and return its result."""

        async def run() -> T:
            return await fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=60)

    def activate(self) -> None:
        """Point the tables back at this server's engine.

        ``espaco.db.database.configure`` binds every table to one engine process-wide; a test that
        ran after this server started may have rebound them to its own database.
        """
        piccolo_conf.DB = self.engine
        for table in [*ALL_TABLES, Migration]:
            table._meta.db = self.engine


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(settings: Settings, clock: Clock | None = None) -> Iterator[LiveServer]:
    """The app on ``settings`` served on a free port of 127.0.0.1 while the block runs
    (``clock``: the app's, the system's by default)."""
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=0,
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
        http=espaco_serve.OPTIONS["http"],  # espaco serve's parser, with its limit on request heads
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve())
        finally:
            loop.close()

    thread = threading.Thread(target=serve, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live server did not start (see the log above)")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    assert piccolo_conf.DB is not None  # the app's start-up configured it
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, loop, piccolo_conf.DB)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
