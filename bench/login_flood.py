"""The portal under a flood of wrong logins from one address: do `/saude` and a logged-in page
keep answering? (DESIGN.md: p99 under attack within 3x quiet p99.)

Serves the portal with uvicorn in a subprocess (1 worker, SQLite in a fresh temporary data
dir, as ``espaco serve`` would), logs a client in, then:

1. quiet: for ``--seconds`` a probe asks for ``/saude`` and for ``/inicio`` (logged in) one
   after the other, with ``--gap`` ms between probes, on two keep-alive connections;
2. attack: the same probe while another process keeps ``--connections`` connections from
   127.0.0.1 busy with wrong logins, half ``POST /entrar`` (wrong codes for the client's
   document), half ``POST /admin/entrar`` (wrong passwords for the admin), each sent as soon as
   the previous answer came back (a closed loop: the heaviest load one address can make);
   meanwhile the client logs in again from its known device.

The two phases alternate ``--rounds`` times (this machine's speed drifts within minutes).
Prints p50/p99/max of each probe in each phase, the ratios attack/quiet of the p99s, the
flood's answers by status, and how many argon2 checks the flood cost (its failed-login audit
events: a refused attempt is checked by nothing). Loopback only; stops by itself after
2 x ``--rounds`` x ``--seconds`` plus start-up; every count is bounded.

    PYTHONPATH=src python bench/login_flood.py [--seconds 8] [--connections 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from loadgen import env_for, migrate, percentile

from espaco.db import database
from espaco.services.access import login
from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.services.access.staff import create_staff
from espaco.settings import Settings
from espaco.tables import Client

DOCUMENT = "11222333000181"
ADMIN = "ana"
PASSWORD = "senha-forte-da-equipe"  # noqa: S105 - the bench's own throwaway user
MAX_CONNECTIONS = 256
MAX_SECONDS = 60


async def fill(settings: Settings) -> str:
    """One client (returns its access code) and one master user."""
    await migrate(settings)
    engine = database.configure(settings)
    await database.start(engine)
    try:
        code = new_access_code()
        now = datetime.now(UTC)
        await Client.insert(
            Client(
                external_id="C1",
                document=DOCUMENT,
                name="Padaria Pão Quente Ltda",
                trade_name="Pão Quente",
                access_code_hash=hash_secret(normalize_code(code)),
                code_generated_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        check(await create_staff(ADMIN, PASSWORD, "master", now=now) is None, "no staff user")
        return code
    finally:
        await database.stop(engine)


def check(ok: bool, message: str) -> None:
    if not ok:
        raise SystemExit(f"bench failed: {message}")


# -- raw HTTP/1.1 over keep-alive sockets: the load generator must cost less than the server ---
class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        """Send one request, read its whole answer; the status code (0: connection lost)."""
        for _ in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(raw)
                head = await self.reader.readuntil(b"\r\n\r\n")  # type: ignore[union-attr]
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                await self.reader.readexactly(int(length[1]) if length else 0)  # type: ignore[union-attr]
                if re.search(rb"(?i)\r\nconnection:\s*close", head):
                    self.close()
                return int(head[9:12])
            except (OSError, asyncio.IncompleteReadError):
                self.close()
        return 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def get(path: str, port: int, cookie: str = "") -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()


def post(path: str, port: int, cookie: str, body: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def form_token(base: str, path: str) -> tuple[str, str]:
    """(CSRF cookie header, token) for posting the form at ``path``."""
    with httpx.Client(base_url=base) as client:
        page = client.get(path)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        check(token is not None, f"no CSRF field on {path}")
        return f"espaco_csrf={client.cookies['espaco_csrf']}", token[1]


# -- the flood, in its own process -------------------------------------------------------------
def flood(port: int, connections: int, seconds: float, results: multiprocessing.Queue) -> None:
    base = f"http://127.0.0.1:{port}"
    client_cookie, client_token = form_token(base, "/entrar")
    staff_cookie, staff_token = form_token(base, "/admin/entrar")
    requests = [
        post(
            "/entrar",
            port,
            client_cookie,
            f"documento={DOCUMENT}&codigo=WRONG-{i:04d}&_csrf_token={client_token}",
        )
        if i % 2 == 0
        else post(
            "/admin/entrar",
            port,
            staff_cookie,
            f"usuario={ADMIN}&senha=errada-{i:04d}&_csrf_token={staff_token}",
        )
        for i in range(connections)
    ]

    async def run() -> Counter[tuple[str, int]]:
        answers: Counter[tuple[str, int]] = Counter()
        deadline = time.perf_counter() + seconds

        async def one(raw: bytes) -> None:
            kind = "staff" if raw.startswith(b"POST /admin") else "client"
            connection = Connection(port)
            while time.perf_counter() < deadline:
                answers[(kind, await connection.request(raw))] += 1
            connection.close()

        await asyncio.gather(*(one(raw) for raw in requests))
        return answers

    results.put(dict(asyncio.run(run())))


# -- the probe ---------------------------------------------------------------------------------
async def probe(port: int, session: str, seconds: float, gap: float) -> dict[str, list[float]]:
    health, page = Connection(port), Connection(port)
    timings: dict[str, list[float]] = {"/saude": [], "/inicio": []}
    raw = {"/saude": get("/saude", port), "/inicio": get("/inicio", port, session)}
    connections = {"/saude": health, "/inicio": page}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for path in ("/saude", "/inicio"):
            start = time.perf_counter()
            status = await connections[path].request(raw[path])
            timings[path].append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        await asyncio.sleep(gap / 1000)
    health.close()
    page.close()
    return timings


def owner_login(base: str, code: str, device: str) -> tuple[int, float, str]:
    """The client logs in from its known device: (status, milliseconds, session cookie)."""
    with httpx.Client(base_url=base, cookies={"espaco_dispositivo": device}) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/entrar").text)
        check(token is not None, "no CSRF field on /entrar")
        start = time.perf_counter()
        response = client.post(
            "/entrar", data={"documento": DOCUMENT, "codigo": code, "_csrf_token": token[1]}
        )
        elapsed = (time.perf_counter() - start) * 1000
        return response.status_code, elapsed, client.cookies.get("espaco_sessao", "")


def line(name: str, ms: list[float]) -> str:
    return (
        f"{name:<22} n={len(ms):<5} p50 {statistics.median(ms):7.2f} ms"
        f"   p99 {percentile(ms, 0.99):8.2f} ms   max {max(ms):8.2f} ms"
    )


def checks(path: Path) -> Counter[str]:
    with sqlite3.connect(path) as con:
        rows = con.execute(
            "SELECT action, COUNT(*) FROM audit_event WHERE action LIKE '%login%' GROUP BY action"
        ).fetchall()
    return Counter(dict(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--gap", type=float, default=10, help="ms between probes")
    parser.add_argument("--rounds", type=int, default=2, help="quiet/attack rounds (≤ 5)")
    parser.add_argument("--port", type=int, default=8771)
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    connections = max(2, min(args.connections, MAX_CONNECTIONS))
    rounds = max(1, min(args.rounds, 5))
    data_dir = Path(tempfile.mkdtemp(prefix="espaco-bench-flood-"))
    env = env_for(data_dir)
    base = f"http://127.0.0.1:{args.port}"
    server = None
    try:
        settings = Settings.from_env(env)
        code = asyncio.run(fill(settings))
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "uvicorn", "--factory", "espaco.app:app_from_env",
             "--host", "127.0.0.1", "--port", str(args.port), "--workers", "1",
             "--log-level", "warning", "--no-access-log"],
            env={**os.environ, **env},
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            try:
                if httpx.get(base + "/saude", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        device = login.device_token(settings.secret_key, DOCUMENT)
        status, _, raw = owner_login(base, code, device)
        check(status == 303 and bool(raw), f"the client's login answered {status}")
        session = f"espaco_sessao={raw}"
        asyncio.run(probe(args.port, session, 1.0, args.gap))  # warm-up
        before = checks(settings.sqlite_path)

        quiet: dict[str, list[float]] = {"/saude": [], "/inicio": []}
        attack: dict[str, list[float]] = {"/saude": [], "/inicio": []}
        answers: Counter[tuple[str, int]] = Counter()
        ratios: list[dict[str, float]] = []
        quiet_owner: list[float] = []
        owner: list[tuple[int, float]] = []
        spawn = multiprocessing.get_context("spawn")
        # Quiet and attack phases alternate: this machine's speed drifts within minutes.
        for _ in range(rounds):
            calm = asyncio.run(probe(args.port, session, seconds, args.gap))
            quiet_owner.append(owner_login(base, code, device)[1])
            results: multiprocessing.Queue = spawn.Queue()
            attacker = spawn.Process(
                target=flood, args=(args.port, connections, seconds + 1.0, results)
            )
            attacker.start()
            time.sleep(1.0)  # the attacker's set-up, then the probe runs inside the flood
            owner.append(owner_login(base, code, device)[:2])
            hit = asyncio.run(probe(args.port, session, seconds - 1.5, args.gap))
            answers.update(results.get(timeout=MAX_SECONDS))
            attacker.join(timeout=30)
            for path in quiet:
                quiet[path] += calm[path]
                attack[path] += hit[path]
            ratios.append({p: percentile(hit[p], 0.99) / percentile(calm[p], 0.99) for p in quiet})
        after = checks(settings.sqlite_path)

        print(f"portal: uvicorn, 1 worker, SQLite; flood: {connections} connections from"
              f" 127.0.0.1, closed loop; {rounds} rounds of {seconds:.0f} s quiet then"
              f" {seconds:.0f} s of flood", flush=True)  # fmt: skip
        for path in ("/saude", "/inicio"):
            print(line(f"{path} quiet", quiet[path]))
            print(line(f"{path} under attack", attack[path]))
        for path in ("/saude", "/inicio"):
            ratio = percentile(attack[path], 0.99) / percentile(quiet[path], 0.99)
            each = ", ".join(f"{r[path]:.2f}" for r in ratios)
            print(f"{path}: p99 under attack / quiet p99 = {ratio:.2f} (budget 3);"
                  f" round by round {each}")  # fmt: skip
        seconds *= rounds
        total = sum(answers.values())
        print(f"flood answers: {total} in {seconds:.0f} s ({total / seconds:.0f}/s): "
              + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(answers.items())))  # fmt: skip
        failed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        print(f"argon2 checks the flood cost (failed-login audit events): "
              f"{failed.get('login_failed', 0)} client, "
              f"{failed.get('staff_login_failed', 0)} staff; all events: {failed}")  # fmt: skip
        during = ", ".join(f"{status} in {ms:.0f} ms" for status, ms in owner)
        print(f"the client logging in from its known device: quiet {min(quiet_owner):.0f}"
              f"-{max(quiet_owner):.0f} ms; during the flood {during}")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
