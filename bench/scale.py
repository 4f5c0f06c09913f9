"""Portal pages at scale: uvicorn and granian, 1 and 2 workers, PostgreSQL and SQLite (issue 16).

Fills PostgreSQL (``--database-url``, default the ``bench_scale`` database) and a SQLite file with
the data set of ``scale_data`` (2,000 clients, 100,000 invoices, 1,000,000 collections; the
measured client has ten years of invoices and 20,000 collections) — a few minutes, kept for the
next run unless ``--refill``. The cases: each server of ``--servers`` (``uvicorn`` as ``espaco
serve`` runs it, ``uvicorn-h11`` the same with h11's parser, ``granian``; ``uvicorn@DIR`` serves
the portal from the source tree ``DIR`` instead, for a before and after in one run) with 1 and 2
workers on PostgreSQL, and SQLite with 1 worker (the only count SQLite allows) on the first
server. Each case serves a Litestar hello-world and the portal (``espaco.app:app_from_env``, where
the measured client logs in) the same way.

Every case's servers are up at once, and each page is loaded with wrk on each case in turn,
``--rounds`` times (the order reversed every other round): on a shared machine whose speed
drifts within minutes, the cases a table compares were measured in the same minutes. The pages:
/inicio, /financeiro, the htmx period change (five years, the longest allowed), /coletas,
"Carregar mais" (cursors spread over three years), /solicitar-coleta, /solicitacoes. wrk runs
one thread; ``--wrk-cpu`` pins it to some CPUs (``taskset -c``); ``--gzip`` asks for gzip, as
browsers do (without it the pages are sent uncompressed).

Prints a line per run, then Markdown tables of each case's median round: req/s, p50, p99,
throughput as a share of the same case's hello-world, p99/p50, and the CPU each request cost the
server, PostgreSQL's backends and wrk (from /proc, see ``cpu``). Then the budgets, plainly, per
server on PostgreSQL and page: 2 workers ÷ 1 worker, p99/p50 at 1 and 2 workers, the share of
hello-world, and whether each meets its budget (each page ≥ 10% of hello-world, p99 ≤ 3× p50 at
32 connections, 2 workers ≥ 1.6× one worker), beside the ceiling the 1-worker run's CPU per
request leaves to that ratio on a 2-core machine that runs PostgreSQL and wrk too
(``scale_report.ceiling``: 2 × worker ÷ (worker + PostgreSQL + wrk)).

Loopback only; the servers are stopped at the end, and the run ends by itself after about
8 × rounds × cases × (seconds + 0.4) s, plus the fill when there is no data yet.

    PYTHONPATH=src python bench/scale.py [--seconds 10] [--rounds 3] [--connections 32]
        [--servers uvicorn,uvicorn-h11,granian] [--workers 1,2] [--no-sqlite] [--wrk-cpu 1]
        [--gzip] [--refill] [--fill-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import cpu
import httpx
import loadgen
import scale_data
import scale_report
from coletas import free_port, wait_for
from loadgen import HELLO, env_for, migrate

from espaco import serve
from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.settings import Settings

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_scale"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "espaco-bench-scale"
HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Case:
    server: str  # uvicorn | uvicorn-h11 | granian, each maybe @ the portal's source tree
    workers: int
    engine: str  # postgresql | sqlite

    @property
    def src(self) -> str | None:
        """The source tree that serves the portal (None: the one this script imports)."""
        return self.server.partition("@")[2] or None

    @property
    def name(self) -> str:
        return f"{self.engine} {self.server} {self.workers}w"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str]
    paths: list[str] | None = None  # cycled by wrk when given


# -- data ---------------------------------------------------------------------------------------
def _today() -> date:
    return datetime.now(ZoneInfo("America/Sao_Paulo")).date()


def ensure_data(args: argparse.Namespace, today: date) -> str:
    """Fill PostgreSQL, then SQLite, unless an earlier run filled them; the access code."""
    data_dir: Path = args.data_dir
    code_file = data_dir / "bench-code"  # written once PostgreSQL is filled
    sqlite_done = data_dir / "sqlite" / "filled"
    if code_file.is_file() and not args.refill:
        print(f"reusing PostgreSQL's data ({_safe(args.database_url)})", flush=True)
        code = code_file.read_text()
        # Kept data gets the migrations written since it was filled (new columns, indexes).
        asyncio.run(migrate(Settings.from_env(_env(args, "postgresql"))))
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        (data_dir / "pg").mkdir(parents=True)
        code = new_access_code()
        asyncio.run(_reset_postgres(args.database_url))
        asyncio.run(migrate(Settings.from_env(_env(args, "postgresql"))))
        started = time.perf_counter()
        data = scale_data.DataSet(today, code, normalize_code(code))
        asyncio.run(scale_data.fill_postgres(args.database_url, data))
        print(f"PostgreSQL filled in {time.perf_counter() - started:.0f} s", flush=True)
        code_file.write_text(code)
    if args.no_sqlite:
        return code
    if sqlite_done.is_file():
        print(f"reusing SQLite's data ({sqlite_done.parent})", flush=True)
        asyncio.run(migrate(Settings.from_env(_env(args, "sqlite"))))
        return code
    shutil.rmtree(sqlite_done.parent, ignore_errors=True)
    sqlite_done.parent.mkdir(parents=True)
    settings = Settings.from_env(_env(args, "sqlite"))
    asyncio.run(migrate(settings))
    started = time.perf_counter()
    data = scale_data.DataSet(today, code, normalize_code(code))
    scale_data.fill_sqlite(str(settings.sqlite_path), data)
    sqlite_done.touch()
    print(f"SQLite filled in {time.perf_counter() - started:.0f} s", flush=True)
    return code


async def _reset_postgres(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


def _database(args: argparse.Namespace) -> str:
    return str(args.database_url).rsplit("/", 1)[1].split("?", 1)[0]


def _safe(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//", url)


def _env(args: argparse.Namespace, engine: str) -> dict[str, str]:
    env = env_for(args.data_dir / ("pg" if engine == "postgresql" else "sqlite"))
    if engine == "postgresql":
        env["ESPACO_DATABASE_URL"] = args.database_url
    return env


# -- servers ------------------------------------------------------------------------------------
def server_command(case: Case, target: str, port: int, *, factory: bool) -> list[str]:
    """How ``case`` serves ``target`` (``module:attribute``) on loopback."""
    server = case.server.partition("@")[0]
    if server.startswith("uvicorn"):
        # As espaco serve runs it (espaco.serve: its event loop for the engine, httptools with
        # a head limit, a socket per worker), without the access log; "uvicorn-h11" parses with
        # h11 instead, espaco serve's parser until 2026-12-06.
        loop = serve.event_loop(case.engine)
        http = ", http='h11'" if server == "uvicorn-h11" else ""
        code = (f"from espaco.serve import run; run({target!r}, host='127.0.0.1', port={port}, "
                f"workers={case.workers}, factory={factory}, log_level='warning', "
                f"access_log=False, loop={loop!r}{http})")  # fmt: skip
        return [sys.executable, "-c", code]
    command = [sys.executable, "-m", "granian", "--interface", "asgi", target,
               "--workers", str(case.workers), "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    if factory:
        command.append("--factory")
    return [*command, "--host", "127.0.0.1", "--port", str(port)]


def start(command: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        command, env={**os.environ, **env}, cwd=cwd, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers (its own process group, started above)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass(frozen=True)
class Measured:
    result: loadgen.Result
    cpu_ms: float  # the server's CPU per request (all its workers)
    pg_ms: float  # PostgreSQL's backends' CPU per request
    wrk_ms: float  # wrk's CPU per request
    cores: float  # the three together, in cores (CPU seconds over the run's seconds)
    others: float = 0.0  # the rest of the machine, in cores
    steal: float = 0.0  # taken by the hypervisor, in cores


@dataclass
class Running:
    """One case's two servers, up for the whole run: its hello-world and its portal."""

    case: Case
    hello: str  # base URL
    portal: str
    processes: list[subprocess.Popen]
    cookie: str = ""


