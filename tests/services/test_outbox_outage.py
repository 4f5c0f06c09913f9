"""After an SMTP outage nothing waits hours once the server is back, against a real aiosmtpd.

The server is down while the sender keeps trying, so each message's wait grows (1 min, 5, 15,
60, 180, 360 …); then it comes back. One successful send brings the waiting messages forward,
and staff can bring them forward at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from smtp_support import SmtpServer

from espaco.mail import Email
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import OutboxEmail

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)


async def enqueue(subject: str, now: datetime) -> int:
    email = Email(to=("financeiro@padaria.com.br",), subject=subject, text="Olá.")
    return await outbox.enqueue(email, kind="access_code", now=now)


async def outage(settings: Settings, rounds: int) -> datetime:
    """Run the sender against a server that is down, each round when the next row is due,
    until every row waits hours; the time of the last round."""
    now = NOW
    for _ in range(rounds):
        due = await OutboxEmail.select(OutboxEmail.next_attempt_at).order_by(
            OutboxEmail.next_attempt_at
        )
        now = max(now, due[0]["next_attempt_at"])
        report = await outbox.deliver_due(settings, now=now)
        assert report.sent == 0 and report.retried == 1
    return now


async def waits(now: datetime) -> list[timedelta]:
    rows = await OutboxEmail.select().where(OutboxEmail.status == "pending")
    return sorted(row["next_attempt_at"] - now for row in rows)


async def test_once_a_send_succeeds_the_messages_waiting_for_the_server_go_at_once(
    db: Settings, smtp_down: SmtpServer
) -> None:
    settings = replace(db, smtp_url=smtp_down.url)
    for subject in ("Primeiro", "Segundo"):
        await enqueue(subject, NOW)
    now = await outage(settings, rounds=12)
    assert min(await waits(now)) > timedelta(hours=1)

    smtp_down.start()  # the server is back; a new message arrives and goes out
    await enqueue("Novo", now)
    first = await outbox.deliver_due(settings, now=now)
    assert first.sent == 1 and first.more  # ...and the waiting ones are due now
    second = await outbox.deliver_due(settings, now=now)
    assert second.sent == 2
    assert sorted(m["Subject"] for m in smtp_down.handler.messages()) == [
        "Novo",
        "Primeiro",
        "Segundo",
    ]


async def test_a_success_does_not_bring_forward_a_message_the_server_refused(
    db: Settings, smtp_down: SmtpServer
) -> None:
    refused = await enqueue("Caixa cheia", NOW)
    later = NOW + timedelta(hours=6)
    await OutboxEmail.update(
        {
            OutboxEmail.attempts: 6,
            OutboxEmail.next_attempt_at: later,
            OutboxEmail.last_error: "SMTPRecipientsRefused: 452 caixa cheia",
        }
    ).where(OutboxEmail.id == refused)
    smtp_down.start()
    await enqueue("Novo", NOW)
    assert (await outbox.deliver_due(replace(db, smtp_url=smtp_down.url), now=NOW)).sent == 1
    (row,) = await OutboxEmail.select().where(OutboxEmail.id == refused)
    assert row["next_attempt_at"] == later  # its own reason to wait still holds


async def test_staff_can_send_the_waiting_messages_now(db: Settings, smtp_down: SmtpServer) -> None:
    settings = replace(db, smtp_url=smtp_down.url)
    for subject in ("Primeiro", "Segundo"):
        await enqueue(subject, NOW)
    now = await outage(settings, rounds=12)
    smtp_down.start()
    assert await outbox.send_pending_now(now=now) == 2
    assert await waits(now) == [timedelta(0), timedelta(0)]
    assert (await outbox.deliver_due(settings, now=now)).sent == 2
    assert await outbox.send_pending_now(now=now) == 0


async def test_sending_now_leaves_a_message_being_sent_alone(db: Settings) -> None:
    email_id = await enqueue("Em envio", NOW)
    (row,) = await OutboxEmail.select().where(OutboxEmail.id == email_id)
    assert await outbox._claim(row, NOW) == 1  # another sender holds it for LEASE
    assert await outbox.send_pending_now(now=NOW) == 0
    (row,) = await OutboxEmail.select().where(OutboxEmail.id == email_id)
    assert row["next_attempt_at"] == NOW + outbox.LEASE
