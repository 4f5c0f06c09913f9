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

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from espaco import database
from espaco.db import as_date

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


_SELECT = (
    "SELECT c.id, c.event_on, c.location, l.label, c.waste_description, c.mtr_number"
    " FROM collection c JOIN location l ON l.id = c.location"
    " WHERE c.client = {} AND c.status IN ('done', 'validated') AND "
)
_ACTIVE_MTR = "c.mtr_number IS NOT NULL AND c.mtr_number <> ''"
_NOT_CANCELLED = "LOWER(COALESCE(c.mtr_status, '')) <> 'cancelado'"
_CONDITIONS: Final = {  # constants only; the dates go in as parameters
    "sem_cdf": f"{_ACTIVE_MTR} AND {_NOT_CANCELLED} AND c.event_on <= {{}} AND NOT EXISTS"  # noqa: S608
    " (SELECT 1 FROM certificate_mtr m WHERE m.client = c.client"
    " AND m.mtr_number = c.mtr_number)",
    "sem_mtr": "(c.mtr_number IS NULL OR c.mtr_number = '')",
    "mtr_salvo": f"{_ACTIVE_MTR} AND LOWER(TRIM(c.mtr_status)) = 'salvo' AND c.event_on <= {{}}",
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
    count_sql = "SELECT COUNT(*) FROM collection c WHERE c.client = {} AND c.status IN"
    count_sql += " ('done', 'validated') AND " + condition
    (count,), *_ = await database.fetch(count_sql, *args)
    rows = await database.fetch(
        _SELECT + condition + " ORDER BY c.event_on, c.id LIMIT {}", *args, LIMIT
    )
    lines = [
        Pendencia(rule, id_, as_date(day), loc_id, label, waste, mtr, (today - as_date(day)).days)
        for id_, day, loc_id, label, waste, mtr in rows
    ]
    return RuleResult(rule, RULES[rule], int(count), lines)


async def pendencias(
    client_id: int,
    today: date,
    *,
    cdf_wait_days: int,
    mtr_saved_days: int,
    location_id: int | None = None,
) -> Pendencias:
    """The client's pendências on ``today`` (the provider's local date), at one place or all."""
    rules = [
        await _rule(client_id, "sem_cdf", today, cdf_wait_days, location_id),
        await _rule(client_id, "sem_mtr", today, None, location_id),
        await _rule(client_id, "mtr_salvo", today, mtr_saved_days, location_id),
    ]
    return Pendencias(today, cdf_wait_days, mtr_saved_days, rules)
