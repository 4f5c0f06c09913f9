"""Request rules: the notice in working days, the calendar grid, the description, the protocol."""

from __future__ import annotations

from datetime import date

import pytest

from espaco.domain import scheduling


@pytest.mark.parametrize(
    ("today", "notice", "earliest"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday → Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 19), 1, date(2026, 11, 23)),  # Thursday; 20/11 Consciência Negra
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Christmas and the weekend skipped
        (date(2026, 11, 28), 0, date(2026, 11, 28)),  # no notice: today itself
        (date(2026, 11, 23), 3, date(2026, 11, 26)),
    ],
)
def test_earliest_date_counts_working_days(today: date, notice: int, earliest: date) -> None:
    assert scheduling.earliest_date(today, notice) == earliest


@pytest.mark.parametrize(
    ("wanted", "problem"),
    [
        (None, "Escolha a data"),
        (date(2026, 11, 20), "já passou"),
        (date(2026, 11, 23), "prazo mínimo"),  # today, inside the notice
        (date(2027, 12, 31), "próximos 12 meses"),
        (date(2026, 11, 24), None),
        (date(2026, 11, 29), None),  # a Sunday is marked, not refused
        (date(2026, 12, 25), None),  # a holiday too: Planejamento confirms the date
    ],
)
def test_date_problem(wanted: date | None, problem: str | None) -> None:
    found = scheduling.date_problem(wanted, date(2026, 11, 23), 1)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Descreva"),
        ("123456789", "ao menos 10"),
        ("1234567890", None),
        ("x" * 2000, None),
        ("x" * 2001, "no máximo 2.000"),
    ],
)
def test_description_problem(text: str, problem: str | None) -> None:
    found = scheduling.description_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_protocol_is_year_and_six_digits() -> None:
    assert scheduling.format_protocol(2026, 123) == "2026-000123"
    assert scheduling.PROTOCOL.fullmatch("2026-000123")


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-12", (2026, 12)), ("2026-13", None), ("12/2026", None), ("", None), (None, None)],
)
def test_parse_month(text: str | None, month: tuple[int, int] | None) -> None:
    assert scheduling.parse_month(text) == month


def test_month_grid_disables_the_past_and_the_notice_and_marks_sundays_and_holidays() -> None:
    grid = scheduling.month_grid(2026, 11, today=date(2026, 11, 19), notice_days=1)
    days = {d.on: d for week in grid.weeks for d in week if d}
    assert len(days) == 30 and all(len(week) == 7 for week in grid.weeks)
    assert grid.weeks[0][:6] == (None,) * 6  # 1/11/2026 is a Sunday; Monday first
    assert not days[date(2026, 11, 19)].selectable and days[date(2026, 11, 19)].today
    assert not days[date(2026, 11, 20)].selectable  # holiday and inside the notice
    assert days[date(2026, 11, 20)].holiday == "Dia Nacional de Zumbi e da Consciência Negra"
    assert days[date(2026, 11, 23)].selectable
    assert days[date(2026, 11, 22)].sunday
    assert "domingo, 22 de novembro de 2026" in days[date(2026, 11, 22)].label
    assert grid.previous is None and grid.next == "2026-12"
    assert grid.title == "Novembro de 2026"


def test_month_grid_marks_the_pontos_facultativos_but_keeps_them_working_days() -> None:
    # Easter 2027 is 28/3: Carnaval 8 and 9/2, Corpus Christi 27/5.
    grid = scheduling.month_grid(2027, 2, today=date(2026, 12, 1), notice_days=1)
    days = {d.on: d for week in grid.weeks for d in week if d}
    assert days[date(2027, 2, 8)].holiday == "Carnaval (ponto facultativo)"
    assert days[date(2027, 2, 9)].holiday == "Carnaval (ponto facultativo)"
    assert days[date(2027, 2, 9)].selectable and days[date(2027, 2, 10)].holiday is None
    assert "Carnaval (ponto facultativo)" in days[date(2027, 2, 8)].label
    may = scheduling.month_grid(2027, 5, today=date(2026, 12, 1), notice_days=1)
    assert {d.on: d.holiday for w in may.weeks for d in w if d}[date(2027, 5, 27)] == (
        "Corpus Christi (ponto facultativo)"
    )


def test_month_grid_is_clamped_to_the_months_one_may_ask_for() -> None:
    today = date(2026, 11, 30)
    assert scheduling.month_grid(2020, 1, today=today, notice_days=1).key == "2026-12"
    last = scheduling.month_grid(2031, 1, today=today, notice_days=1)
    assert last.key == "2027-11" and last.next is None and last.previous == "2027-10"
