"""Portal pages at scale: uvicorn and granian, 1 and 2 workers, PostgreSQL and SQLite (issue 16).

Fills PostgreSQL (``--database-url``, default the ``bench_scale`` database) and a SQLite file with
the data set of ``scale_data`` (2,000 clients, 100,000 invoices, 1,000,000 collections; the
measured client has ten years of invoices and 20,000 collections) — a few minutes, kept for the
next run unless ``--refill`` — then, for each case (server × workers × engine):

- serves a Litestar hello-world the way the portal will be served, loads it with wrk;
- serves the portal (``espaco.app:app_from_env``), logs the measured client in, and loads each
  page with wrk for ``--seconds``: /inicio, /financeiro, the htmx period change (ten years),
  /coletas, "Carregar mais" (cursors spread over three years), /solicitar-coleta, /solicitacoes.

Cases: uvicorn and granian with 1 and 2 workers on PostgreSQL, and SQLite with 1 worker (the
only count SQLite allows). Prints a line per run, then Markdown tables: req/s, p50, p99,
throughput as a share of the same case's hello-world, p99/p50, and 2 workers / 1 worker.
Budgets (DESIGN.md): each page ≥ 10% of hello-world, p99 ≤ 3× p50 at 32 connections; on
PostgreSQL 2 workers ≥ 1.6× one worker.

Loopback only; every server is stopped before the next starts, and the run ends by itself
(about (servers × 2 + 1) × 8 × (seconds + 2) s after the fill).

    PYTHONPATH=src .venv/bin/python bench/scale.py [--seconds 10] [--connections 32]
        [--servers uvicorn,granian] [--workers 1,2] [--no-sqlite] [--refill]
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

import httpx
import loadgen
import scale_data
from coletas import free_port, wait_for
from loadgen import HELLO, env_for, migrate

from espaco.services.access_codes import new_access_code, normalize_code
from espaco.settings import Settings

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_scale"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "espaco-bench-scale"
HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Case:
    server: str  # uvicorn | granian
    workers: int
    engine: str  # postgresql | sqlite

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
    if case.server == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", target, "--workers", str(case.workers),
                   "--log-level", "warning", "--no-access-log"]  # fmt: skip
    else:
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


def run_wrk(base: str, page: Page, cookie: str, seconds: float, connections: int):  # type: ignore[no-untyped-def]
    headers = {**page.headers, "Cookie": cookie} if cookie else page.headers
    warm = page.paths[::-1] if page.paths else None
    loadgen.wrk(base + page.path, headers, 1.0, connections, warm)
    return loadgen.wrk(base + page.path, headers, seconds, connections, page.paths)


def measure_hello(case: Case, args: argparse.Namespace) -> loadgen.Result:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="espaco-bench-hello-") as scratch:
        (Path(scratch) / "hello_app.py").write_text(HELLO)
        env = {"PYTHONPATH": scratch}
        process = start(
            server_command(case, "hello_app:app", port, factory=False), env, Path(scratch)
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base, process, path="/")
            result = run_wrk(base, Page("hello", "/", {}), "", args.seconds, args.connections)
        finally:
            stop(process)
    loadgen.report(f"{case.name} hello-world", result)
    return result


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
    ten_years = (
        f"/financeiro?inicio={today.year - scale_data.YEARS + 1}-01-01&fim={today.year}-12-31"
    )
    start, end = today - timedelta(days=scale_data.COLLECTION_DAYS + 30), today + timedelta(days=30)
    more = [
        f"/coletas?inicio={start}&fim={end}&pagina={today - timedelta(days=d)}.2147483647"
        for d in range(5, scale_data.COLLECTION_DAYS, 5)
    ]
    return [
        Page("/inicio", "/inicio", {}),
        Page("/financeiro", "/financeiro", {}),
        Page("period change (htmx, 10 years)", ten_years, HX),
        Page("/coletas", "/coletas", {}),
        Page("Carregar mais (htmx)", more[0], HX, more),
        Page("/solicitar-coleta", "/solicitar-coleta", {}),
        Page("/solicitacoes", "/solicitacoes", {}),
    ]


def measure_portal(
    case: Case, args: argparse.Namespace, code: str, today: date
) -> dict[str, loadgen.Result]:
    port = free_port()
    env = _env(args, case.engine)
    target = "espaco.app:app_from_env"
    process = start(server_command(case, target, port, factory=True), env)
    results: dict[str, loadgen.Result] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base, process)
        cookie = login(base, code)
        for page in pages(today):
            results[page.name] = run_wrk(base, page, cookie, args.seconds, args.connections)
            loadgen.report(f"{case.name} {page.name}", results[page.name])
    finally:
        stop(process)
    return results


# -- report -------------------------------------------------------------------------------------
def tables(
    measured: dict[Case, tuple[loadgen.Result, dict[str, loadgen.Result]]], connections: int
) -> str:
    out = []
    for case, (hello, results) in measured.items():
        out += [
            "",
            f"**{case.name}** — hello-world {hello.rate:,.0f} req/s, p50 {hello.p50:.2f} ms,"
            f" p99 {hello.p99:.2f} ms ({connections} connections)",
            "",
            "| page | req/s | p50 ms | p99 ms | of hello-world | p99/p50 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, r in results.items():
            flag = "" if r.errors == 0 else f" ({r.errors} errors)"
            out.append(
                f"| {name}{flag} | {r.rate:,.0f} | {r.p50:.1f} | {r.p99:.1f} |"
                f" {r.rate / hello.rate:.0%} | {r.p99 / r.p50:.1f} |"
            )
    pairs = [
        (one, two)
        for one in measured
        for two in measured
        if one.workers == 1
        and two.workers == 2
        and (one.server, one.engine) == (two.server, two.engine)
    ]
    if pairs:
        out += ["", "2 workers / 1 worker, throughput (budget ≥ 1.6 on PostgreSQL):", ""]
        header = "| page | " + " | ".join(f"{one.engine} {one.server}" for one, _ in pairs) + " |"
        out += [header, "|---|" + "---:|" * len(pairs)]
        names = ["hello-world", *next(iter(measured.values()))[1]]
        for name in names:
            cells = []
            for one, two in pairs:
                a = measured[one][0] if name == "hello-world" else measured[one][1][name]
                b = measured[two][0] if name == "hello-world" else measured[two][1][name]
                cells.append(f"{b.rate / a.rate:.2f}")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk time per page and case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL cases only")
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
    measured = {}
    for case in cases:
        print(
            f"-- {case.name}, {args.connections} connections, {args.seconds:.0f} s a page",
            flush=True,
        )
        hello = measure_hello(case, args)
        measured[case] = (hello, measure_portal(case, args, code, today))
    print(tables(measured, args.connections))


if __name__ == "__main__":
    main()
