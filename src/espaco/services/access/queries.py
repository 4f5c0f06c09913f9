"""The access feature's named reads: groups (matriz e filiais) for the back office, and a unit of
a group's session. Each a ``Query`` run by ``db/read.rows`` / ``read.first``; the arguments each
takes are named above it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from espaco.db.read import Query


class GroupSummary(NamedTuple):
    """A line of the groups' list."""

    id: int
    name: str
    external_id: str | None
    members: int


class GroupRow(NamedTuple):
    id: int
    name: str
    external_id: str | None
    code_generated_at: datetime | None


class Member(NamedTuple):
    """A client in a group."""

    id: int
    name: str
    trade_name: str
    document: str
    active: bool


class GroupEmailRow(NamedTuple):
    id: int
    address: str


class ClientGroupOf(NamedTuple):
    client_group: int | None


class NameRow(NamedTuple):
    name: str


class UnitRow(NamedTuple):
    """The names a page shows for one unit of a group."""

    name: str
    trade_name: str
    document: str


GROUPS = Query(
    GroupSummary,
    "SELECT g.id, g.name, g.external_id, COUNT(c.id) AS members FROM client_group g"
    " LEFT JOIN client c ON c.client_group = g.id"
    " GROUP BY g.id, g.name, g.external_id ORDER BY g.name, g.id",
)
# Arguments: the group's id (each of the four below).
GROUP = Query(
    GroupRow,
    "SELECT id, name, external_id, code_generated_at FROM client_group WHERE id = {}",
)
GROUP_NAME = Query(NameRow, "SELECT name FROM client_group WHERE id = {}")
MEMBERS = Query(
    Member,
    "SELECT id, name, trade_name, document, active FROM client WHERE client_group = {}"
    " ORDER BY name, id",
)
GROUP_EMAILS = Query(
    GroupEmailRow,
    "SELECT id, address FROM client_group_email WHERE client_group = {} ORDER BY address",
)
# Arguments: the client's id.
CLIENT_GROUP_OF = Query(ClientGroupOf, "SELECT client_group FROM client WHERE id = {}")
UNIT = Query(UnitRow, "SELECT name, trade_name, document FROM client WHERE id = {}")
