"""The Coletas summary of a period: collections by situação and by month, quantities by unit.

Whole months from the trigger-kept rollup ``collection_month``, the days of the edge months from
``collection``'s covering index, the result cached per ``client.data_version``: the design, and
the measurements behind it, are in docs/collection-summary.md.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from piccolo.engine.base import Engine

from espaco.db import database, read
from espaco.db.read import Query
from espaco.domain.periods import Period, month_period
from espaco.services.collections.filters import STATUS_LABELS, WITH_TICKET, Filters, where_clause
from espaco.services.page_cache import through

SUMMARY_CACHE_SIZE = 2048
Month = tuple[int, int]
Pair = tuple[str, str]  # (status, unit)

# One round trip takes up to this many edge selects (SQLite: at most 500 in a compound SELECT).
_SELECTS_PER_QUERY = 120
# An edge's quantities are summed as floating point from the covering index: SQLite computes the
# generated ``quantity_milli`` by reading the row and matching its text (~1.5 µs a row). Values
# with at most three decimals (the month's tally says so) come back exact in thousandths after
# rounding while n × Σq stays below ~2e12 (each addition errs by at most 2⁻⁵³ of the running
# sum); past this bound the texts are summed as Decimals instead.
_FLOAT_SUM_BOUND = 1e12
_EDGE_SUM = "SUM(CAST(NULLIF(c.quantity, '') AS DOUBLE PRECISION))"


@dataclass(frozen=True)
class Summary:
    """The period at a glance: collections by situação, quantity by unit, collections a month."""

    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status
    quantities: list[tuple[str, Decimal]]  # (unit, total), units in alphabetical order
    months: list[tuple[int, int, int]] = field(default_factory=list)  # (year, month, count)


@dataclass(frozen=True)
class MonthTally:
    """One month of ``collection_month`` for a client (and the filters' place and status)."""

    n: int
    by_status: dict[str, int]
    quantities: dict[Pair, tuple[int, int]]  # performed, with a unit: (collections, thousandths)
    inexact: frozenset[Pair]  # pairs holding a quantity past three decimals
    pairs: tuple[Pair, ...]  # every (status, unit) the month holds


Tally = dict[Month, MonthTally]


class _MonthRow(NamedTuple):
    month: date
    status: str
    unit: str
    n: int
    milli: int
    inexact: int


class _EdgeRow(NamedTuple):
    select: int  # which of the UNION's selects
    n: int
    total: float | None


class _QuantityRow(NamedTuple):
    quantity: str
    n: int


class _Version(NamedTuple):
    data_version: int


# + the place and status filters, " GROUP BY month, status, unit". Arguments: the client, the
# first and last month.
_MONTHS = Query(
    _MonthRow,
    "SELECT month, status, unit, SUM(n), SUM(milli), SUM(inexact) FROM collection_month"
    " WHERE client = {} AND month >= {} AND month <= {}",
)
_VERSION = Query(_Version, "SELECT data_version FROM client WHERE id = {}", generic=True)
_summaries: OrderedDict[tuple[Engine, int, int, Filters], Summary] = OrderedDict()


async def summary(client_id: int, filters: Filters, version: int | None = None) -> Summary:
    """Counts by status and by month, and quantity totals by unit (of realizadas and
    validadas), for the filtered period.

    Cached per client, filters and ``client.data_version`` (docs/collection-summary.md): the
    same summary is asked for at each visit. The version is read before the sums, so a summary
    is never older than the version it is cached under (the caller may pass the version the
    session lookup read: ``ClientSession.data_version``)."""
    if version is None:
        version = await data_version(client_id)
    key = (database.current_engine(), client_id, version, filters)
    return await through(_summaries, key, lambda: _summary(client_id, filters), SUMMARY_CACHE_SIZE)


async def _summary(client_id: int, filters: Filters) -> Summary:
    """The summary from ``collection_month`` (kept by triggers) for whole months, and from
    ``collection``'s covering index for the days of the edge months (see ``_edges``; for the
    default 90 days to today, a few days). Reading every row of a big client's 90 days cost
    ~0.7 ms; whole months add no rows to read, however many there are."""
    whole, ranges = _edges(filters.period)
    months = filters.period.months()
    tally = await _tally(client_id, filters)
    touched = [tally[m] for m in months if m in tally]
    inexact: set[Pair] = set().union(*(t.inexact for t in touched))

    by_status: dict[str, int] = dict.fromkeys(STATUS_LABELS, 0)
    by_month: dict[Month, int] = dict.fromkeys(months, 0)
    sums: dict[Pair, list[int]] = {}  # (collections, thousandths) of the exact pairs
    for month in whole:
        if (t := tally.get(month)) is None:
            continue
        by_month[month] += t.n
        for status, n in t.by_status.items():
            by_status[status] = by_status.get(status, 0) + n
        for pair, (n, milli) in t.quantities.items():
            totals = sums.setdefault(pair, [0, 0])
            totals[0] += n
            totals[1] += milli

    # The edges: a COUNT, and a floating-point SUM where the month's quantities are exact in
    # thousandths, per (status, unit) the month holds; each one range of the covering index
    # (client, status, unit, event_on, location, quantity).
    selects: list[tuple[Month, int, Pair, bool, str, list[Any]]] = []
    for month, days, sign in ranges:
        if (t := tally.get(month)) is None:
            continue
        where, args = where_clause(client_id, Filters(days, filters.location_id))
        for status, unit in t.pairs:
            summed = (status, unit) in t.quantities and (status, unit) not in inexact
            column = _EDGE_SUM if summed else "CAST(NULL AS DOUBLE PRECISION)"  # one type for PG
            # ``where`` holds column names and placeholders only; ``column`` is ours.
            sql = f"COUNT(*), {column} FROM collection c WHERE {where}"  # noqa: S608
            sql += " AND c.status = {} AND c.unit = {}"
            selects.append((month, sign, (status, unit), summed, sql, [*args, status, unit]))
    for start in range(0, len(selects), _SELECTS_PER_QUERY):
        chunk = selects[start : start + _SELECTS_PER_QUERY]
        union = " UNION ALL ".join(
            f"SELECT {tag} AS k, {sql}" for tag, (*_, sql, _) in enumerate(chunk)
        )
        found = await read.rows(Query(_EdgeRow, union), *(a for *_, args in chunk for a in args))
        for tag, n, edge_total in found:
            month, sign, pair, summed, _, _ = chunk[tag]
            by_status[pair[0]] = by_status.get(pair[0], 0) + sign * n
            by_month[month] += sign * n
            if not summed:
                continue
            total = edge_total or 0.0  # no quantity at all
            if n * abs(total) >= _FLOAT_SUM_BOUND:
                inexact.add(pair)  # too large to trust a float sum
            totals = sums.setdefault(pair, [0, 0])
            totals[0] += sign * n
            totals[1] += sign * round(total * 1000)

    quantities: dict[str, Decimal] = {}
    for (status, unit), (n, milli) in sums.items():
        if n > 0 and (status, unit) not in inexact:
            quantities[unit] = quantities.get(unit, Decimal(0)) + Decimal(milli) / 1000
    for status, unit in sorted(inexact):
        exact, n = await _decimal_total(client_id, replace(filters, status=status), unit)
        if n > 0:
            quantities[unit] = quantities.get(unit, Decimal(0)) + exact
    return Summary(
        total=sum(by_status.values()),
        by_status=[(s, STATUS_LABELS.get(s, s), c) for s, c in by_status.items()],
        quantities=sorted(quantities.items()),
        months=[(y, m, c) for (y, m), c in sorted(by_month.items())],
    )


def _edges(period: Period) -> tuple[list[Month], list[tuple[Month, Period, int]]]:
    """The months the summary takes whole from ``collection_month``, and the day ranges it
    reads from ``collection``, each with its month and sign: an edge month mostly inside the
    period is the whole month minus the days outside, so an edge reads at most half a month."""
    whole: list[Month] = []
    ranges: list[tuple[Month, Period, int]] = []
    day = timedelta(days=1)
    for month, piece in period.by_month():
        full = month_period(*month)
        outside = [
            Period(full.start, piece.start - day) if piece.start > full.start else None,
            Period(piece.end + day, full.end) if piece.end < full.end else None,
        ]
        missing = [p for p in outside if p is not None]
        if not missing or sum(p.days for p in missing) < piece.days:
            whole.append(month)
            ranges += [(month, p, -1) for p in missing]
        else:
            ranges.append((month, piece, 1))
    return whole, ranges


async def _tally(client_id: int, filters: Filters) -> Tally:
    """The months of ``collection_month`` that the period touches, for the filters' place and
    status: one range of its primary key (client, month, …), about 40 rows a month."""
    first, last = filters.period.start.replace(day=1), filters.period.end.replace(day=1)
    query = _MONTHS
    args: list[Any] = [client_id, first, last]
    if filters.location_id is not None:
        query += " AND location = {}"
        args.append(filters.location_id)
    if filters.status is not None:
        query += " AND status = {}"
        args.append(filters.status)
    rows: dict[Month, list[tuple[str, str, int, int, int]]] = defaultdict(list)
    for day, status, unit, n, milli, inexact in await read.rows(
        query + " GROUP BY month, status, unit", *args
    ):
        if n:  # a key whose collections are all gone keeps a row of zeros
            rows[(day.year, day.month)].append((status, unit, n, milli, inexact))
    tally: Tally = {}
    for month, found_rows in rows.items():
        by_status: dict[str, int] = {}
        for status, _, n, _, _ in found_rows:
            by_status[status] = by_status.get(status, 0) + n
        tally[month] = MonthTally(
            n=sum(by_status.values()),
            by_status=by_status,
            quantities={
                (status, unit): (n, milli)
                for status, unit, n, milli, inexact in found_rows
                if unit and status in WITH_TICKET
            },
            inexact=frozenset(
                (status, unit)
                for status, unit, _, _, inexact in found_rows
                if inexact and unit and status in WITH_TICKET
            ),
            pairs=tuple((status, unit) for status, unit, *_ in found_rows),
        )
    return tally


async def _decimal_total(client_id: int, filters: Filters, unit: str) -> tuple[Decimal, int]:
    """The exact sum of one status's quantity texts in ``unit``, and how many collections (when
    one has more than three decimals, which ``quantity_milli`` cannot hold)."""
    where, args = where_clause(client_id, filters)
    total, count = Decimal(0), 0
    sql = f"SELECT c.quantity, COUNT(*) FROM collection c WHERE {where} AND c.unit = {{}}"  # noqa: S608
    for quantity, n in await read.rows(
        Query(_QuantityRow, sql + " GROUP BY c.quantity"), *args, unit
    ):
        count += n
        value = _decimal(quantity) if quantity else None
        if value is not None:
            total += value * n
    return total, count


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


async def data_version(client_id: int) -> int:
    """``client.data_version``, which database triggers bump on every change to the client's
    collections: the key of every in-process cache of what they hold (-1 for no such client)."""
    found = await read.first(_VERSION, client_id)
    return -1 if found is None else found.data_version
