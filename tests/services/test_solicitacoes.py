"""Requests and Planejamento against the database: protocols, double submits, decisions racing,
the e-mails and audit events, the ERP's listing, and collections imported for a request."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, date, datetime, timedelta

import import_samples as samples
import pytest

from espaco.domain.errors import Invalid, NotFound
from espaco.services.imports import import_document
from espaco.services.solicitacoes import planning, solicitacoes
from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, Collection, CollectionRequest, Location, OutboxEmail

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday: the earliest date is Monday 30/11
MONDAY = date(2026, 11, 30)
TEXT = "Retirar duas caçambas de entulho na entrada."


async def seed(settings: Settings) -> tuple[int, int]:
    result = await import_document(
        samples.document(clients=[samples.client(1)]), settings, base_dir=None, now=NOW
    )
    assert result.ok, result.problems
    client_id = (await Client.select(Client.id).where(Client.external_id == "CLI-1"))[0]["id"]
    place = (await Location.select(Location.id).where(Location.external_id == "LOC-1"))[0]["id"]
    return client_id, place


@pytest.fixture
async def world(db: Settings) -> tuple[Settings, int, int]:
    client_id, place = await seed(db)
    return db, client_id, place


async def submit(settings: Settings, client_id: int, place: int, **changes: str) -> str:
    fields = {
        "location": str(place),
        "intended": MONDAY.isoformat(),
        "description": TEXT,
        "submission_key": solicitacoes.new_submission_key(),
    }
    fields.update(changes)
    return await solicitacoes.submit_request((client_id,), settings=settings, now=NOW, **fields)


async def test_protocols_count_up_within_the_year_even_when_sent_at_once(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    results = await asyncio.gather(
        *(submit(settings, client_id, place, description=f"{TEXT} Lote {n}.") for n in range(6))
    )
    protocols = sorted(results)
    assert protocols == [f"2026-{n:06d}" for n in range(1, 7)]


async def test_the_same_form_sent_at_once_three_times_makes_one_request(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    key = solicitacoes.new_submission_key()
    results = await asyncio.gather(
        *(submit(settings, client_id, place, submission_key=key) for _ in range(3))
    )
    assert set(results) == {"2026-000001"}
    assert await CollectionRequest.count() == 1
    assert await OutboxEmail.count().where(OutboxEmail.kind == "request_received") == 1


async def test_another_clients_form_key_is_not_answered_with_its_protocol(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    key = solicitacoes.new_submission_key()
    await submit(settings, client_id, place, submission_key=key)
    other = await Client.insert(
        Client(external_id="X", document="12345678000195", name="X", created_at=NOW, updated_at=NOW)
    ).returning(Client.id)
    with pytest.raises(Invalid) as refused:
        await submit(settings, other[0]["id"], place, submission_key=key)
    assert refused.value.errors == {"formulario": "Formulário inválido."}


async def test_another_clients_place_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    settings, _, place = world
    other = await Client.insert(
        Client(external_id="X", document="12345678000195", name="X", created_at=NOW, updated_at=NOW)
    ).returning(Client.id)
    with pytest.raises(Invalid) as refused:
        await submit(settings, other[0]["id"], place)
    assert "local" in refused.value.errors
    assert await CollectionRequest.count() == 0


async def test_scheduling_creates_the_agendada_collection_emails_and_audits(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    decision = await planning.schedule_request(
        protocol, date(2026, 12, 2), actor="plan", staff_id=None, ip="10.0.0.1",
        settings=settings, now=NOW,
    )  # fmt: skip
    assert decision.ok and decision.collection_id
    row = (await CollectionRequest.select().where(CollectionRequest.protocol == protocol))[0]
    assert row["status"] == "scheduled" and row["scheduled_on"] == date(2026, 12, 2)
    collection = (await Collection.select().where(Collection.id == decision.collection_id))[0]
    assert collection["request"] == row["id"] and collection["status"] == "scheduled"
    assert collection["event_on"] == date(2026, 12, 2) and collection["client"] == client_id
    assert collection["location"] == place
    mail = (await OutboxEmail.select().where(OutboxEmail.kind == "request_scheduled"))[0]
    assert "02/12/2026" in mail["subject"] and mail["recipients"] == "compras1@cliente.com.br"
    event = (await AuditEvent.select().where(AuditEvent.action == "request_scheduled"))[0]
    assert event["actor"] == "plan" and event["client"] == client_id


async def test_a_schedule_in_the_past_and_a_refusal_without_reason_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    args = {"actor": "plan", "staff_id": None, "ip": "", "settings": settings, "now": NOW}
    with pytest.raises(Invalid) as past:
        await planning.schedule_request(protocol, date(2026, 11, 1), **args)
    assert past.value.errors == {"data": "A data da coleta não pode estar no passado."}
    with pytest.raises(Invalid) as blank:
        await planning.refuse_request(protocol, "   ", **args)
    assert blank.value.errors == {"motivo": "Informe o motivo da recusa."}
    assert (await CollectionRequest.select().where(CollectionRequest.protocol == protocol))[0][
        "status"
    ] == "pending"


async def test_two_decisions_at_once_one_wins_the_other_is_told_it_was_decided(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocols = [
        await submit(settings, client_id, place, description=f"{TEXT} {n}") for n in range(5)
    ]
    args = {"staff_id": None, "ip": "", "settings": settings, "now": NOW}
    for protocol in protocols:
        a, b, c = await asyncio.gather(
            planning.schedule_request(protocol, MONDAY, actor="ana", **args),
            planning.refuse_request(protocol, "Sem caminhão.", actor="bia", **args),
            planning.schedule_request(protocol, MONDAY, actor="caio", **args),
        )
        assert sum(d.ok for d in (a, b, c)) == 1
        for loser in (d for d in (a, b, c) if not d.ok):
            assert loser.conflict and "já foi decidida" in (loser.error or "")
    assert await AuditEvent.count().where(AuditEvent.action.is_in(
        ["request_scheduled", "request_refused"])) == 5  # fmt: skip
    scheduled = await CollectionRequest.count().where(CollectionRequest.status == "scheduled")
    assert await Collection.count() == scheduled


async def test_a_cancelled_request_cannot_be_decided(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    assert await solicitacoes.cancel_request((client_id,), protocol, now=NOW) is True
    assert await solicitacoes.cancel_request((client_id,), protocol, now=NOW) is False  # decided
    decision = await planning.schedule_request(
        protocol, MONDAY, actor="a", staff_id=None, ip="", settings=settings, now=NOW
    )
    assert decision.conflict
    with pytest.raises(NotFound):
        await planning.refuse_request(
            "2026-999999", "x", actor="a", staff_id=None, ip="", settings=settings, now=NOW
        )
    with pytest.raises(NotFound):  # another client's request is not found either
        await solicitacoes.cancel_request((client_id + 1,), protocol, now=NOW)


async def test_queue_is_oldest_first_and_filters(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    first = await submit(settings, client_id, place)
    later = NOW + timedelta(minutes=5)
    second = await solicitacoes.submit_request(
        (client_id,),
        location=str(place),
        intended="2026-12-10",
        description=TEXT + " 2",
        submission_key="k2",
        settings=settings,
        now=later,
    )
    page = await planning.queue()
    assert [i.request.protocol for i in page.items] == [first, second]
    assert [i.request.protocol for i in (await planning.queue(start=date(2026, 12, 1))).items] == [
        second
    ]
    assert (await planning.queue(client="cliente 1")).total == 2
    assert (await planning.queue(client="nada disso")).total == 0
    await planning.refuse_request(
        first, "Fora da área.", actor="a", staff_id=None, ip="", settings=settings, now=later
    )
    assert [i.request.protocol for i in (await planning.queue()).items] == [second]
    refused = await planning.queue(status="refused")
    assert [i.request.refusal_reason for i in refused.items] == ["Fora da área."]
    assert (await planning.queue(status=None)).total == 2


async def test_erp_listing_filters_by_status_and_since(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    items = await planning.list_for_api(status="pending")
    assert [i.protocol for i in items] == [protocol]
    assert items[0].client_external_id == "CLI-1" and items[0].location_external_id == "LOC-1"
    assert await planning.list_for_api(status="pending", since=NOW + timedelta(hours=1)) == []
    assert await planning.list_for_api(status="scheduled") == []


def _collection_for(protocol: str, **changes: object) -> dict:
    return samples.collection(
        1, request=protocol, status="scheduled", scheduled_on="2026-12-03", performed_at=None,
        mtr_number=None, mtr_status=None, received_by="", received_by_cpf=None, **changes,
    )  # fmt: skip


async def test_an_imported_collection_fulfils_a_pending_request(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    doc = samples.document(collections=[_collection_for(protocol)])
    result = await import_document(copy.deepcopy(doc), settings, base_dir=None, now=NOW)
    assert result.ok, result.problems
    row = (await CollectionRequest.select().where(CollectionRequest.protocol == protocol))[0]
    assert row["status"] == "scheduled" and row["scheduled_on"] == date(2026, 12, 3)
    linked = await Collection.select(Collection.external_id).where(Collection.request == row["id"])
    assert [c["external_id"] for c in linked] == ["COL-1"]
    again = await import_document(copy.deepcopy(doc), settings, base_dir=None, now=NOW)
    assert again.counts["collections"].unchanged == 1


async def test_an_imported_collection_replaces_the_portals_placeholder(world) -> None:  # type: ignore[no-untyped-def]
    settings, client_id, place = world
    protocol = await submit(settings, client_id, place)
    await planning.schedule_request(
        protocol, MONDAY, actor="a", staff_id=None, ip="", settings=settings, now=NOW
    )
    doc = samples.document(collections=[_collection_for(protocol)])
    assert (await import_document(doc, settings, base_dir=None, now=NOW)).ok
    row = (await CollectionRequest.select().where(CollectionRequest.protocol == protocol))[0]
    assert row["status"] == "scheduled" and row["scheduled_on"] == date(2026, 12, 3)
    linked = await Collection.select(Collection.external_id).where(Collection.request == row["id"])
    assert [c["external_id"] for c in linked] == ["COL-1"]
