"""How ``espaco serve`` runs uvicorn: one process, or uvicorn's supervisor and N workers that
each listen on a socket of their own.

uvicorn's own many-worker mode binds one listening socket in the supervisor and every worker
accepts from it. The worker whose loop wakes first takes every connection then waiting, so a
burst of connections opened together can all land on one worker while the other idles (32 wrk
connections on 2 workers: one worker served them all in two rounds of three,
docs/benchmarks.md). On Linux, each worker here listens on a socket of its own, bound to the
same address with ``SO_REUSEPORT``, and the kernel spreads new connections over the workers'
sockets by a hash of the client's address and port. uvicorn's supervisor is kept whole: it
restarts a worker that dies or hangs, SIGHUP replaces them one by one, SIGTTIN/SIGTTOU add and
remove one; each new worker binds a socket of its own, and a dead worker's socket dies with it.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

logger = logging.getLogger("espaco.serve")

# What espaco serve asks of uvicorn (tests/test_cli.py holds these).
OPTIONS: dict[str, Any] = {
    "proxy_headers": False,
    "server_header": False,
    # uvloop when installed (a dependency but on Windows), else asyncio; see event_loop.
    "loop": "auto",
    # httptools, which parses with ~0.6 M fewer instructions a request than h11 (1.05-1.35x the
    # pages' throughput, docs/benchmarks.md), with h11's 16 KB limit on a request's head added
    # (espaco.http_head). A name, not the class: uvicorn imports it in each worker.
    "http": "espaco.http_head:HeadLimitedHttpTools",
    "log_level": "info",
    "log_config": None,  # uvicorn's lines go through the root logger, in espaco.logs.FORMAT
}

# SO_REUSEPORT balances connections over the sockets on Linux only (BSDs and macOS give them all
# to the last socket bound); elsewhere the workers share uvicorn's one socket.
REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def event_loop(database_kind: str) -> str:
    """The event loop for a portal on ``database_kind``: uvloop (uvicorn's "auto") on
    PostgreSQL, asyncio's own on SQLite. A SQLite page runs its reads on the loop's thread
    without yielding, and under uvloop some requests then waited far longer than the rest: one
    worker, 32 connections, /solicitar-coleta p99 137-147 ms and max 470-490 ms at a p50 of 28,
    against p99 32-38 and max 38-46 under asyncio, at the same 1,120-1,130 req/s
    (docs/benchmarks.md; the loop itself never stalled for 80 ms: not traced further). On
    PostgreSQL the two measured alike (/financeiro 1,170-1,220 req/s, p99/p50 1.1-1.2 both)."""
    return "asyncio" if database_kind == "sqlite" else "auto"


def run(
    app: str, *, host: str, port: int, workers: int, factory: bool = True, **options: Any
) -> None:
    """Serve ``app`` (``module:attribute``, a factory unless told) with ``workers`` processes;
    ``options`` are uvicorn's, over :data:`OPTIONS` (the benchmarks turn the access log off)."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    options = {**OPTIONS, **options}
    if workers == 1 or not REUSE_PORT:
        uvicorn.run(app, factory=factory, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, factory=factory, host=host, port=port, workers=workers, **options)
    try:
        held = WorkerSocket.bound(host, port)
    except OSError as error:
        logger.error("não foi possível usar o endereço %s:%d: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    logger.info(
        "Uvicorn running on http://%s:%d with %d workers, each on its own socket (SO_REUSEPORT)",
        host,
        held.getsockname()[1],
        workers,
    )
    try:
        Multiprocess(config, sockets=[held]).run()
    except KeyboardInterrupt:
        pass
    finally:
        held.close()


class WorkerSocket(socket.socket):
    """The supervisor's socket, bound with ``SO_REUSEPORT`` and never listening: it checks the
    address can be had before any worker starts and holds it while workers come and go (Linux
    lets only sockets of the same user join the address). uvicorn hands its sockets to each
    worker it starts by pickling them; this one pickles as "bind another like me", so each
    worker gets a socket of its own, which uvicorn's server then listens on."""

    @classmethod
    def bound(cls, host: str, port: int) -> WorkerSocket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = cls(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        return sock

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (WorkerSocket.bound, (host, port))  # unpickled in the worker: bound there
