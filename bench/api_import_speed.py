"""Import speed through the ERP API: the same 100,000-collection document as
``import_speed.py``, POSTed to ``/api/v1/import`` (in-process ASGI, no network) twice.

Prints collections/second for both requests and the peak resident memory; the body is parsed by
Litestar (msgspec) instead of ``json.loads``, and the raw body is kept for the Idempotency-Key.

    python bench/api_import_speed.py [--collections 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from import_speed import build, peak_rss_mb

from espaco.app import create_app
from espaco.services.access import api_tokens
from espaco.settings import Settings


async def run(collections: int, database_url: str) -> int:
    with tempfile.TemporaryDirectory(prefix="espaco-bench-api-") as tmp:
        root = Path(tmp)
        source = root / "espaco-import.json"
        child = multiprocessing.get_context("spawn").Process(
            target=build, args=(source, collections)
        )
        child.start()
        child.join()
        body = source.read_bytes()
        print(f"body: {collections:,} collections, {len(body) / 1e6:.1f} MB")
        env = {
            "ESPACO_DATA_DIR": str(root / "data"),
            "ESPACO_SECRET_KEY": secrets.token_urlsafe(48),
            "ESPACO_MAX_BODY_MB": "128",
        }
        if database_url:
            env["ESPACO_DATABASE_URL"] = database_url
        app = create_app(Settings.from_env(env))
        failures = 0
        async with app.lifespan():
            token = await api_tokens.create_token(
                "bench", ("import",), created_by=None, now=datetime.now(UTC)
            )
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=600
            ) as client:
                for attempt in ("first (all new)", "second (all unchanged)"):
                    started = time.perf_counter()
                    response = await client.post("/api/v1/import", content=body, headers=headers)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        print("refused:", response.status_code, response.text[:500])
                        return 1
                    counts = response.json()["counts"]["collections"]
                    print(
                        f"{attempt}: {elapsed:.2f} s, {collections / elapsed:,.0f} collections/s "
                        f"({counts}); peak RSS {peak_rss_mb():.0f} MB"
                    )
                    failures += collections / elapsed < 5000
        print("budget: ≥ 5,000 collections/s;", "met" if not failures else "NOT met")
        return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    return asyncio.run(run(args.collections, args.database_url))


if __name__ == "__main__":
    sys.exit(main())
