"""Staff login: username and password (argon2id), then a TOTP code when the user has one.

- Throttled like the client login (``services/access/login_throttle.py``): each attempt, at the
  password or at the code, is counted before it is checked, under a key for the username and
  one for the IP (its own, apart from the client login's), in the database.
- A browser where the user logged in before carries a signed known-device cookie; there the
  attempts count under that device's key alone, so four wrong passwords typed elsewhere (or a
  busy office address) do not lock the real user out of their own browser.
- An unknown user, a wrong password and an inactive user get the same answer, after the same
  argon2 work, done on the hashing pool (``services/access/passwords.py``), never on the event loop.
- Between the password and the code, the half-logged-in state is a row (``StaffLoginStep``)
  made only by a right password: the browser holds a random token, the row its hash, bound to
  the user and its session epoch, for five minutes, used once. Knowing the secret key does not
  make one.
- With ``ESPACO_STAFF_MFA=required`` a master user without TOTP gets no session until enrolled.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from espaco.db import database
from espaco.services.access import login_throttle, passwords, staff_mfa
from espaco.services.access.login import BUSY, Keys, audit_lock_once, throttle_key
from espaco.services.access.login_throttle import MAX_DELAY, Reservation
from espaco.services.access.staff import USERNAME
from espaco.services.operations import audit
from espaco.tables import StaffLoginStep, StaffRole, StaffUser

BAD_LOGIN = "Usuário ou senha incorretos."
BAD_CODE = "Código incorreto. Confira o aplicativo autenticador e tente de novo."
EXPIRED = "A etapa de login expirou. Entre de novo com usuário e senha."
PENDING_TTL = timedelta(minutes=5)
STEP_TOTP = "totp"
STEP_ENROL = "enrol"
# The counters' kinds (see services/access/login.py for the client's).
IP = "staff-ip"
USER = "staff"
DEVICE = "staff-dev"


@dataclass(frozen=True)
class StaffLoginResult:
    """The outcome of one step. ``done``: open a session for ``staff_id`` (and give the browser
    ``device``, its known-device cookie); ``next_step``: ask for a TOTP code (``totp``) or make
    the user enrol first (``enrol``), with ``pending`` the token of that step."""

    staff_id: int | None = None
    epoch: int = 0
    next_step: str | None = None
    error: str | None = None
    locked_until: datetime | None = None
    expired: bool = False
    busy: bool = False
    refused: bool = False  # a lock was running: nothing was checked or counted
    pending: str | None = None
    device: str | None = None

    @property
    def done(self) -> bool:
        return self.staff_id is not None and self.next_step is None and self.error is None


@dataclass(frozen=True)
class Pending:
    """A password checked, a second step still to do."""

    staff_id: int
    epoch: int
    step: str


def device_token(secret: str, username: str) -> str:
    """The value of the staff known-device cookie for ``username`` (an HMAC: unforgeable)."""
    payload = f"staff-device:{username}".encode()
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def login_keys(secret: str, *, ip: str, username: str, device_cookie: str | None) -> Keys:
    """A known device counts under its own key alone; anyone else under the IP and the
    username."""
    if device_cookie is not None and hmac.compare_digest(
        device_cookie, device_token(secret, username)
    ):
        device = throttle_key(secret, DEVICE, username)
        return Keys((device,), (device,), known_device=True)
    user = throttle_key(secret, USER, username)
    return Keys((throttle_key(secret, IP, ip), user), (user,))


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
    device_cookie: str | None = None,
    secret: str,
    now: datetime,
    tz: tzinfo,
    mfa_required: bool,
) -> StaffLoginResult:
    """First step: the password. Counts the attempt, then checks it; says which step is next
    (with the token of that step) or that the login is done."""
    username = username.strip().lower()[:80]
    if not username or not password:
        return StaffLoginResult(error="Informe o usuário e a senha.")
    keys = login_keys(secret, ip=ip, username=username, device_cookie=device_cookie)
    reservation = await login_throttle.admit(keys.counted, now, known_device=keys.known_device)
    if reservation is None:
        return StaffLoginResult(error=BUSY, busy=True)
    if not isinstance(reservation, Reservation):
        return await _blocked(keys, reservation, username, ip=ip, now=now, tz=tz)

    rows = await StaffUser.select(
        StaffUser.id,
        StaffUser.password_hash,
        StaffUser.active,
        StaffUser.role,
        StaffUser.totp_enabled,
        StaffUser.session_epoch,
    ).where(StaffUser.username == username)
    row = rows[0] if rows else None
    try:
        # A dummy hash is checked when there is none: the same work either way.
        matches = await passwords.verify(
            row["password_hash"] if row else None, password, known_device=keys.known_device
        )
    except passwords.Busy:
        await login_throttle.give_back(reservation)
        return StaffLoginResult(error=BUSY, busy=True)
    if row is None or not row["active"] or not matches:
        return await _failure(reservation, username, ip=ip, now=now, tz=tz, error=BAD_LOGIN)

    step = None
    if row["totp_enabled"]:
        step = STEP_TOTP
    elif mfa_required and row["role"] == StaffRole.master:
        step = STEP_ENROL
    if step is not None:
        # The right password is no failure; the counters stay until the code is right too.
        await login_throttle.give_back(reservation)
        token = await start_step(Pending(row["id"], row["session_epoch"], step), now=now)
        return StaffLoginResult(row["id"], row["session_epoch"], next_step=step, pending=token)
    await _success(row["id"], reservation, keys, username, ip=ip, now=now)
    return StaffLoginResult(row["id"], row["session_epoch"], device=device_token(secret, username))


async def check_code(
    token: str | None,
    code: str,
    *,
    ip: str,
    device_cookie: str | None = None,
    secret: str,
    now: datetime,
    tz: tzinfo,
) -> StaffLoginResult:
    """Second step: a TOTP code, of the enabled secret or (``enrol``) of the one being set up,
    for the pending step ``token`` names. A right code uses the step up."""
    pending = await read_pending(token, now=now)
    if pending is None:
        return StaffLoginResult(error=EXPIRED, expired=True)
    rows = await StaffUser.select(
        StaffUser.username, StaffUser.active, StaffUser.session_epoch, StaffUser.totp_enabled
    ).where(StaffUser.id == pending.staff_id)
    row = rows[0] if rows else None
    if row is None or not row["active"] or row["session_epoch"] != pending.epoch:
        await end_step(token)
        return StaffLoginResult(error=EXPIRED, expired=True)
    if pending.step == STEP_ENROL and row["totp_enabled"]:
        # Enrolled meanwhile (another tab): the ordinary second step applies.
        pending = Pending(pending.staff_id, pending.epoch, STEP_TOTP)
    username = row["username"]
    keys = login_keys(secret, ip=ip, username=username, device_cookie=device_cookie)
    reservation = await login_throttle.reserve(keys.counted, now)
    if not isinstance(reservation, Reservation):
        blocked = await _blocked(keys, reservation, username, ip=ip, now=now, tz=tz)
        return _still(pending, token, blocked)
    if pending.step == STEP_ENROL:
        ok = await staff_mfa.confirm_enrolment(pending.staff_id, code, now=now, ip=ip)
    else:
        ok = await staff_mfa.second_factor_ok(pending.staff_id, code, now=now)
    if not ok:
        failed = await _failure(
            reservation, username, ip=ip, now=now, tz=tz, error=BAD_CODE, step="totp"
        )
        return _still(pending, token, failed)
    if not await end_step(token):  # two right codes at once: one login
        await login_throttle.give_back(reservation)
        return StaffLoginResult(error=EXPIRED, expired=True)
    await _success(pending.staff_id, reservation, keys, username, ip=ip, now=now)
    return StaffLoginResult(pending.staff_id, pending.epoch, device=device_token(secret, username))


def _still(pending: Pending, token: str | None, refused: StaffLoginResult) -> StaffLoginResult:
    """The code was refused: the same step again, with why."""
    return StaffLoginResult(
        pending.staff_id,
        pending.epoch,
        next_step=pending.step,
        error=refused.error,
        locked_until=refused.locked_until,
        refused=refused.refused,
        pending=token,
    )


async def _blocked(
    keys: Keys, until: datetime, username: str, *, ip: str, now: datetime, tz: tzinfo
) -> StaffLoginResult:
    if audit_lock_once(keys.counted, until):
        await audit.record(
            "staff_login_blocked",
            now=now,
            actor=_actor(username),
            ip=ip,
            details={"until": until.isoformat()},
        )
    return StaffLoginResult(error=lock_message(until, now, tz), locked_until=until, refused=True)


async def _success(
    staff_id: int, reservation: Reservation, keys: Keys, username: str, *, ip: str, now: datetime
) -> None:
    await login_throttle.settle_success(reservation, keys.cleared)
    await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == staff_id)
    await audit.record("staff_login_ok", now=now, actor=username, ip=ip)


async def _failure(
    reservation: Reservation,
    username: str,
    *,
    ip: str,
    now: datetime,
    tz: tzinfo,
    error: str,
    step: str = "password",
) -> StaffLoginResult:
    locked = reservation.lock
    actor = _actor(username)
    await audit.record("staff_login_failed", now=now, actor=actor, ip=ip, details={"step": step})
    if locked is None:
        return StaffLoginResult(error=error)
    await audit.record(
        "staff_login_locked", now=now, actor=actor, ip=ip, details={"until": locked.isoformat()}
    )
    return StaffLoginResult(error=f"{error} {lock_message(locked, now, tz)}", locked_until=locked)


# -- the half-logged-in step -------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_step(pending: Pending, *, now: datetime) -> str:
    """Record ``pending`` for :data:`PENDING_TTL`; return the browser's token for it. Only a
    right password calls this."""
    token = secrets.token_urlsafe(32)
    async with database.current_engine().transaction():
        await StaffLoginStep.delete().where(StaffLoginStep.expires_at <= now)
        await StaffLoginStep.insert(
            StaffLoginStep(
                token_hash=_hash(token),
                staff=pending.staff_id,
                epoch=pending.epoch,
                step=pending.step,
                created_at=now,
                expires_at=now + PENDING_TTL,
            )
        )
    return token


async def read_pending(token: str | None, *, now: datetime) -> Pending | None:
    """The pending step a token names, or None when it is absent, unknown, used or expired, or
    its user was deactivated or had its sessions ended since."""
    if not token or len(token) > 100:
        return None
    rows = await database.fetch(
        "SELECT p.staff, p.epoch, p.step FROM staff_login_step p"
        " JOIN staff_user u ON u.id = p.staff"
        " WHERE p.token_hash = {} AND p.expires_at > {} AND u.active AND u.session_epoch = p.epoch",
        _hash(token),
        now,
    )
    if not rows:
        return None
    return Pending(int(rows[0]["staff"]), int(rows[0]["epoch"]), str(rows[0]["step"]))


async def end_step(token: str | None) -> bool:
    """Use the step up; False when it was already gone (another request used it)."""
    if not token:
        return False
    gone = (
        await StaffLoginStep.delete()
        .where(StaffLoginStep.token_hash == _hash(token))
        .returning(StaffLoginStep.id)
    )
    return bool(gone)
