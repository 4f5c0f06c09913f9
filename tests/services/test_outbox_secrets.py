"""Access codes at rest: the outbox holds a code only sealed, and none once its e-mail is done.

Each test generates a code the way a master user does (``cadastros.generate_access_code``),
delivers it to a real aiosmtpd server, and then reads the whole database back: every table's
rows and, on SQLite, the raw bytes of the database file and its WAL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from smtp_support import Collector, SmtpServer

from espaco.domain.documents import cnpj_check_digits
from espaco.services.access import cadastros, sealing
from espaco.services.access.access_codes import normalize_code
from espaco.services.access.passwords import verify_secret
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import ALL_TABLES, Client, ClientEmail, OutboxEmail

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
CODE_PATTERN = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}")
ADDRESS = "financeiro@padaria.com.br"


async def new_client() -> int:
    document = "112223330001"
    rows = await Client.insert(
        Client(
            external_id="C-1",
            document=document + cnpj_check_digits(document),
            name="Padaria Pão & Mel Ltda",
            created_at=NOW,
            updated_at=NOW,
        )
    ).returning(Client.id)
    client_id = int(rows[0]["id"])
    await ClientEmail.insert(ClientEmail(client=client_id, kind="access", address=ADDRESS))
    return client_id


async def generate(settings: Settings) -> int:
    client_id = await new_client()
    sent_to = await cadastros.generate_access_code(
        client_id, settings=settings, actor="ana", ip="10.0.0.1", now=NOW
    )
    assert sent_to == (ADDRESS,)
    return client_id


async def database_text(settings: Settings) -> str:
    """Everything the database holds, as text: every row of every table and, on SQLite, the
    file and its WAL (where an overwritten value could linger in a free page)."""
    parts = [repr(await table.select()) for table in ALL_TABLES]
    if settings.database_kind == "sqlite":
        for path in (settings.sqlite_path, settings.sqlite_path.with_name("espaco.db-wal")):
            if path.exists():
                parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def code_of(smtp_server: SmtpServer) -> str:
    (message,) = smtp_server.handler.messages()
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    found = CODE_PATTERN.search(text)
    assert found is not None, text
    assert found.group(0) in html and sealing.MASK not in text + html
    return found.group(0)


def assert_no_code(text: str, code: str) -> None:
    assert code not in text and normalize_code(code) not in text


async def test_the_code_is_sealed_while_waiting_and_gone_once_sent(
    db: Settings, smtp_server: SmtpServer
) -> None:
    settings = replace(db, smtp_url=smtp_server.url)
    client_id = await generate(settings)
    (row,) = await OutboxEmail.select()
    assert sealing.MASK in row["body_text"] and sealing.MASK in row["body_html"]
    assert row["sealed_secret"].startswith("v1.")
    assert CODE_PATTERN.search(await database_text(settings)) is None

    assert (await outbox.deliver_due(settings, now=NOW)).sent == 1
    code = code_of(smtp_server)
    (client,) = await Client.select().where(Client.id == client_id)
    assert verify_secret(client["access_code_hash"], normalize_code(code))
    (row,) = await OutboxEmail.select()
    assert row["status"] == "sent" and row["sealed_secret"] is None
    assert_no_code(await database_text(settings), code)


async def test_a_given_up_code_email_keeps_no_code_and_cannot_be_resent(
    db: Settings,
) -> None:
    smtp_server = SmtpServer(Collector(refuse=[ADDRESS])).start()
    try:
        settings = replace(db, smtp_url=smtp_server.url)
        await generate(settings)
        (row,) = await OutboxEmail.select()
        sealed = row["sealed_secret"]
        code = sealing.unseal(settings.secret_key, sealed, bound_to=row["message_id"])
        # The last attempt: the server refuses the only recipient once more.
        await OutboxEmail.update({OutboxEmail.attempts: outbox.MAX_ATTEMPTS - 1}).where(
            OutboxEmail.id == row["id"]
        )
        report = await outbox.deliver_due(settings, now=NOW)
    finally:
        smtp_server.stop()
    assert report.failed == 1 and smtp_server.handler.envelopes == []
    (row,) = await OutboxEmail.select()
    assert row["status"] == "failed" and row["sealed_secret"] is None
    assert_no_code(await database_text(settings), code)
    # No row keeps the seal. Its old bytes may linger in SQLite's WAL until a checkpoint: that
    # is why the code is stored sealed rather than in the clear and wiped.
    assert sealed not in repr(await OutboxEmail.select())
    # "Tentar de novo" cannot send a code that is no longer kept: a new one must be generated.
    assert await outbox.retry(row["id"], now=NOW) == outbox.Retry.SECRET_GONE
    (row,) = await OutboxEmail.select()
    assert row["status"] == "failed"


async def test_codes_never_reach_the_logs(db: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    down = SmtpServer()  # nothing listens yet: the first round fails
    settings = replace(db, smtp_url=down.url)
    await generate(settings)
    assert (await outbox.deliver_due(settings, now=NOW)).retried == 1
    down.start()
    try:
        later = NOW + timedelta(minutes=2)
        assert (await outbox.deliver_due(settings, now=later)).sent == 1
    finally:
        down.stop()
    code = code_of(down)
    # aiosmtpd's own logger ("mail.log") is the receiving server, not the portal.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert any("not sent" in r.getMessage() for r in ours)  # the failure was logged...
    assert any("sent" in r.getMessage() for r in ours)
    for record in ours:  # ...and nothing logged holds the code
        assert_no_code(record.getMessage() + (record.exc_text or ""), code)


async def test_a_code_sealed_under_another_secret_key_is_given_up_with_a_clear_reason(
    db: Settings, smtp_server: SmtpServer
) -> None:
    await generate(replace(db, smtp_url=smtp_server.url))
    rotated = replace(db, smtp_url=smtp_server.url, secret_key="another-secret-key-" + "y" * 32)
    assert (await outbox.deliver_due(rotated, now=NOW)).failed == 1
    assert smtp_server.handler.envelopes == []
    (row,) = await OutboxEmail.select()
    assert row["status"] == "failed" and row["sealed_secret"] is None
    assert "gere um novo código" in row["last_error"]


async def test_the_outbox_refuses_a_secret_written_in_the_clear(db: Settings) -> None:
    from espaco.mail import Email

    clear = Email(to=(ADDRESS,), subject="Código", text="Código: ABCD-EFGH-JKMN-PQRS")
    with pytest.raises(ValueError, match="MASK"):
        await outbox.enqueue(
            clear,
            kind="access_code",
            now=NOW,
            secret="ABCD-EFGH-JKMN-PQRS",
            secret_key=db.secret_key,
        )
    assert await OutboxEmail.count() == 0
