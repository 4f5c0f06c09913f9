"""Database engines: SQLite tuned for a web app, PostgreSQL with a pool.

Piccolo's stock SQLite engine opens a new connection for every query outside a transaction
(measured 5-12x the raw driver's cost for a page) and starts DEFERRED transactions, which fail at
once with "database is locked" when two writers meet. :class:`SQLiteEngine` keeps the ORM and
changes the connection handling:

- reads outside a transaction run on one long-lived connection, synchronously on the calling
  thread: an indexed per-client query takes tens of microseconds, less than the thread hop that
  aiosqlite would add;
- SQL text (:func:`fetch`, under ``espaco.db.read``'s typed page reads) uses a second long-lived
  connection that returns SQLite's own values (text dates, integer booleans) in ``sqlite3.Row``:
  Piccolo's converters (an ``INTEGER`` column goes through ``Decimal``) cost more than the query;
- every write runs in a transaction on a long-lived aiosqlite connection (one per event loop),
  behind an asyncio lock so that no two transactions of this process overlap, and starts with
  ``BEGIN IMMEDIATE`` so it takes the write lock up front; other processes wait on the busy
  timeout instead of failing.

Every connection runs in WAL mode with ``synchronous=FULL``, a busy timeout and foreign keys on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine as PiccoloSQLiteEngine
from piccolo.engine.sqlite import SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from espaco.db.pool import FairPool
from espaco.private import create_private_file
from espaco.settings import Settings

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# The largest id: the id columns are PostgreSQL ``serial``/``integer``, narrower than SQLite's.
MAX_ID = 2**31 - 1
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -16000",
)
READ_PREFIXES = ("SELECT", "WITH", "EXPLAIN")


def _lower(value: Any) -> Any:
    """SQLite's own ``lower()`` folds ASCII only ("PÃO" → "pÃo"); PostgreSQL's folds all of
    Unicode, and so does this one, registered in its place on every SQLite connection (the
    client searches compare ``lower(name)`` with what was typed, lower-cased by Python)."""
    return value.lower() if isinstance(value, str) else value


def _configure(connection: sqlite3.Connection) -> None:
    for pragma in PRAGMAS:
        connection.execute(pragma)
    connection.create_function("lower", 1, _lower, deterministic=True)


async def _configure_async(connection: aiosqlite.Connection) -> None:
    for pragma in PRAGMAS:
        await connection.execute(pragma)
    await connection.create_function("lower", 1, _lower, deterministic=True)


class Record(Protocol):
    """A row of :func:`fetch`: by column name or position, or unpacked (``sqlite3.Row``,
    ``asyncpg.Record``)."""

    def __getitem__(self, key: str | int, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class _Writer:
    """The write connection of one event loop and the lock that serialises its transactions."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.connection: aiosqlite.Connection | None = None


class WriteTransaction(SQLiteTransaction):
    """A transaction on the loop's long-lived write connection, holding the write lock."""

    __slots__ = ("writer",)

    async def __aenter__(self) -> WriteTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        engine: SQLiteEngine = self.engine  # type: ignore[assignment]
        self.writer = engine._writer()
        await self.writer.lock.acquire()
        try:
            self.connection = await engine._write_connection(self.writer)
            await self.begin()
        except BaseException:
            self.writer.lock.release()
            raise
        self.context = engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            self.writer.lock.release()
        return exception is None


