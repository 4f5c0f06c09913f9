"""The client's private calendar feed: its agendadas as iCalendar at a secret URL that Google
Calendar or Outlook subscribe to (they cannot log in, so the URL is the credential).

The token is 32 random bytes (256 bits: guessing fails without any limit) shown to the client
once, in the answer to the POST that creates or renews it; the database keeps only its SHA-256
(``client.calendar_token_hash``, a unique index), like the API tokens. Renewing replaces the
hash, so the old URL answers 404 at once; turning the feed off clears it. A feed is one
client's, never a group's: it holds what that client's own login sees.

Looking a token up hashes it and finds the row by the hash (an index lookup on a value the
caller cannot steer, so its timing says nothing about stored tokens), then compares the hashes
with :func:`hmac.compare_digest`.

Unknown tokens count as failures of the caller's address (``login_throttle``, a key of its
own): past a few, that address waits a growing delay for its next unknown token. A known
token is always answered, even from an address that is waiting: calendar services fetch many
clients' feeds from a few shared addresses, and one stale URL must not hold the others.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from espaco.db import as_date, as_datetime, database
from espaco.domain import ics
from espaco.services.access import login_throttle
from espaco.services.access.login import throttle_key
from espaco.services.operations import audit
from espaco.settings import Settings
from espaco.tables import Client

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
PAST = timedelta(days=31)
AHEAD = timedelta(days=366)
MAX_EVENTS = 500
NOTES_LIMIT = 500
THROTTLE_KIND = "ics-ip"  # its own counters: a stale feed never slows anyone's login

EVENTS_SQL = (
    "SELECT c.id, c.event_on, c.service, c.waste_description, c.waste_class, c.quantity,"
    " c.unit, c.notes, l.label, l.street, l.number AS street_number, l.complement, l.district,"
    " l.city, l.state, l.cep, r.protocol"
    " FROM collection c JOIN location l ON l.id = c.location"
    " LEFT JOIN collection_request r ON r.id = c.request"
    " WHERE c.client = {} AND c.status = 'scheduled' AND c.event_on >= {} AND c.event_on <= {}"
    " ORDER BY c.event_on, c.id LIMIT {}"
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return f"/agenda/{token}.ics"


@dataclass(frozen=True)
class FeedState:
    """What the portal shows about a client's feed: whether one exists, since when."""

    active: bool
    created_at: datetime | None


async def state(client_id: int) -> FeedState:
    rows = await database.fetch(
        "SELECT calendar_token_hash, calendar_token_at FROM client WHERE id = {}", client_id
    )
    if not rows or rows[0]["calendar_token_hash"] is None:
        return FeedState(False, None)
    created = rows[0]["calendar_token_at"]
    return FeedState(True, None if created is None else as_datetime(created))


async def renew(client_id: int, *, now: datetime, actor: str = "", ip: str = "") -> str:
    """Create the client's feed token, or replace it (the old URL stops working); the token,
    to be shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with Client._meta.db.transaction():
        renewed = await state(client_id)
        await Client.update(
            {Client.calendar_token_hash: token_hash(token), Client.calendar_token_at: now}
        ).where(Client.id == client_id)
        await audit.record(
            "calendar_feed_renewed" if renewed.active else "calendar_feed_created",
            now=now, actor=actor, ip=ip, client_id=client_id,
        )  # fmt: skip
    return token


async def turn_off(client_id: int, *, now: datetime, actor: str = "", ip: str = "") -> bool:
    """Clear the client's feed token: its URL answers 404 from now on. False if it had none."""
    async with Client._meta.db.transaction():
        rows = (
            await Client.update({Client.calendar_token_hash: None, Client.calendar_token_at: None})
            .where(Client.id == client_id, Client.calendar_token_hash.is_not_null())
            .returning(Client.id)
        )
        if rows:
            await audit.record(
                "calendar_feed_turned_off", now=now, actor=actor, ip=ip, client_id=client_id
            )
    return bool(rows)


async def client_for(token: str) -> int | None:
    """The active client whose feed ``token`` opens, or None."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    wanted = token_hash(token)
    rows = await database.fetch(
        "SELECT id, calendar_token_hash FROM client WHERE calendar_token_hash = {} AND active",
        wanted,
    )
    if not rows or not hmac.compare_digest(str(rows[0]["calendar_token_hash"]), wanted):
        return None
    return int(rows[0]["id"])


async def count_miss(secret: str, ip: str, now: datetime) -> datetime | None:
    """Count an unknown token against ``ip``; the end of the wait it is under, if it was
    already waiting (then nothing was counted)."""
    outcome = await login_throttle.reserve([throttle_key(secret, THROTTLE_KIND, ip)], now)
    return outcome if isinstance(outcome, datetime) else None


def _address(r: dict) -> str:
    street = ", ".join(x for x in (r["street"], r["street_number"]) if x)
    city = "/".join(x for x in (r["city"], r["state"]) if x)
    return ", ".join(x for x in (street, r["district"], city) if x)


async def feed(client_id: int, settings: Settings, *, now: datetime) -> str:
    """The client's agendadas from a month ago to a year ahead (at most :data:`MAX_EVENTS`), as
    an iCalendar text of all-day events (a scheduled collection has a day, not an hour)."""
    today = now.astimezone(settings.tz).date()
    rows = await database.fetch(EVENTS_SQL, client_id, today - PAST, today + AHEAD, MAX_EVENTS)
    base = settings.base_url.rstrip("/")
    host = urlsplit(base).hostname or "espaco"
    events = [_event(dict(r), base, host) for r in rows]
    return ics.calendar(
        events,
        name=f"Coletas agendadas — {settings.provider_name}",
        product="-//Espaço do Cliente//Agenda de coletas//PT-BR",
        stamp=now,
    )


def _event(r: dict, base: str, host: str) -> ics.Event:
    day: date = as_date(r["event_on"])
    lines = [f"Serviço: {r['service']}"]
    if r["waste_description"]:
        waste = r["waste_description"]
        if r["waste_class"]:
            waste += f" (Classe {r['waste_class']})"
        lines.append(f"Resíduo: {waste}")
    if r["protocol"]:
        lines.append(f"Solicitação: {r['protocol']}")
    if r["notes"]:
        notes = r["notes"]
        lines.append(notes if len(notes) <= NOTES_LIMIT else notes[: NOTES_LIMIT - 1] + "…")
    url = f"{base}/coletas?inicio={day.isoformat()}&fim={day.isoformat()}"
    lines.append(f"No Espaço do Cliente: {url}")
    return ics.Event(
        uid=f"coleta-{r['id']}@{host}",
        summary=f"Coleta agendada — {r['label']}",
        start=day,
        location=_address(r),
        description="\n".join(lines),
        url=url,
    )
