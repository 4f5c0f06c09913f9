"""Client access codes: random, typed by hand, without look-alike characters."""

from __future__ import annotations

import math
import secrets

# No 0/O and no 1/I/L: a code is read from an e-mail and typed on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 4
GROUP_SIZE = 4
CODE_LENGTH = GROUPS * GROUP_SIZE
ENTROPY_BITS = CODE_LENGTH * math.log2(len(ALPHABET))  # ≈ 79 bits
# A group's code (matriz e filiais) has one group of characters more: its length alone says
# which hash a login checks, so a login still costs one argon2 verification, whatever the code.
GROUP_CODE_LENGTH = CODE_LENGTH + GROUP_SIZE


def new_access_code() -> str:
    """A fresh code, grouped for reading: ``XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def new_group_code() -> str:
    """A fresh group code: ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(GROUP_CODE_LENGTH)))


def is_group_code(normalized: str) -> bool:
    """Whether a normalised code has a group code's length."""
    return len(normalized) == GROUP_CODE_LENGTH


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normalize_code(typed: str) -> str:
    """What the person typed, without dashes, spaces or case (``abcd efgh`` → ``ABCDEFGH``)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())
