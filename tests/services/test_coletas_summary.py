"""The Coletas summary checked against the rows themselves, on the engine the suite runs on.

The summary reads whole months from ``collection_month``, which triggers on ``collection`` keep,
and the days of the period's edge months from ``collection`` (an edge month mostly inside the
period as its month's tally minus the days outside). Here the table is compared with the rows
after every kind of write, and the summary with a plain count in Python for periods that cut
months every way."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from factories import make_client, make_location

from espaco.db import as_date, database
from espaco.domain.periods import Period
from espaco.services.collections.filters import STATUS_LABELS, WITH_TICKET, Filters
from espaco.services.collections.summary import Summary, summary
from espaco.tables import Client, Collection

STATUSES = ["scheduled", "done", "validated", "cancelled"]
QUANTITIES = ["5", "2.35", "1200", "0.125", "", "1234567.891", "0.7", "0.1", "0.001"]
UNITS = ["t", "kg", "m3"]
FIRST_DAY = date(2025, 11, 1)


def _milli(quantity: str) -> int | None:
    """What ``collection.quantity_milli`` holds: thousandths, 0 for none, None past three."""
    if not quantity:
        return 0
    value = Decimal(quantity) * 1000
    return int(value) if value == value.to_integral_value() else None


async def _seed(count: int, seed: int) -> tuple[int, int, list[int]]:
    """A client with two places and ``count`` collections over about eight months, and another
    client with a few; returns (client, other client, the client's places)."""
    rng = random.Random(seed)
    client_id, _ = await make_client()
    other_id, _ = await make_client()
    places = [await make_location(client_id), await make_location(client_id, label="Filial")]
    other_place = await make_location(other_id)
    rows = []
    for n in range(count):
        owner, place = (other_id, other_place) if n % 10 == 9 else (client_id, rng.choice(places))
        status = rng.choice(STATUSES)
        performed = status in WITH_TICKET
        day = FIRST_DAY + timedelta(days=rng.randrange(240))
        unit = rng.choice(UNITS) if performed else ""
        quantity = rng.choice(QUANTITIES) if performed else ""
        if unit == "m3" and rng.random() < 0.05:
            quantity = "0.0005"  # four decimals: m3 is summed from the texts in some months
        rows.append(
            Collection(
                client=owner, location=place, external_id=f"COL-S{seed}-{n}",
                scheduled_on=day, event_on=day, status=status, service="Coleta",
                quantity=quantity, unit=unit, content_hash="",
            )
        )  # fmt: skip
    await Collection.insert(*rows)
    return client_id, other_id, places


async def _rows() -> list[tuple]:
    found = await database.fetch(
        "SELECT client, event_on, status, unit, location, quantity FROM collection"
    )
    return [(c, as_date(d), s, u, loc, q) for c, d, s, u, loc, q in found]


async def _tally_from_rows() -> dict[tuple, tuple[int, int, int]]:
    tally: dict[tuple, list[int]] = {}
    for client, day, status, unit, location, quantity in await _rows():
        key = (client, day.replace(day=1), status, unit, location)
        totals = tally.setdefault(key, [0, 0, 0])
        milli = _milli(quantity)
        totals[0] += 1
        totals[1] += milli or 0
        totals[2] += milli is None
    return {key: (n, m, i) for key, (n, m, i) in tally.items()}


async def _tally() -> dict[tuple, tuple[int, int, int]]:
    found = await database.fetch(
        "SELECT client, month, status, unit, location, n, milli, inexact FROM collection_month"
    )
    return {
        (c, as_date(m), s, u, loc): (int(n), int(milli), int(i))
        for c, m, s, u, loc, n, milli, i in found
        if (n, milli, i) != (0, 0, 0)  # a key whose collections are all gone
    }


async def test_the_month_tally_follows_every_kind_of_write(db):
    client_id, other_id, places = await _seed(400, seed=1)
    assert await _tally() == await _tally_from_rows()
    mine = [
        r["id"]
        for r in await Collection.select(Collection.id)
        .where(Collection.client == client_id)
        .order_by(Collection.id)
    ]

    changes = [
        {Collection.status: "cancelled", Collection.quantity: "", Collection.unit: ""},
        {Collection.event_on: date(2026, 3, 31)},  # moves rows across months
        {Collection.quantity: "0.0005"},  # not exact in thousandths
        {Collection.quantity: "7.5", Collection.unit: "t"},
        {Collection.location: places[1]},
        {Collection.driver: "Outro motorista"},  # no column the tally reads
    ]
    for n, change in enumerate(changes):
        await Collection.update(change).where(Collection.id.is_in(mine[n::7]))
        assert await _tally() == await _tally_from_rows(), change

    other_place = await make_location(other_id, label="Outra")
    await Collection.update({Collection.client: other_id, Collection.location: other_place}).where(
        Collection.id.is_in(mine[:5])
    )
    assert await _tally() == await _tally_from_rows()

    await Collection.delete().where(Collection.id.is_in(mine[5::3]))
    assert await _tally() == await _tally_from_rows()

    await Client.delete().where(Client.id == other_id)  # its collections go with it
    assert await _tally() == await _tally_from_rows()
    tally = await _tally()
    assert tally and all(key[0] == client_id for key in tally)


async def _expected(client_id: int, filters: Filters) -> Summary:
    """The summary counted row by row, with exact Decimal sums of the quantity texts."""
    by_status: Counter[str] = Counter()
    by_month: Counter[tuple[int, int]] = Counter()
    quantities: dict[str, Decimal] = {}
    for client, day, status, unit, location, quantity in await _rows():
        if client != client_id or not filters.period.contains(day):
            continue
        if filters.location_id not in (None, location) or filters.status not in (None, status):
            continue
        by_status[status] += 1
        by_month[(day.year, day.month)] += 1
        if status in WITH_TICKET and unit:
            amount = Decimal(quantity) if quantity else Decimal(0)
            quantities[unit] = quantities.get(unit, Decimal(0)) + amount
    return Summary(
        total=sum(by_status.values()),
        by_status=[(s, label, by_status[s]) for s, label in STATUS_LABELS.items()],
        quantities=sorted(quantities.items()),
        months=[(y, m, by_month[(y, m)]) for y, m in filters.period.months()],
    )


def _periods() -> list[Period]:
    """Periods that cut months every way: whole months, edge months mostly in or mostly out,
    one day, inside one month, across a year's end, and beyond the data."""
    d = date
    fixed = [
        Period(d(2026, 1, 1), d(2026, 1, 31)),  # one whole month
        Period(d(2025, 12, 1), d(2026, 2, 28)),  # whole months across a year's end
        Period(d(2026, 1, 2), d(2026, 1, 30)),  # one month less a day at each end
        Period(d(2026, 1, 10), d(2026, 1, 20)),  # inside one month
        Period(d(2026, 2, 14), d(2026, 2, 14)),  # one day
        Period(d(2025, 11, 30), d(2026, 3, 2)),  # edge months mostly outside
        Period(d(2025, 11, 3), d(2026, 3, 28)),  # edge months mostly inside
        Period(d(2025, 12, 16), d(2026, 1, 16)),  # both edges half in
        Period(d(2024, 1, 1), d(2027, 12, 31)),  # beyond the data on both sides
        Period(d(2026, 8, 1), d(2026, 9, 30)),  # after the data
    ]
    rng = random.Random(3)
    random_ones = []
    for _ in range(40):
        start = FIRST_DAY + timedelta(days=rng.randrange(-20, 240))
        random_ones.append(Period(start, start + timedelta(days=rng.randrange(0, 130))))
    return fixed + random_ones


@pytest.mark.parametrize("place, status", [(None, None), (0, None), (None, "validated"),
                                           (1, "done"), (None, "cancelled")])  # fmt: skip
async def test_the_summary_equals_a_count_of_the_rows_for_any_period(db, place, status):
    client_id, _, places = await _seed(600, seed=2)
    for period in _periods():
        filters = Filters(
            period, location_id=None if place is None else places[place], status=status
        )
        assert await summary(client_id, filters) == await _expected(client_id, filters)
