"""The "coleta realizada" e-mail: when a collection becomes done (or validated) through an
import or the ERP API, a client that turned the notice on gets one e-mail per change, to its
E-mail list, with the ticket link of each collection done.

Exactly once, with any number of workers: the transaction that writes the change also sets
``collection.done_noticed_at`` with ``UPDATE … WHERE done_noticed_at IS NULL``, and queues the
e-mail in the outbox only for the rows that UPDATE returned. Two transactions that make the same
collection done at once meet on its row lock (PostgreSQL re-reads the row after the first
commits and finds it marked; SQLite runs one writer at a time), so only one of them queues it;
a rollback takes the mark and the e-mail away together.

A collection is settled (marked) whether or not an e-mail goes out: a client that turns the
notice on later is not sent its history. Only collections performed within :data:`RECENT` of
the change are announced, so a backfill of last year's collections sends nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from espaco.db import as_date, as_datetime
from espaco.domain.documents import mask_document
from espaco.domain.formatting import format_date, format_datetime, format_unit
from espaco.domain.money import format_quantity
from espaco.mail import Email, email_environment, render_email
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import Client, OutboxEmail

if TYPE_CHECKING:  # the importer imports this module: no cycle at run time
    from espaco.services.imports.sql import Sql

KIND = "collection_done"
PERFORMED = ("done", "validated")
RECENT = timedelta(days=7)
# Listed one by one in an e-mail; more than this are counted and linked to Coletas.
LISTED = 20

CLAIM_SQL = (
    "UPDATE collection SET done_noticed_at = {} WHERE id IN ({in})"
    " AND done_noticed_at IS NULL AND status IN ('done', 'validated') RETURNING id"
)
DETAILS_SQL = (
    "SELECT collection.id, collection.client, collection.external_id, collection.performed_at,"
    " collection.event_on, collection.service, collection.waste_description,"
    " collection.quantity, collection.unit, collection.mtr_number, location.label AS place,"
    " client.name AS client_name, client.document"
    " FROM collection JOIN location ON location.id = collection.location"
    " JOIN client ON client.id = collection.client"
    " WHERE collection.performed_at >= {} AND collection.id IN ({in})"
    " AND client.active AND client.collection_done_email"
    " ORDER BY collection.client, collection.performed_at, collection.id"
)
ADDRESSES_SQL = (
    "SELECT client, address FROM client_email WHERE kind = 'access' AND client IN ({in})"
    " ORDER BY address"
)


def became_done(old_status: str | None, new_status: str) -> bool:
    """A change that makes a collection done: new in a performed status, or from agendada or
    cancelada to one (done → validated is not a second "realizada")."""
    return new_status in PERFORMED and old_status not in PERFORMED


def done_email(
    settings: Settings, client_name: str, document: str, rows: list[dict[str, Any]],
    to: tuple[str, ...],
) -> Email:  # fmt: skip
    """The e-mail for one client's collections done in one change (rows of ``DETAILS_SQL``)."""
    base = settings.base_url.rstrip("/")
    collections = [
        {
            "when": _when(row, settings),
            "place": row["place"],
            "service": row["service"],
            "waste": row["waste_description"],
            "quantity": (
                f"{format_quantity(row['quantity'])} {format_unit(row['unit'])}".strip()
                if row["quantity"]
                else ""
            ),
            "mtr": row["mtr_number"] or "",
            "ticket_url": f"{base}/coletas/{row['id']}/ticket.pdf",
        }
        for row in rows[:LISTED]
    ]
    context = {
        "provider_name": settings.provider_name,
        "client_name": client_name,
        # An e-mail is not the client's own screen: a CPF goes masked (LGPD).
        "document": mask_document(document),
        "collections": collections,
        "count": len(rows),
        "more": max(len(rows) - LISTED, 0),
        "coletas_url": f"{base}/coletas",
        "settings_url": f"{base}/avisos",
    }
    subject, text, html = render_email(email_environment(), KIND, context)
    return Email(to=to, subject=subject, text=text, html=html)


def _when(row: dict[str, Any], settings: Settings) -> str:
    performed = row["performed_at"]
    if performed is None:
        return format_date(as_date(row["event_on"]))
    return format_datetime(as_datetime(performed), settings.tz)


async def settle(
    sql: Sql, settings: Settings, collection_ids: Iterable[int], *, now: datetime
) -> int:
    """Mark the collections of ``collection_ids`` that just became done and queue the e-mails
    of the clients that want them; how many e-mails were queued. Call inside the transaction
    that made them done, then :func:`outbox.wake` after it commits."""
    ids = sorted(set(collection_ids))
    if not ids:
        return 0
    claimed = [int(r["id"]) for r in await sql.fetch_in(CLAIM_SQL, ids, [now])]
    if not claimed:
        return 0
    rows = await sql.fetch_in(DETAILS_SQL, claimed, [now - RECENT])
    by_client: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_client[int(row["client"])].append(row)
    addresses: dict[int, list[str]] = defaultdict(list)
    for a in await sql.fetch_in(ADDRESSES_SQL, sorted(by_client)):
        addresses[int(a["client"])].append(a["address"])
    queued: list[OutboxEmail] = []
    for client_id, found in by_client.items():
        to = tuple(addresses.get(client_id, ()))
        if not to:
            continue
        email = done_email(settings, found[0]["client_name"], found[0]["document"], found, to)
        queued.append(outbox.pending_row(email, kind=KIND, now=now, client_id=client_id))
    if queued:
        await OutboxEmail.insert(*queued)  # the caller's transaction, as nf_notices does
    return len(queued)


# -- the client's choice -----------------------------------------------------------------------
async def is_enabled(client_id: int) -> bool:
    rows = await Client.select(Client.collection_done_email).where(Client.id == client_id)
    return bool(rows and rows[0]["collection_done_email"])


async def set_enabled(client_id: int, enabled: bool) -> None:
    """The client's own choice (opt-in, or back out)."""
    await Client.update({Client.collection_done_email: enabled}).where(Client.id == client_id)
