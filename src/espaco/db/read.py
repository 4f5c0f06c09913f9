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

import json
import types
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Generic, NewType, TypeVar, Union, get_args, get_origin, get_type_hints

from espaco.db import Record, as_date, as_datetime, database

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
