"""argon2id hashing for staff passwords and client access codes.

One argon2 verification costs ~170 ms of CPU and 64 MiB. Run on the event loop, sixty of them
at once froze the portal for 13 s, so the request path uses :func:`verify` and :func:`hash`,
which run the work on a small thread pool beside the loop (argon2-cffi releases the GIL while it
hashes) and admit at most :data:`MAX_WAITING` jobs: past that, :class:`Busy` is raised at once
instead of queueing a flood. The login throttle (``services/access/login_throttle.py``) already
keeps each key to a few attempts in flight; this bound is the wall against many keys at once.

A browser with a known-device cookie (the client's or the staff's) checks on a lane of its own,
with its own thread and bound: a flood of strangers that fills the main lane does not keep the
real user waiting behind it (measured: 4 client and 4 staff checks that a one-address flood
earns at its start filled the main lane for seconds, and the owner got "busy").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, TypeVar

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")
# One hashing thread per worker: on the 2-core machines this runs on, the event loop keeps the
# other core (two threads measured /saude's p99 under a login flood several times worse).
THREADS = 1
# Jobs running or waiting: at ~170 ms each, the last one admitted waits about 1.5 s.
MAX_WAITING = 8
# The known devices' lane: each device key already allows only a few attempts in flight.
MAX_WAITING_KNOWN = 4


# RFC 9106's second recommendation (argon2id, 64 MiB, t=3, p=4), argon2-cffi's default. A hash
# carries its parameters, so a hash made with others (an older release's) still verifies.
PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY


class Busy(Exception):  # noqa: N818 - a condition the caller answers, not a bug
    """Too many hashing jobs are running or waiting: refuse the request now."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(PARAMETERS)


def hash_secret(secret: str) -> str:
    """An argon2id hash of ``secret`` (salted, with its parameters in the string); blocking:
    for the CLI and tests. The request path uses :func:`hash`."""
    return _hasher().hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; with no stored hash a dummy one is checked, so that the
    answer takes the same time whether or not the account exists. Blocking: the request path
    uses :func:`verify`."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# What the dummy hash checked for an unknown account hashes: never a code (verify_secret answers
# False with no stored hash whatever the secret).
DUMMY_SECRET = "espaco-dummy-secret"  # noqa: S105 - not a credential: see above


@cache
def _dummy_hash() -> str:
    return _hasher().hash(DUMMY_SECRET)


# The strangers' lane runs at a lower CPU priority than the event loop (Linux gives each thread
# its own nice value): when the machine is short of CPU, the loop that answers /saude and the
# logged-in pages wins it, and the guesses wait.
NICE = 10


def _lower_priority(nice: int) -> None:
    if sys.platform == "linux" and nice:  # elsewhere a thread id is no process id
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class _Lane:
    """A thread pool that admits at most ``bound()`` jobs running or waiting."""

    def __init__(self, name: str, bound: Callable[[], int], *, nice: int = 0) -> None:
        self.pool = ThreadPoolExecutor(
            max_workers=THREADS,
            thread_name_prefix=name,
            initializer=_lower_priority,
            initargs=(nice,),
        )
        self.bound = bound
        self.admitted = 0
        self.lock = threading.Lock()  # TestClient apps and the tests run in different loops

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self.lock:
            if self.admitted >= self.bound():
                raise Busy
            self.admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)
        finally:
            with self.lock:
                self.admitted -= 1


# The bounds are read at each call, so that tests can lower them.
_main = _Lane("argon2", lambda: MAX_WAITING, nice=NICE)
_known = _Lane("argon2-known", lambda: MAX_WAITING_KNOWN)


async def verify(stored_hash: str | None, secret: str, *, known_device: bool = False) -> bool:
    """:func:`verify_secret` off the event loop (on the known devices' lane for one); raises
    :class:`Busy` when the lane is full."""
    lane = _known if known_device else _main
    return await lane.run(verify_secret, stored_hash, secret)


async def hash(secret: str) -> str:  # noqa: A001 - passwords.hash reads as what it does
    """:func:`hash_secret` off the event loop; raises :class:`Busy` when the pool is full."""
    return await _main.run(hash_secret, secret)


def full(*, known_device: bool = False) -> bool:
    """True when :func:`verify` would raise :class:`Busy` now: asked before an attempt is
    counted, so that a full lane refuses without a write (a reservation given back after
    :class:`Busy` costs two transactions, and a flood came back for more at once)."""
    lane = _known if known_device else _main
    return lane.admitted >= lane.bound()
