"""Coletas page speed: 1,000,000 collections in SQLite, a client with 20,000 of them.

Fills a fresh SQLite database with plain ``sqlite3`` (executemany, one transaction; the big
client also gets a CDF a month covering that month's MTRs), serves the
app with uvicorn in a subprocess, one worker, as ``espaco serve`` (bench/scale.py compares
uvicorn and granian), logs the big client in over HTTP,
then for a bounded time keeps 32 connections busy with

- the first page: ``GET /coletas`` (the default last 90 days, summary, chart, 50 rows, CDFs),
  whose summary is cached after the first view (see ``services.collections.summary``);
- the first page with a cold summary: a different period at every request (90 000 of them),
  so the summary is computed each time: what a client sees after an import;
- "Carregar mais": ``GET /coletas?…&pagina=CURSOR`` with ``HX-Request`` (50 rows), cycling
  through cursors spread over the client's whole history;
- a reference: ``GET /saude`` (one trivial query), so the figures can be read as a ratio.

and, served the same way in another subprocess, a Litestar hello-world, for the ratio. Prints
requests per second, p50, p99 and max for each. Budgets (issue 5): first page p99 ≤ 50 ms,
"Carregar mais" p99 ≤ 30 ms at 32 connections; each ≥ 10% of hello-world's throughput.

The 1-connection runs use httpx (the server's own time per request, cycling all the URLs);
the 32-connection runs use wrk when it is installed (see ``loadgen``: an httpx load generator
steals the CPU it measures), cycling the same URLs with a Lua script.

    python bench/coletas.py [--seconds 10] [--concurrency 32] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import loadgen
from loadgen import HELLO, env_for, migrate, percentile

from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.settings import Settings

TOTAL = 1_000_000
CLIENTS = 2_000
BIG = 20_000
BIG_CLIENT = 1
DOCUMENT = "11222333000181"
STATUSES = ["validated"] * 8 + ["done", "cancelled"]
SERVICES = ["Troca de caçamba 5 m³", "Coleta de resíduo classe II-A", "Coleta de óleo usado"]
WASTES = [("Resíduo de construção civil", "II-B"), ("Resíduo orgânico", "II-A"), ("Óleo", "I")]


def fill(path: Path, today: date) -> str:
    """The data set, written with plain sqlite3; returns the big client's access code."""
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    now = datetime.now(UTC).isoformat(sep=" ")
    code = new_access_code()
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO client (id, external_id, document, name, trade_name, active,"
        " access_code_hash, code_generated_at, session_epoch, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, '', 1, ?, ?, 0, ?, ?)",
        [
            (
                i,
                f"C{i}",
                DOCUMENT if i == BIG_CLIENT else f"{i:014d}",
                f"Cliente {i} Ltda",
                hash_secret(normalize_code(code)) if i == BIG_CLIENT else None,
                now if i == BIG_CLIENT else None,
                now,
                now,
            )
            for i in range(1, CLIENTS + 1)
        ],
    )
    # Two places each (the big client five), ids 1.. in client order.
    places: dict[int, list[int]] = {}
    rows = []
    for client in range(1, CLIENTS + 1):
        for _ in range(5 if client == BIG_CLIENT else 2):
            ident = len(rows) + 1
            places.setdefault(client, []).append(ident)
            rows.append((ident, client, f"L{ident}", f"Local {ident}", "Rua A", "1", "Centro"))
    con.executemany(
        "INSERT INTO location (id, client, external_id, label, street, number, complement,"
        " district, city, state, cep, active) VALUES (?, ?, ?, ?, ?, ?, '', ?, 'Campinas', 'SP',"
        " '13010050', 1)",
        rows,
    )
    sql = (
        "INSERT INTO collection (id, client, location, external_id, scheduled_on, performed_at,"
        " event_on, status, service, waste_description, waste_class, waste_ibama_code,"
        " quantity, unit, mtr_number, mtr_status, driver, vehicle_plate, received_by, notes,"
        " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, 'José',"
        " 'ABC1D23', 'Maria', '', '')"
    )
    span = 3 * 365  # the big client's 20,000 over three years: ~1,600 in the default 90 days
    batch: list[tuple] = []
    for ident in range(1, TOTAL + 1):
        client = BIG_CLIENT if ident <= BIG else rng.randint(2, CLIENTS)
        day = today - timedelta(days=rng.randint(-20, span))
        status = "scheduled" if day > today else rng.choice(STATUSES)
        waste, klass = rng.choice(WASTES)
        performed = None if status in ("scheduled", "cancelled") else f"{day} 12:30:00+00:00"
        batch.append(
            (
                ident, client, rng.choice(places[client]), f"COL-{ident:07d}", day.isoformat(),
                performed, day.isoformat(), status, rng.choice(SERVICES), waste, klass,
                "" if performed is None else rng.choice(["5", "2.35", "1200"]),
                "" if performed is None else rng.choice(["m3", "t", "kg"]),
                None if performed is None else f"2600{ident:08d}",
                None if performed is None else "Recebido",
            )
        )  # fmt: skip
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    # The big client's monthly CDFs, each covering the MTRs of its month (~450 each).
    months = con.execute(
        "SELECT substr(event_on, 1, 7) AS month, group_concat(mtr_number) FROM collection"
        " WHERE client = ? AND mtr_number IS NOT NULL GROUP BY month ORDER BY month",
        (BIG_CLIENT,),
    ).fetchall()
    for n, (month, numbers) in enumerate(months, 1):
        first = date.fromisoformat(month + "-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        con.execute(
            "INSERT INTO certificate (id, client, external_id, number, issued_on, period_start,"
            " period_end, receiver, pdf_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (n, BIG_CLIENT, f"CDF-{n}", f"{first.year}/{n:05d}", last.isoformat(),
             first.isoformat(), last.isoformat(), "Aterro Sanitário Regional Ltda"),
        )  # fmt: skip
        con.executemany(
            "INSERT INTO certificate_mtr (certificate, client, mtr_number) VALUES (?, ?, ?)",
            [(n, BIG_CLIENT, number) for number in numbers.split(",")],
        )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    return code


