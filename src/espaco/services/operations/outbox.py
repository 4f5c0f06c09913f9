"""The e-mail outbox: messages written with the change that causes them, sent by a background loop.

Writing: :func:`enqueue` is a plain insert. Call it inside the transaction that makes the change
(``async with engine.transaction(): ...; await enqueue(...)``) so that the change and its e-mail
commit together or not at all, then call :func:`wake` after the commit.

Sending: :func:`deliver_due` claims each due row before sending it, so two senders (two tasks,
two workers, two machines on PostgreSQL) never send the same row in the same round. Delivery is
at-least-once, not exactly-once: a sender that dies after the SMTP server accepted a message but
before the row was marked sent leaves it claimed; once the claim (``LEASE``) expires another round
sends it again. No SMTP client can close that window; the Message-ID is the row's and stays the
same on every attempt, so a receiving server or a reader can recognise the duplicate.

Secrets: a message that carries one (an access code) is stored with :data:`sealing.MASK` in its
bodies and the secret sealed beside them (see ``services/access/sealing.py``); the sender puts it
back at send time and wipes the seal once the message is sent or given up. No row ever holds a code
in the clear, and a row that is done holds none at all.

After an outage: a round that stops on an unavailable server backs off only the row it tried.
Once a send succeeds again, the rows still waiting after a server failure become due at once
(:func:`deliver_due`), and staff can make every waiting row due now (:func:`send_pending_now`).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from piccolo.query.functions.aggregate import Count

from espaco.mail import (
    DeliveryError,
    Email,
    SmtpTransport,
    Transport,
    build_message,
    redact_url_secrets,
    sender_address,
    transport_for,
)
from espaco.services.access import sealing
from espaco.settings import Settings
from espaco.tables import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# Wait after the n-th failed attempt; the last step repeats.
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720))
MAX_ATTEMPTS = 10
ERROR_LIMIT = 500
# Piccolo adds the "id" column at runtime, where mypy cannot see ``OutboxEmail.id``.
_pk = OutboxEmail._meta.primary_key
# Stop claiming new rows after this long in one round, well inside the lease, so that a claim
# made late in a slow round (a server that times out) is still ours while we send it.
ROUND_BUDGET_SECONDS = 60.0
# A claim makes its row due again LEASE after the claimer's clock; a row due later than
# LEASE + CLOCK_SKEW from now is waiting after a failure, not being sent by anybody, and may be
# brought forward without a second sender taking a row in flight.
CLOCK_SKEW = timedelta(minutes=1)
# Stored at the start of last_error when the server (not the message) failed.
SERVER_DOWN = "servidor indisponível: "


@dataclass(frozen=True)
class DeliveryReport:
    """What one :func:`deliver_due` round did. ``more``: due rows were left for the next round
    (the limit or the time budget was reached), so the sender should not sleep."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    more: bool = False


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


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 1 min, 5, 15, 60, 180, 360, then 12 h."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@espaco>"


def pending_row(email: Email, *, kind: str, now: datetime, client_id: int | None) -> OutboxEmail:
    """``email`` as a new outbox row, due at ``now``, for a caller that inserts many at once
    (in its own transaction, as :func:`enqueue` does one)."""
    return OutboxEmail(
        kind=kind,
        message_id=new_message_id(),
        recipients=", ".join(email.to),
        subject=email.subject,
        body_text=email.text,
        body_html=email.html,
        status=OutboxStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        client=client_id,
    )


async def enqueue(
    email: Email,
    *,
    kind: str,
    now: datetime,
    client_id: int | None = None,
    secret: str | None = None,
    secret_key: str = "",
) -> int:
    """Write ``email`` to the outbox, due at once; return the row's id.

    With ``secret``, the bodies carry :data:`sealing.MASK` where it goes, and it is stored only
    sealed under ``secret_key`` (the settings' secret key).

    A plain insert: it joins the caller's transaction when there is one, which is the point.
    """
    _require_aware(now)
    message_id = new_message_id()
    sealed = None
    if secret is not None:
        if sealing.MASK not in email.text or secret in email.text + email.html:
            raise ValueError("a secret goes into the bodies as sealing.MASK, never in the clear")
        if len(secret_key) < 32:
            raise ValueError("sealing a secret needs the settings' secret key")
        sealed = sealing.seal(secret_key, secret, bound_to=message_id)
    rows = await OutboxEmail.insert(
        OutboxEmail(
            kind=kind,
            message_id=message_id,
            recipients=", ".join(email.to),
            subject=email.subject,
            body_text=email.text,
            body_html=email.html,
            sealed_secret=sealed,
            status=OutboxStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            client=client_id,
        )
    ).returning(_pk)
    return int(rows[0]["id"])


