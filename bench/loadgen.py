"""Load generation for the page benchmarks: wrk when it is installed, else httpx.

A load generator written in Python (httpx) spends more CPU per request than the server it
measures, and on a 2-core machine it steals that CPU from the server: it measured a Litestar
hello-world at ~450 req/s with a 400 ms p99. wrk (C, one thread; `apt-get install wrk`) costs
little, so the figures it gives are the server's.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from espaco.db import database
from espaco.settings import Settings

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    rate: float  # requests per second
    p50: float  # milliseconds
    p99: float
    max: float
    errors: int


def available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    url: str,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    paths: list[str] | None = None,
    cpu: str | None = None,
) -> Result:
    """Keep ``connections`` connections busy on ``url`` for ``seconds`` with wrk; with
    ``paths``, each request asks for the next of them in turn (a Lua script), so a run can
    walk many cursors or miss a cache on purpose; with ``cpu``, wrk runs only on those CPUs
    (``taskset -c``)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as scratch:
        if paths:
            script = Path(scratch) / "paths.lua"
            script.write_text(_LUA.replace("PATHS", ",\n".join(json.dumps(p) for p in paths)))
            command += ["-s", str(script)]
        out = subprocess.run(  # noqa: S603 - a fixed program and our own arguments
            [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
    return Result(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50=_latency(out, r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$"),
        p99=_latency(out, r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$"),
        max=_latency(out, r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)"),
        errors=int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
    )


_LUA = """
local paths = {
PATHS
}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[(i - 1) % #paths + 1])
end
"""


def _latency(out: str, pattern: str) -> float:
    match = re.search(pattern, out, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk output without {pattern!r}:\n{out}")
    return float(match.group(1)) * UNITS[match.group(2)]


def report(name: str, result: Result) -> float:
    print(
        f"{name:<40} {result.rate:8.0f} req/s   p50 {result.p50:7.2f} ms"
        f"   p99 {result.p99:7.2f} ms   max {result.max:7.2f} ms   errors {result.errors}"
        "   (wrk)",
        flush=True,
    )
    return result.rate


# -- shared by the page benchmarks --------------------------------------------------------------
SECRET = secrets.token_urlsafe(48)
HELLO = """
from litestar import Litestar, get

@get("/")
async def hello() -> str:
    return "Hello, world!"

app = Litestar([hello])
"""


def env_for(data_dir: Path) -> dict[str, str]:
    """The portal's environment for a benchmark data dir."""
    return {
        "ESPACO_DATA_DIR": str(data_dir),
        "ESPACO_SECRET_KEY": SECRET,
        "ESPACO_LOG_LEVEL": "WARNING",
        "ESPACO_PROVIDER_NAME": "Verde Campo Ambiental Ltda",
    }


async def migrate(settings: Settings) -> None:
    engine = database.configure(settings)
    await database.start(engine)
    try:
        await database.migrate()
    finally:
        await database.stop(engine)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def asgi_get(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> list[int]:
    """GET ``path`` straight through the ASGI ``app`` (no server, no socket): the statuses of
    the responses it started, for in-process measurements of a page's own cost."""
    route, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": route, "raw_path": route.encode(),
        "query_string": query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 1), "server": ("bench", 80),
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses
