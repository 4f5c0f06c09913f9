"""Financeiro page speed: 2,000 clients and 100,000 invoices in SQLite, one client with ten years
of monthly invoices (each with its NFS-e and boleto).

Fills a fresh SQLite database with plain ``sqlite3`` (executemany, one transaction), serves the
app with uvicorn in a subprocess, one worker, as ``espaco serve`` (bench/scale.py compares
uvicorn and granian), logs that client in over HTTP, then
for a bounded time keeps 32 connections busy with

- ``GET /financeiro`` (this year: four cards, chart, closures);
- the htmx period change ``GET /financeiro?inicio=…&fim=…`` with ``HX-Request``
  (five years, the longest allowed);

and, served the same way in another subprocess, a Litestar hello-world, for the ratio. Prints
requests per second, p50, p99 and max, and the gzip size of the htmx period-change response.
Budgets (issue 4): p99 ≤ 50 ms; the htmx response ≤ 8 KB compressed.

    python bench/financeiro.py [--seconds 10] [--concurrency 32] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import loadgen
from loadgen import HELLO, env_for, migrate, percentile

from espaco.domain.boleto import barcode_to_line, build_barcode
from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.settings import Settings

CLIENTS = 2_000
INVOICES = 100_000
YEARS = 10
BIG_CLIENT = 1
DOCUMENT = "11222333000181"


def fill(path: Path, today: date) -> str:
    """Write the data set; return the measured client's access code."""
    code = new_access_code()
    now = datetime.now(UTC).isoformat(sep=" ")
    rng = random.Random(4)  # noqa: S311 - test data, not secrets
    con = sqlite3.connect(path)
    con.execute("BEGIN")
    clients = [(1, "C1", DOCUMENT, "Padaria Pão Quente Ltda", hash_secret(normalize_code(code)))]
    clients += [(i, f"C{i}", f"{i:014d}", f"Cliente {i}", None) for i in range(2, CLIENTS + 1)]
    con.executemany(
        "INSERT INTO client (id, external_id, document, name, trade_name, active, session_epoch,"
        " access_code_hash, created_at, updated_at) VALUES (?, ?, ?, ?, '', 1, 0, ?, ?, ?)",
        [(*c[:4], c[4], now, now) for c in clients],
    )
    invoices, fiscal, boletos = [], [], []
    months = YEARS * 12
    first_year = today.year - YEARS + 1
    for n in range(1, INVOICES + 1):
        client = BIG_CLIENT if n <= months else rng.randint(2, CLIENTS)
        m = (n - 1) % months
        year, month = first_year + m // 12, m % 12 + 1
        start = date(year, month, 1)
        due = date(year, month, 10)
        cents = rng.randint(30_000, 2_500_000)
        if due >= today:
            status, paid = "open", None
        else:
            status = rng.choice(["paid"] * 8 + ["open", "cancelled"])
            paid = due.isoformat() if status == "paid" else None
        invoices.append((n, client, f"F{n}", start.isoformat(), start.isoformat(),
                         start.isoformat(), due.isoformat(), cents, status, paid, now))  # fmt: skip
        fiscal.append((n, n, client, "nfse", str(n), "1", f"{n:050d}", now, cents, "[]"))
        barcode = build_barcode("001", due, cents, f"{n:025d}")
        boletos.append((n, "001", "Banco do Brasil", barcode, barcode_to_line(barcode)))
    con.executemany(
        "INSERT INTO invoice (id, client, external_id, reference_start, reference_end, issued_on,"
        " due_on, amount_cents, status, paid_on, description, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
        invoices,
    )
    con.executemany(
        "INSERT INTO fiscal_document (invoice, id, client, kind, number, series, access_key,"
        " issued_at, amount_cents, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fiscal,
    )
    con.executemany(
        "INSERT INTO boleto (invoice, bank_code, bank_name, barcode, digitable_line)"
        " VALUES (?, ?, ?, ?, ?)",
        boletos,
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return code


def check(ok: bool, message: object) -> None:
    if not ok:
        raise SystemExit(f"bench failed: {message}")


async def load(
    base: str, cookies: httpx.Cookies, url: str, headers: dict, seconds: float, conc: int
) -> tuple[list[float], int]:
    """Keep ``conc`` connections busy for ``seconds``; latencies in ms and non-200 count."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200

        await asyncio.gather(*(worker() for _ in range(conc)))
    return latencies, errors


def report(name: str, ms: list[float], errors: int, seconds: float) -> float:
    rate = len(ms) / seconds
    print(
        f"{name:<40} {rate:8.0f} req/s   p50 {statistics.median(ms):7.2f} ms"
        f"   p99 {percentile(ms, 0.99):7.2f} ms   max {max(ms):7.2f} ms   errors {errors}",
        flush=True,
    )
    return rate


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env},
    )  # fmt: skip


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def login(base: str, code: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/entrar").text)
        check(token is not None, "no CSRF field on /entrar")
        response = client.post(
            "/entrar", data={"documento": DOCUMENT, "codigo": code, "_csrf_token": token[1]}
        )
        check(response.status_code in (200, 303), response.status_code)
        check(client.get("/financeiro").status_code == 200, "/financeiro did not answer 200")
        return client.cookies


def fragment_size(base: str, cookies: httpx.Cookies, url: str) -> tuple[int, int]:
    """(gzip bytes on the wire, bytes decoded) of the htmx response."""
    headers = {"HX-Request": "true", "Accept-Encoding": "gzip"}
    with (
        httpx.Client(base_url=base, cookies=cookies) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        check(response.headers.get("content-encoding") == "gzip", "the response is not gzipped")
        wire = sum(len(chunk) for chunk in response.iter_raw())
    with httpx.Client(base_url=base, cookies=cookies) as client:
        decoded = len(client.get(url, headers=headers).content)
    return wire, decoded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the data dir here")
    args = parser.parse_args()
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="espaco-bench-financeiro-"))
    env = env_for(data_dir)
    code_file = data_dir / "bench-code"
    today = date.today()  # noqa: DTZ011 - only to place the data around now
    try:
        if not code_file.is_file():
            data_dir.mkdir(parents=True, exist_ok=True)
            settings = Settings.from_env(env)
            asyncio.run(migrate(settings))
            started = time.perf_counter()
            code_file.write_text(fill(settings.sqlite_path, today))
            print(f"filled {CLIENTS:,} clients, {INVOICES:,} invoices (with NFS-e and boleto)"
                  f" in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        code = code_file.read_text()
        base = f"http://127.0.0.1:{args.port}"
        # The longest period a client may ask for (domain/periods: five years).
        five_years = f"/financeiro?inicio={today.year - 4}-01-01&fim={today.year}-12-31"
        rates: dict[str, float] = {}
        server = serve(["--factory", "espaco.app:app_from_env"], env, args.port)
        try:
            wait_for(base + "/saude", server)
            cookies = login(base, code)
            runs = [
                ("/financeiro (this year)", "/financeiro", {}),
                ("htmx period change (5 years)", five_years, {"HX-Request": "true"}),
            ]
            for name, url, headers in runs:
                asyncio.run(load(base, cookies, url, headers, 1.0, args.concurrency))  # warm-up
                ms, errors = asyncio.run(load(base, cookies, url, headers, 3.0, 1))
                report(f"{name}, 1 conn", ms, errors, 3.0)
                if loadgen.available():
                    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
                    result = loadgen.wrk(base + url, {**headers, "Cookie": cookie},
                                         args.seconds, args.concurrency)  # fmt: skip
                    rates[name] = loadgen.report(f"{name}, {args.concurrency} conn", result)
                    continue
                ms, errors = asyncio.run(
                    load(base, cookies, url, headers, args.seconds, args.concurrency)
                )
                rates[name] = report(f"{name}, {args.concurrency} conn", ms, errors, args.seconds)
            wire, decoded = fragment_size(base, cookies, five_years)
            print(f"htmx period-change response: {wire:,} B gzip ({decoded:,} B decoded);"
                  " budget 8,192 B", flush=True)  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
        hello_dir = Path(tempfile.mkdtemp(prefix="espaco-bench-hello-"))
        (hello_dir / "hello_app.py").write_text(HELLO)
        hello = serve(["--app-dir", str(hello_dir), "hello_app:app"], {}, args.port + 1)
        try:
            hello_base = f"http://127.0.0.1:{args.port + 1}"
            wait_for(hello_base + "/", hello)
            asyncio.run(load(hello_base, httpx.Cookies(), "/", {}, 1.0, args.concurrency))
            if loadgen.available():
                result = loadgen.wrk(hello_base + "/", {}, args.seconds, args.concurrency)
                hello_rate = loadgen.report(
                    f"Litestar hello-world, {args.concurrency} conn", result
                )
            else:
                ms, errors = asyncio.run(
                    load(hello_base, httpx.Cookies(), "/", {}, args.seconds, args.concurrency)
                )
                hello_rate = report(
                    f"Litestar hello-world, {args.concurrency} conn", ms, errors, args.seconds
                )
        finally:
            hello.terminate()
            hello.wait(timeout=30)
            shutil.rmtree(hello_dir, ignore_errors=True)
        for name, rate in rates.items():
            print(f"{name}: {rate / hello_rate:.1%} of hello-world's throughput (budget ≥ 10%)")
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
