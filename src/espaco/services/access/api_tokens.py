"""Bearer tokens of the ERP API: created by a master user (shown once), kept as a sha256,
scoped, revocable, with their last use recorded; and the per-token rate limit.

A token is 256 random bits, so a plain sha256 is enough to keep it: there is nothing to guess
and no need for a slow hash, which would cost every API request tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from espaco.db import database
from espaco.db.database import current_engine
from espaco.domain.errors import Invalid
from espaco.services.operations import audit
from espaco.settings import Settings
from espaco.tables import ApiRateWindow, ApiToken, StaffUser

SCOPES = ("import", "requests")
SCOPE_LABELS = {"import": "Importação e atualizações", "requests": "Solicitações de coleta"}
TOKEN_PREFIX = "esp_"  # noqa: S105 - the visible start of every token, not a secret
PREFIX_LENGTH = 12
# Fixed window per token and minute, counted in the database so that every worker agrees.
REQUESTS_PER_MINUTE = 600
NAME_MAX = 100
_pk = ApiToken._meta.primary_key


@dataclass(frozen=True)
class TokenRow:
    """A token as the back-office lists it (never the token itself)."""

    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class ApiCaller:
    """The token a request authenticated with."""

    token_id: int
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window ends (when not allowed)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Known scopes in their canonical order; unknown ones dropped."""
    return tuple(scope for scope in SCOPES if scope in values)


async def create_token(
    name: str, scopes: tuple[str, ...], *, created_by: int | None, now: datetime, actor: str = ""
) -> str:
    """Create a token and return it: the only time it exists in clear. :class:`Invalid`
    (fields ``nome``, ``escopos``) without a name or a known scope."""
    name = name.strip()
    errors = {}
    if not name:
        errors["nome"] = "Dê um nome ao token (por exemplo, o sistema que vai usá-lo)."
    elif len(name) > NAME_MAX:
        errors["nome"] = f"O nome pode ter no máximo {NAME_MAX} caracteres."
    if not parse_scopes(scopes):
        errors["escopos"] = "Escolha ao menos um escopo."
    if errors:
        raise Invalid(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with current_engine().transaction():
        await ApiToken.insert(
            ApiToken(
                name=name,
                prefix=token[:PREFIX_LENGTH],
                token_hash=hash_token(token),
                scopes=" ".join(parse_scopes(scopes)),
                created_by=created_by,
                created_at=now,
            )
        )
        await audit.record(
            "api_token_created",
            now=now,
            actor=actor,
            details={"name": name, "prefix": token[:PREFIX_LENGTH]},
        )
    return token


async def seed_bootstrap(settings: Settings, *, now: datetime) -> bool:
    """``ESPACO_API_TOKEN``: make it a token with every scope unless one with its hash exists
    (revoked included: revoking the bootstrap token must not be undone by a restart)."""
    if not settings.api_token:
        return False
    digest = hash_token(settings.api_token)
    async with current_engine().transaction():
        if await ApiToken.exists().where(ApiToken.token_hash == digest):
            return False
        await ApiToken.insert(
            ApiToken(
                name="ESPACO_API_TOKEN",
                prefix=settings.api_token[:PREFIX_LENGTH],
                token_hash=digest,
                scopes=" ".join(SCOPES),
                created_by=None,
                created_at=now,
            )
        )
    return True


async def list_tokens() -> list[TokenRow]:
    """Every token, active ones first, newest first."""
    rows = await ApiToken.select(
        _pk,
        ApiToken.name,
        ApiToken.prefix,
        ApiToken.scopes,
        ApiToken.created_by.join_on(StaffUser.id).username.as_alias("created_by"),  # type: ignore[attr-defined]
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).order_by(_pk, ascending=False)
    tokens = [
        TokenRow(
            id=row["id"],
            name=row["name"],
            prefix=row["prefix"],
            scopes=tuple(row["scopes"].split()),
            created_by=row["created_by"] or "",
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
        )
        for row in rows
    ]
    return sorted(tokens, key=lambda t: t.revoked_at is not None)


async def revoke(token_id: int, *, now: datetime, actor: str = "") -> bool:
    """Revoke a token; False when there is no such active token."""
    async with current_engine().transaction():
        rows = await (
            ApiToken.update({ApiToken.revoked_at: now})
            .where((_pk == token_id) & ApiToken.revoked_at.is_null())
            .returning(ApiToken.prefix)
        )
        if rows:
            await audit.record(
                "api_token_revoked", now=now, actor=actor, details={"prefix": rows[0]["prefix"]}
            )
    return bool(rows)


async def authenticate(token: str) -> ApiCaller | None:
    """The active token ``token`` is, or None."""
    if not token:
        return None
    rows = await ApiToken.select(_pk, ApiToken.name, ApiToken.scopes).where(
        (ApiToken.token_hash == hash_token(token)) & ApiToken.revoked_at.is_null()
    )
    if not rows:
        return None
    row = rows[0]
    return ApiCaller(row["id"], row["name"], frozenset(row["scopes"].split()))


async def count_request(
    caller: ApiCaller, *, now: datetime, limit: int | None = None
) -> RateDecision:
    """Count one request of ``caller`` in the current minute and record the token's last use,
    in one transaction; refuse past ``limit`` requests a minute."""
    limit = REQUESTS_PER_MINUTE if limit is None else limit
    epoch_seconds = int(now.timestamp())
    minute = epoch_seconds // 60
    window_start = now - timedelta(seconds=epoch_seconds % 60, microseconds=now.microsecond)
    engine = current_engine()
    async with engine.transaction():
        rows = await database.fetch(
            "INSERT INTO api_rate_window (key, requests, window_start) VALUES ({}, 1, {}) "
            "ON CONFLICT (key) DO UPDATE SET requests = api_rate_window.requests + 1 "
            "RETURNING requests",
            f"{caller.token_id}:{minute}",
            window_start,
        )
        count = int(rows[0]["requests"])
        if count == 1:  # a new window: forget the old ones
            await ApiRateWindow.delete().where(
                ApiRateWindow.window_start < window_start - timedelta(minutes=1)
            )
        if count <= limit:
            await ApiToken.update({ApiToken.last_used_at: now}).where(_pk == caller.token_id)
    if count > limit:
        return RateDecision(False, max(1, 60 - epoch_seconds % 60))
    return RateDecision(True, 0)
