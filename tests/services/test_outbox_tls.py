"""SMTP without TLS: ``smtp://`` requires STARTTLS, and only ``smtp+insecure://`` goes in the clear.

Real aiosmtpd servers: one that offers no STARTTLS (the password and the message must not
leave), one that offers it with a self-signed certificate made here (trusted only through the
URL's ``cafile``, never by switching verification off).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from smtp_support import (
    PASSWORD,
    USER,
    Authenticator,
    Collector,
    SmtpServer,
    server_tls_context,
)

from espaco.mail import Email, SmtpTransport
from espaco.services.operations import outbox
from espaco.settings import Settings, SettingsError
from espaco.tables import OutboxEmail

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
CREDENTIALS = f"{USER.replace('@', '%40')}:s3nh%40%3A%2Fforte%25"


async def enqueue_one() -> int:
    email = Email(to=("financeiro@padaria.com.br",), subject="Aviso", text="Olá.")
    return await outbox.enqueue(email, kind="invoice_notice", now=NOW)


def test_smtp_url_schemes_are_tls_required_implicit_tls_or_explicitly_insecure(
    settings: Settings,
) -> None:
    for url in ("smtp://h:587", "smtps://h:465", "smtp+insecure://127.0.0.1:25"):
        replace(settings, smtp_url=url).validate()
    with pytest.raises(SettingsError, match="smtp\\+insecure"):
        replace(settings, smtp_url="smtp+plain://h:25").validate()


async def test_a_server_without_starttls_gets_neither_the_password_nor_the_message(
    db: Settings,
) -> None:
    handler, authenticator = Collector(), Authenticator()
    server = SmtpServer(handler, authenticator=authenticator, auth_require_tls=False).start()
    try:
        settings = replace(db, smtp_url=f"smtp://{CREDENTIALS}@127.0.0.1:{server.port}")
        email_id = await enqueue_one()
        report = await outbox.deliver_due(settings, now=NOW)
    finally:
        server.stop()
    assert report.retried == 1 and report.sent == 0
    assert authenticator.seen == [] and handler.envelopes == []
    (row,) = await OutboxEmail.select().where(OutboxEmail.id == email_id)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "não oferece STARTTLS" in row["last_error"]
    assert "smtp+insecure://" in row["last_error"]  # what to do about it
    assert "s3nh" not in row["last_error"]


async def test_starttls_with_a_certificate_trusted_through_the_urls_cafile(
    db: Settings, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    handler, authenticator = Collector(), Authenticator()
    server = SmtpServer(
        handler,
        authenticator=authenticator,
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
    ).start()
    try:
        url = f"smtp://{CREDENTIALS}@127.0.0.1:{server.port}?cafile={cert}"
        settings = replace(db, smtp_url=url)
        await enqueue_one()
        report = await outbox.deliver_due(settings, now=NOW)
    finally:
        server.stop()
    assert report.sent == 1
    assert authenticator.seen == [(USER, PASSWORD)]
    assert handler.sessions[0].ssl is not None  # the password and the message went encrypted


async def test_starttls_to_a_certificate_nobody_chose_to_trust_is_refused(
    db: Settings, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    handler = Collector()
    server = SmtpServer(handler, tls_context=server_tls_context(cert, key)).start()
    try:
        settings = replace(db, smtp_url=f"smtp://127.0.0.1:{server.port}")
        email_id = await enqueue_one()
        report = await outbox.deliver_due(settings, now=NOW)
    finally:
        server.stop()
    assert report.sent == 0 and handler.envelopes == []
    (row,) = await OutboxEmail.select().where(OutboxEmail.id == email_id)
    assert row["status"] == "pending" and "CERTIFICATE_VERIFY_FAILED" in row["last_error"]


async def test_smtp_insecure_sends_in_the_clear_to_a_local_relay(db: Settings) -> None:
    handler = Collector()
    server = SmtpServer(handler).start()
    try:
        settings = replace(db, smtp_url=f"smtp+insecure://127.0.0.1:{server.port}")
        await enqueue_one()
        assert (await outbox.deliver_due(settings, now=NOW)).sent == 1
    finally:
        server.stop()
    assert handler.sessions[0].ssl is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://u:p@mail.example.com:587", "STARTTLS obrigatório, certificado verificado"),
        ("smtp://mail.example.com?cafile=/etc/ca.pem", "verificado por /etc/ca.pem"),
        ("smtps://u:p@mail.example.com", "TLS desde a conexão"),
        ("smtp+insecure://127.0.0.1:25", "SEM criptografia"),
        ("", "arquivos .eml"),
    ],
)
async def test_start_up_says_how_e_mail_leaves(
    settings: Settings, caplog: pytest.LogCaptureFixture, url: str, says: str
) -> None:
    caplog.set_level(logging.INFO, logger="espaco")
    stop = asyncio.Event()
    stop.set()  # start, log, and stop before any round
    await outbox.run_sender(replace(settings, smtp_url=url), stop)
    started = [r.getMessage() for r in caplog.records if "sender started" in r.getMessage()]
    assert len(started) == 1 and says in started[0]
    assert ":p@" not in started[0]


def test_the_transport_mode_never_shows_credentials() -> None:
    transport = SmtpTransport(f"smtp://{CREDENTIALS}@mail.example.com:587")
    assert "s3nh" not in transport.mode and "portal" not in transport.mode
    assert "s3nh" not in repr(transport)
