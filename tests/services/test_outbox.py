"""The outbox against a real SMTP server: written with its change, sent once, nothing lost."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from smtp_support import PASSWORD, USER, Authenticator, Collector, SmtpServer

from espaco.db import database
from espaco.mail import DeliveryError, Email, FileTransport, email_environment, render_email
from espaco.services.operations import outbox
from espaco.services.operations.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    Retry,
    deliver_due,
    enqueue,
    list_outbox,
    outbox_counts,
    retry,
)
from espaco.settings import Settings
from espaco.tables import Client, OutboxEmail

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
PASSWORD_IN_URL = "s3nh%40%3A%2Fforte%25"
CODE = "ABCD-EFGH-JKMN-PQRS"


# -- helpers -------------------------------------------------------------------------------------
def access_email(to: tuple[str, ...] = ("financeiro@padaria.com.br",)) -> Email:
    subject, text, html = render_email(
        email_environment(),
        "access_code",
        {
            "client_name": "Padaria Pão & Mel Ltda",
            "code": CODE,
            "base_url": "http://portal.example.com.br",
            "provider_name": "Verde Campo Ambiental Ltda",
            "document_formatted": "11.222.333/0001-81",
        },
    )
    return Email(to=to, subject=subject, text=text, html=html)


def with_smtp(settings: Settings, url: str) -> Settings:
    return replace(settings, smtp_url=url)


async def row(email_id: int) -> dict[str, Any]:
    found = await OutboxEmail.select().where(OutboxEmail._meta.primary_key == email_id).first()
    assert found is not None
    return found


async def make_client() -> int:
    rows = await Client.insert(
        Client(
            external_id="C-1",
            document="11222333000181",
            name="Padaria Pão & Mel Ltda",
            created_at=NOW,
            updated_at=NOW,
        )
    ).returning(Client._meta.primary_key)
    return int(rows[0]["id"])


class Crash(BaseException):
    """The process dying between the claim and the outcome."""


class CrashingTransport:
    async def send(self, message: EmailMessage, recipients: Sequence[str]) -> list[str]:
        raise Crash


class SlowTransport:
    """Yields to the event loop while 'sending', so concurrent rounds interleave."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: EmailMessage, recipients: Sequence[str]) -> list[str]:
        await asyncio.sleep(0.005)
        self.sent.append(str(message["Message-ID"]))
        return []


# -- writing -------------------------------------------------------------------------------------
async def test_enqueued_message_is_pending_and_due_at_once(db: Settings) -> None:
    client_id = await make_client()
    email_id = await enqueue(access_email(), kind="access", now=NOW, client_id=client_id)
    saved = await row(email_id)
    assert saved["status"] == "pending"
    assert saved["attempts"] == 0
    assert saved["next_attempt_at"] == NOW
    assert saved["client"] == client_id
    assert saved["recipients"] == "financeiro@padaria.com.br"
    assert saved["message_id"].startswith("<") and saved["message_id"].endswith("@espaco>")


async def test_each_message_gets_its_own_message_id(db: Settings) -> None:
    first = await enqueue(access_email(), kind="access", now=NOW)
    second = await enqueue(access_email(), kind="access", now=NOW)
    assert (await row(first))["message_id"] != (await row(second))["message_id"]


async def test_enqueue_joins_the_callers_transaction_and_rolls_back_with_it(db: Settings) -> None:
    engine = database.current_engine()
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            client_id = await make_client()
            await enqueue(access_email(), kind="access", now=NOW, client_id=client_id)
            raise RuntimeError("the change failed after the e-mail was written")
    assert await OutboxEmail.count() == 0
    assert await Client.count() == 0


async def test_enqueue_commits_with_the_change_that_causes_it(db: Settings) -> None:
    async with database.current_engine().transaction():
        client_id = await make_client()
        email_id = await enqueue(access_email(), kind="access", now=NOW, client_id=client_id)
    assert (await row(email_id))["client"] == client_id


async def test_enqueue_refuses_a_naive_time(db: Settings) -> None:
    with pytest.raises(ValueError):
        await enqueue(access_email(), kind="access", now=NOW.replace(tzinfo=None))


