"""Bulk statements on the import's transaction connection, one text for SQLite and PostgreSQL.

Piccolo builds each query and row in Python: inserting collection rows with
``Collection.insert(*rows)`` in chunks of 1,000 measured 3,700 rows/s here, below the budget of
5,000 collections a second before any validation, against 127,000 rows/s for ``executemany``.
So the importer sends ``executemany`` batches and chunked ``IN`` selects straight to the driver
connection that ``engine.transaction()`` opened, and stays inside that one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from espaco.db import placeholders

IN_CHUNK = 500
WRITE_CHUNK = 5000


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Sql:
    """Statements with ``{}`` placeholders (``espaco.db.placeholders``, as everywhere) run on the
    current transaction's connection; rows come back as dicts."""

    def __init__(self, engine: Engine, connection: Any) -> None:
        self.pg = isinstance(engine, PostgresEngine)
        self.engine_type = engine.engine_type
        self.connection = connection

    def _text(self, sql: str) -> str:
        return placeholders(sql, self.engine_type)

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if self.pg:
            return [dict(row) for row in await self.connection.fetch(self._text(sql), *args)]
        async with self.connection.execute(self._text(sql), tuple(args)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_in(
        self, sql: str, values: Iterable[Any], args: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Run ``sql`` (with one ``{in}`` for a placeholder list) over ``values`` in chunks."""
        ordered = list(dict.fromkeys(values))
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ordered), IN_CHUNK):
            chunk = ordered[start : start + IN_CHUNK]
            text = sql.replace("{in}", ", ".join(["{}"] * len(chunk)))
            rows += await self.fetch(text, [*args, *chunk])
        return rows

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for start in range(0, len(rows), WRITE_CHUNK):
            await self._send(sql, rows[start : start + WRITE_CHUNK], None)

    async def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert rows; on PostgreSQL through COPY (the benchmark's first import went from
        5,900 to 7,300 collections/s there against ``executemany``)."""
        sql = insert_sql(table, columns)
        for start in range(0, len(rows), WRITE_CHUNK):
            await self._send(sql, rows[start : start + WRITE_CHUNK], (table, columns))

    async def _send(
        self,
        sql: str,
        rows: Sequence[Sequence[Any]],
        copy: tuple[str, Sequence[str]] | None,
    ) -> None:
        """Every write of an import goes through here (a test makes one fail half-way)."""
        if not rows:
            return
        if not self.pg:
            await self.connection.executemany(self._text(sql), rows)
        elif copy is not None:
            table, columns = copy
            await self.connection.copy_records_to_table(table, records=rows, columns=list(columns))
        else:
            await self.connection.executemany(self._text(sql), rows)

    async def new_ids(self, table: str, count: int) -> list[int]:
        """``count`` fresh primary keys for ``table``: from its sequence on PostgreSQL; on
        SQLite past the current maximum, safe because the write lock is held."""
        if count == 0:
            return []
        if self.pg:
            rows = await self.connection.fetch(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id "
                "FROM generate_series(1, $2)",
                f'"{table}"',
                count,
            )
            return [row["id"] for row in rows]
        rows = await self.fetch(f'SELECT COALESCE(MAX(id), 0) AS top FROM "{table}"')  # noqa: S608
        top = int(rows[0]["top"])
        return list(range(top + 1, top + 1 + count))


def insert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["{}"] * len(columns))
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608


def update_sql(table: str, columns: Sequence[str], key: str = "id") -> str:
    assignments = ", ".join(f'"{c}" = {{}}' for c in columns)
    return f'UPDATE "{table}" SET {assignments} WHERE "{key}" = {{}}'  # noqa: S608


def stored_values(row: dict[str, Any], columns: Sequence[str], json_columns: Iterable[str] = ()):
    """A stored row as the tuple the importer compares, JSON columns parsed."""
    values = [row[c] for c in columns]
    for column in json_columns:
        index = columns.index(column)
        if isinstance(values[index], str):
            values[index] = json.loads(values[index])
    return tuple(values)


def to_db(values: Sequence[Any], json_indexes: Sequence[int] = ()) -> tuple[Any, ...]:
    """Incoming values as the driver takes them: JSON as text."""
    if not json_indexes:
        return tuple(values)
    out = list(values)
    for index in json_indexes:
        out[index] = dump_json(out[index])
    return tuple(out)
