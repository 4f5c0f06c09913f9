"""Is a configured secret (``ESPACO_SECRET_KEY``, ``ESPACO_API_TOKEN``) strong enough?

A key of 32 × "a" has the length and none of the strength. Three cheap estimates, each of which
a random key passes by a wide margin (``secrets.token_urlsafe(48)``: ~330 bits, 64 bytes
compressed; ``openssl rand -hex 16``: ~120 bits) and a made-up one fails:
- the Shannon entropy of its characters times its length, at least 100 bits;
- what zlib makes of it, at least 3/4 of its length (repeated runs like "0123456789" × 4);
- no more than half its neighbours one apart ("abcdef…", "123456…").
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

MIN_LENGTH = 32
MIN_BITS = 100
MIN_COMPRESSED_RATIO = 0.75
ZLIB_OVERHEAD = 8  # header and checksum bytes, not part of what the text compressed to
GENERATE_HINT = "gere uma com: openssl rand -base64 48"


def estimated_bits(value: str) -> float:
    """Shannon entropy of the characters of ``value`` times its length."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values()) * n if n else 0.0


def secret_problem(name: str, value: str) -> str | None:
    """A Portuguese sentence saying why ``value`` is too weak for ``name``, or None."""
    if len(value) < MIN_LENGTH:
        return f"{name} deve ter ao menos {MIN_LENGTH} caracteres ({GENERATE_HINT})"
    compressed = len(zlib.compress(value.encode("utf-8"), 9)) - ZLIB_OVERHEAD
    steps = sum(abs(ord(a) - ord(b)) == 1 for a, b in zip(value, value[1:], strict=False))
    if (
        estimated_bits(value) < MIN_BITS
        or compressed < MIN_COMPRESSED_RATIO * len(value)
        or steps > len(value) // 2
    ):
        return f"{name} é previsível demais (caracteres repetidos ou em sequência; {GENERATE_HINT})"
    return None
