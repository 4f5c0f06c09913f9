"""``espaco serve``'s HTTP protocol (``espaco.http_head``): httptools with h11's 16 KB limit on a
request's head. Served for real by ``espaco.serve.run``, in a process of its own, on both event
loops the portal uses (asyncio on SQLite, uvloop on PostgreSQL), and spoken to over raw sockets:
how the bytes arrive (one write, small pieces, an ending split in two) is what the limit counts."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import served
from live import free_port

from espaco.http_head import HEAD_LIMIT

REFUSED = b"HTTP/1.1 431 "


@pytest.fixture(scope="module", params=["asyncio", "uvloop"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    server = served.start(
        "tests.head_app:app", port, 1, output=subprocess.DEVNULL, loop=request.param
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.1)
        yield port
    finally:
        served.stop(server)


def head(size: int, method: str = "GET", extra: str = "") -> bytes:
    """A request head of exactly ``size`` bytes, its blank line included."""
    start = f"{method} /pedido HTTP/1.1\r\nHost: portal\r\n{extra}X-Pad: "
    pad = size - len(start.encode()) - len(b"\r\n\r\n")
    assert pad >= 0
    return f"{start}{'a' * pad}\r\n\r\n".encode()


async def exchange(port: int, *pieces: bytes, pause: float = 0.0) -> bytes:
    """Send ``pieces`` one write each (``pause`` apart), then read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        writer.write_eof()
        return await asyncio.wait_for(reader.read(), 20)
    except ConnectionResetError:
        return b"(reset)"
    finally:
        writer.close()


def statuses(raw: bytes) -> list[bytes]:
    """The status codes of the responses in ``raw`` (bodies here are a few digits, no CRLF)."""
    return [part[:3] for part in raw.split(b"HTTP/1.1 ")[1:]]


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("split", [None, 100])
def test_a_head_up_to_the_limit_is_served_and_one_byte_more_is_refused(port, split) -> None:  # type: ignore[no-untyped-def]
    close = "Connection: close\r\n"
    fits, over = head(HEAD_LIMIT, extra=close), head(HEAD_LIMIT + 1, extra=close)
    for request, expected in ((fits, b"HTTP/1.1 200 "), (over, REFUSED)):
        sent = pieces(request, split) if split else [request]
        raw = asyncio.run(exchange(port, *sent, pause=0.001 if split else 0))
        assert raw.startswith(expected), (len(request), split, raw[:80])
    refused = asyncio.run(exchange(port, over))
    assert "Cabeçalhos do pedido grandes demais.".encode() in refused


def test_an_endless_head_is_cut_off_at_the_limit(port) -> None:  # type: ignore[no-untyped-def]
    async def endless() -> tuple[bytes, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = 0
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: portal\r\n")
            for _ in range(1000):  # 1 MB, unless the server stops it
                writer.write(b"X-Mais: " + b"b" * 1014 + b"\r\n")
                await writer.drain()
                sent += 1024
                await asyncio.sleep(0.001)
                if reader.at_eof() or writer.is_closing():
                    break
        except ConnectionError:
            pass
        try:
            answer = await asyncio.wait_for(reader.read(), 20)
        except ConnectionError:
            answer = b"(reset)"
        writer.close()
        return answer, sent

    answer, sent = asyncio.run(endless())
    # The refusal, read before or after the server closed; the client was stopped long before
    # its megabyte (a reset once the refusal is read is the kernel's answer to more bytes).
    assert answer.startswith(REFUSED) or answer == b"(reset)", answer[:80]
    assert sent < 256 * 1024, sent


def test_a_body_after_a_small_head_does_not_count_as_head(port) -> None:  # type: ignore[no-untyped-def]
    body = b"x" * 200_000
    request = head(200, "POST", f"Content-Length: {len(body)}\r\nConnection: close\r\n") + body
    for sent in ([request], pieces(request, 4096)):
        raw = asyncio.run(exchange(port, *sent))
        assert raw.startswith(b"HTTP/1.1 200 "), raw[:80]
        assert raw.endswith(b"\r\n\r\n200000")


def test_each_request_on_a_connection_has_its_own_count(port) -> None:  # type: ignore[no-untyped-def]
    # Three heads of 12 KB on one kept-alive connection: 36 KB in all, each under the limit;
    # pipelined in one write, and one after another.
    three = [head(12 * 1024) for _ in range(2)] + [head(12 * 1024, extra="Connection: close\r\n")]
    for sent in ([b"".join(three)], three):
        raw = asyncio.run(exchange(port, *sent, pause=0.05))
        assert statuses(raw) == [b"200"] * 3, raw[:200]


def test_a_head_whose_ending_arrives_in_two_reads_is_served(port) -> None:  # type: ignore[no-untyped-def]
    request = head(HEAD_LIMIT, extra="Connection: close\r\n")
    for cut in (1, 2, 3):
        raw = asyncio.run(exchange(port, request[:-cut], request[-cut:], pause=0.05))
        assert raw.startswith(b"HTTP/1.1 200 "), (cut, raw[:80])


def test_oversized_heads_fired_at_once_are_all_refused_and_the_server_still_serves(port) -> None:  # type: ignore[no-untyped-def]
    async def at_once() -> tuple[list[bytes], bytes]:
        over = head(HEAD_LIMIT + 1, extra="Connection: close\r\n")
        refused = await asyncio.gather(
            *(exchange(port, *pieces(over, 512), pause=0.001) for _ in range(32))
        )
        served = await exchange(port, head(300, extra="Connection: close\r\n"))
        return refused, served

    refused, served = asyncio.run(at_once())
    assert all(raw.startswith(REFUSED) for raw in refused), [r[:40] for r in refused]
    assert served.startswith(b"HTTP/1.1 200 "), served[:80]
