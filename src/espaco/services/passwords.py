"""argon2id hashing for staff passwords and client access codes."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults follow RFC 9106's second recommendation (argon2id, 64 MiB, t=3).
    return PasswordHasher()


def hash_secret(secret: str) -> str:
    """An argon2id hash of ``secret`` (salted, with its parameters in the string)."""
    return _hasher().hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; with no stored hash a dummy one is checked, so that the
    answer takes the same time whether or not the account exists."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash("espaco-dummy-secret")
