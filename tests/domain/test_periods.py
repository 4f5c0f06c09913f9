from datetime import date

import pytest

from espaco.domain.errors import DomainError
from espaco.domain.periods import (
    EARLIEST,
    LATEST,
    MAX_SPAN_DAYS,
    PRESETS,
    Period,
    add_working_days,
    easter,
    is_working_day,
    last_days,
    month_period,
    national_holidays,
    optional_holidays,
    parse_period,
    preset_period,
)

TODAY = date(2026, 11, 28)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def test_a_period_whose_start_is_after_its_end_is_refused():
    with pytest.raises(DomainError) as caught:
        Period(date(2026, 11, 2), date(2026, 11, 1))
    assert (caught.value.code, caught.value.message) == (
        "period_order",
        "A data inicial é posterior à final",
    )


@pytest.mark.parametrize(
    ("d", "inside"),
    [
        (date(2026, 11, 1), True),
        (date(2026, 11, 30), True),
        (date(2026, 10, 31), False),
        (date(2026, 12, 1), False),
    ],
)
def test_a_period_contains_both_of_its_ends(d, inside):
    assert NOVEMBER.contains(d) is inside


@pytest.mark.parametrize(
    ("period", "days"),
    [
        (NOVEMBER, 30),
        (Period(TODAY, TODAY), 1),
        (Period(date(2028, 1, 1), date(2028, 12, 31)), 366),
    ],
)
def test_period_days_counts_both_ends(period, days):
    assert period.days == days


@pytest.mark.parametrize(
    ("period", "months"),
    [
        (NOVEMBER, [(2026, 11)]),
        (
            Period(date(2026, 11, 30), date(2027, 2, 1)),
            [(2026, 11), (2026, 12), (2027, 1), (2027, 2)],
        ),
        (Period(TODAY, TODAY), [(2026, 11)]),
    ],
)
def test_period_months_lists_every_month_it_touches(period, months):
    assert period.months() == months


def test_presets_have_portuguese_labels():
    assert PRESETS == {
        "este-mes": "Este mês",
        "ultimos-3-meses": "Últimos 3 meses",
        "ultimos-12-meses": "Últimos 12 meses",
        "este-ano": "Este ano",
        "ano-passado": "Ano passado",
    }


