"""Client login: document + access code, with throttling that slows guessing without letting a
stranger lock a company out of its own portal.

- The code is long and random (≈79 bits): guessing fails even without limits; these are a
  second wall.
- Each failure adds to counters per document and per IP, kept in the database (all workers
  share them, restarts keep them) under a keyed hash, so the table holds no CPF.
- After each failure the key must wait a growing delay; after ``MAX_FAILURES`` in an hour the
  key is locked until the hour ends. The answer says so, with the time it ends.
- A browser that logged in before carries a signed "known device" cookie; its attempts are
  counted under its own key and the document's counter does not hold it, so an attacker who
  exhausts the document's counter cannot lock out the owner's usual browser.
- An unknown document, a wrong code and an inactive client get the same answer, and the same
  argon2 work is done for each.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from piccolo.columns import Column

from espaco.domain.documents import validate_document
from espaco.domain.errors import DomainError
from espaco.services import audit
from espaco.services.access_codes import normalize_code
from espaco.services.passwords import verify_secret
from espaco.tables import Client, LoginThrottle

WINDOW = timedelta(hours=1)
MAX_FAILURES = 100
FREE_FAILURES = 3  # the first mistakes (a typo) cost no wait
MAX_DELAY = timedelta(minutes=5)
BAD_LOGIN = "CNPJ/CPF ou código de acesso incorretos."


@dataclass(frozen=True)
class LoginResult:
    client_id: int | None = None
    error: str | None = None
    locked_until: datetime | None = None
    field_errors: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.client_id is not None


def throttle_key(secret: str, kind: str, value: str) -> str:
    """The counter's key for ``value`` (a document, an IP, a staff username): a keyed hash, so
    the table holds no CPF. The staff login (``services/staff_login.py``) shares these counters."""
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


_key = throttle_key  # the earlier private name (tests/services/test_login.py uses it)


def normalized_document(text: str) -> str:
    """The document as stored, or "" when it does not validate."""
    try:
        return validate_document(text)
    except DomainError:
        return ""


def device_token(secret: str, document: str) -> str:
    """The value of the known-device cookie for ``document`` (an HMAC: unforgeable)."""
    return hmac.new(secret.encode(), f"device:{document}".encode(), hashlib.sha256).hexdigest()


def delay_after(failures: int) -> timedelta:
    """The wait imposed after the n-th failure in a window: 0, 0, 0, 2 s, 4 s … 5 min."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    exponent = min(failures - FREE_FAILURES, 16)  # 2**16 s is past the cap already
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


async def attempt_login(
    document_text: str,
    code_text: str,
    *,
    ip: str,
    device_cookie: str | None,
    secret: str,
    now: datetime,
    tz: tzinfo,
) -> LoginResult:
    """Check a login; count the failure, or clear the counters on success."""
    field_errors: dict[str, str] = {}
    try:
        document = validate_document(document_text)
    except DomainError as exc:
        document = ""
        field_errors["documento"] = exc.message
    code = normalize_code(code_text)
    if not code:
        field_errors["codigo"] = "Informe o código de acesso recebido por e-mail."
    if field_errors:
        return LoginResult(error="Confira os campos destacados.", field_errors=field_errors)

    known_device = device_cookie is not None and hmac.compare_digest(
        device_cookie, device_token(secret, document)
    )
    keys = [throttle_key(secret, "ip", ip)]
    keys.append(
        throttle_key(secret, "dev", f"{document}:{device_cookie}")
        if known_device
        else throttle_key(secret, "doc", document)
    )
    blocked = await blocked_until(keys, now)
    if blocked is not None:
        await audit.record("login_blocked", now=now, ip=ip, details={"until": blocked.isoformat()})
        return LoginResult(error=lock_message(blocked, now, tz), locked_until=blocked)

    rows = await Client.select(Client.id, Client.access_code_hash, Client.active).where(
        Client.document == document
    )
    row = rows[0] if rows else None
    # verify_secret checks a dummy hash when there is none: the same work either way.
    matches = verify_secret(row["access_code_hash"] if row else None, code)
    if row is not None and row["active"] and matches:
        await LoginThrottle.delete().where(LoginThrottle.key.is_in(keys[1:]))
        await audit.record("login_ok", now=now, ip=ip, client_id=row["id"])
        return LoginResult(client_id=row["id"])

    locked = await count_failure(keys, now)
    client_id = row["id"] if row else None
    await audit.record("login_failed", now=now, ip=ip, client_id=client_id)
    if locked is not None:
        await audit.record(
            "login_locked",
            now=now,
            ip=ip,
            client_id=client_id,
            details={"until": locked.isoformat()},
        )
        return LoginResult(error=lock_message(locked, now, tz), locked_until=locked)
    return LoginResult(error=BAD_LOGIN)


def lock_message(until: datetime, now: datetime, tz: tzinfo) -> str:
    """Portuguese: how long to wait. Short waits in seconds, the hour lock with its end time."""
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds <= MAX_DELAY.total_seconds():
        return (
            f"{BAD_LOGIN} Por segurança, aguarde {seconds} segundo{'s' if seconds > 1 else ''}"
            " antes de tentar de novo."
        )
    return (
        "Muitas tentativas sem sucesso: o acesso por este CNPJ/CPF ou por esta rede está "
        f"bloqueado até {until.astimezone(tz):%H:%M} de {until.astimezone(tz):%d/%m/%Y}. "
        "Se precisar, peça um novo código à empresa."
    )


async def blocked_until(keys: list[str], now: datetime) -> datetime | None:
    """The latest lock still running on any of ``keys``, or None."""
    rows = await LoginThrottle.select(LoginThrottle.locked_until).where(
        LoginThrottle.key.is_in(keys) & (LoginThrottle.locked_until > now)
    )
    return max((r["locked_until"] for r in rows), default=None)


async def count_failure(keys: list[str], now: datetime) -> datetime | None:
    """Add one failure to each key; return the latest lock that resulted, if any."""
    latest: datetime | None = None
    engine = LoginThrottle._meta.db
    async with engine.transaction():
        for key in keys:
            # Make sure the row exists, then lock it: concurrent failures on PostgreSQL add up
            # instead of overwriting each other (SQLite's BEGIN IMMEDIATE already serialises).
            await LoginThrottle.insert(
                LoginThrottle(key=key, failures=0, window_start=now, last_failure_at=now)
            ).on_conflict(target=LoginThrottle.key, action="DO NOTHING")
            query = LoginThrottle.select().where(LoginThrottle.key == key)
            if engine.engine_type == "postgres":
                query = query.lock_rows()
            rows = await query
            if rows[0]["failures"] and now - rows[0]["window_start"] < WINDOW:
                failures = rows[0]["failures"] + 1
                window_start = rows[0]["window_start"]
            else:
                failures, window_start = 1, now
            if failures >= MAX_FAILURES:
                locked_until = window_start + WINDOW
            else:
                wait = delay_after(failures)
                locked_until = now + wait if wait else None
            values: dict[Column | str, Any] = {
                LoginThrottle.failures: failures,
                LoginThrottle.window_start: window_start,
                LoginThrottle.last_failure_at: now,
                LoginThrottle.locked_until: locked_until,
            }
            await LoginThrottle.update(values).where(LoginThrottle.key == key)
            if locked_until is not None and (latest is None or locked_until > latest):
                latest = locked_until
    return latest
