"""Audit events: who did what, when, from where. Never a code, a token or a full CPF."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from espaco.tables import AuditEvent

log = logging.getLogger(__name__)


async def record(
    action: str,
    *,
    now: datetime,
    actor: str = "",
    ip: str = "",
    client_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one event (joins the caller's transaction when there is one)."""
    await AuditEvent.insert(
        AuditEvent(
            created_at=now,
            action=action,
            actor=actor,
            ip=ip,
            client=client_id,
            details=details or {},
        )
    )


# -- access records (Marco Civil da Internet, Lei 12.965/2014, art. 15) -------------------------
ACCESS_RETENTION = timedelta(days=183)
"""Six months: art. 15 obliges an application provider to keep its access records (IP, date and
time) for six months; past that, LGPD's necessity principle says they go."""
PURGE_EVERY = timedelta(hours=6)


async def purge_access_records(*, now: datetime) -> tuple[int, int]:
    """Delete login records (client and staff, every outcome) older than six months and blank
    the IP of every other event that old; return (deleted, cleared)."""
    cutoff = now - ACCESS_RETENTION
    old = AuditEvent.created_at < cutoff
    deleted = (
        await AuditEvent.delete()
        .where(old & AuditEvent.action.like("%login%"))
        .returning(AuditEvent.id)
    )
    cleared = (
        await AuditEvent.update({AuditEvent.ip: ""})
        .where(old & (AuditEvent.ip != ""))
        .returning(AuditEvent.id)
    )
    return len(deleted), len(cleared)


async def run_purger(stop: asyncio.Event, interval: timedelta = PURGE_EVERY) -> None:
    """Purge old access records at start-up and every ``interval`` until ``stop``; a failure is
    logged and tried again next time (it must never take the portal down)."""
    while not stop.is_set():
        try:
            deleted, cleared = await purge_access_records(now=datetime.now(UTC))
            if deleted or cleared:
                log.info(
                    "access records past six months: %d deleted, %d IPs cleared", deleted, cleared
                )
        except Exception:
            log.exception("access-record purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval.total_seconds())
