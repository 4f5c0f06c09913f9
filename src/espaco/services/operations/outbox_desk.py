"""The back office's view of the outbox (Equipe → E-mails): the list, the counts per status, and
putting a failed message back in the queue. Sending is ``outbox``'s."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from piccolo.query.functions.aggregate import Count

from espaco.services.access import sealing
from espaco.services.operations.outbox import require_aware, split_recipients
from espaco.tables import OutboxEmail, OutboxStatus

_pk = OutboxEmail._meta.primary_key


@dataclass(frozen=True)
class OutboxRow:
    """One outbox message as the back-office lists it (bodies left out)."""

    id: int
    kind: str
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    client_id: int | None


class Retry(enum.Enum):
    """What :func:`retry` did."""

    RETRIED = "retried"
    NOT_FAILED = "not_failed"  # no failed message with that id (sent, pending or unknown)
    SECRET_GONE = "secret_gone"  # noqa: S105 - its code was wiped when it failed: send a new one


async def retry(email_id: int, *, now: datetime) -> Retry:
    """Put a failed message back in the queue, due now, with a fresh round of attempts."""
    require_aware(now)
    async with OutboxEmail._meta.db.transaction():
        found = await OutboxEmail.select(OutboxEmail.body_text, OutboxEmail.sealed_secret).where(
            _pk == email_id, OutboxEmail.status == OutboxStatus.failed
        )
        if not found:
            return Retry.NOT_FAILED
        if sealing.MASK in found[0]["body_text"] and found[0]["sealed_secret"] is None:
            return Retry.SECRET_GONE
        await OutboxEmail.update(
            {
                OutboxEmail.status: OutboxStatus.pending,
                OutboxEmail.next_attempt_at: now,
                OutboxEmail.attempts: 0,
            }
        ).where(_pk == email_id, OutboxEmail.status == OutboxStatus.failed)
    return Retry.RETRIED


async def list_outbox(status: str | None, page: int, per_page: int = 50) -> list[OutboxRow]:
    """One page (from 1) of the outbox, newest first, optionally of one status."""
    query = OutboxEmail.select(*_LIST_COLUMNS)
    if status:
        query = query.where(OutboxEmail.status == status)
    rows = (
        await query.order_by(OutboxEmail.created_at, _pk, ascending=False)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return [
        OutboxRow(
            id=row["id"],
            kind=row["kind"],
            message_id=row["message_id"],
            recipients=split_recipients(row["recipients"]),
            subject=row["subject"],
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            sent_at=row["sent_at"],
            client_id=row["client"],
        )
        for row in rows
    ]


async def outbox_counts() -> dict[str, int]:
    """How many messages are pending, sent and failed (every status present, zero included)."""
    rows = await OutboxEmail.select(OutboxEmail.status, Count()).group_by(OutboxEmail.status)
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


_LIST_COLUMNS = (
    _pk,
    OutboxEmail.kind,
    OutboxEmail.message_id,
    OutboxEmail.recipients,
    OutboxEmail.subject,
    OutboxEmail.status,
    OutboxEmail.attempts,
    OutboxEmail.next_attempt_at,
    OutboxEmail.last_error,
    OutboxEmail.created_at,
    OutboxEmail.sent_at,
    OutboxEmail.client,
)
