"""The SQL text of the portal's Solicitações pages, with the typed rows it returns
(``espaco.db.read``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from espaco.db.read import Query


class ListRow(NamedTuple):
    id: int
    protocol: str
    client_id: int
    label: str
    street: str
    number: str
    district: str
    city: str
    state: str
    intended_on: date
    description: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    scheduled_on: date | None
    refusal_reason: str | None


# Arguments: the scope's ids, the page size + 1, the offset. A plain read (Piccolo's select with its
# join was 60% of the page's cost).
LIST = Query(
    ListRow,
    "SELECT r.id, r.protocol, r.client, l.label, l.street, l.number, l.district, l.city,"
    " l.state, r.intended_on, r.description, r.status, r.created_at, r.decided_at,"
    " r.scheduled_on, r.refusal_reason"
    " FROM collection_request r JOIN location l ON l.id = r.location"
    " WHERE r.client IN {scope} ORDER BY r.created_at DESC, r.id DESC LIMIT {} OFFSET {}",
)