def start_case(case: Case, args: argparse.Namespace, scratch: Path) -> Running:
    hello_port, portal_port = free_port(), free_port()
    hello = start(
        server_command(case, "hello_app:app", hello_port, factory=False),
        {"PYTHONPATH": str(scratch)},
        scratch,
    )
    running = Running(case, f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{portal_port}",
                      [hello])  # fmt: skip
    command = server_command(case, "espaco.app:app_from_env", portal_port, factory=True)
    env = _env(args, case.engine)
    if case.src:
        env["PYTHONPATH"] = str(Path(case.src).resolve())
    running.processes.append(start(command, env))
    return running


def measure(
    cases: list[Case], args: argparse.Namespace, code: str, today: date
) -> dict[Case, dict[str, Measured]]:
    """Every case's servers up at once; each page loaded on each case in turn, ``--rounds``
    times (the order reversed every other round), so that the cases compared in a table were
    measured in the same minutes. Keeps each case's median round by throughput."""
    runs: dict[Case, dict[str, list[Measured]]] = {case: {} for case in cases}
    with tempfile.TemporaryDirectory(prefix="espaco-bench-hello-") as folder:
        scratch = Path(folder)
        (scratch / "hello_app.py").write_text(HELLO)
        servers: list[Running] = []
        try:
            for case in cases:
                servers.append(start_case(case, args, scratch))
            for running in servers:
                wait_for(running.hello, running.processes[0], path="/")
                wait_for(running.portal, running.processes[1])
                running.cookie = login(running.portal, code)
            for page in [Page("hello-world", "/", {}), *pages(today)]:
                for round_ in range(args.rounds):
                    order = servers if round_ % 2 == 0 else servers[::-1]
                    for running in order:
                        hello = page.name == "hello-world"
                        base = running.hello if hello else running.portal
                        headers = {**page.headers, "Cookie": running.cookie} if not hello else {}
                        if args.gzip:
                            headers["Accept-Encoding"] = "gzip"
                        if round_ == 0:  # warm-up: from the far end of the list
                            warm = page.paths[::-1] if page.paths else None
                            loadgen.wrk(base + page.path, headers, 1.0, args.connections, warm)
                        group = running.processes[0 if hello else 1].pid
                        database = _database(args) if running.case.engine == "postgresql" else None
                        meter = cpu.Meter(group, None if hello else database)
                        started = time.perf_counter()
                        result = loadgen.wrk(base + page.path, headers, args.seconds,
                                             args.connections, page.paths,
                                             cpu=args.wrk_cpu)  # fmt: skip
                        wall = time.perf_counter() - started
                        spent = meter.spent()
                        served = max(1.0, result.rate * max(1, round(args.seconds)))
                        measured = Measured(result, 1000 * spent.server / served,
                                            1000 * spent.postgres / served,
                                            1000 * spent.wrk / served,
                                            spent.total / wall, spent.others / wall,
                                            spent.steal / wall)  # fmt: skip
                        runs[running.case].setdefault(page.name, []).append(measured)
                        loadgen.report(f"{running.case.name} {page.name}", result)
                        print(f"{'':40} CPU ms a request: server {measured.cpu_ms:.2f},"
                              f" PostgreSQL {measured.pg_ms:.2f}, wrk {measured.wrk_ms:.2f};"
                              f" {measured.cores:.2f} cores; others {measured.others:.2f},"
                              f" stolen {measured.steal:.2f}")  # fmt: skip
        finally:
            for running in servers:
                for process in running.processes:
                    stop(process)
    return {
        case: {
            name: sorted(ms, key=lambda m: m.result.rate)[len(ms) // 2] for name, ms in by.items()
        }
        for case, by in runs.items()
    }


def login(base: str, code: str) -> str:
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/entrar").text)
        if token is None:
            raise SystemExit("no CSRF field on /entrar")
        response = client.post(
            "/entrar",
            data={"documento": scale_data.DOCUMENT, "codigo": code, "_csrf_token": token[1]},
        )
        if response.status_code not in (200, 303):
            raise SystemExit(f"login failed: {response.status_code}")
        for path in ("/inicio", "/financeiro", "/coletas", "/solicitar-coleta", "/solicitacoes"):
            answer = client.get(path)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
        if 'id="carregar-mais"' not in client.get("/coletas").text:
            raise SystemExit("/coletas shows no 'Carregar mais'")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def pages(today: date) -> list[Page]:
    # The longest period a client may ask for (domain/periods: five years).
    five_years = f"/financeiro?inicio={today.year - 4}-01-01&fim={today.year}-12-31"
    start, end = today - timedelta(days=scale_data.COLLECTION_DAYS + 30), today + timedelta(days=30)
    more = [
        f"/coletas?inicio={start}&fim={end}&pagina={today - timedelta(days=d)}.2147483647"
        for d in range(5, scale_data.COLLECTION_DAYS, 5)
    ]
    return [
        Page("/inicio", "/inicio", {}),
        Page("/financeiro", "/financeiro", {}),
        Page("period change (htmx, 5 years)", five_years, HX),
        Page("/coletas", "/coletas", {}),
        Page("Carregar mais (htmx)", more[0], HX, more),
        Page("/solicitar-coleta", "/solicitar-coleta", {}),
        Page("/solicitacoes", "/solicitacoes", {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk time per page and case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-cpu", default=None,
                        help="run wrk on these CPUs only (taskset -c), e.g. 1")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="runs per page and case")
    parser.add_argument("--servers", default="uvicorn,uvicorn-h11,granian")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL cases only")
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as browsers do")
    parser.add_argument("--fill-only", action="store_true", help="fill (or check) and stop")
    parser.add_argument("--refill", action="store_true", help="fill again even if data is kept")
    args = parser.parse_args()
    if not loadgen.available():
        raise SystemExit("wrk is needed (apt-get install wrk): a Python load generator steals"
                         " the CPU it measures")  # fmt: skip
    today = _today()
    code = ensure_data(args, today)
    if args.fill_only:
        return
    cases = [
        Case(server, int(workers), "postgresql")
        for server in args.servers.split(",")
        for workers in args.workers.split(",")
    ]
    if not args.no_sqlite:
        cases.append(Case(args.servers.split(",")[0], 1, "sqlite"))
    print(f"-- {len(cases)} cases, {args.connections} connections, {args.seconds:.0f} s a run,"
          f" {args.rounds} rounds", flush=True)  # fmt: skip
    measured = measure(cases, args, code, today)
    print(f"\nMedian of {args.rounds} rounds, {args.connections} connections, {args.seconds:.0f} s"
          " a run; every case's servers up at once and loaded in turn:")  # fmt: skip
    print(scale_report.tables(measured))
    print(scale_report.budgets(measured, args.connections))
    print(scale_report.room(measured))


if __name__ == "__main__":
    main()
