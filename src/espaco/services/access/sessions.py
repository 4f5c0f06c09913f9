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
from typing import NamedTuple

from piccolo.engine.base import Engine

from espaco.db import database, read
from espaco.db.read import Lookup, Query
from espaco.domain.errors import NotFound
from espaco.services.access.scope import Scope
from espaco.tables import WebSession

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# last_seen_at is written at most this often: a page view should not cost a write.
TOUCH_EVERY = timedelta(minutes=1)


class Unit(NamedTuple):
    """A member of a group as the unit selector and the unit column name it."""

    id: int
    label: str


@dataclass(frozen=True)
class ClientSession:
    """A logged-in client. ``client_id`` is the client whose document logged in; ``scope`` the
    ids the session may see: that client alone, or every active member of its group when the
    group's code was used (``group_id``, ``units`` then name them)."""

    session_id: int
    client_id: int
    client_name: str
    trade_name: str
    document: str
    # client.data_version as the session was read: the key of the per-client caches (Início's
    # pendências, Coletas' summary), read in the same statement to save each page a round trip
    # (None: unknown, and the caches read it themselves; always None for a group's session).
    data_version: int | None = None
    scope: Scope = ()
    group_id: int | None = None
    group_name: str = ""
    units: tuple[Unit, ...] = ()

    def __post_init__(self) -> None:
        if not self.scope:
            object.__setattr__(self, "scope", (self.client_id,))

    @property
    def is_group(self) -> bool:
        return self.group_id is not None

    def unit_label(self, client_id: int) -> str:
        return next((u.label for u in self.units if u.id == client_id), "")


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
    *,
    now: datetime,
    ip: str,
    client_id: int | None = None,
    staff_id: int | None = None,
    group_id: int | None = None,
) -> str:
    """Open a session for a client (for its group, with ``group_id``) or a staff user; return
    the cookie value (a new random id)."""
    raw = secrets.token_urlsafe(32)
    if group_id is not None:
        epoch = await read.first(_GROUP_EPOCH, group_id)
    elif client_id is not None:
        epoch = await read.first(_CLIENT_EPOCH, client_id)
    else:
        epoch = await read.first(_STAFF_EPOCH, staff_id)
    if epoch is None:  # removed between the login's check and now: no session
        raise NotFound("Cadastro não encontrado.")
    await WebSession.insert(
        WebSession(
            id_hash=_hash(raw),
            client=client_id,
            staff=staff_id,
            client_group=group_id,
            epoch=epoch.session_epoch,
            created_at=now,
            last_seen_at=now,
            ip=ip,
        )
    )
    return raw


class _EpochRow(NamedTuple):
    session_epoch: int


# Arguments: the group's, the client's or the staff user's id. A session starts at its epoch.
_GROUP_EPOCH = Query(_EpochRow, "SELECT session_epoch FROM client_group WHERE id = {}")
_CLIENT_EPOCH = Query(_EpochRow, "SELECT session_epoch FROM client WHERE id = {}")
_STAFF_EPOCH = Query(_EpochRow, "SELECT session_epoch FROM staff_user WHERE id = {}")


class _ClientRow(NamedTuple):
    id: int
    last_seen_at: datetime
    created_at: datetime
    client_id: int
    name: str
    trade_name: str
    document: str
    data_version: int
    epoch: int
    session_epoch: int
    client_group: int | None
    member_of: int | None
    id_hash: str


class _GroupRow(NamedTuple):
    group_id: int
    session_epoch: int
    group_name: str
    id: int | None
    name: str | None
    trade_name: str | None


class _StaffRow(NamedTuple):
    id: int
    last_seen_at: datetime
    created_at: datetime
    staff_id: int
    username: str
    name: str
    role: str
    id_hash: str