@pytest.mark.parametrize(
    ("key", "today", "start", "end"),
    [
        ("este-mes", TODAY, date(2026, 11, 1), date(2026, 11, 30)),
        ("ultimos-3-meses", TODAY, date(2026, 9, 1), date(2026, 11, 30)),
        ("ultimos-12-meses", TODAY, date(2025, 12, 1), date(2026, 11, 30)),
        ("este-ano", TODAY, date(2026, 1, 1), date(2026, 12, 31)),
        ("ano-passado", TODAY, date(2025, 1, 1), date(2025, 12, 31)),
        ("ultimos-3-meses", date(2027, 1, 15), date(2026, 11, 1), date(2027, 1, 31)),
        ("ultimos-12-meses", date(2027, 1, 1), date(2026, 2, 1), date(2027, 1, 31)),
        ("este-mes", date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
        ("este-mes", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_preset_periods_cover_whole_calendar_months(key, today, start, end):
    assert preset_period(key, today) == Period(start, end)


def test_an_unknown_preset_is_refused():
    with pytest.raises(DomainError) as caught:
        preset_period("semana", TODAY)
    assert caught.value.code == "preset"


@pytest.mark.parametrize(
    ("inicio", "fim", "expected"),
    [
        ("2026-11-05", "2026-11-20", Period(date(2026, 11, 5), date(2026, 11, 20))),
        (None, None, NOVEMBER),
        ("", "  ", NOVEMBER),
        ("2026-11-10", None, Period(date(2026, 11, 10), date(2026, 11, 30))),
        (None, "2026-11-10", Period(date(2026, 11, 1), date(2026, 11, 10))),
        (" 2026-01-01 ", "2026-12-31", Period(date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_parse_period_takes_iso_dates_and_fills_blanks_from_the_default(inicio, fim, expected):
    assert parse_period(inicio, fim, NOVEMBER) == expected


@pytest.mark.parametrize(
    "bad", ["28/11/2026", "2026-13-01", "2026-02-30", "20261128", "2026-W48-6", "ontem", "2026-1-5"]
)
def test_parse_period_refuses_a_date_that_is_not_iso(bad):
    with pytest.raises(DomainError) as caught:
        parse_period(bad, None, NOVEMBER)
    assert (caught.value.code, caught.value.message) == (
        "date_format",
        "Data inválida: use o formato AAAA-MM-DD",
    )


@pytest.mark.parametrize(
    ("inicio", "fim"),
    [
        ("0001-01-01", "0001-12-31"),
        ("1999-12-31", "2000-01-31"),
        ("2100-12-01", "2101-01-01"),
        ("9999-12-01", "9999-12-31"),
        ("2026-01-01", "9999-11-30"),
    ],
)
def test_parse_period_refuses_a_day_outside_the_years_the_portal_serves(inicio, fim):
    with pytest.raises(DomainError) as caught:
        parse_period(inicio, fim, NOVEMBER)
    assert caught.value.code == "date_range"
    assert caught.value.message == "Data fora do intervalo aceito (01/01/2000 a 31/12/2100)"


@pytest.mark.parametrize(
    ("inicio", "fim", "ok"),
    [
        ("2000-01-01", "2004-12-31", True),  # five calendar years, one leap day
        ("2020-01-01", "2024-12-31", True),  # five calendar years, two leap days
        ("2020-01-01", "2025-01-01", False),
        ("2000-01-01", "2100-12-31", False),
    ],
)
def test_parse_period_spans_at_most_five_years(inicio, fim, ok):
    if ok:
        assert parse_period(inicio, fim, NOVEMBER).days <= MAX_SPAN_DAYS
        return
    with pytest.raises(DomainError) as caught:
        parse_period(inicio, fim, NOVEMBER)
    assert (caught.value.code, caught.value.message) == (
        "period_span",
        "O período pode ter no máximo 5 anos",
    )


def test_the_edges_of_the_accepted_years_have_whole_months_around_them():
    # Every month computation the pages make (the chart's next month, the edge months of the
    # summary) stays inside the dates Python can hold.
    assert month_period(LATEST.year, LATEST.month + 1).start.year == LATEST.year + 1
    assert month_period(EARLIEST.year, EARLIEST.month - 12).end.year == EARLIEST.year - 1


def test_parse_period_refuses_a_start_after_the_end():
    with pytest.raises(DomainError) as caught:
        parse_period("2026-11-20", "2026-11-05", NOVEMBER)
    assert caught.value.code == "period_order"


@pytest.mark.parametrize(
    ("n", "start"), [(1, TODAY), (7, date(2026, 11, 22)), (30, date(2026, 10, 30))]
)
def test_last_days_ends_today_and_counts_today(n, start):
    period = last_days(TODAY, n)
    assert period == Period(start, TODAY)
    assert period.days == n


def test_last_days_refuses_zero_days():
    with pytest.raises(DomainError):
        last_days(TODAY, 0)


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_follows_the_gregorian_computus(year, sunday):
    assert easter(year) == sunday


def test_national_holidays_of_2026():
    assert national_holidays(2026) == {
        date(2026, 1, 1): "Confraternização Universal",
        date(2026, 4, 3): "Sexta-feira Santa",
        date(2026, 4, 21): "Tiradentes",
        date(2026, 5, 1): "Dia do Trabalho",
        date(2026, 9, 7): "Independência do Brasil",
        date(2026, 10, 12): "Nossa Senhora Aparecida",
        date(2026, 11, 2): "Finados",
        date(2026, 11, 15): "Proclamação da República",
        date(2026, 11, 20): "Dia Nacional de Zumbi e da Consciência Negra",
        date(2026, 12, 25): "Natal",
    }


@pytest.mark.parametrize(("year", "is_holiday"), [(2023, False), (2024, True), (2025, True)])
def test_zumbi_day_is_a_national_holiday_from_2024(year, is_holiday):
    assert (date(year, 11, 20) in national_holidays(year)) is is_holiday


def test_national_holidays_come_in_date_order_and_a_copy_each_time():
    holidays = national_holidays(2025)
    assert list(holidays) == sorted(holidays)
    holidays.clear()
    assert len(national_holidays(2025)) == 10


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2025, [date(2025, 3, 3), date(2025, 3, 4), date(2025, 6, 19)]),
        (2026, [date(2026, 2, 16), date(2026, 2, 17), date(2026, 6, 4)]),
    ],
)
def test_optional_holidays_are_carnaval_and_corpus_christi(year, expected):
    holidays = optional_holidays(year)
    assert sorted(holidays) == expected
    assert all("ponto facultativo" in label for label in holidays.values())


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 11, 20), False),  # Zumbi, a Friday
        (date(2023, 11, 20), True),  # before Lei 14.759/2023 took effect
        (date(2026, 4, 3), False),  # Sexta-feira Santa
        (date(2026, 2, 16), True),  # Carnaval is only a ponto facultativo
    ],
)
def test_a_working_day_is_monday_to_friday_and_not_a_national_holiday(d, working):
    assert is_working_day(d) is working


@pytest.mark.parametrize(
    ("start", "n", "result"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 11, 19), 1, date(2026, 11, 23)),  # skips Zumbi on Friday the 20th
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # skips Natal
        (date(2026, 11, 23), 5, date(2026, 11, 30)),
        (date(2026, 11, 28), 0, date(2026, 11, 28)),
        (date(2026, 11, 23), -1, date(2026, 11, 19)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # skips New Year and a weekend
    ],
)
def test_add_working_days_skips_weekends_and_national_holidays(start, n, result):
    assert add_working_days(start, n) == result
