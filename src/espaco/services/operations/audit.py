"""Audit events: who did what, when, from where. Never a code, a token or a full CPF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from espaco.tables import AuditEvent


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
