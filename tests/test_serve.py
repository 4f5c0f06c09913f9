"""``espaco serve --workers N`` (``espaco.serve``): each worker listens on a socket of its own
(``SO_REUSEPORT``), so connections opened together spread over the workers instead of landing
on whichever worker woke first, and a worker that dies is replaced without losing connections
to its socket. Served for real, in a process of its own, with an app that answers its pid."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import served
from live import free_port

from espaco import serve

pytestmark = pytest.mark.skipif(not serve.REUSE_PORT, reason="SO_REUSEPORT balances on Linux")

CONNECTIONS = 32  # as the benchmarks' wrk


def _serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    return served.start("tests.pid_app:app", port, workers)


async def _pids_at_once(port: int, connections: int = CONNECTIONS) -> list[int]:
    """Open ``connections`` connections, all before the first request, and the pid that answered
    on each."""
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(connections))
    )

    async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(b"GET / HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n")
        answer = await reader.read()
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        return int(body)

    return list(await asyncio.wait_for(asyncio.gather(*(ask(*pair) for pair in opened)), 20))


def _wait_for_workers(port: int, workers: int, timeout: float = 60) -> set[int]:
    """The pids of ``workers`` workers, once each has answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        assert time.monotonic() < deadline, f"only {len(seen)} of {workers} workers answered"
        try:
            seen.update(asyncio.run(_pids_at_once(port, 4)))
        except OSError:
            time.sleep(0.2)
    return seen


@pytest.fixture
def two_workers() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    server = _serve(port, 2)
    try:
        yield port, server
    finally:
        served.stop(server)


def test_connections_opened_at_once_spread_over_the_workers(two_workers) -> None:  # type: ignore[no-untyped-def]
    port, _ = two_workers
    workers = _wait_for_workers(port, 2)
    served = Counter(asyncio.run(_pids_at_once(port)))
    assert set(served) == workers, served
    # A hash of each connection's port: ≥ 4 of 32 on each but once in 400,000 runs. uvicorn's
    # one shared socket, the same five times: 17/15, 28/4, 26/6, 29/3, 30/2.
    assert min(served.values()) >= 4, served


def test_a_dead_worker_is_replaced_and_no_connection_is_lost_to_its_socket(two_workers) -> None:  # type: ignore[no-untyped-def]
    port, _ = two_workers
    dead, alive = sorted(_wait_for_workers(port, 2))
    os.kill(dead, signal.SIGKILL)
    # Until uvicorn's supervisor notices (every 0.5 s) and starts another, the live worker takes
    # every connection: the dead one's socket closed with it, none is left waiting on it.
    workers = _wait_for_workers(port, 2) - {dead}
    assert alive in workers and len(workers) == 2
    served = Counter(asyncio.run(_pids_at_once(port)))
    assert set(served) == workers and sum(served.values()) == CONNECTIONS, served


def test_an_address_in_use_stops_the_server_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = _serve(taken.getsockname()[1], 2)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 3, output  # uvicorn's STARTUP_FAILURE: nothing to restart
    assert "não foi possível usar o endereço" in output.decode(), output