# -- sending -------------------------------------------------------------------------------------
async def test_due_message_is_delivered_over_smtp_with_the_rows_message_id(
    db: Settings, smtp_server: SmtpServer
) -> None:
    email_id = await enqueue(
        access_email(("financeiro@padaria.com.br", "dono@padaria.com.br")),
        kind="access",
        now=NOW,
    )
    report = await deliver_due(with_smtp(db, smtp_server.url), now=NOW)
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    saved = await row(email_id)
    assert saved["status"] == "sent"
    assert saved["sent_at"] == NOW
    assert saved["attempts"] == 1
    (envelope,) = smtp_server.handler.envelopes
    assert envelope.rcpt_tos == ["financeiro@padaria.com.br", "dono@padaria.com.br"]
    assert envelope.mail_from == "nao-responda@portal.example.com.br"
    (message,) = smtp_server.handler.messages()
    assert message["To"] == "financeiro@padaria.com.br, dono@padaria.com.br"
    assert message["Subject"] == (
        "Seu código de acesso ao Espaço do Cliente — Verde Campo Ambiental Ltda"
    )
    assert message["Message-ID"] == saved["message_id"]
    assert message["From"].addresses[0].display_name == "Verde Campo Ambiental Ltda"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert CODE in text.get_content()  # type: ignore[attr-defined]
    assert CODE in html.get_content()  # type: ignore[attr-defined]


async def test_sent_message_is_not_sent_again(db: Settings, smtp_server: SmtpServer) -> None:
    await enqueue(access_email(), kind="access", now=NOW)
    settings = with_smtp(db, smtp_server.url)
    await deliver_due(settings, now=NOW)
    report = await deliver_due(settings, now=NOW + timedelta(days=1))
    assert report.sent == 0
    assert len(smtp_server.handler.envelopes) == 1


async def test_without_smtp_url_messages_become_eml_files_in_the_data_dir(db: Settings) -> None:
    email_id = await enqueue(access_email(), kind="access", now=NOW)
    report = await deliver_due(db, now=NOW)
    assert report.sent == 1
    (path,) = (db.data_dir / "emails").iterdir()
    assert path.name.startswith("20261128T143000Z-") and path.suffix == ".eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == (await row(email_id))["message_id"]
    assert parsed["To"] == "financeiro@padaria.com.br"
    body = parsed.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert body is not None
    assert CODE in body.get_content()
    assert (await row(email_id))["status"] == "sent"


async def test_messages_not_yet_due_wait(db: Settings) -> None:
    await enqueue(access_email(), kind="access", now=NOW + timedelta(minutes=1))
    transport = SlowTransport()
    assert (await deliver_due(db, now=NOW, transport=transport)).sent == 0
    assert transport.sent == []


async def test_oldest_message_goes_first(db: Settings) -> None:
    newer = await enqueue(access_email(), kind="access", now=NOW)
    older = await enqueue(access_email(), kind="access", now=NOW - timedelta(hours=1))
    transport = SlowTransport()
    report = await deliver_due(db, now=NOW, transport=transport, limit=1)
    assert report.sent == 1 and report.more
    assert transport.sent == [(await row(older))["message_id"]]
    assert (await row(newer))["status"] == "pending"


# -- failures ------------------------------------------------------------------------------------
async def test_server_down_loses_nothing_and_the_message_goes_once_it_is_up(
    db: Settings, smtp_down: SmtpServer
) -> None:
    email_id = await enqueue(access_email(), kind="access", now=NOW)
    settings = with_smtp(db, smtp_down.url)

    report = await deliver_due(settings, now=NOW)
    assert (report.sent, report.failed, report.retried) == (0, 0, 1)
    saved = await row(email_id)
    assert saved["status"] == "pending"
    assert saved["attempts"] == 1
    assert "refused" in saved["last_error"].lower() or "connect" in saved["last_error"].lower()
    assert saved["next_attempt_at"] == NOW + timedelta(minutes=1)

    smtp_down.start()
    assert (await deliver_due(settings, now=NOW + timedelta(seconds=30))).sent == 0  # backoff
    report = await deliver_due(settings, now=NOW + timedelta(minutes=1))
    assert report.sent == 1
    assert (await deliver_due(settings, now=NOW + timedelta(minutes=2))).sent == 0
    assert smtp_down.handler.message_ids() == [saved["message_id"]]
    saved = await row(email_id)
    assert (saved["status"], saved["attempts"], saved["last_error"]) == ("sent", 2, None)


async def test_server_down_stops_the_round_without_spending_other_messages_attempts(
    db: Settings, smtp_down: SmtpServer
) -> None:
    ids = [await enqueue(access_email(), kind="access", now=NOW) for _ in range(3)]
    report = await deliver_due(with_smtp(db, smtp_down.url), now=NOW)
    assert report.retried == 1 and not report.more
    assert [(await row(i))["attempts"] for i in ids] == [1, 0, 0]


