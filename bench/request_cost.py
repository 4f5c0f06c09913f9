"""What one portal request costs, and where a 1-worker run's cores go (issue 16).

One uvicorn worker serves the portal on the data set of ``bench/scale.py`` (run it once with
``--fill-only`` first). For each page of that benchmark, and a hello-world-like ``/saude``:

- **cores** (default): wrk loads the page for ``--seconds`` with ``--connections``; the CPU
  (user + system, from /proc) of the worker, of PostgreSQL's backends serving the benchmark's
  database, and of wrk, each per request and in cores; and the ceiling of the 2-worker ÷
  1-worker ratio on a 2-core machine that runs the database and the load generator too: two
  workers serve at most ``2 × worker ÷ (worker + PostgreSQL + wrk)`` times what one served
  (``scale_report.ceiling``).
- **instructions** (``--instructions N``): the worker runs under ``valgrind --tool=callgrind``;
  after a warm-up, N requests one after another; the worker's instructions per request. Other
  load on the machine does not change this figure: compare two versions with it. With
  ``--cold``, each request follows a change to the measured client's data (its
  ``client.data_version`` bumped from another connection, as any write does through the
  triggers): the cost of the first view after a change, every read from the database, where
  the default measures the pages as a client browsing them again gets them (from
  ``services/page_cache``).

    PYTHONPATH=src .venv/bin/python bench/request_cost.py [--engine postgresql|sqlite]
        [--seconds 5] [--connections 32] [--instructions 100 [--cold]] [--pages inicio,financeiro]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cpu
import httpx
import loadgen
import scale
import scale_data
from coletas import free_port, wait_for


def page_list(args: argparse.Namespace) -> list[scale.Page]:
    found = [scale.Page("/saude (no session, one query)", "/saude", {})]
    found += scale.pages(scale._today())
    if args.pages:
        wanted = args.pages.split(",")
        found = [p for p in found if any(w in p.name for w in wanted)]
    return found


def start_worker(
    args: argparse.Namespace, port: int, *, callgrind: Path | None
) -> subprocess.Popen:
    case = scale.Case("uvicorn", 1, args.engine)
    command = scale.server_command(case, "espaco.app:app_from_env", port, factory=True)
    if callgrind is not None:
        command = ["valgrind", "-q", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={callgrind}/callgrind.out.%p", *command]  # fmt: skip
    return scale.start(command, scale._env(args, args.engine))


def cores(args: argparse.Namespace, code: str) -> None:
    port = free_port()
    worker = start_worker(args, port, callgrind=None)
    base = f"http://127.0.0.1:{port}"
    database = args.database_url.rsplit("/", 1)[1]
    try:
        wait_for(base, worker)
        cookie = scale.login(base, code)
        print(f"-- 1 worker, {args.engine}, {args.connections} connections,"
              f" {args.seconds:.0f} s a page: CPU ms a request (and cores) of the worker,"
              " PostgreSQL's backends and wrk")  # fmt: skip
        print(f"{'page':34} {'req/s':>7} {'worker':>12} {'postgres':>12} {'wrk':>12}"
              f" {'cores':>6} {'ceiling':>7}")  # fmt: skip
        for page in page_list(args):
            headers = {**page.headers, "Cookie": cookie}
            loadgen.wrk(base + page.path, headers, 1.0, args.connections, page.paths)
            meter = cpu.Meter(worker.pid, database if args.engine == "postgresql" else None)
            started = time.perf_counter()
            result = loadgen.wrk(base + page.path, headers, args.seconds, args.connections,
                                 page.paths, cpu=args.wrk_cpu)  # fmt: skip
            wall = time.perf_counter() - started
            spent = meter.spent()
            served = result.rate * max(1, round(args.seconds))
            used = spent.total / wall
            cells = " ".join(
                f"{1000 * s / served:5.2f} ({s / wall:4.2f})"
                for s in (spent.server, spent.postgres, spent.wrk)
            )
            ceiling = min(2, 2 * spent.server / spent.total) if spent.total else 2
            print(f"{page.name[:34]:34} {result.rate:7.0f} {cells} {used:6.2f}"
                  f" {ceiling:7.2f}", flush=True)  # fmt: skip
    finally:
        scale.stop(worker)


def instructions(args: argparse.Namespace, code: str) -> None:
    with tempfile.TemporaryDirectory(prefix="espaco-callgrind-") as folder:
        out = Path(folder)
        port = free_port()
        worker = start_worker(args, port, callgrind=out)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base, worker, timeout=600)
            cookie = scale.login(base, code)
            after = ", each after a change to the client's data" if args.cold else ""
            print(f"-- 1 worker under callgrind, {args.engine}: instructions per request,"
                  f" {args.instructions} requests a page one after another{after}")  # fmt: skip
            with httpx.Client(base_url=base, headers={"Cookie": cookie}, timeout=60) as client:
                for page in page_list(args):
                    paths = page.paths or [page.path]
                    control(worker.pid, "-i", "on")
                    for i in range(20):  # warm-up, instrumented (callgrind's code cache)
                        client.get(paths[i % len(paths)], headers=page.headers)
                    control(worker.pid, "-z")
                    for i in range(args.instructions):
                        if args.cold:
                            bump(args.database_url)  # another process: not counted
                        answer = client.get(paths[i % len(paths)], headers=page.headers)
                        if answer.status_code != 200:
                            raise SystemExit(f"{page.path} answered {answer.status_code}")
                    total = dump(worker.pid, out)
                    control(worker.pid, "-i", "off")
                    print(f"{page.name[:34]:34} {total / args.instructions / 1e6:8.2f} M"
                          " instructions a request", flush=True)  # fmt: skip
        finally:
            scale.stop(worker)


def bump(url: str) -> None:
    """What any write to the measured client's rows does (the triggers): a new data version."""
    import asyncio

    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(
                "UPDATE client SET data_version = data_version + 1 WHERE document = $1",
                scale_data.DOCUMENT,
            )
        finally:
            await connection.close()

    asyncio.run(run())


def control(pid: int, *options: str) -> None:
    subprocess.run(["callgrind_control", *options, str(pid)], check=True,  # noqa: S603, S607
                   capture_output=True, timeout=120)  # fmt: skip


def dump(pid: int, folder: Path) -> int:
    """Dump callgrind's counters (since the last zeroing) and return the instructions."""
    before = set(folder.glob("callgrind.out.*"))
    control(pid, "-d")
    for _ in range(600):
        new = [p for p in set(folder.glob("callgrind.out.*")) - before if p.stat().st_size]
        if new:
            time.sleep(0.5)  # let the file be written whole
            for line in new[0].read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.1)
    raise SystemExit("callgrind wrote no dump")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--instructions", type=int, default=0, help="requests under callgrind")
    parser.add_argument("--cold", action="store_true",
                        help="with --instructions: each request after a data change")  # fmt: skip
    parser.add_argument("--pages", default="", help="comma-separated parts of page names")
    parser.add_argument("--wrk-cpu", default=None, help="run wrk on these CPUs (taskset -c)")
    parser.add_argument("--database-url", default=scale.DEFAULT_URL)
    parser.add_argument("--data-dir", type=Path, default=scale.DEFAULT_DIR)
    args = parser.parse_args()
    args.refill, args.no_sqlite = False, args.engine == "postgresql"
    code = (args.data_dir / "bench-code").read_text()
    if args.instructions:
        instructions(args, code)
    else:
        cores(args, code)


if __name__ == "__main__":
    sys.exit(main())
