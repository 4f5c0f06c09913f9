"""Relatório de resíduos and Dossiê de fiscalização speed.

A fresh SQLite database (or ``--database-url``) with one client holding 20,000 collections over
two years (five wastes, three units, 85 % with an MTR, CDFs for half of those), imported through
the importer. Then, in process:

- the report (``services.collections.waste_report.report``) for a DMR quarter, a semester, a year
  and the whole two years, best of ``--rounds``; beside it, in the same run, a plain read of the
  same rows (``database.fetch`` of the report's columns, nothing done with them): the ratio is what
  the report adds to the floor, and carries across machines;
- the dossier's ZIP stream (``services.collections.dossier.stream``) over ``--files`` stored PDFs of
  ``--file-kb`` each, and over the tickets of one quarter rendered cold then from the ticket
  cache: MB/s, and the peak of Python allocations (tracemalloc) and of resident memory.

    PYTHONPATH=src python bench/compliance.py [--collections 20000] [--files 400] [--file-kb 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from espaco.db import database
from espaco.domain.dmr import dmr_period
from espaco.domain.periods import Period
from espaco.services.collections.dossier import Entry, Plan, plan, stream
from espaco.services.collections.pendencias import pendencias
from espaco.services.collections.waste_report import report
from espaco.services.imports import import_document
from espaco.settings import Settings
from espaco.tables import Client

WASTES = [
    ({"description": "Resíduo de construção civil", "class": "II-B", "ibama_code": "17 09 04",
      "physical_state": "sólido"}, "m3"),
    ({"description": "Óleo lubrificante usado", "class": "I", "ibama_code": "13 02 05*",
      "physical_state": "líquido"}, "L"),
    ({"description": "Resíduos urbanos misturados", "class": "II-A", "ibama_code": "20 03 01",
      "physical_state": "sólido"}, "kg"),
    ({"description": "Embalagens de papel e plástico", "class": "II-A", "ibama_code": "15 01 06",
      "physical_state": "sólido"}, "kg"),
    ({"description": "Resíduo infectante (Grupo A)", "class": "I", "ibama_code": "18 01 03*",
      "physical_state": "sólido"}, "kg"),
]  # fmt: skip
FIRST = date(2025, 1, 1)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def document(count: int, seed: int = 11) -> dict:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    client = {
        "external_id": "CLI-B", "document": "11222333000181", "name": "Cliente Bench Ltda",
        "locations": [
            {"external_id": f"LOC-B{n}", "label": f"Unidade {n}", "street": "Rua A",
             "number": str(n), "district": "Centro", "city": "Campinas", "state": "SP",
             "cep": "13010-050"}
            for n in range(3)
        ],
    }  # fmt: skip
    collections, mtrs = [], []
    for n in range(count):
        day = FIRST + timedelta(days=rng.randrange(730))
        waste, unit = rng.choice(WASTES)
        mtr = f"{n + 1:012d}" if rng.random() < 0.85 else None
        if mtr and rng.random() < 0.5:
            mtrs.append(mtr)
        collections.append(
            {
                "external_id": f"COL-B{n}", "client": "CLI-B",
                "location": f"LOC-B{rng.randrange(3)}", "scheduled_on": day.isoformat(),
                "performed_at": f"{day.isoformat()}T10:00:00-03:00", "status": "validated",
                "service": "Coleta", "waste": dict(waste),
                "quantity": f"{rng.randrange(1, 500_000) / 1000:.3f}", "unit": unit,
                "mtr_number": mtr, "mtr_status": "Recebido" if mtr else None,
                "transporter": {"name": "Transportes Bench Ltda"},
                "destination": {"receiver": {"name": "Destinador Bench"},
                                "treatment": "Aterro sanitário"},
            }
        )  # fmt: skip
    certificates = [
        {"external_id": f"CDF-B{i}", "client": "CLI-B", "number": f"{i:04d}/2026",
         "issued_on": "2026-11-01", "period_start": "2025-01-01", "period_end": "2026-12-31",
         "receiver": "Destinador Bench", "mtr_numbers": mtrs[i : i + 500]}
        for i in range(0, len(mtrs), 500)
    ]  # fmt: skip
    return {"format": "espaco-import/1", "clients": [client], "collections": collections,
            "certificates": certificates}  # fmt: skip


async def plain_rows(client_id: int, period: Period) -> list:
    return await database.fetch(
        "SELECT c.waste_ibama_code, c.waste_description, c.waste_class, c.waste_physical_state,"
        " c.unit, c.quantity, c.transporter_name, c.transporter_document, c.receiver_name,"
        " c.receiver_document, c.treatment, c.mtr_number FROM collection c WHERE c.client = {}"
        " AND c.event_on >= {} AND c.event_on <= {} AND c.status IN ('done', 'validated')",
        client_id, period.start, period.end,
    )  # fmt: skip


async def best(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return min(times)


async def drain(pieces) -> tuple[int, float, int]:
    """Bytes streamed, seconds, peak traced bytes."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started, total = time.perf_counter(), 0
    async for piece in pieces:
        total += len(piece)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return total, seconds, peak


