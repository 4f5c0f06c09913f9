"""The pages' read path: a named query's SQL text and the row type it returns, run on the
configured engine, values converted once, here.

Every feature keeps its SQL text in one module of named queries (``Query`` constants: the text
with ``{}`` placeholders and a ``NamedTuple`` that declares each column's type). ``rows`` and
``first`` run one and return instances of that type, converted the same way on both engines:

- ``date`` / ``datetime`` columns come back as ``date`` / ``datetime`` (SQLite stores ISO text);
- ``bool`` as ``bool`` (SQLite stores 0/1), ``int`` as ``int`` (PostgreSQL's sums of integers
  are ``Decimal``);
- ``Json`` columns parsed when the driver gives text; anything else as the driver reads it.

``None`` stays ``None`` whatever the declared type. A type needs no conversion on an engine when
its driver already gives it (dates on PostgreSQL): then the row is made straight from the record.

Writes go through Piccolo; the few that Piccolo cannot say (an upsert with arithmetic, a claim
with ``RETURNING``, an advisory lock) are SQL text through :func:`espaco.database.fetch`, the
same engine call untyped. Both use :func:`espaco.db.placeholders`, the one translator.
"""

from __future__ import annotations

import asyncio
import json
import types
from collections.abc import Callable, Hashable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Generic, NewType, TypeVar, Union, get_args, get_origin, get_type_hints

from espaco.db import Record, as_date, as_datetime, database
from espaco.db import fetch as db_fetch

R = TypeVar("R", bound=tuple[Any, ...])
Json = NewType("Json", object)  # a JSON column: a list or dict, whatever the driver gave


class Query(Generic[R]):
    """A read: its SQL text (``{}`` placeholders) and the ``NamedTuple`` its rows become, with
    one field per column, in order.

    ``generic=True`` says the statement has one good plan whatever its arguments — a lookup by
    primary or unique key, each join by key too: PostgreSQL then plans it once per connection
    instead of at every run (``espaco.db.PgEngine``'s lookup pool). Never for a per-client list
    or count: their generic plans measured 2.8-7.7x slower (docs/benchmarks.md)."""

    __slots__ = ("generic", "row", "sql")

    def __init__(self, row: type[R], sql: str, *, generic: bool = False) -> None:
        self.row = row
        self.sql = sql
        self.generic = generic

    def __add__(self, more: str) -> Query[R]:
        """The same query with more text after it (a filter built at run time, an ORDER BY)."""
        return Query(self.row, self.sql + more, generic=self.generic)

    def __repr__(self) -> str:
        return f"Query({self.row.__name__}, {self.sql!r})"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _sqlite_date(value: Any) -> date:
    # The common case first: a DATE column as SQLite stores it.
    return date.fromisoformat(value) if type(value) is str and len(value) == 10 else as_date(value)


# The conversion each declared type needs on each engine (None: the driver's value is right).
# SQLite's integers are ``int`` already; PostgreSQL's sums of integers are ``numeric``.
_CONVERT: dict[str, dict[Any, Callable[[Any], Any] | None]] = {
    "sqlite": {date: _sqlite_date, datetime: as_datetime, bool: bool, int: None, Json: _json},
    "postgres": {date: None, datetime: None, bool: None, int: int, Json: _json},
}
_converters: dict[tuple[type, str], Callable[[Record], Any]] = {}


def _base(annotation: Any) -> Any:
    """``X`` of ``X``, ``X | None`` and ``Optional[X]``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return annotation


def converter(row: type[R], engine_type: str) -> Callable[[Record], R]:
    """The function that makes a ``row`` from a driver record on ``engine_type`` (cached)."""
    found = _converters.get((row, engine_type))
    if found is not None:
        return found
    table = _CONVERT[engine_type]
    hints = get_type_hints(row)
    steps = [
        (index, convert)
        for index, name in enumerate(row._fields)  # type: ignore[attr-defined]
        if (convert := table.get(_base(hints[name]))) is not None
    ]
    make: Callable[[Any], R] = row._make  # type: ignore[attr-defined]

    def convert_row(record: Record) -> R:
        values = list(record)
        for index, convert in steps:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        return make(values)

    made = convert_row if steps else make
    _converters[(row, engine_type)] = made
    return made


async def rows(query: Query[R], *args: Any) -> list[R]:
    """Every row of ``query`` with ``args`` for its placeholders, as ``query.row``."""
    engine = database.current_engine()
    make = converter(query.row, engine.engine_type)
    found = await database.fetch(query.sql, *args, generic=query.generic)
    return [make(record) for record in found]


async def first(query: Query[R], *args: Any) -> R | None:
    """The first row of ``query``, or None when it finds none."""
    found = await rows(query, *args)
    return found[0] if found else None


def like(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere, with its own wildcards taken literally (the
    query says ``ESCAPE '!'``)."""
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


KEYS = " IN {keys}"
BATCH_MAX = 32  # keys in one statement (a power of two: see Lookup._read)
_Waiters = dict[Hashable, list["asyncio.Future[list[Any]]"]]


