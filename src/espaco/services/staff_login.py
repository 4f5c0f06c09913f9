"""Staff login: username and password (argon2id), then a TOTP code when the user has one.

- Throttled like the client login (``services/login.py``): each failure, of the password or of
  the code, counts under a key for the username and one for the IP, in the database.
- An unknown user, a wrong password and an inactive user get the same answer, after the same
  argon2 work.
- Between the password and the code, the half-logged-in state is a signed token (kept in a
  short-lived cookie by the web layer) naming the user, its session epoch, the step and an
  expiry: nothing lives in a worker's memory, and bumping the epoch voids it.
- With ``ESPACO_STAFF_MFA=required`` a master user without TOTP gets no session until enrolled.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from espaco.services import audit, staff_mfa
from espaco.services.login import MAX_DELAY, blocked_until, count_failure, throttle_key
from espaco.services.passwords import verify_secret
from espaco.services.staff import USERNAME
from espaco.tables import LoginThrottle, StaffRole, StaffUser

BAD_LOGIN = "Usuário ou senha incorretos."
BAD_CODE = "Código incorreto. Confira o aplicativo autenticador e tente de novo."
EXPIRED = "A etapa de login expirou. Entre de novo com usuário e senha."
PENDING_TTL = timedelta(minutes=5)
STEP_TOTP = "totp"
STEP_ENROL = "enrol"


@dataclass(frozen=True)
class StaffLoginResult:
    """The outcome of one step. ``done``: open a session for ``staff_id``; ``next_step``: ask
    for a TOTP code (``totp``) or make the user enrol first (``enrol``)."""

    staff_id: int | None = None
    epoch: int = 0
    next_step: str | None = None
    error: str | None = None
    locked_until: datetime | None = None
    expired: bool = False

    @property
    def done(self) -> bool:
        return self.staff_id is not None and self.next_step is None and self.error is None


@dataclass(frozen=True)
class Pending:
    """A password checked, a second step still to do."""

    staff_id: int
    epoch: int
    step: str


def _keys(secret: str, ip: str, username: str) -> list[str]:
    # The IP first: a success clears every key but that one, as the client login does.
    return [throttle_key(secret, "ip", ip), throttle_key(secret, "staff", username)]


def _actor(username: str) -> str:
    # What was typed goes to the audit only when it can be a username (not a stray password).
    return username if USERNAME.match(username) else ""


def lock_message(until: datetime, now: datetime, tz: tzinfo) -> str:
    """Portuguese: how long to wait before the next attempt."""
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds <= MAX_DELAY.total_seconds():
        plural = "s" if seconds > 1 else ""
        return f"Por segurança, aguarde {seconds} segundo{plural} antes de tentar de novo."
    return (
        "Muitas tentativas sem sucesso: o acesso por este usuário ou por esta rede está "
        f"bloqueado até {until.astimezone(tz):%H:%M} de {until.astimezone(tz):%d/%m/%Y}."
    )


async def check_password(
    username: str,
    password: str,
    *,
    ip: str,
    secret: str,
    now: datetime,
    tz: tzinfo,
    mfa_required: bool,
) -> StaffLoginResult:
    """First step: the password. Counts a failure, or says which step comes next."""
    username = username.strip().lower()[:80]
    if not username or not password:
        return StaffLoginResult(error="Informe o usuário e a senha.")
    keys = _keys(secret, ip, username)
    blocked = await blocked_until(keys, now)
    if blocked is not None:
        await audit.record(
            "staff_login_blocked",
            now=now,
            actor=_actor(username),
            ip=ip,
            details={"until": blocked.isoformat()},
        )
        return StaffLoginResult(error=lock_message(blocked, now, tz), locked_until=blocked)

    rows = await StaffUser.select(
        StaffUser.id,
        StaffUser.password_hash,
        StaffUser.active,
        StaffUser.role,
        StaffUser.totp_enabled,
        StaffUser.session_epoch,
    ).where(StaffUser.username == username)
    row = rows[0] if rows else None
    # verify_secret checks a dummy hash when there is none: the same work either way.
    matches = verify_secret(row["password_hash"] if row else None, password)
    if row is None or not row["active"] or not matches:
        return await _failure(keys, username, ip=ip, now=now, tz=tz, error=BAD_LOGIN)

    if row["totp_enabled"]:
        return StaffLoginResult(row["id"], row["session_epoch"], next_step=STEP_TOTP)
    if mfa_required and row["role"] == StaffRole.master:
        return StaffLoginResult(row["id"], row["session_epoch"], next_step=STEP_ENROL)
    await _success(row["id"], keys, username, ip=ip, now=now)
    return StaffLoginResult(row["id"], row["session_epoch"])


async def check_code(
    pending: Pending, code: str, *, ip: str, secret: str, now: datetime, tz: tzinfo
) -> StaffLoginResult:
    """Second step: a TOTP code, of the enabled secret or (``enrol``) of the one being set up."""
    rows = await StaffUser.select(
        StaffUser.username, StaffUser.active, StaffUser.session_epoch, StaffUser.totp_enabled
    ).where(StaffUser.id == pending.staff_id)
    row = rows[0] if rows else None
    if row is None or not row["active"] or row["session_epoch"] != pending.epoch:
        return StaffLoginResult(error=EXPIRED, expired=True)
    if pending.step == STEP_ENROL and row["totp_enabled"]:
        # Enrolled meanwhile (another tab): the ordinary second step applies.
        pending = Pending(pending.staff_id, pending.epoch, STEP_TOTP)
    username = row["username"]
    keys = _keys(secret, ip, username)
    blocked = await blocked_until(keys, now)
    if blocked is not None:
        return StaffLoginResult(
            pending.staff_id,
            pending.epoch,
            next_step=pending.step,
            error=lock_message(blocked, now, tz),
            locked_until=blocked,
        )
    if pending.step == STEP_ENROL:
        ok = await staff_mfa.confirm_enrolment(pending.staff_id, code, now=now, ip=ip)
    else:
        ok = await staff_mfa.second_factor_ok(pending.staff_id, code, now=now)
    if not ok:
        failed = await _failure(keys, username, ip=ip, now=now, tz=tz, error=BAD_CODE, step="totp")
        return StaffLoginResult(
            pending.staff_id,
            pending.epoch,
            next_step=pending.step,
            error=failed.error,
            locked_until=failed.locked_until,
        )
    await _success(pending.staff_id, keys, username, ip=ip, now=now)
    return StaffLoginResult(pending.staff_id, pending.epoch)


async def _success(
    staff_id: int, keys: list[str], username: str, *, ip: str, now: datetime
) -> None:
    await LoginThrottle.delete().where(LoginThrottle.key.is_in(keys[1:]))
    await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == staff_id)
    await audit.record("staff_login_ok", now=now, actor=username, ip=ip)


async def _failure(
    keys: list[str],
    username: str,
    *,
    ip: str,
    now: datetime,
    tz: tzinfo,
    error: str,
    step: str = "password",
) -> StaffLoginResult:
    locked = await count_failure(keys, now)
    actor = _actor(username)
    await audit.record("staff_login_failed", now=now, actor=actor, ip=ip, details={"step": step})
    if locked is None:
        return StaffLoginResult(error=error)
    await audit.record(
        "staff_login_locked", now=now, actor=actor, ip=ip, details={"until": locked.isoformat()}
    )
    return StaffLoginResult(error=f"{error} {lock_message(locked, now, tz)}", locked_until=locked)


# -- the token of the half-logged-in state -----------------------------------------------------
def _signature(secret: str, payload: str) -> str:
    return hmac.new(
        secret.encode(), f"staff-pending:{payload}".encode(), hashlib.sha256
    ).hexdigest()


def sign_pending(secret: str, pending: Pending, *, now: datetime) -> str:
    """A token for ``pending``, valid for :data:`PENDING_TTL`."""
    expires = int((now + PENDING_TTL).timestamp())
    payload = f"{pending.staff_id}.{pending.epoch}.{pending.step}.{expires}"
    return f"{payload}.{_signature(secret, payload)}"


def read_pending(secret: str, token: str | None, *, now: datetime) -> Pending | None:
    """The pending step a token names, or None when it is absent, forged or expired."""
    if not token or token.count(".") != 4:
        return None
    payload, _, signature = token.rpartition(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    staff_id, epoch, step, expires = payload.split(".")
    if step not in (STEP_TOTP, STEP_ENROL):
        return None
    try:
        if datetime.fromtimestamp(int(expires), UTC) <= now:
            return None
        return Pending(int(staff_id), int(epoch), step)
    except ValueError:
        return None