async def deliver_due(
    settings: Settings,
    *,
    now: datetime,
    transport: Transport | None = None,
    limit: int = 50,
) -> DeliveryReport:
    """Send the pending messages due at ``now``, oldest first; see the module docstring.

    Each row is claimed (attempts + 1, due again after ``LEASE``) by an UPDATE that only succeeds
    if the row is still as it was read; a row another sender claimed first is skipped. The send
    runs outside any transaction. Success marks the row sent; failure stores the error and the
    next attempt after :func:`backoff`, or gives up (status failed) after ``MAX_ATTEMPTS``. When
    the server itself is unavailable the round stops, leaving the other rows untouched.
    """
    _require_aware(now)
    transport = transport if transport is not None else transport_for(settings)
    sender = sender_address(settings)
    started = time.monotonic()
    due = (
        await OutboxEmail.select()
        .where(OutboxEmail.status == OutboxStatus.pending, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.created_at, _pk)
        .limit(limit)
    )
    sent = failed = retried = 0
    more = len(due) == limit
    for row in due:
        if time.monotonic() - started > ROUND_BUDGET_SECONDS:
            more = True
            break
        attempts = await _claim(row, now)
        if attempts is None:
            continue
        try:
            email, message = _message_of(row, sender, settings.secret_key)
        except ValueError as exc:
            # A row that cannot become a message never will: give up at once, and go on.
            await _record_failure(row["id"], attempts, _error_text(exc, settings), now, final=True)
            log.error("e-mail %s (%s) cannot be built, given up: %s", row["id"], row["kind"], exc)
            failed += 1
            continue
        try:
            refused = await transport.send(message, email.to)
        except Exception as exc:
            server_down = not isinstance(exc, DeliveryError) or exc.server_unavailable
            error = (SERVER_DOWN if server_down else "") + _error_text(exc, settings)
            gave_up = await _record_failure(row["id"], attempts, error, now)
            log.warning(
                "e-mail %s (%s) not sent, attempt %d%s: %s",
                row["id"],
                row["kind"],
                attempts,
                ", giving up" if gave_up else "",
                error,
            )
            if gave_up:
                failed += 1
            else:
                retried += 1
            if server_down:
                more = False
                break
            continue
        note = f"recusados pelo servidor: {', '.join(refused)}" if refused else None
        await _mark_sent(row["id"], note, now)
        sent += 1
        log.debug("e-mail %s (%s) sent", row["id"], row["kind"])
        if sent == 1 and await _bring_forward(now, after_server_failure=True):
            more = True  # the server is back: what waited for it goes in the next round
    return DeliveryReport(sent=sent, failed=failed, retried=retried, more=more)


async def send_pending_now(*, now: datetime) -> int:
    """Make every pending message that waits after a failure due now (staff's "Enviar
    pendentes agora", e.g. after an outage); how many. A message being sent is left alone."""
    _require_aware(now)
    return await _bring_forward(now, after_server_failure=False)


async def _bring_forward(now: datetime, *, after_server_failure: bool) -> int:
    query = OutboxEmail.update({OutboxEmail.next_attempt_at: now}).where(
        OutboxEmail.status == OutboxStatus.pending,
        OutboxEmail.next_attempt_at > now + LEASE + CLOCK_SKEW,
    )
    if after_server_failure:
        query = query.where(OutboxEmail.last_error.like(SERVER_DOWN + "%"))
    rows = await query.returning(_pk)
    if rows:
        log.info("%d waiting e-mail(s) brought forward", len(rows))
    return len(rows)


class Retry(enum.Enum):
    """What :func:`retry` did."""

    RETRIED = "retried"
    NOT_FAILED = "not_failed"  # no failed message with that id (sent, pending or unknown)
    SECRET_GONE = "secret_gone"  # noqa: S105 - its code was wiped when it failed: send a new one


async def retry(email_id: int, *, now: datetime) -> Retry:
    """Put a failed message back in the queue, due now, with a fresh round of attempts."""
    _require_aware(now)
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
            recipients=_split(row["recipients"]),
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


# -- the background sender ---------------------------------------------------------------------
_wake_events: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


def _wake_event() -> asyncio.Event:
    loop = asyncio.get_running_loop()
    event = _wake_events.get(loop)
    if event is None:
        event = _wake_events[loop] = asyncio.Event()
    return event


def wake() -> None:
    """Nudge this process's sender to run now (call after committing an enqueue).

    Other processes' senders find the message on their next poll. Outside an event loop, a no-op.
    """
    with contextlib.suppress(RuntimeError):  # no running loop
        _wake_event().set()