class Lookup(Generic[R]):
    """A read by key that every request makes (the session behind its cookie): the keys asked
    in one turn of the event loop are read with one statement, and each caller gets its own
    key's rows.

    ``sql`` filters with ``<key column> IN {keys}`` and returns that column as the row's field
    named by ``key``, equal to the key as callers pass it (a hash, an id). At 32 connections a
    worker's requests arrive together and ask together; on PostgreSQL each statement is a round
    trip and ~0.07 ms of a backend's CPU, which the second worker then lacks on a two-core
    machine (docs/benchmarks.md, "One session lookup for the requests that arrive together").
    Every key is still read by a statement that starts after it was asked, so what was
    committed before a request came (a logout, a revoked code) shows on that request. Inside a
    transaction a key is read at once, on the transaction's connection (to see its own writes).
    The statement runs with the lookup pool's generic plans (``Query(generic=True)``): write a
    Lookup only for a read by key."""

    __slots__ = ("_key", "_pending", "query")

    def __init__(self, row: type[R], sql: str, *, key: str) -> None:
        fields: tuple[str, ...] = row._fields  # type: ignore[attr-defined]
        if KEYS not in sql or key not in fields:
            raise ValueError(f"a Lookup filters with{KEYS} and returns the key as {key!r}")
        self.query = Query(row, sql, generic=True)
        self._key = fields.index(key)
        # Per engine and loop: the keys asked this turn, each with its callers.
        self._pending: dict[tuple[Any, asyncio.AbstractEventLoop], _Waiters] = {}

    async def rows(self, key: Hashable) -> list[R]:
        """The rows whose key is ``key`` (in the statement's order)."""
        engine = database.current_engine()
        if engine.current_transaction.get() is not None:
            return (await self._read(engine, [key])).get(key, [])
        loop = asyncio.get_running_loop()
        turn = (engine, loop)  # a loop that closed with keys pending leaves them to itself
        pending = self._pending.get(turn)
        if pending is not None:  # the first caller of this turn reads for all of its callers
            future: asyncio.Future[list[Any]] = loop.create_future()
            pending.setdefault(key, []).append(future)
            return await future
        waiting: _Waiters = {key: []}  # this caller's key: it reads, it waits on no future
        self._pending[turn] = waiting
        try:
            await asyncio.sleep(0)  # the turn's other requests ask; then the turn is closed
        except asyncio.CancelledError:  # this request went away: the others still read
            del self._pending[turn]
            self._spawn(engine, waiting)
            raise
        del self._pending[turn]
        keys = list(waiting)
        mine = {k: waiting[k] for k in keys[:BATCH_MAX]}
        self._spawn(engine, {k: waiting[k] for k in keys[BATCH_MAX:]})  # rare: over 32 at once
        try:
            found = await self._read(engine, keys[:BATCH_MAX])
        except asyncio.CancelledError:
            self._spawn(engine, mine)  # read anew: a later statement is never staler
            raise
        except Exception as error:
            _hand(mine, error)
            raise
        _hand(mine, found)
        return found.get(key, [])

    async def first(self, key: Hashable) -> R | None:
        """The first row whose key is ``key``, or None."""
        found = await self.rows(key)
        return found[0] if found else None

    def _spawn(self, engine: Any, waiting: _Waiters) -> None:
        """Read the keys that callers wait for, in tasks of their own."""
        keys = [key for key, futures in waiting.items() if futures]
        for start in range(0, len(keys), BATCH_MAX):
            part = {key: waiting[key] for key in keys[start : start + BATCH_MAX]}
            task = asyncio.ensure_future(self._answer(engine, part))
            _batches.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(_batches.discard)

    async def _answer(self, engine: Any, part: _Waiters) -> None:
        try:
            found = await self._read(engine, list(part))
        except asyncio.CancelledError:
            for futures in part.values():
                for future in futures:
                    future.cancel()
            raise
        except Exception as error:
            _hand(part, error)
            return
        _hand(part, found)

    async def _read(self, engine: Any, keys: list[Hashable]) -> dict[Hashable, list[R]]:
        make = converter(self.query.row, engine.engine_type)
        # Spelled for a power of two, the first key repeated to fill it: six statements in all,
        # so that each connection keeps every one prepared and planned.
        n = 1 << (len(keys) - 1).bit_length()
        sql = spelled_in(self.query.sql, KEYS, n)
        records = await db_fetch(engine, sql, *keys, *[keys[0]] * (n - len(keys)), generic=True)
        found: dict[Hashable, list[R]] = {}
        for record in records:
            row = make(record)
            found.setdefault(row[self._key], []).append(row)
        return found


_batches: set[asyncio.Task[None]] = set()


def _hand(part: _Waiters, found: dict[Hashable, list[Any]] | Exception) -> None:
    """Each waiting caller its key's rows, or the error, as its own read would have raised it."""
    for key, futures in part.items():
        for future in futures:
            if future.done():  # its request went away
                continue
            if isinstance(found, Exception):
                future.set_exception(found)
            else:
                future.set_result(found.get(key, []))


@lru_cache(maxsize=512)
def spelled_in(sql: str, mark: str, n: int) -> str:
    """``sql`` with each ``mark`` (`` IN {keys}``, `` IN {scope}``) spelled for ``n`` values:
    ``= {}`` for one (its plan and cost as a plain lookup), ``IN ({}, {}, …)`` for several."""
    if n < 1:
        raise ValueError("an empty list matches nothing: refuse it before asking")
    return sql.replace(mark, " = {}" if n == 1 else " IN (" + ", ".join(["{}"] * n) + ")")
