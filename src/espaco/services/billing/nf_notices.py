"""The NF notice: one e-mail to a client's E-mail NF list for each fiscal document imported for
the first time (kind, number, amount, due date, link to the portal).

Written by the importer inside its own transaction, so a document and its notice commit together
or not at all; ``fiscal_document.notified_at`` marks the documents already noticed, so importing
the same document again (or a retried import) sends nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from espaco.db import Record, as_date, database
from espaco.domain.documents import mask_document
from espaco.domain.fiscal import FISCAL_KIND_LABELS
from espaco.domain.formatting import format_date
from espaco.domain.money import format_brl
from espaco.mail import Email, email_environment, render_email
from espaco.services.operations.outbox import pending_row
from espaco.settings import Settings
from espaco.tables import OutboxEmail

KIND = "nf_notice"
CHUNK = 500
DOCUMENTS_SQL = (
    "SELECT fiscal_document.id, fiscal_document.kind, fiscal_document.number,"
    " fiscal_document.amount_cents, fiscal_document.invoice, fiscal_document.client,"
    " invoice.due_on, invoice.status, client.name AS client_name, client.document"
    " FROM fiscal_document JOIN invoice ON invoice.id = fiscal_document.invoice"
    " JOIN client ON client.id = fiscal_document.client"
    " WHERE fiscal_document.notified_at IS NULL AND fiscal_document.id IN ({in})"
)
ADDRESSES_SQL = (
    "SELECT client, address FROM client_email WHERE kind = 'invoice' AND client IN ({in})"
    " ORDER BY address"
)


async def _select_in(sql: str, values: list[int]) -> list[Record]:
    rows: list[Record] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        rows += await database.fetch(sql.replace("{in}", ", ".join(["{}"] * len(chunk))), *chunk)
    return rows


def notice_email(settings: Settings, row: Record, to: tuple[str, ...]) -> Email:
    """The notice of one fiscal document (a row of ``DOCUMENTS_SQL``)."""
    kind_label = FISCAL_KIND_LABELS[row["kind"]]
    due = row["due_on"]
    context = {
        "provider_name": settings.provider_name,
        "client_name": row["client_name"],
        # An e-mail is not the client's own screen: a CPF goes masked (LGPD).
        "document": mask_document(row["document"]),
        "kind_label": kind_label,
        "number": row["number"],
        "amount": format_brl(int(row["amount_cents"])),
        "due": format_date(as_date(due)),
        "url": f"{settings.base_url.rstrip('/')}/financeiro/{row['invoice']}/nota",
    }
    subject, text, html = render_email(email_environment(), KIND, context)
    return Email(to=to, subject=subject, text=text, html=html)


async def enqueue_notices(settings: Settings, fiscal_ids: list[int], *, now: datetime) -> int:
    """Write the notices of the new fiscal documents ``fiscal_ids`` to the outbox and mark them
    notified; returns how many e-mails were queued. Call inside the transaction that created
    them. Documents of cancelled invoices, or of clients without an E-mail NF list, are marked
    but get no e-mail."""
    if not fiscal_ids:
        return 0
    rows = await _select_in(DOCUMENTS_SQL, sorted(set(fiscal_ids)))
    clients = sorted({int(r["client"]) for r in rows})
    addresses: dict[int, list[str]] = defaultdict(list)
    for a in await _select_in(ADDRESSES_SQL, clients):
        addresses[int(a["client"])].append(a["address"])
    outbox: list[OutboxEmail] = []
    for row in rows:
        to = tuple(addresses.get(int(row["client"]), ()))
        if not to or row["status"] == "cancelled":
            continue
        email = notice_email(settings, row, to)
        outbox.append(pending_row(email, kind=KIND, now=now, client_id=int(row["client"])))
    for start in range(0, len(outbox), CHUNK):
        await OutboxEmail.insert(*outbox[start : start + CHUNK])
    ids = [int(r["id"]) for r in rows]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        placeholders = ", ".join(["{}"] * len(chunk))  # only placeholders, never values
        await database.fetch(
            f"UPDATE fiscal_document SET notified_at = {{}} WHERE id IN ({placeholders})",  # noqa: S608
            now,
            *chunk,
        )
    return len(outbox)
