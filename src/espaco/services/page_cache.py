"""The portal pages' reads kept in process, filed under the data version they were read at.

A page view runs the session lookup and then its page's reads (Financeiro's totals, closures and
chart; the Coletas list, places and CDFs; the requests; the places of the request form). On
PostgreSQL most of their cost is the database's planning (docs/benchmarks.md): the same client
opening the same page again got the same rows at the price of a fresh plan. So each read is kept
here under

    (database, read, scope, each scope member's ``client.data_version``, the read's arguments)

and served from memory until one of those versions moves. Database triggers bump
``client.data_version`` on every insert, update or delete of a row any of these pages shows —
collections, invoices, fiscal documents, boletos, places, collection requests, CDFs and their
MTRs (``db.schema.TRIGGERS``) — whoever writes it, in whichever worker or process. The version is
read before the page's rows (the session lookup returns it), so an entry is never older than
the version it is filed under; a write seen by the version read is seen by the rows read after.
Nothing needs invalidating, and nothing is served from another scope's entry: the scope is in
the key, and a group's scope keys on every member's version.

Requests that miss the same entry at the same time share one read (:func:`once`): after a
change, or when a worker starts, the 32 requests in flight for one client's page would each run
every read of it (measured: Início's pendências, ~25 ms of database each, recomputed by all 32
requests when their minute ran out: p99 1.7 s at a p50 of 23 ms, bench/scale.py).

Arguments that depend on the day (``today``: what is overdue, the default period) are part of
each read's key. The cache holds at most :data:`CACHE_SIZE` entries, least recently used first
out; an entry is one page's rows (measured with tracemalloc on bench/scale.py's big client: a
Coletas view of 50 rows with its summary, places and CDFs 43 KB, 50 requests 44 KB, a Financeiro
page 15 KB, the request form's places 4 KB), so a worker spends at most ~45 MB on it.

What a page makes of a kept read — its rows' HTML, its chart — is kept beside it
(:func:`derived`): once the reads came from memory, rendering them was most of a page's cost.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any, NamedTuple, TypeVar

from espaco.db import database, read
from espaco.db.read import Query
from espaco.services.access.scope import Scope, scoped_query

CACHE_SIZE = 1024
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class _VersionRow(NamedTuple):
    id: int
    data_version: int


# Arguments: the scope's ids. By primary key: one plan whatever the ids (read.Query).
_VERSIONS = Query(
    _VersionRow, "SELECT id, data_version FROM client WHERE id IN {scope}", generic=True
)
_entries: OrderedDict[Hashable, Any] = OrderedDict()
_flights: dict[Hashable, asyncio.Future[Any]] = {}
_MISSING = object()


async def versions(scope: Scope, known: int | None = None) -> tuple[int, ...]:
    """Each scope member's ``client.data_version``, in scope order (-1 for a client that is
    gone). ``known``: the version the session lookup read for a one-client scope (no query)."""
    if known is not None and len(scope) == 1:
        return (known,)
    rows = await read.rows(scoped_query(_VERSIONS, scope), *scope)
    found = {row.id: row.data_version for row in rows}
    return tuple(found.get(client_id, -1) for client_id in scope)


async def cached(
    read_name: str,
    scope: Scope,
    version: int | None,
    arguments: tuple[Hashable, ...],
    compute: Callable[[], Awaitable[T]],
) -> T:
    """What ``compute()`` returns for ``read_name`` of ``scope`` with ``arguments``, from memory
    while the scope's data versions stay; ``version``: the one-client scope's version when the
    caller has it (``ClientSession.data_version``). ``arguments`` must hold everything the read
    depends on besides the scope's rows (the filters, the page, ``today``). Callers must not
    change what they get: the next request may be handed the same object."""
    key = (database.current_engine(), read_name, scope, await versions(scope, version), arguments)
    return await through(_entries, key, compute, CACHE_SIZE)


async def through(
    cache: OrderedDict[Any, Any],
    key: Hashable,
    compute: Callable[[], Awaitable[T]],
    size: int,
    *,
    fresh: Callable[[T], bool] | None = None,
) -> T:
    """``cache``'s value under ``key`` (while ``fresh(value)``, when given), else
    ``compute()``'s, kept there (:func:`remember`); callers missing the same key together share
    one computation (:func:`once`). The one path of the in-process caches (this one, the
    Coletas summary's, the pendências').

    Inside a transaction, ``compute()`` runs in place and nothing is kept or shared: it may see
    the transaction's own writes, which no other request may be handed (they may yet be rolled
    back), and its version, read in the transaction too, would file them as committed."""
    if database.current_engine().transaction_exists():
        return await compute()
    found = cache.get(key, _MISSING)
    if found is not _MISSING and (fresh is None or fresh(found)):
        cache.move_to_end(key)
        return found  # type: ignore[no-any-return]

    async def computed() -> T:
        return remember(cache, key, await compute(), size)

    return await once((id(cache), key), computed)


async def once(key: Hashable, compute: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``await compute()``, run once for all the callers that ask with ``key`` while it runs:
    they all get its result, or its error. It runs as a task of its own, so a caller that goes
    away (a closed connection cancels its request) does not cancel it for the others, and in a
    context of its own, so that nothing of the first caller's (a transaction, a page being
    rendered) reaches what the others are handed.

    A cache must file the result *inside* ``compute`` (as :func:`through` does), not after this
    returns: the flight leaves ``_flights`` as it lands, and its callers wake one loop turn
    later, so a caller arriving in between would find neither flight nor entry and compute
    again (seen in CI on PostgreSQL: the pendências ran twice for 32 requests)."""
    flight = _flights.get(key)
    if flight is None:
        flight = asyncio.get_running_loop().create_task(compute(), context=contextvars.Context())
        _flights[key] = flight
        flight.add_done_callback(lambda done: _landed(key, done))
    return await asyncio.shield(flight)  # type: ignore[no-any-return]


