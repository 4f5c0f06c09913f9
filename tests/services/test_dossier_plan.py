"""The dossier's CDF query reads ``certificate_mtr`` by client, so its cost follows the client's
MTRs, not every client's (docs/benchmarks.md, "EXPLAIN on every portal page")."""

from __future__ import annotations

from datetime import date
from typing import Any

from espaco.db import database
from espaco.domain.periods import Period
from espaco.services.collections import dossier


async def _cdf_statement(settings: Any, monkeypatch: Any) -> tuple[str, tuple[Any, ...]]:
    sent: list[tuple[str, tuple[Any, ...]]] = []
    fetch = database.fetch

    async def recording(sql: str, *args: Any, **kwargs: Any) -> Any:
        sent.append((sql, args))
        return await fetch(sql, *args, **kwargs)

    monkeypatch.setattr(dossier.database, "fetch", recording)
    period = Period(date(2026, 10, 1), date(2026, 12, 31))
    await dossier.plan(1, period, None, settings)
    monkeypatch.undo()
    (found,) = [(sql, args) for sql, args in sent if "certificate_mtr" in sql]
    return found


async def test_the_cdf_query_reads_the_clients_mtrs_through_their_index(db, monkeypatch):
    sql, args = await _cdf_statement(db, monkeypatch)
    engine = database.current_engine()
    if engine.engine_type == "sqlite":
        rows = await database.fetch("EXPLAIN QUERY PLAN " + sql, *args)
        plan = "\n".join(str(row[3]) for row in rows)
    else:  # tables this small are scanned: ask for the plan an index gives
        async with engine.transaction():
            await database.fetch("SET LOCAL enable_seqscan = off")
            rows = await database.fetch("EXPLAIN " + sql, *args)
        plan = "\n".join(str(row[0]) for row in rows)
    assert "certificate_mtr_client" in plan, plan
