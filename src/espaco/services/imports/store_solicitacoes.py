"""Portal requests that imported collections fulfil (``collections[].request``).

A collection the ERP sends with a request's protocol answers that request: a pending request
becomes agendada for the collection's date, and one already agendada takes the ERP's date (the
ERP plans the route). The placeholder collection the portal made when Planejamento scheduled the
request (``portal-<protocol>``) gives way to the ERP's own, so the client sees one collection,
not two. Refused and cancelled requests keep their situação: the link alone is kept.
Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from espaco.services.imports.model import CollectionRow
from espaco.services.imports.store import Writer

PLACEHOLDER_PREFIX = "portal-"


def placeholder_id(protocol: str) -> str:
    """The external id of the collection the portal creates when it schedules a request."""
    return f"{PLACEHOLDER_PREFIX}{protocol}"


async def fulfil_requests(
    writer: Writer, collections: Sequence[CollectionRow], request_ids: dict[str, int]
) -> None:
    """Mark the requests that ``collections`` name as agendada and drop their placeholders."""
    dates: dict[str, tuple[int, date, str]] = {}
    for collection in collections:
        if collection.request is None or collection.request not in request_ids:
            continue
        when = collection.scheduled_on or collection.event_on
        dates[collection.request] = (request_ids[collection.request], when, collection.external_id)
    if not dates:
        return
    sql = writer.sql
    await sql.execute_many(
        "UPDATE collection_request SET status = 'scheduled', scheduled_on = {}, "
        "decided_at = COALESCE(decided_at, {}) "
        "WHERE id = {} AND status IN ('pending', 'scheduled') "
        "AND (status <> 'scheduled' OR scheduled_on IS NULL OR scheduled_on <> {})",
        [(when, writer.now, request_id, when) for request_id, when, _ in dates.values()],
    )
    await sql.execute_many(
        "DELETE FROM collection WHERE request = {} AND external_id = {}",
        [
            (request_id, placeholder_id(protocol))
            for protocol, (request_id, _, external_id) in dates.items()
            if external_id != placeholder_id(protocol)
        ],
    )
