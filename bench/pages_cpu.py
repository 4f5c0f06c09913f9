"""The portal's own CPU per page request, in process, for two versions of the code side by side.

``bench/scale.py`` measures pages through HTTP servers with wrk; on a machine shared with other
work its throughput columns drift, but what a page costs the portal's process does not move much.
This script asks each page of ``scale.py`` (and a Litestar hello-world, the baseline of the
budget) straight through ASGI, and reports the process CPU time per request: one worker process
per code tree (``--src``, default ``src``), all answering in interleaved rounds, so two versions
are compared in the same minutes. The best round of each is kept (the least disturbed).

The data: a small copy of ``scale_data``'s measured client (its ten years of invoices, 20,000
collections, 300 requests; 30 other clients) in SQLite under ``--data`` (filled on the first
run), or PostgreSQL with ``--database-url`` (a database ``scale.py`` filled; only read).

    git archive main src templates static migrations | tar -x -C /tmp/base   # the "before"
    PYTHONPATH=src:bench python bench/pages_cpu.py --src src --src /tmp/base/src \
        [--requests 200] [--rounds 5] [--page /solicitacoes] [--callgrind] [--profile]

The last columns estimate the budget ratio of ``scale.py`` (page throughput over hello-world's
when the server is CPU-bound): (hello + server) ÷ (page + server), with ``--server-ms`` the
HTTP server's own cost per request (uvicorn ≈ 0.12 ms in docs/benchmarks.md).

``--callgrind`` runs each worker under valgrind and counts the instructions of each batch
instead (``callgrind_control`` turns counting on around it): the same figure however busy the
machine is. ~20 requests a page are enough (one run takes a few minutes). ``--profile`` prints a
cProfile of each batch to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

HX = {"hx-request": "true"}
DEFAULT_DATA = Path(tempfile.gettempdir()) / "espaco-pages-cpu"


def _today() -> date:
    return datetime.now(ZoneInfo("America/Sao_Paulo")).date()


def pages(today: date) -> dict[str, tuple[list[str], dict[str, str]]]:
    import scale_data

    five_years = f"/financeiro?inicio={today.year - 4}-01-01&fim={today.year}-12-31"
    start = today - timedelta(days=scale_data.COLLECTION_DAYS + 30)
    end = today + timedelta(days=30)
    more = [
        f"/coletas?inicio={start}&fim={end}&pagina={today - timedelta(days=d)}.2147483647"
        for d in range(5, scale_data.COLLECTION_DAYS, 5)
    ]
    return {
        "/inicio": (["/inicio"], {}),
        "/financeiro": (["/financeiro"], {}),
        "period change (htmx, 5 years)": ([five_years], HX),
        "/coletas": (["/coletas"], {}),
        "Carregar mais (htmx)": (more, HX),
        "/solicitar-coleta": (["/solicitar-coleta"], {}),
        "/solicitacoes": (["/solicitacoes"], {}),
    }


def fill(data_dir: Path) -> None:
    """The measured client of scale_data in full, with 30 other clients instead of 2,000."""
    import scale_data
    from loadgen import env_for, migrate

    from espaco.services.access.access_codes import new_access_code, normalize_code
    from espaco.settings import Settings

    if (data_dir / "bench-code").is_file():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(env_for(data_dir))
    asyncio.run(migrate(settings))
    scale_data.CLIENTS = 30
    scale_data.INVOICES = scale_data.YEARS * 12 + 300
    scale_data.COLLECTIONS = scale_data.BIG_COLLECTIONS + 3000
    code = new_access_code()
    scale_data.fill_sqlite(
        str(settings.sqlite_path), scale_data.DataSet(_today(), code, normalize_code(code))
    )
    (data_dir / "bench-code").write_text(code)


# -- worker: one code tree, answering "page rounds" commands on stdin ----------------------------
async def worker(data_dir: Path, database_url: str | None, profile: bool) -> None:
    import httpx
    import scale_data
    from litestar import Litestar, get
    from loadgen import asgi_get, env_for

    env = env_for(data_dir)
    if database_url:
        env["ESPACO_DATABASE_URL"] = database_url
    os.environ.update(env)
    from espaco.app import app_from_env

    @get("/")
    async def hello() -> str:
        return "Hello, world!"

    hello_app = Litestar([hello])
    app = app_from_env()
    today = _today()
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = (await client.get("/entrar")).text
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
            if token is None:
                raise SystemExit("no CSRF field on /entrar")
            code = (data_dir / "bench-code").read_text()
            data = {"documento": scale_data.DOCUMENT, "codigo": code, "_csrf_token": token[1]}
            answer = await client.post("/entrar", data=data)
            if answer.status_code not in (200, 303):
                raise SystemExit(f"login failed: {answer.status_code}")
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())

        async def call(target: Any, path: str, headers: dict[str, str]) -> int:
            raw = [(b"host", b"bench"), (b"cookie", cookie.encode())]
            raw += [(k.encode(), v.encode()) for k, v in headers.items()]
            return (await asgi_get(target, path, raw))[0]

        table = {"hello-world": (["/"], {}), **pages(today)}
        warmed: set[str] = set()
        print("ready", flush=True)
        for line in sys.stdin:
            name, count = line.rstrip("\n").rsplit(" ", 1)
            paths, headers = table[name]
            target = hello_app if name == "hello-world" else app
            n = int(count)
            if name not in warmed:  # from the far end of the paths, as scale.py warms up
                for i in range(20):
                    await call(target, paths[-1 - i % len(paths)], headers)
                warmed.add(name)
            if n == 0:  # warm-up only
                print(json.dumps({"page": name, "cpu_ms": 0}), flush=True)
                continue
            profiler = cProfile.Profile() if profile else None
            started = time.process_time()
            if profiler:
                profiler.enable()
            for i in range(n):
                status = await call(target, paths[i % len(paths)], headers)
                if status != 200:
                    raise SystemExit(f"{name}: {status}")
            cpu = (time.process_time() - started) / n * 1000
            if profiler:
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(45)
            print(json.dumps({"page": name, "cpu_ms": cpu}), flush=True)


def ask(process: subprocess.Popen[str], name: str, count: int) -> float:
    stdin, stdout = cast(IO[str], process.stdin), cast(IO[str], process.stdout)
    stdin.write(f"{name} {count}\n")
    stdin.flush()
    return float(json.loads(stdout.readline())["cpu_ms"])


def instructions(process: subprocess.Popen[str], name: str, count: int) -> float:
    """Millions of instructions per request (callgrind's Ir, counted only around the batch)."""
    pid = str(process.pid)
    run = subprocess.run  # callgrind_control: valgrind's own tool
    run(["callgrind_control", "-z", pid], check=True, capture_output=True)  # noqa: S607
    run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)  # noqa: S607
    ask(process, name, count)
    run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)  # noqa: S607
    before = set(Path(tempfile.gettempdir()).glob(f"pages-cpu-callgrind.{pid}*"))
    run(["callgrind_control", "-d", pid], check=True, capture_output=True)  # noqa: S607
    dumps = set(Path(tempfile.gettempdir()).glob(f"pages-cpu-callgrind.{pid}*")) - before
    for dump in dumps:
        found = re.search(r"^totals: (\d+)", dump.read_text(), re.M)
        dump.unlink()
        if found:
            return int(found[1]) / count / 1e6
    raise SystemExit("no callgrind dump")


