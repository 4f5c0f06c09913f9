"""The weekly pendências e-mail: once a week, each active client that has not turned it off
and has something pending gets one e-mail to its E-mail list (the access list) through the
outbox, listing how many of each pendência and linking to the Relatório de resíduos.

``client.pendencias_checked_at`` records the last look (sent or not), claimed by one UPDATE
that only one worker can win, so many workers never send it twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from espaco.clock import local_date
from espaco.db import database
from espaco.domain.documents import mask_document
from espaco.mail import Email, email_environment, render_email
from espaco.services.collections.pendencias import Pendencias, pendencias
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import Client

log = logging.getLogger(__name__)
KIND = "pendencias"
WEEK = timedelta(days=7)
BATCH = 50  # clients looked at per transaction


def pendencias_email(
    settings: Settings, name: str, document: str, found: Pendencias, to: tuple[str, ...]
) -> Email:
    base = settings.base_url.rstrip("/")
    context = {
        "provider_name": settings.provider_name,
        "client_name": name,
        "document": mask_document(document),  # an e-mail is not the client's own screen
        "rules": [(r.label, r.count) for r in found.rules if r.count],
        "total": found.total,
        "url": f"{base}/coletas/relatorio#pendencias",
    }
    subject, text, html = render_email(email_environment(), KIND, context)
    return Email(to=to, subject=subject, text=text, html=html)


async def _due_clients(cutoff: datetime) -> list[int]:
    # The timestamps are written and compared through the same adapter (UTC text on SQLite), so
    # they compare as written.
    rows = await database.fetch(
        "SELECT id FROM client WHERE active AND pendencias_email"
        " AND (pendencias_checked_at IS NULL OR pendencias_checked_at <= {})"
        " ORDER BY id LIMIT {}",
        cutoff,
        BATCH,
    )
    return [int(r["id"]) for r in rows]


async def send_due(settings: Settings, *, now: datetime) -> int:
    """Look at every client due for its weekly look; queue an e-mail for each that has
    pendências and an E-mail list. Returns how many e-mails were queued."""
    queued = 0
    now = now.astimezone(UTC)
    today = local_date(now, settings.tz)
    cutoff = now - WEEK
    while ids := await _due_clients(cutoff):
        for client_id in ids:
            async with Client._meta.db.transaction():
                claimed = await database.fetch(
                    "UPDATE client SET pendencias_checked_at = {} WHERE id = {}"
                    " AND (pendencias_checked_at IS NULL OR pendencias_checked_at <= {})"
                    " RETURNING name, document",
                    now, client_id, cutoff,
                )  # fmt: skip
                if not claimed:
                    continue  # another worker took it
                found = await pendencias(
                    client_id, today, cdf_wait_days=settings.cdf_wait_days,
                    mtr_saved_days=settings.mtr_saved_days,
                )  # fmt: skip
                if not found.total:
                    continue
                to = tuple(
                    r["address"]
                    for r in await database.fetch(
                        "SELECT address FROM client_email WHERE client = {} AND kind = 'access'"
                        " ORDER BY address",
                        client_id,
                    )
                )
                if not to:
                    continue
                email = pendencias_email(
                    settings, claimed[0]["name"], claimed[0]["document"], found, to
                )
                await outbox.enqueue(email, kind=KIND, now=now, client_id=client_id)
                queued += 1
    if queued:
        outbox.wake()
    return queued


async def run_weekly(
    settings: Settings, stop: asyncio.Event, interval: float = 3600.0, first: float = 300.0
) -> None:
    """``first`` seconds after start-up, then every ``interval`` seconds until ``stop``: send
    the e-mails that are due. Errors are logged and the loop goes on."""
    if await _stopped(stop, first):
        return
    while not stop.is_set():
        try:
            sent = await send_due(settings, now=datetime.now(UTC))
            if sent:
                log.info("pendências e-mails queued: %d", sent)
        except Exception:
            log.exception("pendências e-mail round failed")
        if await _stopped(stop, interval):
            return


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


async def is_enabled(client_id: int) -> bool:
    rows = await Client.select(Client.pendencias_email).where(Client.id == client_id)
    return bool(rows and rows[0]["pendencias_email"])


async def set_enabled(client_id: int, enabled: bool) -> None:
    """The client's own choice (opt-out, or back in)."""
    await Client.update({Client.pendencias_email: enabled}).where(Client.id == client_id)
