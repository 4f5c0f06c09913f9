"""The data set of the scale benchmark (issue 16), for PostgreSQL (COPY) and SQLite.

2,000 clients with two places each; 100,000 invoices, each with its NFS-e and boleto; 1,000,000
collections; one measured client (id 1, five places) with ten years of monthly invoices,
20,000 collections over three years, a CDF a month covering that month's MTRs, and 300
collection requests. The rows come from one generator with the driver's own types (``date``,
``datetime``, ``bool``), so both engines hold the same data; bench/coletas.py and
bench/financeiro.py made the SQLite-only halves of it.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from coletas import SERVICES, STATUSES, WASTES

from espaco.domain.boleto import barcode_to_line, build_barcode
from espaco.services.access.passwords import hash_secret

CLIENTS = 2_000
INVOICES = 100_000
COLLECTIONS = 1_000_000
BIG_CLIENT = 1
BIG_COLLECTIONS = 20_000
BIG_REQUESTS = 300
YEARS = 10  # of the big client's monthly invoices
COLLECTION_DAYS = 3 * 365
DOCUMENT = "11222333000181"

Row = tuple[Any, ...]
COLUMNS: dict[str, list[str]] = {
    "client": ["id", "external_id", "document", "name", "trade_name", "active",
               "access_code_hash", "code_generated_at", "session_epoch", "created_at",
               "updated_at"],
    "location": ["id", "client", "external_id", "label", "street", "number", "complement",
                 "district", "city", "state", "cep", "active"],
    "invoice": ["id", "client", "external_id", "reference_start", "reference_end", "issued_on",
                "due_on", "amount_cents", "status", "paid_on", "description", "updated_at"],
    "fiscal_document": ["id", "invoice", "client", "kind", "number", "series", "access_key",
                        "issued_at", "amount_cents", "items"],
    "boleto": ["invoice", "bank_code", "bank_name", "barcode", "digitable_line"],
    "collection": ["id", "client", "location", "external_id", "scheduled_on", "performed_at",
                   "event_on", "status", "service", "waste_description", "waste_class",
                   "waste_ibama_code", "quantity", "unit", "mtr_number", "mtr_status", "driver",
                   "vehicle_plate", "received_by", "notes", "content_hash"],
    "certificate": ["id", "client", "external_id", "number", "issued_on", "period_start",
                    "period_end", "receiver"],
    "certificate_mtr": ["certificate", "client", "mtr_number"],
    "collection_request": ["id", "client", "location", "protocol", "intended_on", "description",
                           "status", "submission_key", "created_at", "scheduled_on",
                           "refusal_reason"],
}  # fmt: skip


class DataSet:
    """Generates each table's rows in order; a table may depend on one generated before it."""

    def __init__(self, today: date, code: str, normalized_code: str) -> None:
        self.today = today
        self.code = code
        self.code_hash = hash_secret(normalized_code)
        self.now = datetime.now(UTC)
        self.places: dict[int, list[int]] = {}
        self.big_mtrs: dict[tuple[int, int], list[str]] = {}  # (year, month) → MTR numbers

    def tables(self) -> Iterator[tuple[str, Iterator[Row]]]:
        yield "client", self.clients()
        yield "location", self.locations()
        yield "invoice", self.invoices()
        yield "fiscal_document", self.fiscal_documents()
        yield "boleto", self.boletos()
        yield "collection", self.collections()
        yield "certificate", self.certificates()
        yield "certificate_mtr", self.certificate_mtrs()
        yield "collection_request", self.requests()

    def clients(self) -> Iterator[Row]:
        for i in range(1, CLIENTS + 1):
            big = i == BIG_CLIENT
            yield (
                i, f"C{i}", DOCUMENT if big else f"{i:014d}",
                "Padaria Pão Quente Ltda" if big else f"Cliente {i} Ltda", "", True,
                self.code_hash if big else None, self.now if big else None, 0, self.now,
                self.now,
            )  # fmt: skip

    def locations(self) -> Iterator[Row]:
        ident = 0
        for client in range(1, CLIENTS + 1):
            for _ in range(5 if client == BIG_CLIENT else 2):
                ident += 1
                self.places.setdefault(client, []).append(ident)
                yield (ident, client, f"L{ident}", f"Local {ident}", "Rua A", "1", "",
                       "Centro", "Campinas", "SP", "13010050", True)  # fmt: skip

    def _invoice_facts(self) -> Iterator[tuple[int, int, date, date, int]]:
        rng = random.Random(4)  # noqa: S311 - test data, not secrets
        months = YEARS * 12
        first_year = self.today.year - YEARS + 1
        for n in range(1, INVOICES + 1):
            client = BIG_CLIENT if n <= months else rng.randint(2, CLIENTS)
            m = (n - 1) % months
            start = date(first_year + m // 12, m % 12 + 1, 1)
            yield n, client, start, start.replace(day=10), rng.randint(30_000, 2_500_000)

    def invoices(self) -> Iterator[Row]:
        rng = random.Random(40)  # noqa: S311
        for n, client, start, due, cents in self._invoice_facts():
            if due >= self.today:
                status, paid = "open", None
            else:
                status = rng.choice(["paid"] * 8 + ["open", "cancelled"])
                paid = due if status == "paid" else None
            yield (n, client, f"F{n}", start, start, start, due, cents, status, paid, "",
                   self.now)  # fmt: skip

    def fiscal_documents(self) -> Iterator[Row]:
        for n, client, _start, _due, cents in self._invoice_facts():
            yield (n, n, client, "nfse", str(n), "1", f"{n:050d}", self.now, cents, "[]")

    def boletos(self) -> Iterator[Row]:
        for n, _client, _start, due, cents in self._invoice_facts():
            barcode = build_barcode("001", due, cents, f"{n:025d}")
            yield (n, "001", "Banco do Brasil", barcode, barcode_to_line(barcode))

    def collections(self) -> Iterator[Row]:
        rng = random.Random(5)  # noqa: S311
        for ident in range(1, COLLECTIONS + 1):
            big = ident <= BIG_COLLECTIONS
            client = BIG_CLIENT if big else rng.randint(2, CLIENTS)
            day = self.today - timedelta(days=rng.randint(-20, COLLECTION_DAYS))
            status = "scheduled" if day > self.today else rng.choice(STATUSES)
            waste, klass = rng.choice(WASTES)
            done = status not in ("scheduled", "cancelled")
            mtr = f"2600{ident:08d}" if done else None
            if big and mtr:
                self.big_mtrs.setdefault((day.year, day.month), []).append(mtr)
            yield (
                ident, client, rng.choice(self.places[client]), f"COL-{ident:07d}", day,
                datetime(day.year, day.month, day.day, 12, 30, tzinfo=UTC) if done else None,
                day, status, rng.choice(SERVICES), waste, klass, "",
                rng.choice(["5", "2.35", "1200"]) if done else "",
                rng.choice(["m3", "t", "kg"]) if done else "",
                mtr, "Recebido" if done else None, "José", "ABC1D23", "Maria", "", "",
            )  # fmt: skip

    def _months(self) -> list[tuple[int, tuple[int, int]]]:
        return list(enumerate(sorted(self.big_mtrs), 1))

    def certificates(self) -> Iterator[Row]:
        for n, (year, month) in self._months():
            first = date(year, month, 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            yield (n, BIG_CLIENT, f"CDF-{n}", f"{year}/{n:05d}", last, first, last,
                   "Aterro Sanitário Regional Ltda")  # fmt: skip

    def certificate_mtrs(self) -> Iterator[Row]:
        for n, month in self._months():
            for number in self.big_mtrs[month]:
                yield (n, BIG_CLIENT, number)

    def requests(self) -> Iterator[Row]:
        rng = random.Random(6)  # noqa: S311
        for n in range(1, BIG_REQUESTS + 1):
            created = self.now - timedelta(days=BIG_REQUESTS - n, hours=rng.randint(0, 9))
            intended = created.date() + timedelta(days=rng.randint(2, 20))
            status = "pending" if n > BIG_REQUESTS - 5 else rng.choice(
                ["scheduled"] * 8 + ["refused"]
            )  # fmt: skip
            yield (
                n, BIG_CLIENT, rng.choice(self.places[BIG_CLIENT]), f"{created.year}-{n:06d}",
                intended, f"Troca da caçamba do pátio, pedido {n}", status, f"bench-{n}",
                created, intended if status == "scheduled" else None,
                "Sem veículo na data" if status == "refused" else None,
            )  # fmt: skip


# -- writers ------------------------------------------------------------------------------------
async def fill_postgres(url: str, data: DataSet) -> None:
    """COPY every table (statement triggers keep ``collection_month`` and the MTR counts), set
    the sequences past the ids written, then VACUUM ANALYZE (the visibility map lets the
    covering indexes answer without the heap, as they do on a settled database)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table, rows in data.tables():
                await connection.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" GREATEST((SELECT max(id) FROM {table}), 1))"
                )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def fill_sqlite(path: str, data: DataSet) -> None:
    """The same rows through plain sqlite3 (one transaction; triggers run per row)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN")
    for table, rows in data.tables():
        columns = COLUMNS[table]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608 - our own names
            f" VALUES ({', '.join('?' * len(columns))})"
        )
        con.executemany(sql, (tuple(map(_sqlite_value, row)) for row in rows))
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
