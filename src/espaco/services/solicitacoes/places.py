"""The places a client's collection request may name: the scope's active places, by label."""

from __future__ import annotations

from dataclasses import dataclass

from espaco.services import page_cache
from espaco.services.access.scope import Scope, column_in
from espaco.tables import Location


@dataclass(frozen=True)
class Place:
    id: int
    label: str
    address: str
    client_id: int = 0  # the unit (client) that owns it: a group's request is filed for it


def address_of(row: dict) -> str:
    street = " ".join(p for p in (row.get("street", ""), row.get("number", "")) if p)
    parts = [street, row.get("district", ""), row.get("city", "")]
    text = ", ".join(p for p in parts if p)
    return f"{text} - {row['state']}" if row.get("state") else text


async def active_places(scope: Scope, version: int | None = None) -> list[Place]:
    """The scope's active places, by label: the only ones a request may name. Kept in process
    while the scope's data version stays (``services/page_cache``; ``version``: the one-client
    scope's, when the session lookup read it)."""
    return await page_cache.cached("places", scope, version, (), lambda: read_places(scope))


async def read_places(scope: Scope) -> list[Place]:
    """The same, read now: what a request's validation checks against."""
    rows = (
        await Location.select(
            Location.id,
            Location.label,
            Location.street,
            Location.number,
            Location.district,
            Location.city,
            Location.state,
            Location.client,
        )
        .where(column_in(Location.client, scope) & (Location.active == True))  # noqa: E712
        .order_by(Location.label)
        .order_by(Location.id)
    )
    return [Place(r["id"], r["label"], address_of(r), r["client"]) for r in rows]