def _landed(key: Hashable, flight: asyncio.Future[Any]) -> None:
    if _flights.get(key) is flight:
        del _flights[key]
    if not flight.cancelled():
        flight.exception()  # retrieved: when every caller has gone, asyncio would log it


def remember(cache: OrderedDict[K, V], key: K, value: V, size: int) -> V:
    """Keep ``value`` under ``key`` in ``cache``, dropping the least recently used past
    ``size``: the one LRU of the in-process caches (this one, the Coletas summary's, the
    pendências')."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
    return value


# What the pages make of the kept reads (their rows' HTML, their charts), kept beside them. An
# entry is 1-50 KB of HTML (measured on bench/scale.py's big client: 50 Coletas rows 46-49 KB,
# 20 requests' cards 16 KB, a calendar 11 KB, a Financeiro chart and table 6 KB); one of 32 KB
# or more keeps its UTF-8 bytes and, once seen twice with gzip, ~6 KB of deflate stream too
# (web/compression.Kept): ~27 MB at most, were every entry a page of Coletas rows.
DERIVED_SIZE = 256
_derived: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()


def derived(make: Callable[..., T], subject: object, *arguments: Any) -> T:
    """``make(subject, *arguments)``, made once for each ``subject`` object the caches above hand
    out: rendering a page's rows or its chart cost more than reading them (bench/pages_cpu.py:
    /coletas 0.73 ms a request, 0.47 without its rows), and a kept read is the same object for
    every request until its data version moves, and never changed (see :func:`cached`).

    Filed under the subject's identity, which the entry keeps alive so that no other object can
    take it, and under ``arguments`` (hashable; a dict is taken as its items). ``make`` must be
    a pure function of what it is given. Least recently used first out past ``DERIVED_SIZE``."""
    key = (
        make,
        id(subject),
        *(tuple(a.items()) if isinstance(a, dict) else a for a in arguments),
    )
    found = _derived.get(key)
    if found is not None:
        _derived.move_to_end(key)
        return found[1]  # type: ignore[no-any-return]
    value = make(subject, *arguments)
    remember(_derived, key, (subject, value), DERIVED_SIZE)
    return value


def clear() -> None:
    """Forget every entry."""
    _entries.clear()
    _derived.clear()


def size() -> int:
    return len(_entries)
