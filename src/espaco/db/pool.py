"""PostgreSQL's connection pools as the engine keeps them: handed out first come, first served
(:class:`FairPool`), and given back without asyncpg's reset query (:func:`keep_session`)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg


async def keep_session(connection: Any) -> None:
    """The pool's ``reset``: nothing to undo when a connection goes back to the pool.

    asyncpg's default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` at every release — with one query per acquire, a second round trip and ~25 µs of the
    backend's CPU for each query a page runs. The portal leaves no session state on a pool
    connection: no ``SET`` (a ``SET LOCAL`` ends with its transaction), no ``LISTEN``, no cursor
    outside a transaction, advisory locks only transaction-scoped (``pg_advisory_xact_lock``;
    the migrations' session lock is taken on a connection of its own). What a release must
    still undo, an open transaction, asyncpg rolls back before calling this.
    """


class FairPool:
    """An asyncpg pool whose waiters are served in the order they came.

    asyncpg hands a released connection to the first waiter, but any task that asks before that
    waiter runs takes the connection, and the overtaken waiter queues again at the back: at 32
    connections on a few pool connections some requests waited again and again (p99 10-40x p50,
    docs/benchmarks.md). A semaphore of the pool's size in front (asyncio's is FIFO) makes
    everyone take their turn. Used as Piccolo and the portal use a pool: ``async with
    pool.acquire()``, or ``await pool.acquire()`` then ``await pool.release(connection)``."""

    def __init__(self, pool: asyncpg.Pool, size: int) -> None:
        self._pool = pool
        self._gate = asyncio.Semaphore(size)

    def acquire(self) -> _Acquire:
        return _Acquire(self)

    async def take(self) -> Any:
        await self._gate.acquire()
        try:
            return await self._pool.acquire()
        except BaseException:
            self._gate.release()
            raise

    async def release(self, connection: Any) -> None:
        try:
            await self._pool.release(connection)
        finally:
            self._gate.release()

    async def close(self) -> None:
        await self._pool.close()


class _Acquire:
    """What :meth:`FairPool.acquire` returns: awaited, or used with ``async with``."""

    def __init__(self, pool: FairPool) -> None:
        self.pool = pool
        self.connection: Any = None

    def __await__(self) -> Any:
        return self.pool.take().__await__()

    async def __aenter__(self) -> Any:
        self.connection = await self.pool.take()
        return self.connection

    async def __aexit__(self, *exc: object) -> None:
        connection, self.connection = self.connection, None
        await self.pool.release(connection)