async def load(
    base: str, cookies: httpx.Cookies, urls: list[str], headers: dict, seconds: float, conc: int
) -> tuple[list[float], int]:
    """Keep ``conc`` connections busy for ``seconds``; latencies in ms and non-200 count."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(urls[i % len(urls)], headers=headers)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200
                i += conc

        await asyncio.gather(*(worker(n) for n in range(conc)))
    return latencies, errors


def report(name: str, ms: list[float], errors: int, seconds: float, budget: float | None) -> float:
    rate = len(ms) / seconds
    line = (
        f"{name:<22} {rate:8.0f} req/s   p50 {statistics.median(ms):7.2f} ms"
        f"   p99 {percentile(ms, 0.99):7.2f} ms   max {max(ms):7.2f} ms   errors {errors}"
    )
    if budget is not None:
        line += f"   (budget p99 ≤ {budget:.0f} ms)"
    print(line, flush=True)
    return rate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure_hello(port: int, seconds: float, concurrency: int) -> float:
    """A Litestar hello-world, served like the app, at ``concurrency``; its req/s."""
    hello_dir = Path(tempfile.mkdtemp(prefix="espaco-bench-hello-"))
    (hello_dir / "hello_app.py").write_text(HELLO)
    hello = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "uvicorn", "--app-dir", str(hello_dir), "hello_app:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    name = f"Litestar hello-world, {concurrency} conn"
    try:
        wait_for(base, hello, path="/")
        if loadgen.available():
            loadgen.wrk(base + "/", {}, 1.0, concurrency)  # warm-up
            return loadgen.report(name, loadgen.wrk(base + "/", {}, seconds, concurrency))
        asyncio.run(load(base, httpx.Cookies(), ["/"], {}, 1.0, concurrency))
        ms, errors = asyncio.run(load(base, httpx.Cookies(), ["/"], {}, seconds, concurrency))
        return report(name, ms, errors, seconds, None)
    finally:
        hello.terminate()
        hello.wait(timeout=30)
        shutil.rmtree(hello_dir, ignore_errors=True)


def wait_for(
    base: str, process: subprocess.Popen, timeout: float = 60, path: str = "/saude"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


# The "Carregar mais" link of a Coletas page (templates/macros/coletas.html).
MORE = re.compile(r'id="carregar-mais">\s*<tr><td [^>]*><a [^>]*href="([^"]+)"')


def login(base: str, code: str, today: date) -> tuple[httpx.Cookies, list[str]]:
    """Log in; return the cookies and "Carregar mais" URLs spread over the whole history."""
    with httpx.Client(base_url=base) as client:
        form = client.get("/entrar").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
        if token is None:
            raise SystemExit("no CSRF field on /entrar")
        response = client.post(
            "/entrar", data={"documento": DOCUMENT, "codigo": code, "_csrf_token": token[1]}
        )
        if response.status_code not in (200, 303):
            raise SystemExit(f"login failed: {response.status_code}")
        start, end = today - timedelta(days=3 * 365 + 30), today + timedelta(days=30)
        url: str | None = f"/coletas?inicio={start}&fim={end}"
        cursors: list[str] = []
        while url and len(cursors) < 400:
            page = client.get(url, headers={"HX-Request": "true"} if cursors else {}).text
            found = MORE.search(page)
            url = found[1].replace("&amp;", "&") if found else None
            if url:
                cursors.append(url)
        return client.cookies, cursors


def cold_urls(today: date, count: int = 90_000) -> list[str]:
    """First-page URLs whose periods (60 to 120 days, ending anywhere in the last three years)
    differ from one another, so that no request finds its summary in the cache."""
    seen: list[str] = []
    for i in range(count):
        end = today - timedelta(days=i % 1000)
        start = end - timedelta(days=59 + (i // 1000) % 61)
        seen.append(f"/coletas?inicio={start}&fim={end}")
    unique = list(dict.fromkeys(seen))
    random.Random(7).shuffle(unique)  # noqa: S311 - an order, not a secret
    return unique


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the data dir here")
    args = parser.parse_args()
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="espaco-bench-coletas-"))
    env = env_for(data_dir)
    code_file = data_dir / "bench-code"
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    try:
        if not code_file.is_file():
            data_dir.mkdir(parents=True, exist_ok=True)
            settings = Settings.from_env(env)
            asyncio.run(migrate(settings))
            started = time.perf_counter()
            code = fill(settings.sqlite_path, today)
            code_file.write_text(code)
            print(
                f"filled {TOTAL:,} collections ({CLIENTS:,} clients, {BIG:,} for the measured"
                f" one) in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        code = code_file.read_text()
        base = f"http://127.0.0.1:{args.port}"
        rates: dict[str, float] = {}  # at the last concurrency measured
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "uvicorn", "--factory", "espaco.app:app_from_env",
             "--host", "127.0.0.1", "--port", str(args.port), "--log-level", "warning",
             "--no-access-log"],
            env={**os.environ, **env},
        )  # fmt: skip
        try:
            wait_for(base, server)
            cookies, more_urls = login(base, code, today)
            print(f"{len(more_urls)} 'Carregar mais' cursors across the history", flush=True)
            hx = {"HX-Request": "true"}
            if not more_urls:
                raise SystemExit(
                    "/coletas shows no 'Carregar mais': has the page's markup changed?"
                )
            runs = [
                ("/saude (reference)", ["/saude"], {}, None),
                ("first page /coletas", ["/coletas"], {}, 50.0),
                ("first page, cold summary", cold_urls(today), {}, 50.0),
                ("Carregar mais", more_urls, hx, 30.0),
            ]
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            # One connection shows the server's own time per request; 32 the budgeted load
            # (where, by Little's law, latency ≈ 32 / throughput).
            for concurrency in (1, args.concurrency):
                print(f"-- {concurrency} connection(s), {args.seconds:.0f} s each", flush=True)
                for name, urls, headers, budget in runs:
                    if concurrency > 1 and loadgen.available():
                        url, wrk_headers = base + urls[0], {**headers, "Cookie": cookie}
                        paths = urls if len(urls) > 1 else None
                        # The warm-up walks the URLs from the far end of the list.
                        warm = paths[::-1] if paths else None
                        loadgen.wrk(url, wrk_headers, 1.0, concurrency, warm)
                        result = loadgen.wrk(url, wrk_headers, args.seconds, concurrency, paths)
                        rates[name] = loadgen.report(
                            f"{name} (p99 budget {budget:.0f} ms)" if budget else name, result
                        )
                        continue
                    # A short warm-up, then the measured run.
                    asyncio.run(load(base, cookies, urls, headers, 1.0, concurrency))
                    ms, errors = asyncio.run(
                        load(base, cookies, urls, headers, args.seconds, concurrency)
                    )
                    rates[name] = report(
                        name, ms, errors, args.seconds, budget if concurrency > 1 else None
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
        # A free port: port + 1 is bench/financeiro.py's default app port.
        hello_rate = measure_hello(free_port(), args.seconds, args.concurrency)
        for name, rate in rates.items():
            print(f"{name}: {rate / hello_rate:.1%} of hello-world's throughput (budget ≥ 10%)")
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
