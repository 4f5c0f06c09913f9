"""Login throttling shared by the client and the staff login: counters per key, counted *before*
the secret is checked.

A key is a keyed hash of what is counted (an IP, a document, a staff username, a known device):
the table holds no CPF. Each attempt first **reserves** a failure on every one of its keys, in
one transaction that locks their rows (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE``
on PostgreSQL); a key already waiting out a delay refuses the attempt, which then costs no hash.
Because the reservation is made before the argon2 work and sets the delay the next attempt must
wait, a burst of attempts fired at once gets at most ``FREE_FAILURES + 1`` verifications per key
before the rest are refused, instead of every one being checked against a counter read before
any of them had counted (60 of 60 were, before).

After the check:

- a success deletes the keys of what it proved (the document, the username, the device) and
  gives back its reservation on the others (the IP), so a success never counts as a failure:
  an office behind one address is not slowed by its own logins;
- a failure keeps its reservation: it was already counted;
- an attempt refused because the hashing pool is full gives every reservation back.

Giving back restores the lock the key had before, unless another attempt has moved it since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from espaco.db import database, read
from espaco.db.read import Query
from espaco.services.access import passwords

WINDOW = timedelta(hours=1)
MAX_FAILURES = 100
FREE_FAILURES = 3  # the first mistakes (a typo) cost no wait
MAX_DELAY = timedelta(minutes=5)


def delay_after(failures: int) -> timedelta:
    """The wait imposed after the n-th failure in a window: 0, 0, 0, 2 s, 4 s … 5 min."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    exponent = min(failures - FREE_FAILURES, 16)  # 2**16 s is past the cap already
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


@dataclass(frozen=True)
class Held:
    """One key's state as a reservation left it, to give the reservation back."""

    key: str
    window_start: datetime
    previous_lock: datetime | None
    lock: datetime | None


@dataclass(frozen=True)
class Reservation:
    """A failure counted in advance on each key; ``lock`` is the latest wait it set."""

    held: tuple[Held, ...]

    @property
    def lock(self) -> datetime | None:
        return max((h.lock for h in self.held if h.lock is not None), default=None)


async def admit(
    keys: Sequence[str], now: datetime, *, known_device: bool
) -> Reservation | datetime | None:
    """The order every login follows before checking a secret, writing nothing when it
    refuses: a running lock on ``keys`` (its end), then a full hashing lane (None), else the
    attempt counted (:func:`reserve`)."""
    running = await blocked_until(keys, now)
    if running is not None:
        return running
    if passwords.full(known_device=known_device):
        return None
    return await reserve(keys, now)


async def blocked_until(keys: Sequence[str], now: datetime) -> datetime | None:
    """The latest lock still running on any of ``keys``, or None (a read, no write lock)."""
    rows = await read.rows(_LOCKS + f"({_marks(keys)}) AND locked_until IS NOT NULL", *keys)
    locks = [r.locked_until for r in rows]
    return max((lock for lock in locks if lock > now), default=None)


async def reserve(keys: Sequence[str], now: datetime) -> Reservation | datetime:
    """Count one failure on every key, or, when one of them is locked, nothing: then the
    latest lock is returned and the attempt must be refused without checking anything."""
    # A flood's refused attempts stop here, on a plain read, without queueing for the write lock.
    blocked = await blocked_until(keys, now)
    if blocked is not None:
        return blocked
    engine = database.current_engine()
    async with engine.transaction():
        rows = {key: await _locked_row(key, now, engine.engine_type) for key in sorted(set(keys))}
        locks = [row.locked_until for row in rows.values() if row.locked_until is not None]
        blocked = max((lock for lock in locks if lock > now), default=None)
        if blocked is not None:  # another attempt reserved between the read and the lock
            return blocked
        held = []
        for key, row in rows.items():
            if row.failures and now - row.window_start < WINDOW:
                failures, window_start = row.failures + 1, row.window_start
            else:
                failures, window_start = 1, now
            if failures >= MAX_FAILURES:
                lock: datetime | None = window_start + WINDOW
            else:
                wait = delay_after(failures)
                lock = now + wait if wait else None
            await database.fetch(
                "UPDATE login_throttle SET failures = {}, window_start = {}, last_failure_at = {},"
                " locked_until = {} WHERE key = {}",
                failures,
                window_start,
                now,
                lock,
                key,
            )
            held.append(Held(key, window_start, row.locked_until, lock))
    return Reservation(tuple(held))


async def purge_stale(now: datetime) -> int:
    """Delete the counters that no longer hold anything back: their window is over (a new
    failure would start from 1 anyway) and their lock, if any, has run out."""
    rows = await database.fetch(
        "DELETE FROM login_throttle WHERE window_start <= {}"
        " AND (locked_until IS NULL OR locked_until <= {}) RETURNING id",
        now - WINDOW,
        now,
    )
    return len(rows)


async def settle_success(reservation: Reservation, clear: Sequence[str]) -> None:
    """A login succeeded: delete the counters of ``clear``, give the rest back."""
    await _give_back(reservation, clear=clear)


async def give_back(reservation: Reservation) -> None:
    """The attempt was not checked (the hashing pool was full): as if it never counted."""
    await _give_back(reservation, clear=())


async def _give_back(reservation: Reservation, *, clear: Sequence[str]) -> None:
    engine = database.current_engine()
    held = {h.key: h for h in reservation.held}
    async with engine.transaction():
        # Keys in the order reserve() locks them: two transactions never wait on each other.
        for key in sorted(set(held) | set(clear)):
            if key in clear:
                await database.fetch("DELETE FROM login_throttle WHERE key = {}", key)
                continue
            row = await read.first(_select(engine.engine_type), key)
            if row is None:
                continue
            mine = held[key]
            if row.window_start != mine.window_start or row.failures < 1:
                continue  # a new window began meanwhile: nothing of ours is left in it
            # Our lock goes back to what it was, unless a later attempt set another.
            lock = mine.previous_lock if row.locked_until == mine.lock else row.locked_until
            await database.fetch(
                "UPDATE login_throttle SET failures = failures - 1, locked_until = {}"
                " WHERE key = {}",
                lock,
                key,
            )


async def _locked_row(key: str, now: datetime, engine_type: str) -> ThrottleRow:
    """``key``'s row, created when missing, locked until the transaction ends."""
    row = await read.first(_select(engine_type), key)
    if row is None:
        await database.fetch(
            "INSERT INTO login_throttle (key, failures, window_start, last_failure_at,"
            " locked_until) VALUES ({}, 0, {}, {}, NULL) ON CONFLICT (key) DO NOTHING",
            key,
            now,
            now,
        )
        row = await read.first(_select(engine_type), key)
        assert row is not None  # noqa: S101 - inserted just now, in this transaction
    return row


class ThrottleRow(NamedTuple):
    failures: int
    window_start: datetime
    locked_until: datetime | None


class _Lock(NamedTuple):
    locked_until: datetime


# + "({}, {}, …) …": the keys.
_LOCKS = Query(_Lock, "SELECT locked_until FROM login_throttle WHERE key IN ")
# Arguments: the key.
_SELECT = Query(
    ThrottleRow, "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = {}"
)
_SELECT_FOR_UPDATE = _SELECT + " FOR UPDATE"


def _select(engine_type: str) -> Query[ThrottleRow]:
    # SQLite needs no row lock: its BEGIN IMMEDIATE already holds the whole database.
    return _SELECT_FOR_UPDATE if engine_type == "postgres" else _SELECT


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)