class SQLiteEngine(PiccoloSQLiteEngine):
    """Piccolo's SQLite engine with long-lived connections; see the module docstring."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self._read_connection: sqlite3.Connection | None = None
        self._plain_connection: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = (
            weakref.WeakKeyDictionary()
        )

    # -- connections --------------------------------------------------------------------------
    def _connect_sync(
        self, row_factory: Any = dict_factory, *, converters: bool = True
    ) -> sqlite3.Connection:
        """A configured connection; without ``converters`` its rows hold SQLite's own values
        (no declared-type converters: what :func:`fetch` promises)."""
        kwargs = dict(self.connection_kwargs)
        if not converters:
            kwargs.pop("detect_types", None)
        connection = sqlite3.connect(check_same_thread=False, **kwargs)
        connection.row_factory = row_factory
        _configure(connection)
        return connection

    def _reader(self) -> sqlite3.Connection:
        if self._read_connection is None:
            self._read_connection = self._connect_sync()
        return self._read_connection

    def _plain_reader(self) -> sqlite3.Connection:
        if self._plain_connection is None:
            self._plain_connection = self._connect_sync(sqlite3.Row, converters=False)
        return self._plain_connection

    def _writer(self) -> _Writer:
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = _Writer()
        return writer

    async def _write_connection(self, writer: _Writer) -> aiosqlite.Connection:
        if writer.connection is None:
            connection = await aiosqlite.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await _configure_async(connection)
            writer.connection = connection
        return writer.connection

    async def get_connection(self) -> aiosqlite.Connection:
        """A fresh configured connection (Piccolo's batch queries use it)."""
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await _configure_async(connection)
        return connection

    async def close(self) -> None:
        """Close this loop's write connection and the shared read connection."""
        writer = self._writers.pop(asyncio.get_running_loop(), None)
        if writer is not None and writer.connection is not None:
            await writer.connection.close()
        with self._read_lock:
            for connection in (self._read_connection, self._plain_connection):
                if connection is not None:
                    connection.close()
            self._read_connection = self._plain_connection = None

    # -- queries ------------------------------------------------------------------------------
    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> WriteTransaction:
        """A write transaction (``BEGIN IMMEDIATE`` unless asked otherwise)."""
        return WriteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    def read_sync(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[dict]:
        """Run one read-only statement on the long-lived read connection."""
        with self._read_lock:
            return self._reader().execute(sql, args).fetchall()

    async def fetch(self, sql: str, args: Sequence[Any]) -> list[Record]:
        """Rows of one statement, as SQLite stores them (see :func:`fetch`). A write outside a
        transaction gets one of its own, on the write connection."""
        transaction = self.current_transaction.get()
        if transaction is None and not sql.lstrip()[:7].upper().startswith(READ_PREFIXES):
            async with self.transaction():
                return await self.fetch(sql, args)
        if transaction is not None:  # see the transaction's own writes
            async with transaction.connection.execute(sql, args) as cursor:
                cursor.row_factory = sqlite3.Row  # type: ignore[assignment]
                return await cursor.fetchall()  # type: ignore[return-value]
        with self._read_lock:
            return self._plain_reader().execute(sql, args).fetchall()

    async def _run(self, sql: str, args: list[Any], query_type: str, table: Any) -> Any:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await self._run_in_existing_connection(
                transaction.connection, sql, args, query_type, table
            )
        if sql.lstrip()[:7].upper().startswith(READ_PREFIXES):
            return self.read_sync(sql, args)
        async with self.transaction() as transaction:
            return await self._run_in_existing_connection(
                transaction.connection, sql, args, query_type, table
            )

    async def _run_in_existing_connection(  # type: ignore[override]
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo re-sends "PRAGMA foreign_keys" before every statement; ours are set once.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(sql, args, querystring.query_type, querystring.table)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, [], "ddl", None)


class PgEngine(PostgresEngine):
    """PostgreSQL through an asyncpg pool that start-up opens and shutdown closes, and a small
    *lookup pool* whose connections keep generic plans, for the statements whose plan is the same
    whatever their arguments (``read.Query(..., generic=True)``: lookups by unique key, such as
    the session lookup of every request): planned once per connection instead of at every run,
    while the main pool plans every run (docs/benchmarks.md, "PostgreSQL's share of a request").
    Both pools serve their waiters in order (:class:`FairPool`)."""

    lookup_pool: FairPool | None = None

    async def start_connection_pool(self, **kwargs: Any) -> None:
        if self.pool is not None:  # Piccolo warns and keeps the pool it has
            return await super().start_connection_pool(**kwargs)
        await super().start_connection_pool(**kwargs)
        pool: asyncpg.Pool = self.pool  # type: ignore[assignment]
        self.pool = FairPool(pool, pool.get_max_size())  # type: ignore[assignment]

    async def start_lookup_pool(self, size: int, reset: Any) -> None:
        plans = {**self.config.get("server_settings", {}), "plan_cache_mode": "force_generic_plan"}
        config = {**self.config, "server_settings": plans, "max_size": size, "reset": reset}
        self.lookup_pool = FairPool(await asyncpg.create_pool(min_size=1, **config), size)

    async def close(self) -> None:
        await self.close_connection_pool()
        if self.lookup_pool is not None:
            pool, self.lookup_pool = self.lookup_pool, None
            await pool.close()

    async def fetch_generic(self, sql: str, args: Sequence[Any]) -> list[Record]:
        """:meth:`fetch` on the lookup pool (in a transaction: on its connection, as fetch)."""
        if self.lookup_pool is None or self.current_transaction.get() is not None:
            return await self.fetch(sql, args)
        async with self.lookup_pool.acquire() as connection:
            return await connection.fetch(sql, *args)

    async def fetch(self, sql: str, args: Sequence[Any]) -> list[Record]:
        """Rows of one statement as asyncpg records (see :func:`fetch`)."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.fetch(sql, *args)
        if self.pool is None:
            connection = await self.get_new_connection()
            try:
                return await connection.fetch(sql, *args)
            finally:
                await connection.close()
        async with self.pool.acquire() as connection:
            return await connection.fetch(sql, *args)


@lru_cache(maxsize=256)
def placeholders(sql: str, engine_type: str) -> str:
    """``{}`` placeholders (as in Piccolo's ``Table.raw``) in the engine's own style. A ``?`` in
    the text is refused: SQLite would take it as a placeholder and PostgreSQL as a syntax error,
    so a statement written for one engine fails on both at once instead of only in production."""
    if "?" in sql:
        raise ValueError(f"write placeholders as {{}}, not ?: {sql[:80]}")
    if engine_type == "sqlite":
        return sql.replace("{}", "?")
    parts = sql.split("{}")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, 1))


def as_date(value: Any) -> date:
    """A DATE read by :func:`fetch`: a ``date`` on PostgreSQL, ISO text on SQLite."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime:
    """A TIMESTAMP read by :func:`fetch`: a ``datetime`` on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def fetch(engine: Engine, sql: str, *args: Any, generic: bool = False) -> list[Record]:
    """Run one statement of SQL text and return its rows by column name or position.

    ``sql`` uses ``{}`` placeholders (:func:`placeholders`, the one translator). The values are
    the driver's own, without Piccolo's conversion: on PostgreSQL typed (``date``, ``bool``), on
    SQLite as stored (dates as ISO text, booleans as 0/1); pages read through ``espaco.db.read``,
    which converts them once by declared row type. Inside a transaction the statement runs on
    the transaction's connection; on SQLite a write outside one gets its own. ``generic``: one
    plan fits every argument (a lookup by key): PostgreSQL's lookup pool (:class:`PgEngine`).
    """
    text = placeholders(sql, engine.engine_type)
    if generic and isinstance(engine, PgEngine):
        return await engine.fetch_generic(text, args)
    return await engine.fetch(text, args)  # type: ignore[attr-defined]


def create_engine(settings: Settings) -> Engine:
    """The engine that ``settings.database_url`` names."""
    if settings.database_kind == "sqlite":
        path = settings.sqlite_path
        create_private_file(path)
        return SQLiteEngine(path=str(path))
    parts = urlsplit(settings.database_url)
    config: dict[str, Any] = {
        "dsn": parts._replace(scheme="postgresql").geturl(),
        # Per-client queries: a generic plan measured ~5x slower than a custom one (on the
        # scale data: 7.7x for a Coletas list filtered by status, 5x for a pendências count,
        # both chosen by PostgreSQL's "auto"), so each run is planned for its own arguments.
        "server_settings": {"plan_cache_mode": "force_custom_plan", "timezone": "UTC"},
    }
    return PgEngine(config=config)


def sqlite_version() -> str:
    return sqlite3.sqlite_version


def database_path_for_log(settings: Settings) -> str:
    """The database location without any password, for start-up logs."""
    if settings.database_kind == "sqlite":
        return str(Path(settings.sqlite_path))
    parts = urlsplit(settings.database_url)
    host = parts.hostname or ""
    return f"postgresql://{host}:{parts.port or 5432}{parts.path}"
