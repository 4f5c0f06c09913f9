"""Pendências: what the client's waste paperwork still lacks, from the collections and CDFs
the portal holds.

Three rules, each ending a collection's line the day it is put right:
- an MTR with no CDF ``cdf_wait_days`` days after the collection (counting from its day; the
  day it reaches that age it is pending) — the receiver owes the certificate;
- a collection realizada or validada with no MTR — every shipment needs one;
- an MTR still "Salvo" on SINIR ``mtr_saved_days`` after the collection — it was never
  received, and state systems (FEAM, FEPAM) cancel such an MTR after 60 days.
Cancelled collections and MTRs whose SINIR situation is "Cancelado" are never pending.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, NamedTuple

from espaco.db import database, read
from espaco.db.read import Query
from espaco.services import page_cache
from espaco.services.collections import summary

LIMIT: Final = 200  # lines listed per rule; the count says how many there are

RULES: Final = {
    "sem_cdf": "MTR sem CDF",
    "sem_mtr": "Coleta realizada sem MTR",
    "mtr_salvo": "MTR ainda \u201cSalvo\u201d no SINIR",
}


@dataclass(frozen=True)
class Pendencia:
    """One collection that a rule finds wanting."""

    rule: str
    collection_id: int
    event_on: date
    location_id: int
    location: str
    waste: str
    mtr_number: str | None
    days: int  # since the collection

    @property
    def url(self) -> str:
        """The Coletas page on that day and place, where the collection is."""
        day = self.event_on.isoformat()
        return f"/coletas?inicio={day}&fim={day}&local={self.location_id}"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    count: int
    lines: list[Pendencia]


@dataclass(frozen=True)
class Pendencias:
    """Every rule's lines for one client on one day."""

    today: date
    cdf_wait_days: int
    mtr_saved_days: int
    rules: list[RuleResult]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rules)


# Each condition spells the predicate of its partial index (migration 2026-12-06T05:40), so
# that both engines read only the collections the rule can find wanting.
_PERFORMED = "c.status IN ('done', 'validated')"


class _Line(NamedTuple):
    id: int
    event_on: date
    location: int
    label: str
    waste_description: str
    mtr_number: str | None


class _Count(NamedTuple):
    n: int


_SELECT = (
    "SELECT c.id, c.event_on, c.location, l.label, c.waste_description, c.mtr_number"
    " FROM {table} JOIN location l ON l.id = c.location WHERE c.client = {{}} AND "
)
# SQLite's planner, without statistics, prefers the wide (client, status, …) indexes and
# fetches every performed row (50-80 ms each rule for 20,000 collections, against 0.1-12 ms
# through these): so on SQLite the query names its index. PostgreSQL's planner, with the
# statistics autovacuum keeps, picks a partial index by itself.
_INDEXES: Final = {
    "sem_cdf": "collection_pendencia_mtr",
    "sem_mtr": "collection_pendencia_sem_mtr",
    "mtr_salvo": "collection_pendencia_salvo",
}
_CONDITIONS: Final = {  # constants only; the dates go in as parameters
    "sem_cdf": f"{_PERFORMED} AND c.mtr_number <> ''"  # noqa: S608
    " AND LOWER(COALESCE(c.mtr_status, '')) <> 'cancelado' AND c.event_on <= {}"
    " AND NOT EXISTS (SELECT 1 FROM certificate_mtr m WHERE m.client = c.client"
    " AND m.mtr_number = c.mtr_number)",
    "sem_mtr": f"{_PERFORMED} AND (c.mtr_number IS NULL OR c.mtr_number = '')",
    "mtr_salvo": f"{_PERFORMED} AND LOWER(TRIM(c.mtr_status)) = 'salvo'"
    " AND c.mtr_number <> '' AND c.event_on <= {}",
}


async def _rule(
    client_id: int, rule: str, today: date, days: int | None, location_id: int | None
) -> RuleResult:
    condition = _CONDITIONS[rule]
    args: list[object] = [client_id]
    if days is not None:
        args.append(today - timedelta(days=days))
    if location_id is not None:
        condition += " AND c.location = {}"
        args.append(location_id)
    table = "collection c"
    if database.current_engine().engine_type == "sqlite":
        table += f" INDEXED BY {_INDEXES[rule]}"
    count_sql = f"SELECT COUNT(*) FROM {table} WHERE c.client = {{}} AND {condition}"  # noqa: S608
    ((count,),) = await read.rows(Query(_Count, count_sql), *args)
    select = _SELECT.format(table=table) + condition + " ORDER BY c.event_on, c.id LIMIT {}"
    lines = [
        Pendencia(rule, id_, day, loc_id, label, waste, mtr, (today - day).days)
        for id_, day, loc_id, label, waste, mtr in await read.rows(
            Query(_Line, select), *args, LIMIT
        )
    ]
    return RuleResult(rule, RULES[rule], count, lines)


# Início shows the pendências at every visit, and for a client with 20,000 collections the three
# rules cost ~25 ms of database time (measured with bench/scale.py: /inicio fell from thousands
# to ~50 req/s). So each result is kept in process under ``client.data_version``, which
# triggers bump on every change to the client's collections, CDFs and their MTRs (a change shows
# at once), and for at most CACHE_SECONDS (from before CDFs bumped it; kept as a bound).
CACHE_SECONDS: Final = 60.0
CACHE_SIZE: Final = 2048
_cache: OrderedDict[tuple[object, ...], tuple[float, Pendencias]] = OrderedDict()
_clock = time.monotonic  # the cache's clock (a test moves it past the TTL)


async def pendencias(
    client_id: int,
    today: date,
    *,
    cdf_wait_days: int,
    mtr_saved_days: int,
    location_id: int | None = None,
    version: int | None = None,
) -> Pendencias:
    """The client's pendências on ``today`` (the provider's local date), at one place or all.
    ``version``: the client's ``data_version`` when the caller has read it (the session lookup
    does); else it is read here, before the rules run."""
    if version is None:
        version = await summary.data_version(client_id)
    key = (
        database.current_engine(),
        client_id,
        version,
        today,
        cdf_wait_days,
        mtr_saved_days,
        location_id,
    )
    now = _clock()
    rules = (client_id, today, cdf_wait_days, mtr_saved_days, location_id)

    async def computed() -> tuple[float, Pendencias]:
        return now, await _pendencias(*rules)

    kept = await page_cache.through(
        _cache, key, computed, CACHE_SIZE, fresh=lambda entry: now - entry[0] < CACHE_SECONDS
    )
    return kept[1]


async def _pendencias(
    client_id: int,
    today: date,
    cdf_wait_days: int,
    mtr_saved_days: int,
    location_id: int | None,
) -> Pendencias:
    rules = [
        await _rule(client_id, "sem_cdf", today, cdf_wait_days, location_id),
        await _rule(client_id, "sem_mtr", today, None, location_id),
        await _rule(client_id, "mtr_salvo", today, mtr_saved_days, location_id),
    ]
    return Pendencias(today, cdf_wait_days, mtr_saved_days, rules)
