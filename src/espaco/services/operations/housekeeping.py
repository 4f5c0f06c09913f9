"""What the portal deletes on its own, at start-up and every six hours, so that no table grows
with time alone:

- access records past six months (``audit.purge_access_records``: Marco Civil art. 15, LGPD);
- sessions past their idle or absolute limit (``sessions.purge_expired``): a lookup already
  refuses them, but the rows of clients who never came back stayed;
- login counters whose window has ended and whose lock has run out
  (``login_throttle.purge_stale``): one row per address or document ever tried.

Each worker runs it; the deletes are idempotent, so several workers at once only repeat them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from espaco.services.access import login_throttle, sessions
from espaco.services.operations import audit

log = logging.getLogger(__name__)

EVERY = timedelta(hours=6)


async def purge(now: datetime) -> dict[str, int]:
    """One pass; how many rows each purge deleted (or, for old events, cleared of their IP)."""
    deleted, cleared = await audit.purge_access_records(now=now)
    return {
        "access records deleted": deleted,
        "event IPs cleared": cleared,
        "expired sessions": await sessions.purge_expired(now),
        "stale login counters": await login_throttle.purge_stale(now),
    }


async def run(stop: asyncio.Event, interval: timedelta = EVERY) -> None:
    """Purge at start-up and every ``interval`` until ``stop``; a failure is logged and tried
    again next time (it must never take the portal down)."""
    while not stop.is_set():
        try:
            counts = await purge(datetime.now(UTC))
            if any(counts.values()):
                log.info("housekeeping: %s", ", ".join(f"{n} {what}" for what, n in counts.items()))
        except Exception:
            log.exception("housekeeping failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval.total_seconds())
