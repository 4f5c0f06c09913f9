"""Import speed: a file of 100,000 collections (no photos) imported twice into a fresh database.

Budget (DESIGN.md): ≥ 5,000 collections a second from a file. The second run must find every
record unchanged. Prints collections/second for both runs and the peak resident memory.

    python bench/import_speed.py [--collections 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from espaco.db import database
from espaco.domain.documents import cnpj_check_digits, cpf_check_digits, format_cnpj, format_cpf
from espaco.services.imports import import_file
from espaco.settings import Settings

CLIENTS = 200
LOCATIONS_PER_CLIENT = 3
SERVICES = ("Troca de caçamba 5 m³", "Coleta de resíduo de saúde", "Coleta de recicláveis")


def build(path: Path, collections: int, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    clients = []
    for n in range(CLIENTS):
        base = f"{n + 10_000_000:08d}0001"
        clients.append(
            {
                "external_id": f"CLI-{n:05d}",
                "document": format_cnpj(base + cnpj_check_digits(base)),
                "name": f"Cliente {n} Ltda",
                "trade_name": f"Cliente {n}",
                "access_emails": [f"compras{n}@cliente.com.br"],
                "invoice_emails": [f"financeiro{n}@cliente.com.br"],
                "active": True,
                "locations": [
                    {
                        "external_id": f"LOC-{n:05d}-{k}",
                        "label": f"Unidade {k}",
                        "street": "Rua das Flores",
                        "number": str(100 + k),
                        "district": "Centro",
                        "city": "Campinas",
                        "state": "SP",
                        "cep": "13010-050",
                    }
                    for k in range(LOCATIONS_PER_CLIENT)
                ],
            }
        )
    cpfs = []
    for n in range(50):
        first9 = f"{100_000_000 + n * 7919:09d}"
        cpfs.append(format_cpf(first9 + cpf_check_digits(first9)))
    start = date(2026, 1, 1)
    rows = []
    for n in range(collections):
        client = rng.randrange(CLIENTS)
        day = start + timedelta(days=rng.randrange(300))
        done = rng.random() < 0.9
        rows.append(
            {
                "external_id": f"COL-{n:07d}",
                "client": f"CLI-{client:05d}",
                "location": f"LOC-{client:05d}-{rng.randrange(LOCATIONS_PER_CLIENT)}",
                "request": None,
                "scheduled_on": day.isoformat(),
                "performed_at": f"{day.isoformat()}T{rng.randint(7, 17):02d}:15:00-03:00"
                if done
                else None,
                "status": "validated" if done else "scheduled",
                "service": rng.choice(SERVICES),
                "waste": {
                    "description": "Resíduo de construção civil",
                    "class": "II-B",
                    "ibama_code": "17 09 04",
                },
                "quantity": f"{rng.randint(1, 50)}.{rng.randint(0, 99):02d}",
                "unit": "m3",
                "mtr_number": f"26{n:010d}" if done else None,
                "mtr_status": "Recebido" if done else None,
                "driver": "José da Silva",
                "vehicle_plate": "ABC1D23",
                "received_by": "Maria Souza" if done else None,
                "notes": "",
                "photos": [],
                "signature": None,
                "received_by_cpf": rng.choice(cpfs) if done else None,
                "refusal": None,
            }
        )
    document = {"format": "espaco-import/1", "clients": clients, "collections": rows}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(collections: int, database_url: str) -> int:
    with tempfile.TemporaryDirectory(prefix="espaco-bench-") as tmp:
        root = Path(tmp)
        source = root / "espaco-import.json"
        started = time.perf_counter()
        # In a child process, so that the peak RSS printed below is the import's alone.
        child = multiprocessing.get_context("spawn").Process(
            target=build, args=(source, collections)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            return 1
        size_mb = source.stat().st_size / 1e6
        print(f"file: {collections:,} collections, {size_mb:.1f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")  # fmt: skip
        print(f"peak RSS before importing: {peak_rss_mb():.0f} MB")
        env = {
            "ESPACO_DATA_DIR": str(root / "data"),
            "ESPACO_SECRET_KEY": secrets.token_urlsafe(48),
        }
        if database_url:
            env["ESPACO_DATABASE_URL"] = database_url
        settings = Settings.from_env(env)
        engine = database.configure(settings)
        await database.start(engine)
        if database_url.startswith("postgres"):
            await engine.run_ddl("DROP SCHEMA public CASCADE")
            await engine.run_ddl("CREATE SCHEMA public")
        await database.migrate()
        failures = 0
        try:
            for attempt in ("first (all new)", "second (all unchanged)"):
                started = time.perf_counter()
                result = await import_file(source, settings, now=datetime.now(UTC))
                elapsed = time.perf_counter() - started
                if not result.ok:
                    print("refused:", result.problems[:5])
                    return 1
                counts = result.counts["collections"]
                print(
                    f"{attempt}: {elapsed:.2f} s, {collections / elapsed:,.0f} collections/s "
                    f"(created {counts.created}, updated {counts.updated}, "
                    f"unchanged {counts.unchanged}); peak RSS {peak_rss_mb():.0f} MB"
                )
                if attempt.startswith("second") and counts.unchanged != collections:
                    failures += 1
                if collections / elapsed < 5000:
                    failures += 1
        finally:
            await database.stop(engine)
        print("budget: ≥ 5,000 collections/s;", "met" if not failures else "NOT met")
        return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="default: SQLite in a temp dir; a PostgreSQL database is emptied first",
    )
    args = parser.parse_args()
    return asyncio.run(run(args.collections, args.database_url))


if __name__ == "__main__":
    sys.exit(main())