# Keys: the hashes of the cookies' ids. Every request reads one (see read.Lookup).
_CLIENT_SESSION = Lookup(
    _ClientRow,
    "SELECT s.id, s.last_seen_at, s.created_at, c.id AS client_id, c.name, c.trade_name,"
    " c.document, c.data_version, s.epoch, c.session_epoch, s.client_group,"
    " c.client_group AS member_of, s.id_hash FROM web_session s JOIN client c ON c.id = s.client"
    " WHERE s.id_hash IN {keys} AND c.active",
    key="id_hash",
)
# Keys: the groups' ids. Each group's epoch and name, and its active members (none: a row of
# NULLs), every group's rows together and in the members' order.
_GROUP = Lookup(
    _GroupRow,
    "SELECT g.id AS group_id, g.session_epoch, g.name AS group_name, c.id, c.name, c.trade_name"
    " FROM client_group g LEFT JOIN client c ON c.client_group = g.id AND c.active"
    " WHERE g.id IN {keys} ORDER BY g.id, c.trade_name, c.name, c.id",
    key="group_id",
)
_STAFF_SESSION = Lookup(
    _StaffRow,
    "SELECT s.id, s.last_seen_at, s.created_at, u.id AS staff_id, u.username, u.name,"
    " u.role, s.id_hash FROM web_session s JOIN staff_user u ON u.id = s.staff"
    " WHERE s.id_hash IN {keys} AND u.active AND s.epoch = u.session_epoch",
    key="id_hash",
)


async def load_client_session(raw: str | None, *, now: datetime) -> ClientSession | None:
    """The client session behind a cookie value, or None when absent, expired or revoked.

    A client's own session is one query, as before groups; a group's reads its group and
    members with a second one."""
    if not raw:
        return None
    row = await _CLIENT_SESSION.first(_hash(raw))
    if row is None:
        return None
    group_id = row.client_group
    if group_id is None:
        if row.epoch != row.session_epoch or not await _alive(row, now):
            return None
        return ClientSession(
            row.id, row.client_id, row.name, row.trade_name, row.document, row.data_version
        )
    # A group's session lives while the client that logged in is still a member (and active)
    # and the group's epoch is the one it started with.
    members = await _GROUP.rows(group_id)
    if (
        row.member_of != group_id
        or not members
        or members[0].session_epoch != row.epoch
        or not await _alive(row, now)
    ):
        return None
    units = tuple(Unit(m.id, m.trade_name or m.name or "") for m in members if m.id)
    return ClientSession(
        row.id, row.client_id, row.name, row.trade_name, row.document,
        scope=tuple(u.id for u in units), group_id=group_id,
        group_name=members[0].group_name, units=units,
    )  # fmt: skip


async def load_staff_session(raw: str | None, *, now: datetime) -> StaffSession | None:
    """The staff session behind a cookie value, or None when absent, expired or revoked."""
    if not raw:
        return None
    row = await _STAFF_SESSION.first(_hash(raw))
    if row is None or not await _alive(row, now):
        return None
    return StaffSession(row.id, row.staff_id, row.username, row.name, row.role)


async def _alive(row: _ClientRow | _StaffRow, now: datetime) -> bool:
    last_seen = row.last_seen_at
    if now - last_seen > IDLE or now - row.created_at > ABSOLUTE:
        await WebSession.delete().where(WebSession.id == row.id)
        return False
    key = (database.current_engine(), row.id)
    if now - last_seen > TOUCH_EVERY and now - _touched.get(key, last_seen) > TOUCH_EVERY:
        # The many requests of one page view (or 32 tabs) arrive together and would all queue
        # for the write lock to store the same minute; this process writes it once.
        _touched[key] = now
        if len(_touched) > 10_000:
            _touched.clear()
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == row.id)
    return True


# (database, session id) -> when this process last stored its last_seen_at.
_touched: dict[tuple[Engine, int], datetime] = {}


async def end_session(raw: str | None) -> None:
    """Log out: the row is deleted, the cookie becomes worthless."""
    if raw:
        await WebSession.delete().where(WebSession.id_hash == _hash(raw))


async def end_client_sessions(client_id: int) -> None:
    """End the sessions the client's own code opened. Its group's sessions opened through its
    document live on: they depend on the group's code, and a deactivated member drops out of
    them at once (they read only active members, and refuse one that logs in inactive)."""
    await WebSession.delete().where(
        (WebSession.client == client_id) & WebSession.client_group.is_null()
    )


async def end_group_sessions(group_id: int) -> None:
    await WebSession.delete().where(WebSession.client_group == group_id)


async def purge_expired(now: datetime) -> int:
    """Delete sessions past their idle or absolute limit (run now and then by the app)."""
    expired = (
        await WebSession.delete()
        .where((WebSession.last_seen_at < now - IDLE) | (WebSession.created_at < now - ABSOLUTE))
        .returning(WebSession.id)
    )
    return len(expired)
