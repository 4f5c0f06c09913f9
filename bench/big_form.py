"""One 30 MB urlencoded form to ``/entrar`` while ``/saude`` is polled: how long the form takes
to be answered, how long ``/saude`` waits, and the server's memory after (issue 12, point 2).

Starts ``uvicorn --factory espaco.app:app_from_env`` on a fresh SQLite data dir with the code
under ``SRC`` (default: this checkout's ``src``), so two versions compare in the same minute:

    python bench/big_form.py /path/to/main/src
    python bench/big_form.py

Measured on a shared 2-core machine (2026-12-06), main then the form limits, same minute:
main answered after 11.2 s, ``/saude`` waited 11.0 s, 1,033 MB resident; with the limits, 413
in 0.17 s (the time to write the body), ``/saude`` at most 4.8 ms, 105 MB. (Under load from
other jobs: 49.8 s and 959 MB against 0.40 s and 105 MB.)
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = 30 * 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _health(port: int, stop: asyncio.Event, times: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while not stop.is_set():
        started = time.perf_counter()
        writer.write(b"GET /saude HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readuntil(b"\r\n\r\n")
        await reader.readuntil(b"}")
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)
    writer.close()


async def _big_form(port: int) -> tuple[float, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b"a=1&bb=22&" * (SIZE // 10)  # 3 million fields
    started = time.perf_counter()
    writer.write(
        b"POST /entrar HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
        b"\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    try:
        writer.write(body)
        await writer.drain()
    except ConnectionError:
        pass  # the server answered and closed before the whole body went out
    status = (await reader.readline()).split()[1].decode()
    writer.close()
    return time.perf_counter() - started, status


async def _measure(port: int) -> str:
    quiet: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_health(port, stop, quiet))
    await asyncio.sleep(1)
    stop.set()
    await probe
    busy: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_health(port, stop, busy))
    took, status = await _big_form(port)
    await asyncio.sleep(0.5)
    stop.set()
    await probe
    quiet_p99 = statistics.quantiles(quiet, n=100)[98]
    return (
        f"30 MB form → {status} in {took:.2f} s; /saude quiet p99 {quiet_p99 * 1000:.1f} ms, "
        f"while the form ran max {max(busy) * 1000:.1f} ms (n={len(busy)})"
    )


def main() -> None:
    src = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1] / "src")
    data = tempfile.mkdtemp(prefix="big-form-")
    env = {
        **os.environ,
        "PYTHONPATH": src,
        "ESPACO_DATA_DIR": data,
        "ESPACO_SECRET_KEY": secrets.token_urlsafe(48),
        "ESPACO_LOG_LEVEL": "WARNING",
    }
    env.pop("ESPACO_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "espaco.cli", "migrate"], env=env, check=True, capture_output=True
    )
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "--factory", "espaco.app:app_from_env",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{src}: {asyncio.run(_measure(port))}")
        status = Path(f"/proc/{server.pid}/status").read_text()
        print(f"  server resident after: {int(status.split('VmRSS:')[1].split()[0]) // 1024} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
