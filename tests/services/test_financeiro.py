"""Financeiro totals: period edges, vencido versus em aberto at midnight in São Paulo, cancelled
invoices left out, and nothing of another client."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import make_client
from financeiro_factories import make_invoice

from espaco.clock import local_date
from espaco.domain.errors import NotFound
from espaco.domain.periods import Period
from espaco.services.billing import financeiro
from espaco.services.billing.financeiro import Total

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


async def test_totals_count_both_edges_of_the_period_and_nothing_outside(db):
    client_id, _ = await make_client()
    await make_invoice(client_id, date(2025, 12, 31), 1_00, status="paid")
    await make_invoice(client_id, date(2026, 1, 1), 10_00, status="paid")
    await make_invoice(client_id, date(2026, 12, 31), 100_00)
    await make_invoice(client_id, date(2027, 1, 1), 1000_00)
    sums = await financeiro.totals((client_id,), YEAR_2026, today=date(2026, 6, 1))
    assert sums.paid == Total(10_00, 1)
    assert sums.open == Total(100_00, 1)
    assert sums.overdue == Total()
    assert sums.general == Total(110_00, 2)


async def test_overdue_invoice_counts_as_vencido_and_due_today_as_em_aberto(db):
    client_id, _ = await make_client()
    await make_invoice(client_id, date(2026, 11, 27), 1_11)
    await make_invoice(client_id, date(2026, 11, 28), 2_22)
    await make_invoice(client_id, date(2026, 11, 29), 4_44)
    sums = await financeiro.totals((client_id,), YEAR_2026, today=date(2026, 11, 28))
    assert sums.overdue == Total(1_11, 1)
    assert sums.open == Total(6_66, 2)


async def test_midnight_in_sao_paulo_decides_when_an_invoice_becomes_vencido(db):
    client_id, _ = await make_client()
    await make_invoice(client_id, date(2026, 2, 28), 5_00)
    # 02:59 UTC on 1 March is 23:59 of 28 February in São Paulo (UTC−3): still due today.
    before = local_date(datetime(2026, 3, 1, 2, 59, 59, tzinfo=UTC), SAO_PAULO)
    after = local_date(datetime(2026, 3, 1, 3, 0, 0, tzinfo=UTC), SAO_PAULO)
    assert (before, after) == (date(2026, 2, 28), date(2026, 3, 1))
    sums_before = await financeiro.totals((client_id,), YEAR_2026, today=before)
    sums_after = await financeiro.totals((client_id,), YEAR_2026, today=after)
    assert (sums_before.open, sums_before.overdue) == (Total(5_00, 1), Total())
    assert (sums_after.open, sums_after.overdue) == (Total(), Total(5_00, 1))


async def test_cancelled_invoices_are_left_out_of_the_sums_and_counted_apart(db):
    client_id, _ = await make_client()
    await make_invoice(client_id, date(2026, 3, 10), 300_00, status="cancelled")
    await make_invoice(
        client_id, date(2026, 3, 10), 200_00, status="paid", paid_on=date(2026, 3, 9)
    )
    await make_invoice(client_id, date(2026, 3, 10), 100_00)
    sums = await financeiro.totals((client_id,), YEAR_2026, today=date(2026, 4, 1))
    assert sums.general == Total(300_00, 2)
    assert sums.cancelled == Total(300_00, 1)
    assert sums.overdue == Total(100_00, 1) and sums.paid == Total(200_00, 1)


async def test_another_clients_invoices_are_never_counted_or_found(db):
    mine, _ = await make_client()
    other, _ = await make_client(document=None)
    theirs = await make_invoice(other, date(2026, 5, 10), 999_00)
    await make_invoice(mine, date(2026, 5, 10), 1_00)
    data = await financeiro.financeiro((mine,), YEAR_2026, date(2026, 6, 1))
    assert data.totals.general == Total(1_00, 1)
    assert [r.amount_cents for r in data.rows] == [1_00]
    with pytest.raises(NotFound):
        await financeiro.fiscal_document((mine,), theirs)
    with pytest.raises(NotFound):
        await financeiro.boleto((mine,), theirs)
    assert (await financeiro.fiscal_document((other,), theirs)).invoice_id == theirs


async def test_closures_are_newest_due_date_first_25_a_page(db):
    client_id, _ = await make_client()
    for month in range(1, 13):
        for day in (5, 20, 25):
            await make_invoice(client_id, date(2026, month, day), month * 100 + day, fiscal=None)
    first = await financeiro.financeiro((client_id,), YEAR_2026, date(2026, 6, 1))
    assert first.pages == 2 and len(first.rows) == 25
    assert first.rows[0].due_on == date(2026, 12, 25)
    dues = [r.due_on for r in first.rows]
    assert dues == sorted(dues, reverse=True)
    second = await financeiro.financeiro((client_id,), YEAR_2026, date(2026, 6, 1), page=2)
    assert len(second.rows) == 11 and second.rows[-1].due_on == date(2026, 1, 5)


async def test_chart_has_twelve_months_of_billed_and_paid(db):
    client_id, _ = await make_client()
    await make_invoice(client_id, date(2026, 12, 10), 100_00)
    await make_invoice(client_id, date(2026, 1, 10), 50_00, status="paid")
    await make_invoice(client_id, date(2026, 1, 15), 70_00, status="cancelled")
    await make_invoice(client_id, date(2025, 12, 31), 1_00, status="paid")
    months = await financeiro.chart((client_id,), YEAR_2026)
    assert [(m.year, m.month) for m in months][::11] == [(2026, 1), (2026, 12)]
    assert (months[0].billed_cents, months[0].paid_cents) == (50_00, 50_00)
    assert (months[-1].billed_cents, months[-1].paid_cents) == (100_00, 0)
    assert sum(m.billed_cents for m in months) == 150_00
