"""The server's own time per Coletas request, in process: raw ASGI calls, no HTTP, no client.

Uses the data dir that ``bench/coletas.py --keep DIR`` filled (it must exist). On these shared
machines wall time drifts ±30% within minutes, so kinds are measured in interleaved rounds and
the best round of each is printed; compare two versions in the same minute. ``--cpu`` times
the process's CPU instead of the wall clock (steadier while other jobs share the cores).
``--profile`` prints a cProfile of the last kind instead (sorted by ``tottime``).

    PYTHONPATH=bench python bench/inprocess.py --data /tmp/colbench first cold more saude
    PYTHONPATH=bench python bench/inprocess.py --data /tmp/colbench --profile more

Kinds: ``first`` (the default /coletas), ``cold`` (a new 60-120-day period each request),
``more`` ("Carregar mais" across the history, htmx), ``financeiro`` (the default /financeiro),
``periodo`` (its htmx period change to five years), ``saude`` (the trivial health check).
With ``ESPACO_DATABASE_URL`` set (e.g. to bench/scale.py's ``bench_scale``, with that run's
``bench-code`` copied into ``--data``), the same runs on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from coletas import DOCUMENT, MORE, cold_urls
from loadgen import asgi_get, env_for


async def run(
    data_dir: Path, kinds: list[str], requests: int, rounds: int, profile: bool, cpu: bool
) -> None:
    clock = time.process_time if cpu else time.perf_counter
    os.environ.update(env_for(data_dir))
    from espaco.app import app_from_env  # after the environment names the data dir

    app = app_from_env()
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = (await client.get("/entrar")).text
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
            if token is None:
                raise SystemExit("no CSRF field on /entrar")
            code = (data_dir / "bench-code").read_text()
            data = {"documento": DOCUMENT, "codigo": code, "_csrf_token": token[1]}
            response = await client.post("/entrar", data=data)
            if response.status_code not in (200, 303):
                raise SystemExit(f"login failed: {response.status_code}")
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            start, end = today - timedelta(days=3 * 365 + 30), today + timedelta(days=30)
            url: str | None = f"/coletas?inicio={start}&fim={end}"
            more: list[str] = []
            while url and len(more) < 100:
                page = await client.get(url, headers={"HX-Request": "true"} if more else {})
                found = MORE.search(page.text)
                url = found[1].replace("&amp;", "&") if found else None
                if url:
                    more.append(url)

        async def call(path: str, htmx: bool) -> None:
            headers = [(b"host", b"bench"), (b"cookie", cookie.encode())]
            headers.append((b"accept-encoding", b"gzip"))
            if htmx:
                headers.append((b"hx-request", b"true"))
            statuses = await asgi_get(app, path, headers)
            if statuses != [200]:
                raise SystemExit(f"{path}: {statuses}")

        cold = cold_urls(today, 5000)
        five_years = f"/financeiro?inicio={today.year - 4}-01-01&fim={today.year}-12-31"
        urls = {
            "first": (["/coletas"], False),
            "financeiro": (["/financeiro"], False),
            "periodo": ([five_years], True),
            "cold": (cold, False),
            "more": (more, True),
            "saude": (["/saude"], False),
        }
        best: dict[str, float] = {}
        per_round = max(1, requests // rounds)
        for n in range(rounds):
            for kind in kinds:
                paths, htmx = urls[kind]
                if n == 0:
                    for path in paths[:50]:  # warm-up
                        await call(path, htmx)
                profiler = cProfile.Profile() if profile and kind == kinds[-1] else None
                started = clock()
                if profiler:
                    profiler.enable()
                for i in range(per_round):
                    await call(paths[(50 + n * per_round + i) % len(paths)], htmx)
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
                elapsed = (clock() - started) / per_round * 1000
                best[kind] = min(best.get(kind, elapsed), elapsed)
    for kind in kinds:
        print(f"{kind:6} {best[kind]:.3f} ms a request (best of {rounds} rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kinds = ["first", "cold", "more", "financeiro", "periodo", "saude"]
    parser.add_argument("kinds", nargs="+", choices=kinds)
    parser.add_argument("--data", type=Path, required=True, help="bench/coletas.py's --keep dir")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="process CPU time, not wall time")
    args = parser.parse_args()
    if not (args.data / "bench-code").is_file():
        raise SystemExit(f"{args.data}: run bench/coletas.py --keep {args.data} first")
    rounds = 1 if args.profile else args.rounds
    asyncio.run(run(args.data, args.kinds, args.requests, rounds, args.profile, args.cpu))


if __name__ == "__main__":
    main()