async def main(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-compliance-"))
    env = {"ESPACO_DATA_DIR": str(data_dir)}
    if args.database_url:
        env["ESPACO_DATABASE_URL"] = args.database_url
    settings = Settings.from_env(env)
    engine = database.configure(settings)
    await database.start(engine)
    await database.migrate()
    started = time.perf_counter()
    result = await import_document(document(args.collections), settings, base_dir=None, now=NOW)
    if not result.ok:
        raise SystemExit(f"import refused: {result.problems[:3]}")
    print(f"imported {args.collections:,} collections in {time.perf_counter() - started:.1f} s")
    client_id = (await Client.select(Client.id).first())["id"]  # type: ignore[index]

    print(f"\nRelatório de resíduos (best of {args.rounds}, in process)")
    print(
        f"{'period':<22}{'report ms':>10}{'plain read ms':>15}{'ratio':>7}{'lines':>7}{'rows':>8}"
    )
    periods = [
        ("4º trimestre 2026", dmr_period("2026-t4").period),
        ("1º semestre 2026", dmr_period("2026-s1").period),
        ("2026", Period(date(2026, 1, 1), date(2026, 12, 31))),
        ("2025-2026", Period(date(2025, 1, 1), date(2026, 12, 31))),
    ]
    for label, period in periods:
        found = await report(client_id, period)
        took = await best(lambda p=period: report(client_id, p), args.rounds)
        base = await best(lambda p=period: plain_rows(client_id, p), args.rounds)
        print(f"{label:<22}{took * 1000:>10.1f}{base * 1000:>15.1f}{took / base:>7.1f}"
              f"{len(found.lines):>7}{found.collections:>8,}")  # fmt: skip

    took = await best(
        lambda: pendencias(client_id, date(2026, 12, 1), cdf_wait_days=45, mtr_saved_days=30),
        args.rounds,
    )
    found = await pendencias(client_id, date(2026, 12, 1), cdf_wait_days=45, mtr_saved_days=30)
    print(f"Pendências (Início, report): {took * 1000:.1f} ms "
          f"({', '.join(f'{r.rule} {r.count:,}' for r in found.rules)})")  # fmt: skip

    files = data_dir / "bench-files"
    files.mkdir()
    paths = []
    for n in range(args.files):
        path = files / f"cdf-{n}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + os.urandom(args.file_kb * 1000))
        paths.append(path)
    stored = Plan(Period(FIRST, FIRST), None)
    stored.entries = [Entry(f"cdf/{p.name}", "cdf", p.name, path=p) for p in paths]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total, seconds, peak = await drain(stream(stored, [], client_id, settings, FIRST))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nDossiê, {args.files} stored PDFs of {args.file_kb} KB: {total / 1e6:.0f} MB in "
          f"{seconds:.2f} s = {total / 1e6 / seconds:.0f} MB/s; peak traced "
          f"{peak / 1e6:.2f} MB; max RSS grew {(rss_after - rss_before) / 1e3:.1f} MB "
          f"(to {rss_after / 1e3:.0f} MB)")  # fmt: skip
    quarter = dmr_period("2026-t4").period
    tickets = await plan(client_id, quarter, None, settings)
    n_tickets = tickets.count("tickets")
    for label in ("cold (rendered)", "warm (ticket cache)"):
        total, seconds, peak = await drain(stream(tickets, [], client_id, settings, FIRST))
        print(f"Dossiê, {n_tickets:,} tickets of a quarter, {label}: {total / 1e6:.1f} MB in "
              f"{seconds:.2f} s = {total / 1e6 / seconds:.1f} MB/s, "
              f"{n_tickets / seconds:.0f} tickets/s; peak traced {peak / 1e6:.2f} MB")  # fmt: skip
    await database.stop(engine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--collections", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--file-kb", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="")
    asyncio.run(main(parser.parse_args()))
