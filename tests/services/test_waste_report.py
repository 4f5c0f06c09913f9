"""The Relatório de resíduos against a plain sum of the imported rows, for periods that cut the
DMR quarters every way, on the engine the suite runs on."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import import_samples as s
import pytest

from espaco.domain.dmr import dmr_presets
from espaco.domain.periods import Period
from espaco.services.collections.waste_report import quantity_text, report
from espaco.services.imports import import_document

WASTES = [
    {"description": "Resíduo de construção civil", "class": "II-B", "ibama_code": "170904",
     "physical_state": "sólido"},
    {"description": "Óleo lubrificante usado", "class": "I", "ibama_code": "13 02 05*",
     "physical_state": "líquido"},
    {"description": "Rejeito", "class": "II-A"},
]  # fmt: skip
QUANTITIES = ["5", "2.35", "0.125", "1234567.891", "0.001", "0.0005", "7.1234", ""]
UNITS = ["t", "kg", "m3"]
STATUSES = ["scheduled", "done", "validated", "cancelled"]
FIRST = date(2025, 12, 1)


def _doc(seed: int, count: int) -> tuple[dict, list[dict]]:
    rng = random.Random(seed)
    clients = [s.client(1, locations=[s.location(1), s.location(3)]), s.client(2)]
    rows = []
    for n in range(count):
        day = FIRST + timedelta(days=rng.randrange(430))
        status = rng.choice(STATUSES)
        owner, place = (
            ("CLI-2", "LOC-2") if n % 9 == 8 else ("CLI-1", rng.choice(["LOC-1", "LOC-3"]))
        )
        performed = status in ("done", "validated")
        record = s.collection(
            n + 1, owner, place, status=status, scheduled_on=day.isoformat(),
            performed_at=f"{day.isoformat()}T10:00:00-03:00" if performed else None,
            waste=dict(rng.choice(WASTES)), quantity=rng.choice(QUANTITIES) or None,
            unit=rng.choice(UNITS),
            mtr_number=f"{26000000 + n:012d}" if rng.random() < 0.8 else None,
        )  # fmt: skip
        if rng.random() < 0.5:
            record["transporter"] = {"name": rng.choice(["Trans A", "Trans B"])}
            record["destination"] = {"treatment": rng.choice(["Aterro sanitário", "Rerrefino"])}
        rows.append(record)
    return s.document(clients=clients, collections=rows), rows


def _plain_totals(rows: list[dict], period: Period, location: str | None) -> dict:
    totals: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        day = date.fromisoformat(r["scheduled_on"])
        if (
            r["client"] == "CLI-1"
            and r["status"] in ("done", "validated")
            and period.start <= day <= period.end
            and (location is None or r["location"] == location)
            and r["quantity"]
        ):
            key = (r["waste"]["description"], r["unit"])
            totals[key] = totals.get(key, Decimal(0)) + Decimal(r["quantity"])
    return totals


def _periods(rng: random.Random) -> list[Period]:
    quarters = [p.period for year in (2025, 2026) for p in dmr_presets(year)]
    periods = list(quarters)
    for quarter in quarters:  # each quarter cut at its start, its end, and straddled
        for shift in (-1, 1, 17, 45):
            periods.append(Period(quarter.start + timedelta(days=shift), quarter.end))
            periods.append(Period(quarter.start, quarter.end - timedelta(days=shift)))
            periods.append(
                Period(quarter.start - timedelta(days=shift), quarter.end + timedelta(days=shift))
            )
    for _ in range(20):
        start = FIRST + timedelta(days=rng.randrange(-20, 440))
        periods.append(Period(start, start + timedelta(days=rng.randrange(0, 200))))
    periods.append(Period(date(2026, 2, 28), date(2026, 2, 28)))
    return [p for p in periods if p.start <= p.end]


@pytest.mark.parametrize("seed", [1, 2])
async def test_report_totals_equal_a_plain_sum_of_the_imported_rows(db, seed):
    doc, rows = _doc(seed, 400)
    result = await import_document(doc, db, base_dir=None, now=s.NOW)
    assert result.ok, result.problems
    client_id = (await _ids())["CLI-1"]
    places = await _places()
    rng = random.Random(seed)
    checked = 0
    for period in _periods(rng):
        for location in (None, "LOC-3"):
            found = await report(client_id, period, places[location] if location else None)
            got = {
                (line.description, unit): total
                for line in found.lines
                for unit, total in line.quantities.items()
            }
            assert got == _plain_totals(rows, period, location), period
            units: dict[str, Decimal] = {}
            for (_, unit), total in got.items():
                units[unit] = units.get(unit, Decimal(0)) + total
            assert found.totals == units
            checked += bool(got)
    assert checked > 100  # the periods really held rows


async def _ids() -> dict[str, int]:
    from espaco.tables import Client

    return {r["external_id"]: r["id"] for r in await Client.select(Client.id, Client.external_id)}


async def _places() -> dict[str, int]:
    from espaco.tables import Location

    rows = await Location.select(Location.id, Location.external_id)
    return {r["external_id"]: r["id"] for r in rows}


async def test_a_line_per_waste_with_its_parties_mtrs_and_cdfs(db):
    doc = s.document(
        clients=[s.client(1)],
        collections=[
            s.collection(1, quantity="1.0005", unit="t", waste=dict(WASTES[1]),
                         transporter={"name": "Trans A", "document": "11.222.333/0001-81"},
                         destination={"receiver": {"name": "Rerrefino X"},
                                      "treatment": "Rerrefino"}),
            s.collection(2, quantity="2", unit="t", waste=dict(WASTES[1]),
                         transporter={"name": "Trans B"}, mtr_number=None),
            s.collection(3, quantity="3", unit="m3", waste=dict(WASTES[0])),
            s.collection(4, status="cancelled", quantity="99", unit="t", waste=dict(WASTES[0])),
        ],
        certificates=[s.certificate(1, mtr_numbers=["260010679501", "999"])],
    )  # fmt: skip
    assert (await import_document(doc, db, base_dir=None, now=s.NOW)).ok
    client_id = (await _ids())["CLI-1"]
    found = await report(client_id, Period(date(2026, 10, 1), date(2026, 12, 31)))
    assert [line.ibama_code for line in found.lines] == ["13 02 05*", "17 09 04"]
    oil, rcc = found.lines
    assert oil.hazardous and not rcc.hazardous
    assert oil.quantities == {"t": Decimal("3.0005")}
    assert quantity_text(oil.quantities["t"]) == "3.001"  # shown to the thousandth
    assert oil.collections == 2 and oil.without_mtr == 1
    assert oil.transporters == ["Trans A — 11.222.333/0001-81", "Trans B"]
    assert oil.receivers == ["Rerrefino X"] and oil.treatments == ["Rerrefino"]
    assert oil.mtrs == ["260010679501"] and oil.cdfs == ["0001/2026"]
    assert rcc.quantities == {"m3": Decimal("3")} and rcc.physical_state == "sólido"
    assert found.totals == {"t": Decimal("3.0005"), "m3": Decimal("3")}
    assert found.collections == 3
