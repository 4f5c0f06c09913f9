"""Client login: document + access code, with throttling that slows guessing without letting a
stranger lock a company out of its own portal.

- The code is long and random (≈79 bits): guessing fails even without limits; these are a
  second wall.
- Each attempt is counted before its code is checked (``services/access/login_throttle.py``), per
  document and per IP (a key of its own, apart from the staff login's), in the database: all
  workers share the counters, restarts keep them, a burst fired at once gets no more checks than
  one attempt after another would.
- After each failure the key must wait a growing delay; after ``MAX_FAILURES`` in an hour the
  key is locked until the hour ends. The answer says so, with the time it ends.
- A browser that logged in before carries a signed "known device" cookie; its attempts are
  counted under its own key only, so neither the document's counter nor its network's holds it:
  an attacker who exhausts them cannot lock out the owner's usual browser.
- An unknown document, a wrong code and an inactive client get the same answer, and the same
  argon2 work is done for each, on the hashing pool (``services/access/passwords.py``), never on the
  event loop.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from piccolo.engine.base import Engine

from espaco.db import database, read
from espaco.db.read import Query
from espaco.domain.documents import validate_document
from espaco.domain.errors import DomainError, Invalid
from espaco.services.access import login_throttle, passwords
from espaco.services.access.access_codes import is_group_code, normalize_code
from espaco.services.access.login_throttle import MAX_DELAY, Reservation
from espaco.services.operations import audit

BAD_LOGIN = "CNPJ/CPF ou código de acesso incorretos."
BUSY = (
    "O portal está recebendo muitas tentativas de acesso agora. Tente de novo em alguns segundos."
)
# The counters' kinds: the client login's IP key is its own (the staff login has "staff-ip"),
# so failures at one door never lock the other.
IP = "ip"
DOCUMENT = "doc"
DEVICE = "dev"


class LoginRow(NamedTuple):
    """The client a document names, its code's hash and its group's (None: not in a group)."""

    id: int
    access_code_hash: str | None
    active: bool
    client_group: int | None
    group_hash: str | None


# Arguments: the document (digits only).
LOGIN = Query(
    LoginRow,
    "SELECT c.id, c.access_code_hash, c.active, c.client_group, g.access_code_hash AS group_hash"
    " FROM client c LEFT JOIN client_group g ON g.id = c.client_group WHERE c.document = {}",
)


@dataclass(frozen=True)
class LoginResult:
    client_id: int | None = None
    group_id: int | None = None  # the group's code was used: the session sees every member
    error: str | None = None
    locked_until: datetime | None = None
    busy: bool = False  # the hashing pool was full: nothing was checked or counted
    refused: bool = False  # a lock was running: nothing was checked or counted

    @property
    def ok(self) -> bool:
        return self.client_id is not None


def throttle_key(secret: str, kind: str, value: str) -> str:
    """The counter's key for ``value`` (a document, an IP, a staff username): a keyed hash, so
    the table holds no CPF. The staff login (``services/access/staff_login.py``) keys its own
    too."""
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


@dataclass(frozen=True)
class Keys:
    """What one attempt counts under, and which of those a success clears (the rest, an IP,
    get their reservation back)."""

    counted: tuple[str, ...]
    cleared: tuple[str, ...]
    known_device: bool = False


def normalized_document(text: str) -> str:
    """The document as stored, or "" when it does not validate."""
    try:
        return validate_document(text)
    except DomainError:
        return ""


def device_token(secret: str, document: str) -> str:
    """The value of the known-device cookie for ``document`` (an HMAC: unforgeable)."""
    return hmac.new(secret.encode(), f"device:{document}".encode(), hashlib.sha256).hexdigest()


def login_keys(secret: str, *, ip: str, document: str, device_cookie: str | None) -> Keys:
    """A known device counts under its own key alone; anyone else under the IP and the
    document."""
    if device_cookie is not None and hmac.compare_digest(
        device_cookie, device_token(secret, document)
    ):
        device = throttle_key(secret, DEVICE, f"{document}:{device_cookie}")
        return Keys((device,), (device,), known_device=True)
    doc = throttle_key(secret, DOCUMENT, document)
    return Keys((throttle_key(secret, IP, ip), doc), (doc,))


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
    """Check a login: count the attempt first, then check the code off the event loop; clear
    the counters on success. A malformed document or an empty code: :class:`Invalid`, before
    anything is counted."""
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
        raise Invalid(field_errors)

    keys = login_keys(secret, ip=ip, document=document, device_cookie=device_cookie)
    reservation = await login_throttle.admit(keys.counted, now, known_device=keys.known_device)
    if reservation is None:
        return LoginResult(error=BUSY, busy=True)
    if not isinstance(reservation, Reservation):
        if audit_lock_once(keys.counted, reservation):
            await audit.record(
                "login_blocked", now=now, ip=ip, details={"until": reservation.isoformat()}
            )
        return LoginResult(
            error=lock_message(reservation, now, tz), locked_until=reservation, refused=True
        )

    row = await read.first(LOGIN, document)
    # A group code is longer than a client's: its length says which hash to check, so every
    # attempt costs one verification, as before groups.
    group_code = is_group_code(code)
    stored = (row.group_hash if group_code else row.access_code_hash) if row else None
    try:
        # A dummy hash is checked when there is none: the same work either way.
        matches = await passwords.verify(stored, code, known_device=keys.known_device)
    except passwords.Busy:
        await login_throttle.give_back(reservation)
        return LoginResult(error=BUSY, busy=True)
    if row is not None and row.active and matches:
        await login_throttle.settle_success(reservation, keys.cleared)
        group_id = row.client_group if group_code else None
        details = {"group": group_id} if group_id is not None else None
        await audit.record("login_ok", now=now, ip=ip, client_id=row.id, details=details)
        return LoginResult(client_id=row.id, group_id=group_id)

    client_id = row.id if row else None
    await audit.record("login_failed", now=now, ip=ip, client_id=client_id)
    locked = reservation.lock
    if locked is None:
        return LoginResult(error=BAD_LOGIN)
    await audit.record(
        "login_locked", now=now, ip=ip, client_id=client_id, details={"until": locked.isoformat()}
    )
    return LoginResult(error=lock_message(locked, now, tz), locked_until=locked)


# (database, keys, lock end) already audited as blocked by this process: a flood
# refused at once writes one event per lock, not one per request.
_audited_locks: set[tuple[Engine, tuple[str, ...], datetime]] = set()


def audit_lock_once(keys: tuple[str, ...], until: datetime) -> bool:
    """True the first time this process refuses ``keys`` for the lock ending at ``until``."""
    seen = (database.current_engine(), keys, until)
    if seen in _audited_locks:
        return False
    if len(_audited_locks) > 10_000:
        _audited_locks.clear()
    _audited_locks.add(seen)
    return True


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