async def run_sender(settings: Settings, stop: asyncio.Event, interval: float = 5.0) -> None:
    """Deliver due messages every ``interval`` seconds, or at once when woken, until ``stop``.

    Errors are logged and the loop goes on: the outbox must never take the portal down.
    """
    nudge = _wake_event()
    transport: Transport | None = None
    configured = transport_for(settings)
    # Sending in the clear happens only when asked for (smtp+insecure://): logged louder.
    clear = isinstance(configured, SmtpTransport) and configured.insecure
    log.log(
        logging.WARNING if clear else logging.INFO, "e-mail sender started: %s", configured.mode
    )
    # One line per burst of rounds (a demo's start sends ~300 NF notices), each e-mail at DEBUG.
    burst = DeliveryReport(sent=0, failed=0, retried=0, more=False)
    while not stop.is_set():
        nudge.clear()
        more = False
        try:
            if transport is None:
                transport = transport_for(settings)
            report = await deliver_due(settings, now=datetime.now(UTC), transport=transport)
            more = report.more
            burst = DeliveryReport(
                sent=burst.sent + report.sent,
                failed=burst.failed + report.failed,
                retried=burst.retried + report.retried,
                more=False,
            )
        except Exception:
            log.exception("e-mail sender round failed")
        if more:
            await asyncio.sleep(0)  # let the rest of the app breathe between rounds
            continue
        if burst.sent or burst.failed or burst.retried:
            log.info(
                "e-mails: %d sent, %d given up, %d to retry",
                burst.sent,
                burst.failed,
                burst.retried,
            )
            burst = DeliveryReport(sent=0, failed=0, retried=0, more=False)
        await _wait_any(stop, nudge, interval)
    log.info("e-mail sender stopped")


async def _wait_any(stop: asyncio.Event, nudge: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(nudge.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


# -- claims and outcomes -----------------------------------------------------------------------
async def _claim(row: dict, now: datetime) -> int | None:
    """Take ``row`` for this sender; the new attempt count, or None if another sender has it."""
    attempts = int(row["attempts"]) + 1
    claimed = (
        await OutboxEmail.update(
            {OutboxEmail.attempts: attempts, OutboxEmail.next_attempt_at: now + LEASE}
        )
        .where(
            _pk == row["id"],
            OutboxEmail.status == OutboxStatus.pending,
            OutboxEmail.attempts == row["attempts"],
            OutboxEmail.next_attempt_at == row["next_attempt_at"],
        )
        .returning(_pk)
    )
    return attempts if claimed else None


async def _mark_sent(email_id: int, note: str | None, now: datetime) -> None:
    # Unconditional: the message did go out, whatever another sender did meanwhile.
    await OutboxEmail.update(
        {
            OutboxEmail.status: OutboxStatus.sent,
            OutboxEmail.sent_at: now,
            OutboxEmail.last_error: note,
            OutboxEmail.sealed_secret: None,
        }
    ).where(_pk == email_id)


def _message_of(row: dict, sender: str, secret_key: str) -> tuple[Email, EmailMessage]:
    text, html = row["body_text"], row["body_html"]
    if row["sealed_secret"] is not None:
        secret = sealing.unseal(secret_key, row["sealed_secret"], bound_to=row["message_id"])
        text, html = text.replace(sealing.MASK, secret), html.replace(sealing.MASK, secret)
    email = Email(to=_split(row["recipients"]), subject=row["subject"], text=text, html=html)
    # Date is the row's creation: the same bytes on every attempt.
    message = build_message(
        email, message_id=row["message_id"], sender=sender, now=row["created_at"]
    )
    return email, message


async def _record_failure(
    email_id: int, attempts: int, error: str, now: datetime, *, final: bool = False
) -> bool:
    """Store the failure of our claim; True when the message is given up (status failed)."""
    gave_up = final or attempts >= MAX_ATTEMPTS
    values: dict = {OutboxEmail.last_error: error}
    if gave_up:
        values[OutboxEmail.status] = OutboxStatus.failed
        values[OutboxEmail.sealed_secret] = None  # given up: the code is never sent, nor kept
    else:
        values[OutboxEmail.next_attempt_at] = now + backoff(attempts)
    # Only while the claim is still ours: never overwrite a later sender's outcome.
    await OutboxEmail.update(values).where(
        _pk == email_id,
        OutboxEmail.status == OutboxStatus.pending,
        OutboxEmail.attempts == attempts,
    )
    return gave_up


def _error_text(exc: Exception, settings: Settings) -> str:
    text = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
    text = redact_url_secrets(text, settings.smtp_url)
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def _split(recipients: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in recipients.split(",") if part.strip())


def _require_aware(now: datetime) -> None:
    # SQLite compares timestamps as UTC text: a naive datetime would compare wrongly.
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


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
