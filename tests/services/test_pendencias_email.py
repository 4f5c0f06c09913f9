"""The weekly pendências e-mail: queued through the outbox to the client's E-mail list when
something is pending, once a week, never to a client who turned it off; delivered over a real
SMTP server (aiosmtpd)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import import_samples as s
from smtp_support import SmtpServer

from espaco.services.collections.pendencias_email import send_due, set_enabled
from espaco.services.imports import import_document
from espaco.services.operations.outbox import deliver_due
from espaco.tables import Client, OutboxEmail

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _seed(db) -> dict[str, int]:
    doc = s.document(
        clients=[s.client(1), s.client(2), s.client(3, access_emails=[])],
        collections=[
            s.collection(1, mtr_number=None, mtr_status=None),  # realizada sem MTR
            s.collection(2, "CLI-2", "LOC-2", mtr_number="2"),  # with its CDF: nothing pending
            s.collection(3, "CLI-3", "LOC-3", mtr_number=None, mtr_status=None),
        ],
        certificates=[s.certificate(2, "CLI-2", mtr_numbers=["2"])],
    )
    assert (await import_document(doc, db, base_dir=None, now=s.NOW)).ok
    rows = await Client.select(Client.id, Client.external_id)
    return {r["external_id"]: r["id"] for r in rows}


async def _sent() -> list[dict]:
    return await OutboxEmail.select().where(OutboxEmail.kind == "pendencias")


async def test_one_email_a_week_to_a_client_with_pendencias_and_an_email_list(db):
    ids = await _seed(db)
    assert await send_due(db, now=NOW) == 1
    (row,) = await _sent()
    assert row["client"] == ids["CLI-1"]
    assert row["recipients"] == "compras1@cliente.com.br"
    assert row["subject"].startswith("Pendências de resíduos (1)")
    assert "Coleta realizada sem MTR: 1" in row["body_text"]
    assert "http://portal.example.com.br/coletas/relatorio#pendencias" in row["body_text"]
    assert await send_due(db, now=NOW + timedelta(days=6, hours=23)) == 0  # not twice a week
    assert await send_due(db, now=NOW + timedelta(days=7)) == 1
    assert len(await _sent()) == 2


async def test_a_client_who_opted_out_gets_nothing_until_it_opts_back_in(db):
    ids = await _seed(db)
    await set_enabled(ids["CLI-1"], False)
    assert await send_due(db, now=NOW) == 0
    await set_enabled(ids["CLI-1"], True)
    assert await send_due(db, now=NOW + timedelta(hours=1)) == 1


async def test_the_email_reaches_a_real_smtp_server(db):
    await _seed(db)
    server = SmtpServer().start()
    try:
        await send_due(db, now=NOW)
        report = await deliver_due(replace(db, smtp_url=server.url), now=NOW)
    finally:
        server.stop()
    assert report.sent == 1
    (envelope,) = server.handler.envelopes
    assert envelope.rcpt_tos == ["compras1@cliente.com.br"]
    (message,) = server.handler.messages()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Coleta realizada sem MTR: 1" in text and "Não receber o aviso semanal" in text
