"""``Idempotency-Key`` for the API's imports: the same key and body get the first answer again,
the same key with another body is a mistake (422), and a key whose first request is still
running answers 409.

The key is claimed (a row with status 0) and committed *before* the work starts, so a second
request on another worker sees it; the answer replaces the claim when the work ends. Work that
fails with an unexpected error releases the claim, so the caller can try again. A claim left by a
worker that died is taken over after :data:`STALE`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from espaco.db import database
from espaco.db.database import current_engine
from espaco.tables import ApiIdempotency

RUNNING = 0
STALE = timedelta(hours=1)
# Answers are kept this long; older keys are forgotten when a new one is claimed.
KEEP = timedelta(days=7)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Claim:
    """What to do with a request: ``run`` it (the key is ours now), ``replay`` the first
    answer, or refuse it: ``mismatch`` (another body) or ``running``."""

    outcome: Literal["run", "replay", "mismatch", "running"]
    key: str
    status_code: int = 0
    response: str = ""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def claim(token_id: int, key: str, digest: str, *, now: datetime) -> Claim:
    """Claim ``key`` for token ``token_id`` and a body whose sha256 is ``digest``."""
    full_key = f"{token_id}:{key}"
    engine = current_engine()
    async with engine.transaction():
        rows = await database.fetch(
            "INSERT INTO api_idempotency (key, body_hash, status_code, response, created_at) "
            "VALUES ({}, {}, 0, '', {}) ON CONFLICT (key) DO NOTHING RETURNING id",
            full_key,
            digest,
            now,
        )
        if rows:
            await ApiIdempotency.delete().where(ApiIdempotency.created_at < now - KEEP)
            return Claim("run", full_key)
        found = await ApiIdempotency.select(
            ApiIdempotency.body_hash,
            ApiIdempotency.status_code,
            ApiIdempotency.response,
            ApiIdempotency.created_at,
        ).where(ApiIdempotency.key == full_key)
        row = found[0]
        if row["body_hash"] != digest:
            return Claim("mismatch", full_key)
        if row["status_code"] != RUNNING:
            return Claim("replay", full_key, row["status_code"], row["response"])
        if row["created_at"] < now - STALE:
            await ApiIdempotency.update({ApiIdempotency.created_at: now}).where(
                ApiIdempotency.key == full_key
            )
            return Claim("run", full_key)
        return Claim("running", full_key)


async def finish(claim_: Claim, status_code: int, response: str) -> None:
    """Keep the first answer under the claimed key."""
    await ApiIdempotency.update(
        {ApiIdempotency.status_code: status_code, ApiIdempotency.response: response}
    ).where(ApiIdempotency.key == claim_.key)


async def release(claim_: Claim) -> None:
    """Give the key back (the work failed unexpectedly): a retry runs it again."""
    await ApiIdempotency.delete().where(
        (ApiIdempotency.key == claim_.key) & (ApiIdempotency.status_code == RUNNING)
    )