async def test_refused_recipient_fails_that_message_only(db: Settings) -> None:
    smtp = SmtpServer(Collector(refuse=["nao-existe@padaria.com.br"])).start()
    try:
        bad = await enqueue(access_email(("nao-existe@padaria.com.br",)), kind="access", now=NOW)
        good = await enqueue(access_email(), kind="access", now=NOW + timedelta(seconds=1))
        report = await deliver_due(with_smtp(db, smtp.url), now=NOW + timedelta(seconds=1))
    finally:
        smtp.stop()
    assert (report.sent, report.retried) == (1, 1)
    assert "SMTPRecipientsRefused" in (await row(bad))["last_error"]
    assert (await row(good))["status"] == "sent"


async def test_partly_refused_recipients_count_as_sent_with_a_note(db: Settings) -> None:
    smtp = SmtpServer(Collector(refuse=["nao-existe@padaria.com.br"])).start()
    try:
        email_id = await enqueue(
            access_email(("financeiro@padaria.com.br", "nao-existe@padaria.com.br")),
            kind="access",
            now=NOW,
        )
        await deliver_due(with_smtp(db, smtp.url), now=NOW)
    finally:
        smtp.stop()
    saved = await row(email_id)
    assert saved["status"] == "sent"
    assert saved["last_error"] == "recusados pelo servidor: nao-existe@padaria.com.br"


