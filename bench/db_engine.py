"""How much a Financeiro-like page costs in the database, by connection strategy.

A "page" is what the portal's Financeiro page asks: the per-client totals (a grouped sum) and
the 25-row page of invoices, for a client with ten years of monthly invoices, in a database of
2,000 clients and 100,000 invoices. Printed per page, in milliseconds (median of many runs):

- sqlite3, sync, one open connection (the floor);
- aiosqlite with one long-lived connection (the budget: ours must be ≤ 2x this);
- Piccolo's stock SQLite engine (a new connection per query);
- espaco's SQLiteEngine (long-lived read connection), through the same Piccolo queries,
  through ``Table.raw`` (the same SQL without Piccolo's query building), and through
  ``database.fetch`` (the same SQL on a plain connection, without Piccolo's row conversion:
  what the pages use).

Run: python bench/db_engine.py
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine as StockSQLiteEngine
from piccolo.query import Sum
from piccolo.query.functions.aggregate import Count

from espaco.db import database
from espaco.settings import Settings
from espaco.tables import ALL_TABLES, Invoice

CLIENTS = 2_000
INVOICES = 100_000
RUNS = 300
TOTALS_SQL = (
    "SELECT status, SUM(amount_cents) AS total, COUNT(*) AS n FROM invoice"
    " WHERE client = ? AND due_on BETWEEN ? AND ? GROUP BY status"
)
PAGE_SQL = (
    "SELECT id, reference_start, reference_end, issued_on, due_on, amount_cents, status, paid_on"
    " FROM invoice WHERE client = ? AND due_on BETWEEN ? AND ? ORDER BY due_on DESC LIMIT 25"
)
START, END = date(2017, 1, 1), date(2026, 12, 31)


def fill(path: Path) -> int:
    """Write the data set with plain sqlite3 (fast); return the id of the ten-year client."""
    now = datetime.now(UTC).isoformat(sep=" ")
    con = sqlite3.connect(path)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO client (id, external_id, document, name, trade_name, active, session_epoch,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, '', 1, 0, ?, ?)",
        [(i, f"C{i}", f"{i:014d}", f"Cliente {i}", now, now) for i in range(1, CLIENTS + 1)],
    )
    rng = random.Random(1)  # noqa: S311 - test data, not secrets
    rows = []
    for n in range(INVOICES):
        client = 1 if n < 120 else rng.randint(2, CLIENTS)
        month = n % 120
        due = date(2017 + month // 12, month % 12 + 1, 10)
        rows.append(
            (
                client,
                f"F{n}",
                due,
                due,
                due,
                due,
                rng.randint(30_000, 2_500_000),
                rng.choice(["open", "paid", "paid", "cancelled"]),
                now,
            )
        )
    con.executemany(
        "INSERT INTO invoice (client, external_id, reference_start, reference_end, issued_on,"
        " due_on, amount_cents, status, description, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
        [(c, e, str(a), str(b), str(i), str(d), amt, s, u) for c, e, a, b, i, d, amt, s, u in rows],
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return 1


async def piccolo_page(client_id: int) -> None:
    where = (Invoice.client == client_id) & (Invoice.due_on >= START) & (Invoice.due_on <= END)
    await (
        Invoice.select(
            Invoice.status,
            Sum(Invoice.amount_cents).as_alias("total"),
            Count().as_alias("n"),
        )
        .where(where)
        .group_by(Invoice.status)
    )
    await (
        Invoice.select(
            Invoice.id,
            Invoice.reference_start,
            Invoice.reference_end,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.amount_cents,
            Invoice.status,
            Invoice.paid_on,
        )
        .where(where)
        .order_by(Invoice.due_on, ascending=False)
        .limit(25)
    )


async def timed(label: str, fn, floor: float | None = None) -> float:
    for _ in range(20):
        await fn()
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(samples)
    ratio = f"  ({median / floor:.1f}x aiosqlite)" if floor else ""
    print(f"{label:58} {median:7.3f} ms{ratio}")
    return median


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="espaco-bench-"))
    settings = Settings.from_env({"ESPACO_DATA_DIR": str(tmp), "ESPACO_LOG_LEVEL": "WARNING"})
    engine = database.configure(settings)
    await database.start(engine)
    await database.migrate()
    await database.stop(engine)
    client_id = fill(settings.sqlite_path)
    args = (client_id, START.isoformat(), END.isoformat())
    print(f"{CLIENTS} clients, {INVOICES} invoices; one page = totals + 25 rows\n")

    con = sqlite3.connect(settings.sqlite_path)

    async def raw_sync() -> None:
        con.execute(TOTALS_SQL, args).fetchall()
        con.execute(PAGE_SQL, args).fetchall()

    await timed("sqlite3, sync, one connection", raw_sync)

    async with aiosqlite.connect(settings.sqlite_path) as acon:

        async def raw_async() -> None:
            await (await acon.execute(TOTALS_SQL, args)).fetchall()
            await (await acon.execute(PAGE_SQL, args)).fetchall()

        floor = await timed("aiosqlite, one long-lived connection (budget: 2x)", raw_async)

    stock = StockSQLiteEngine(path=str(settings.sqlite_path))
    for table in ALL_TABLES:
        table._meta.db = stock
    await timed(
        "Piccolo, stock SQLiteEngine (new connection a query)",
        lambda: piccolo_page(client_id),
        floor,
    )

    engine = database.configure(settings)
    await database.start(engine)
    await timed(
        "Piccolo, espaco SQLiteEngine (long-lived read connection)",
        lambda: piccolo_page(client_id),
        floor,
    )

    async def espaco_raw() -> None:
        await Invoice.raw(TOTALS_SQL.replace("?", "{}"), *args)
        await Invoice.raw(PAGE_SQL.replace("?", "{}"), *args)

    await timed("Table.raw(), espaco SQLiteEngine", espaco_raw, floor)

    async def espaco_fetch() -> None:
        await database.fetch(TOTALS_SQL.replace("?", "{}"), *args)
        await database.fetch(PAGE_SQL.replace("?", "{}"), *args)

    await timed("database.fetch() (what the pages use)", espaco_fetch, floor)
    await database.stop(engine)


if __name__ == "__main__":
    asyncio.run(main())
