"""The "coleta realizada" e-mail: queued in the transaction that makes a collection done (an
import or the ERP API), once per collection whatever retries or concurrent writers do, only
for a client that turned it on, and delivered over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import import_samples as s
from smtp_support import SmtpServer

from espaco.services.collections import done_email
from espaco.services.imports import erp_updates, import_document
from espaco.services.operations.outbox import deliver_due
from espaco.tables import Client, Collection, OutboxEmail

NOW = s.NOW  # 2026-11-28 12:00 UTC
DONE = {"status": "done", "performed_at": "2026-11-27T09:32:00-03:00"}
SCHEDULED = {"status": "scheduled", "performed_at": None, "scheduled_on": "2026-11-27"}


async def _import(db, *collections, clients=None, now=NOW) -> None:
    doc = s.document(clients=clients or [s.client(1), s.client(2)], collections=list(collections))
    result = await import_document(doc, db, base_dir=None, now=now)
    assert result.ok, result.problems[:3]


async def _client_id(external_id: str = "CLI-1") -> int:
    rows = await Client.select(Client.id).where(Client.external_id == external_id)
    return int(rows[0]["id"])


async def _sent() -> list[dict]:
    return (
        await OutboxEmail.select()
        .where(OutboxEmail.kind == "collection_done")
        .order_by(OutboxEmail.id)
    )


async def _opt_in(db, external_id: str = "CLI-1") -> int:
    await _import(db)  # the clients first: the choice is theirs to make
    client_id = await _client_id(external_id)
    await done_email.set_enabled(client_id, True)
    return client_id


def test_a_collection_becomes_done_only_on_its_way_into_a_performed_status():
    assert done_email.became_done(None, "done")
    assert done_email.became_done("scheduled", "validated")
    assert done_email.became_done("cancelled", "done")
    assert not done_email.became_done("done", "validated")
    assert not done_email.became_done("validated", "done")
    assert not done_email.became_done(None, "scheduled")
    assert not done_email.became_done("done", "cancelled")


async def test_an_agendada_made_done_by_an_import_sends_one_email_with_its_ticket_link(db):
    client_id = await _opt_in(db)
    await _import(db, s.collection(1, **SCHEDULED))
    assert await _sent() == []  # agendada: nothing yet
    await _import(db, s.collection(1, **DONE))
    (row,) = await _sent()
    collection_id = (await Collection.select(Collection.id).first())["id"]
    assert row["client"] == client_id and row["recipients"] == "compras1@cliente.com.br"
    assert row["subject"] == (
        "Coleta realizada em 27/11/2026 09:32 — Matriz — Verde Campo Ambiental Ltda"
    )
    url = f"http://portal.example.com.br/coletas/{collection_id}/ticket.pdf"
    assert url in row["body_text"] and f'href="{url}"' in row["body_html"]
    assert "Troca de caçamba 5 m³" in row["body_text"] and "MTR: 260010679501" in row["body_text"]
    assert "http://portal.example.com.br/avisos" in row["body_text"]

    await _import(db, s.collection(1, **DONE))  # the same file again
    await _import(db, s.collection(1, **{**DONE, "status": "validated"}))  # then validated
    assert len(await _sent()) == 1


async def test_several_collections_done_in_one_import_make_one_email_per_client(db):
    await _opt_in(db)
    await done_email.set_enabled(await _client_id("CLI-2"), True)
    await _import(
        db,
        s.collection(1, **DONE),
        s.collection(2, **DONE, service='Coleta de óleo; "usado" & <filtros>'),
        s.collection(3, "CLI-2", "LOC-2", **DONE),
    )
    first, second = await _sent()
    assert first["recipients"] == "compras1@cliente.com.br"
    assert first["subject"] == "2 coletas realizadas — Verde Campo Ambiental Ltda"
    assert first["body_text"].count("/ticket.pdf") == 2
    assert 'Coleta de óleo; "usado" & <filtros>' in first["body_text"]
    assert "Coleta de óleo; &#34;usado&#34; &amp; &lt;filtros&gt;" in first["body_html"]
    assert second["recipients"] == "compras2@cliente.com.br"


async def test_a_client_that_did_not_turn_it_on_gets_nothing_and_no_history_later(db):
    await _import(db)
    await _import(db, s.collection(1, **DONE))
    assert await _sent() == []
    marked = await Collection.select(Collection.done_noticed_at).first()
    assert marked["done_noticed_at"] is not None  # settled: turning it on later sends no history
    await done_email.set_enabled(await _client_id(), True)
    assert await done_email.is_enabled(await _client_id())
    await _import(db, s.collection(1, **{**DONE, "status": "validated"}))
    assert await _sent() == []


async def test_a_backfill_of_old_collections_sends_nothing(db):
    await _opt_in(db)
    await _import(db, s.collection(1, performed_at="2026-10-05T09:32:00-03:00", status="done"))
    assert await _sent() == []


async def test_no_email_list_no_email(db):
    await _import(db, clients=[s.client(1, access_emails=[])])
    await done_email.set_enabled(await _client_id(), True)
    await _import(db, s.collection(1, **DONE), clients=[s.client(1, access_emails=[])])
    assert await _sent() == []


async def test_the_erp_api_update_sends_it_once_even_when_two_workers_race(db):
    await _opt_in(db)
    await _import(db, s.collection(1, **SCHEDULED))
    performed = NOW - timedelta(hours=2)

    async def make_done():
        return await erp_updates.update_collection(
            "COL-1", {"status": "done", "performed_at": performed}, tz=db.tz, notify=db, now=NOW
        )

    outcomes = await asyncio.gather(*(make_done() for _ in range(4)))
    assert all(o.ok for o in outcomes)
    (row,) = await _sent()
    assert "28/11/2026 07:00" in row["body_text"]
    again = await make_done()
    assert again.ok and len(await _sent()) == 1


async def test_a_refused_update_queues_nothing(db):
    await _opt_in(db)
    await _import(db, s.collection(1, **SCHEDULED))
    outcome = await erp_updates.update_collection(
        "COL-1", {"status": "done", "performed_at": None}, tz=db.tz, notify=db, now=NOW
    )
    assert not outcome.ok and await _sent() == []


async def test_the_email_reaches_a_real_smtp_server(db):
    await _opt_in(db)
    await _import(db, s.collection(1, **DONE))
    server = SmtpServer().start()
    try:
        report = await deliver_due(replace(db, smtp_url=server.url), now=NOW)
        again = await deliver_due(replace(db, smtp_url=server.url), now=NOW + timedelta(hours=1))
    finally:
        server.stop()
    assert report.sent == 1 and again.sent == 0
    (envelope,) = server.handler.envelopes
    assert envelope.rcpt_tos == ["compras1@cliente.com.br"]
    (message,) = server.handler.messages()
    assert message["Subject"].startswith("Coleta realizada em 27/11/2026")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/ticket.pdf" in text and "Ver o ticket da coleta de 27/11/2026" in html