async def test_backoff_grows_and_after_ten_failures_the_message_is_failed(
    db: Settings, smtp_down: SmtpServer
) -> None:
    email_id = await enqueue(access_email(), kind="access", now=NOW)
    settings = with_smtp(db, smtp_down.url)
    now = NOW
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = await deliver_due(settings, now=now)
        saved = await row(email_id)
        assert saved["attempts"] == attempt
        if attempt < MAX_ATTEMPTS:
            assert report.retried == 1 and saved["status"] == "pending"
            waits.append(saved["next_attempt_at"] - now)
            now = saved["next_attempt_at"]
    assert report.failed == 1
    assert saved["status"] == "failed"
    assert saved["last_error"]
    assert [w // timedelta(minutes=1) for w in waits] == [1, 5, 15, 60, 180, 360, 720, 720, 720]
    assert (await deliver_due(settings, now=now + timedelta(days=30))).retried == 0


async def test_retry_puts_a_failed_message_back_and_it_is_sent(
    db: Settings, smtp_down: SmtpServer
) -> None:
    email_id = await enqueue(access_email(), kind="access", now=NOW)
    await OutboxEmail.update(
        {OutboxEmail.status: "failed", OutboxEmail.attempts: MAX_ATTEMPTS}
    ).where(OutboxEmail._meta.primary_key == email_id)
    later = NOW + timedelta(days=2)
    assert await retry(email_id, now=later) == Retry.RETRIED
    saved = await row(email_id)
    assert (saved["status"], saved["attempts"], saved["next_attempt_at"]) == ("pending", 0, later)
    assert await retry(email_id, now=later) == Retry.NOT_FAILED  # only failed messages
    smtp_down.start()
    assert (await deliver_due(with_smtp(db, smtp_down.url), now=later)).sent == 1
    assert await retry(email_id, now=later) == Retry.NOT_FAILED
    assert await retry(999_999, now=later) == Retry.NOT_FAILED


async def test_a_row_that_cannot_become_a_message_is_given_up_without_stopping_the_round(
    db: Settings,
) -> None:
    broken = await enqueue(access_email(), kind="access", now=NOW - timedelta(minutes=1))
    await OutboxEmail.update({OutboxEmail.recipients: "sem-arroba"}).where(
        OutboxEmail._meta.primary_key == broken
    )
    good = await enqueue(access_email(), kind="access", now=NOW)
    report = await deliver_due(db, now=NOW, transport=SlowTransport())
    assert (report.sent, report.failed) == (1, 1)
    saved = await row(broken)
    assert saved["status"] == "failed" and "sem-arroba" in saved["last_error"]
    assert (await row(good))["status"] == "sent"


async def test_crash_between_claim_and_outcome_is_retried_after_the_lease(
    db: Settings, smtp_server: SmtpServer
) -> None:
    email_id = await enqueue(access_email(), kind="access", now=NOW)
    with pytest.raises(Crash):
        await deliver_due(db, now=NOW, transport=CrashingTransport())  # type: ignore[arg-type]
    saved = await row(email_id)
    assert (saved["status"], saved["attempts"]) == ("pending", 1)
    assert saved["next_attempt_at"] == NOW + LEASE
    settings = with_smtp(db, smtp_server.url)
    assert (await deliver_due(settings, now=NOW + LEASE - timedelta(seconds=1))).sent == 0
    assert (await deliver_due(settings, now=NOW + LEASE)).sent == 1
    assert smtp_server.handler.message_ids() == [saved["message_id"]]


# -- never twice ---------------------------------------------------------------------------------
async def test_concurrent_rounds_send_each_message_once(db: Settings) -> None:
    ids = [await enqueue(access_email(), kind="access", now=NOW) for _ in range(20)]
    transport = SlowTransport()
    reports = await asyncio.gather(
        *(deliver_due(db, now=NOW, transport=transport) for _ in range(3))  # type: ignore[arg-type]
    )
    assert sum(r.sent for r in reports) == 20
    assert sorted(transport.sent) == sorted([(await row(i))["message_id"] for i in ids])
    assert len(set(transport.sent)) == 20


async def test_concurrent_rounds_over_smtp_deliver_each_message_once(
    db: Settings, smtp_server: SmtpServer
) -> None:
    for _ in range(10):
        await enqueue(access_email(), kind="access", now=NOW)
    settings = with_smtp(db, smtp_server.url)
    reports = await asyncio.gather(deliver_due(settings, now=NOW), deliver_due(settings, now=NOW))
    assert sum(r.sent for r in reports) == 10
    ids = smtp_server.handler.message_ids()
    assert len(ids) == len(set(ids)) == 10


SENDER_SCRIPT = """
import asyncio, sys
from datetime import datetime
from espaco.db import database
from espaco.services.operations import outbox
from espaco.settings import Settings

async def main():
    settings = Settings.from_env()
    engine = database.configure(settings)
    await database.start(engine)
    try:
        report = await outbox.deliver_due(settings, now=datetime.fromisoformat(sys.argv[1]))
    finally:
        await database.stop(engine)
    print(report.sent)

asyncio.run(main())
"""


async def test_two_processes_send_each_message_once(db: Settings) -> None:
    """Two workers (separate processes and connections) racing over the same outbox."""
    smtp = SmtpServer(Collector(delay=0.02)).start()
    count = 40
    try:
        for _ in range(count):
            await enqueue(access_email(), kind="access", now=NOW)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ESPACO_")},
            "ESPACO_DATA_DIR": str(db.data_dir),
            "ESPACO_SECRET_KEY": db.secret_key,
            "ESPACO_DATABASE_URL": db.database_url,
            "ESPACO_BASE_URL": db.base_url,
            "ESPACO_SMTP_URL": smtp.url,
        }
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                SENDER_SCRIPT,
                NOW.isoformat(),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [await asyncio.wait_for(w.communicate(), timeout=120) for w in workers]
    finally:
        smtp.stop()
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
    sent = [int(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(sent) == count, sent
    print(f"\nsent per process: {sent}")
    ids = smtp.handler.message_ids()
    assert len(ids) == len(set(ids)) == count
    assert (await outbox_counts())["sent"] == count


# -- credentials ---------------------------------------------------------------------------------
async def test_smtp_credentials_from_the_url_work(db: Settings) -> None:
    smtp = SmtpServer(authenticator=Authenticator(), auth_require_tls=False).start()
    try:
        await enqueue(access_email(), kind="access", now=NOW)
        url = f"smtp+insecure://{USER.replace('@', '%40')}:{PASSWORD_IN_URL}@127.0.0.1:{smtp.port}"
        report = await deliver_due(with_smtp(db, url), now=NOW)
    finally:
        smtp.stop()
    assert report.sent == 1
    assert len(smtp.handler.envelopes) == 1


@pytest.mark.parametrize("server_up", [True, False], ids=["auth-refused", "server-down"])
async def test_smtp_credentials_never_reach_the_error_or_the_logs(
    db: Settings, caplog: pytest.LogCaptureFixture, server_up: bool
) -> None:
    caplog.set_level(logging.DEBUG, logger="espaco")
    smtp = SmtpServer(authenticator=Authenticator(), auth_require_tls=False)
    if server_up:
        smtp.start()
    try:
        email_id = await enqueue(access_email(), kind="access", now=NOW)
        wrong = "Err%40da-" + PASSWORD_IN_URL
        url = f"smtp+insecure://{USER.replace('@', '%40')}:{wrong}@127.0.0.1:{smtp.port}"
        report = await deliver_due(with_smtp(db, url), now=NOW)
    finally:
        smtp.stop()
    assert report.retried == 1
    error = (await row(email_id))["last_error"]
    assert error
    if server_up:
        assert "SMTPAuthenticationError" in error
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("espaco"))
    assert error in ours  # the failure is logged...
    for secret in (USER, PASSWORD, PASSWORD_IN_URL, "Err@da", "Err%40da", "s3nh"):
        assert secret not in error  # ...without the credentials
        assert secret not in ours


# -- the back-office's view ----------------------------------------------------------------------
async def test_listing_and_counts_show_the_outbox_by_status(db: Settings) -> None:
    sent = await enqueue(access_email(), kind="access", now=NOW - timedelta(minutes=2))
    await deliver_due(db, now=NOW - timedelta(minutes=2), transport=SlowTransport())
    failed = await enqueue(access_email(), kind="invoice", now=NOW - timedelta(minutes=1))
    await OutboxEmail.update({OutboxEmail.status: "failed"}).where(
        OutboxEmail._meta.primary_key == failed
    )
    pending = await enqueue(access_email(), kind="access", now=NOW)

    assert await outbox_counts() == {"pending": 1, "sent": 1, "failed": 1}
    assert [r.id for r in await list_outbox(None, 1)] == [pending, failed, sent]
    assert [r.id for r in await list_outbox("failed", 1)] == [failed]
    assert [r.id for r in await list_outbox(None, 2, per_page=2)] == [sent]
    first = (await list_outbox("sent", 1))[0]
    assert first.recipients == ("financeiro@padaria.com.br",)
    assert first.sent_at == NOW - timedelta(minutes=2)
    assert first.kind == "access"


async def test_counts_of_an_empty_outbox_are_zero(db: Settings) -> None:
    assert await outbox_counts() == {"pending": 0, "sent": 0, "failed": 0}


# -- the background sender -----------------------------------------------------------------------
async def test_background_sender_sends_when_woken_and_stops_cleanly(
    db: Settings, smtp_server: SmtpServer
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(outbox.run_sender(with_smtp(db, smtp_server.url), stop, interval=60))
    await asyncio.sleep(0.05)  # first (empty) round done; now sleeping for a minute
    await enqueue(access_email(), kind="access", now=datetime.now(UTC))
    outbox.wake()
    for _ in range(200):
        if smtp_server.handler.envelopes:
            break
        await asyncio.sleep(0.02)
    assert len(smtp_server.handler.envelopes) == 1
    stop.set()
    await asyncio.wait_for(task, timeout=5)


async def test_background_sender_survives_a_failing_round(
    db: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = outbox.deliver_due
    calls = 0

    async def flaky(settings: Settings, **kwargs: Any) -> outbox.DeliveryReport:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise DeliveryError("database unavailable", server_unavailable=True)
        return await real(settings, **kwargs)

    monkeypatch.setattr(outbox, "deliver_due", flaky)
    await enqueue(access_email(), kind="access", now=datetime.now(UTC))
    stop = asyncio.Event()
    task = asyncio.create_task(outbox.run_sender(db, stop, interval=0.01))
    for _ in range(200):
        if (await outbox_counts())["sent"]:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert (await outbox_counts())["sent"] == 1
    assert "e-mail sender round failed" in caplog.text
    assert isinstance(outbox.transport_for(db), FileTransport)


async def test_a_burst_of_e_mails_is_logged_as_one_summary_line(
    db: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # What `espaco demo` does on start: hundreds of NF notices, sent over several rounds.
    real = outbox.deliver_due

    async def small_rounds(settings: Settings, **kwargs: Any) -> outbox.DeliveryReport:
        return await real(settings, **kwargs, limit=2)

    monkeypatch.setattr(outbox, "deliver_due", small_rounds)
    caplog.set_level(logging.INFO, logger="espaco")
    for _ in range(5):
        await enqueue(access_email(), kind="access", now=datetime.now(UTC))
    stop = asyncio.Event()
    task = asyncio.create_task(outbox.run_sender(db, stop, interval=0.05))
    for _ in range(200):
        if "e-mails:" in caplog.text:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    lines = [
        r.getMessage() for r in caplog.records if r.name == "espaco.services.operations.outbox"
    ]
    assert [m for m in lines if m.startswith("e-mail")] == [
        "e-mail sender started: " + outbox.transport_for(db).mode,
        "e-mails: 5 sent, 0 given up, 0 to retry",
        "e-mail sender stopped",
    ]
