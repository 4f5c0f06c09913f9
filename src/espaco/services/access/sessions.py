"""Browser sessions kept in the database, so that any worker can serve any request.

The cookie holds a random id; the table holds only its SHA-256, so a copy of the database
cannot be replayed as cookies. A session carries the epoch of its client (or staff user) at
login: regenerating a code or deactivating the client bumps the epoch and every older session
stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from espaco.db import Record, as_datetime, database
from espaco.tables import Client, StaffUser, WebSession

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# last_seen_at is written at most this often: a page view should not cost a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ClientSession:
    session_id: int
    client_id: int
    client_name: str
    trade_name: str
    document: str


@dataclass(frozen=True)
class StaffSession:
    session_id: int
    staff_id: int
    username: str
    name: str
    role: str


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_session(
    *, now: datetime, ip: str, client_id: int | None = None, staff_id: int | None = None
) -> str:
    """Open a session for a client or a staff user; return the cookie value (a new random id)."""
    raw = secrets.token_urlsafe(32)
    if client_id is not None:
        rows = await Client.select(Client.session_epoch).where(Client.id == client_id)
    else:
        rows = await StaffUser.select(StaffUser.session_epoch).where(StaffUser.id == staff_id)
    await WebSession.insert(
        WebSession(
            id_hash=_hash(raw),
            client=client_id,
            staff=staff_id,
            epoch=rows[0]["session_epoch"],
            csrf_token=secrets.token_hex(16),
            created_at=now,
            last_seen_at=now,
            ip=ip,
        )
    )
    return raw


async def load_client_session(raw: str | None, *, now: datetime) -> ClientSession | None:
    """The client session behind a cookie value, or None when absent, expired or revoked."""
    if not raw:
        return None
    rows = await database.fetch(
        "SELECT s.id, s.last_seen_at, s.created_at, c.id AS client_id, c.name, c.trade_name,"
        " c.document FROM web_session s JOIN client c ON c.id = s.client"
        " WHERE s.id_hash = {} AND c.active AND s.epoch = c.session_epoch",
        _hash(raw),
    )
    if not rows or not await _alive(rows[0], now):
        return None
    row = rows[0]
    return ClientSession(
        row["id"], row["client_id"], row["name"], row["trade_name"], row["document"]
    )


async def load_staff_session(raw: str | None, *, now: datetime) -> StaffSession | None:
    """The staff session behind a cookie value, or None when absent, expired or revoked."""
    if not raw:
        return None
    rows = await database.fetch(
        "SELECT s.id, s.last_seen_at, s.created_at, u.id AS staff_id, u.username, u.name,"
        " u.role FROM web_session s JOIN staff_user u ON u.id = s.staff"
        " WHERE s.id_hash = {} AND u.active AND s.epoch = u.session_epoch",
        _hash(raw),
    )
    if not rows or not await _alive(rows[0], now):
        return None
    row = rows[0]
    return StaffSession(row["id"], row["staff_id"], row["username"], row["name"], row["role"])


async def _alive(row: Record, now: datetime) -> bool:
    last_seen = as_datetime(row["last_seen_at"])
    if now - last_seen > IDLE or now - as_datetime(row["created_at"]) > ABSOLUTE:
        await WebSession.delete().where(WebSession.id == row["id"])
        return False
    key = (database.generation(), row["id"])
    if now - last_seen > TOUCH_EVERY and now - _touched.get(key, last_seen) > TOUCH_EVERY:
        # The many requests of one page view (or 32 tabs) arrive together and would all queue
        # for the write lock to store the same minute; this process writes it once.
        _touched[key] = now
        if len(_touched) > 10_000:
            _touched.clear()
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == row["id"])
    return True


# (database generation, session id) -> when this process last stored its last_seen_at.
_touched: dict[tuple[int, int], datetime] = {}


async def end_session(raw: str | None) -> None:
    """Log out: the row is deleted, the cookie becomes worthless."""
    if raw:
        await WebSession.delete().where(WebSession.id_hash == _hash(raw))


async def end_client_sessions(client_id: int) -> None:
    await WebSession.delete().where(WebSession.client == client_id)


async def purge_expired(now: datetime) -> int:
    """Delete sessions past their idle or absolute limit (run now and then by the app)."""
    expired = (
        await WebSession.delete()
        .where((WebSession.last_seen_at < now - IDLE) | (WebSession.created_at < now - ABSOLUTE))
        .returning(WebSession.id)
    )
    return len(expired)