# -- driver -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--src", action="append", default=None, help="a code tree's src/")
    parser.add_argument("--requests", type=int, default=200, help="per page, round and tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--page", action="append", default=None, help="only these pages")
    parser.add_argument("--server-ms", type=float, default=0.12)
    parser.add_argument("--profile", action="store_true", help="cProfile each run to stderr")
    parser.add_argument(
        "--callgrind", action="store_true", help="count instructions (valgrind) instead of CPU time"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.data, args.database_url, args.profile))
        return
    fill(args.data)
    trees = args.src or ["src"]
    bench_dir = str(Path(__file__).resolve().parent)
    workers = []
    for tree in trees:
        env = {**os.environ, "PYTHONPATH": f"{Path(tree).resolve()}:{bench_dir}"}
        command = [sys.executable, __file__, "--worker", "--data", str(args.data)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        if args.profile:
            command.append("--profile")
        if args.callgrind:
            out = f"{tempfile.gettempdir()}/pages-cpu-callgrind.%p"
            command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                       f"--callgrind-out-file={out}", *command]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 - our own script
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if args.callgrind else None,
            text=True,
            env=env,
        )
        if cast(IO[str], process.stdout).readline().strip() != "ready":
            raise SystemExit(f"{tree}: the worker did not start")
        workers.append(process)
    names = ["hello-world", *(args.page or pages(_today()))]
    best: dict[tuple[int, str], float] = {}
    try:
        for round_ in range(args.rounds):
            order = list(enumerate(workers))
            if round_ % 2:
                order.reverse()
            for name in names:
                for index, process in order:
                    if round_ == 0:
                        ask(process, name, 0)
                    if args.callgrind:
                        cpu = instructions(process, name, args.requests)
                    else:
                        cpu = ask(process, name, args.requests)
                    key = (index, name)
                    best[key] = min(best.get(key, cpu), cpu)
    finally:
        for process in workers:
            cast(IO[str], process.stdin).close()
            process.wait(timeout=30)
    server = args.server_ms
    if args.callgrind:
        print(f"\nMillions of instructions per request, in process, {args.requests} requests")
        print("| page | " + " | ".join(trees) + " |")
        print("|---|" + "---:|" * len(trees))
        for name in names:
            print(f"| {name} | " + " | ".join(f"{best[(i, name)]:.2f}" for i in range(len(trees))))
        return
    print(f"\nCPU ms per request in process, best of {args.rounds} rounds × {args.requests}")
    print("| page | " + " | ".join(trees) + " | " + " | ".join(f"est. ratio {t}" for t in trees))
    print("|---|" + "---:|" * (2 * len(trees)))
    for name in names:
        cells = [f"{best[(i, name)]:.3f}" for i in range(len(trees))]
        ratios = [
            f"{(best[(i, 'hello-world')] + server) / (best[(i, name)] + server):.0%}"
            for i in range(len(trees))
        ]
        print(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")


if __name__ == "__main__":
    main()
