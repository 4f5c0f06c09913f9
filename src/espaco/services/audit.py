"""Audit events: who did what, when, from where. Never a code, a token or a full CPF."""

from __future__ import annotations

from datetime import datetime
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
