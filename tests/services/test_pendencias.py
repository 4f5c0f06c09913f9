"""Every pendência rule at its edges: the day before a collection turns pending, the day it
does, and what ends it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import import_samples as s

from espaco.services.collections.pendencias import pendencias
from espaco.services.imports import import_document
from espaco.tables import Client

TODAY = date(2026, 11, 28)
CDF_DAYS, SALVO_DAYS = 45, 30


def _on(days_ago: int) -> dict:
    day = (TODAY - timedelta(days=days_ago)).isoformat()
    return {"scheduled_on": day, "performed_at": f"{day}T10:00:00-03:00"}


async def _found(db, collections, certificates=()) -> dict[str, list[str]]:
    doc = s.document(clients=[s.client(1), s.client(2)], collections=collections,
                     certificates=list(certificates))  # fmt: skip
    result = await import_document(doc, db, base_dir=None, now=s.NOW)
    assert result.ok, result.problems
    client_id = await Client.select(Client.id).where(Client.external_id == "CLI-1").first()
    found = await pendencias(
        client_id["id"], TODAY, cdf_wait_days=CDF_DAYS, mtr_saved_days=SALVO_DAYS
    )
    out = {r.rule: [f"{p.mtr_number or '-'}/{p.days}" for p in r.lines] for r in found.rules}
    assert {r.rule: r.count for r in found.rules} == {k: len(v) for k, v in out.items()}
    return out


async def test_an_mtr_without_cdf_is_pending_from_the_day_it_is_n_days_old(db):
    found = await _found(db, [
        s.collection(1, mtr_number="101", mtr_status="Recebido", **_on(CDF_DAYS - 1)),
        s.collection(2, mtr_number="102", mtr_status="Recebido", **_on(CDF_DAYS)),
        s.collection(3, mtr_number="103", mtr_status="Recebido", **_on(CDF_DAYS + 300)),
        # a CDF ends it; one of another client with the same number does not
        s.collection(4, mtr_number="104", mtr_status="Recebido", **_on(CDF_DAYS + 1)),
        s.collection(5, mtr_number="105", mtr_status="Recebido", **_on(CDF_DAYS + 1)),
        # cancelled collections and cancelled MTRs are never pending
        s.collection(6, mtr_number="106", status="cancelled", **_on(CDF_DAYS + 5)),
        s.collection(7, mtr_number="107", mtr_status="Cancelado", **_on(CDF_DAYS + 5)),
        s.collection(8, "CLI-2", "LOC-2", mtr_number="108", **_on(CDF_DAYS + 5)),
    ], [
        s.certificate(1, mtr_numbers=["104"]),
        s.certificate(2, "CLI-2", mtr_numbers=["105"]),
    ])  # fmt: skip
    assert found["sem_cdf"] == ["103/345", "105/46", "102/45"]


async def test_a_performed_collection_without_mtr_is_pending_at_once(db):
    found = await _found(db, [
        s.collection(1, mtr_number=None, mtr_status=None, **_on(0)),
        s.collection(2, status="done", mtr_number=None, mtr_status=None, **_on(3)),
        s.collection(3, status="scheduled", mtr_number=None, mtr_status=None,
                     scheduled_on=TODAY.isoformat(), performed_at=None),
        s.collection(4, status="cancelled", mtr_number=None, mtr_status=None, **_on(9)),
        s.collection(5, mtr_number="105", **_on(1)),
        s.collection(6, "CLI-2", "LOC-2", mtr_number=None, mtr_status=None, **_on(9)),
    ])  # fmt: skip
    assert found["sem_mtr"] == ["-/3", "-/0"]


async def test_an_mtr_still_salvo_is_pending_from_the_day_it_is_n_days_old(db):
    found = await _found(db, [
        s.collection(1, mtr_number="201", mtr_status="Salvo", **_on(SALVO_DAYS - 1)),
        s.collection(2, mtr_number="202", mtr_status="Salvo", **_on(SALVO_DAYS)),
        s.collection(3, mtr_number="203", mtr_status=" SALVO ", **_on(SALVO_DAYS + 30)),
        s.collection(4, mtr_number="204", mtr_status="Recebido", **_on(SALVO_DAYS + 1)),
        s.collection(5, mtr_number="205", mtr_status="Salvo", status="cancelled",
                     **_on(SALVO_DAYS + 1)),
        s.collection(6, "CLI-2", "LOC-2", mtr_number="206", mtr_status="Salvo", **_on(90)),
    ], [s.certificate(1, mtr_numbers=["201", "202", "203", "204", "205"])])  # fmt: skip
    assert found["mtr_salvo"] == ["203/60", "202/30"]
    assert found["sem_cdf"] == []


async def test_a_clean_client_has_nothing_pending(db):
    found = await _found(db, [s.collection(1, mtr_number="301", **_on(400))],
                         [s.certificate(1, mtr_numbers=["301"])])  # fmt: skip
    assert found == {"sem_cdf": [], "sem_mtr": [], "mtr_salvo": []}


async def test_cached_pendencias_follow_a_new_collection_and_a_cdf_at_once(db):
    first = await _found(db, [s.collection(1, mtr_number="101", **_on(CDF_DAYS + 1))])
    assert first["sem_cdf"] == ["101/46"]
    # A new collection bumps client.data_version (database triggers): shown at the next view.
    second = await _found(db, [s.collection(2, mtr_number="102", **_on(CDF_DAYS + 2))])
    assert second["sem_cdf"] == ["102/47", "101/46"]
    # So does a CDF and its MTRs (2026-12-06T12:00).
    fresh = await _found(db, [], [s.certificate(1, mtr_numbers=["101"])])
    assert fresh["sem_cdf"] == ["102/47"]


async def test_requests_at_once_on_a_cold_cache_compute_the_pendencias_once(db, monkeypatch):
    # When a client's data changes (or the minute runs out), the requests in flight for its
    # Início all miss the cache together: 32 of them each ran the three rules (p99 1.7 s at a
    # p50 of 23 ms with bench/scale.py's client). They now share one computation. (On SQLite
    # reads run on the loop's thread without yielding, so requests never interleave there and
    # this holds either way; on PostgreSQL, without page_cache.once, the rules ran 75 times.)
    from espaco.services.collections import pendencias as module

    await _found(db, [s.collection(1, mtr_number="101", **_on(CDF_DAYS + 1))])
    client = await Client.select(Client.id).where(Client.external_id == "CLI-1").first()
    await Client.update({Client.data_version: Client.data_version + 1}).where(
        Client.id == client["id"]
    )  # a change, as any write makes it: the cached pendências are stale
    ran: list[str] = []
    rule = module._rule

    async def counted_rule(client_id, name, *args):  # the real rule, counted
        ran.append(name)
        return await rule(client_id, name, *args)

    monkeypatch.setattr(module, "_rule", counted_rule)
    found = await asyncio.gather(
        *(
            pendencias(client["id"], TODAY, cdf_wait_days=CDF_DAYS, mtr_saved_days=SALVO_DAYS)
            for _ in range(32)
        )
    )
    assert ran == ["sem_cdf", "sem_mtr", "mtr_salvo"]  # once, not 32 times
    assert all(result is found[0] for result in found)
    assert [r.count for r in found[0].rules] == [1, 0, 0]


async def test_the_pendencias_are_kept_before_their_computation_lands(db, monkeypatch):
    # A request whose version read returns between the flight's landing (it leaves
    # page_cache._flights) and its callers' waking found neither and ran the rules again: CI
    # once saw them run twice for the 32 requests above. Checked at that very moment, from a
    # callback on the flight that runs right after the flight has left _flights.
    from espaco.services import page_cache
    from espaco.services.collections import pendencias as module

    await _found(db, [s.collection(1, mtr_number="101", **_on(CDF_DAYS + 1))])
    client = await Client.select(Client.id).where(Client.external_id == "CLI-1").first()
    module._cache.clear()
    seen: list[tuple[bool, bool]] = []
    real_once = page_cache.once

    async def watched_once(key, compute):  # the real once, its flight watched as it lands
        async def watched():
            page_cache._flights[key].add_done_callback(
                lambda _: seen.append((key in page_cache._flights, key[1] in module._cache))
            )
            return await compute()

        return await real_once(key, watched)

    monkeypatch.setattr(page_cache, "once", watched_once)
    found = await pendencias(client["id"], TODAY, cdf_wait_days=CDF_DAYS, mtr_saved_days=SALVO_DAYS)
    assert [r.count for r in found.rules] == [1, 0, 0]
    assert seen == [(False, True)]  # landed, and already kept
