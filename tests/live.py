"""The app served by a real uvicorn in a thread, for tests that need requests truly at once
(many connections, one event loop serving them), not the TestClient's one-at-a-time calls."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

from espaco.app import create_app
from espaco.clock import Clock
from espaco.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Live:
    url: str
    loop: asyncio.AbstractEventLoop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` in the server's event loop (on its database connections)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)


@contextmanager
def serving(settings: Settings, clock: Clock | None = None) -> Iterator[Live]:
    """The app under uvicorn in a thread (``clock``: the app's, the system's by default)."""
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=0,
        lifespan="on",
        log_level="warning",
        access_log=False,
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
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Live(f"http://127.0.0.1:{port}", loop)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
