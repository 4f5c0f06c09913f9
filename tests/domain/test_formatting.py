from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from espaco.domain.errors import DomainError
from espaco.domain.formatting import (
    MONTH_NAMES_PT,
    format_date,
    format_datetime,
    format_int_br,
    format_month,
    format_month_long,
    month_name,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("d", "shown"),
    [
        (date(2026, 11, 28), "28/11/2026"),
        (date(2026, 1, 5), "05/01/2026"),
        (date(999, 1, 1), "01/01/0999"),
    ],
)
def test_format_date_is_day_month_year(d, shown):
    assert format_date(d) == shown


@pytest.mark.parametrize(
    ("dt", "shown"),
    [
        (datetime(2026, 11, 28, 12, 32, tzinfo=UTC), "28/11/2026 09:32"),
        (datetime(2026, 11, 28, 9, 32, tzinfo=timezone(timedelta(hours=-3))), "28/11/2026 09:32"),
        (datetime(2026, 11, 29, 1, 5, tzinfo=UTC), "28/11/2026 22:05"),  # day changes too
    ],
)
def test_format_datetime_shows_the_wall_clock_of_the_given_zone(dt, shown):
    assert format_datetime(dt, SAO_PAULO) == shown


def test_format_datetime_refuses_a_naive_datetime():
    with pytest.raises(DomainError) as caught:
        format_datetime(datetime(2026, 11, 28, 9, 32), SAO_PAULO)  # noqa: DTZ001
    assert caught.value.code == "naive_datetime"


def test_month_names_run_from_janeiro_to_dezembro():
    assert len(MONTH_NAMES_PT) == 12
    assert (MONTH_NAMES_PT[0], MONTH_NAMES_PT[2], MONTH_NAMES_PT[11]) == (
        "janeiro",
        "março",
        "dezembro",
    )
    assert month_name(11) == "novembro"


@pytest.mark.parametrize(
    ("year", "month", "short", "long"),
    [
        (2026, 11, "nov/2026", "novembro/2026"),
        (2026, 3, "mar/2026", "março/2026"),
        (2027, 5, "mai/2027", "maio/2027"),
        (2026, 12, "dez/2026", "dezembro/2026"),
    ],
)
def test_format_month_abbreviates_and_format_month_long_spells_out(year, month, short, long):
    assert format_month(year, month) == short
    assert format_month_long(year, month) == long


@pytest.mark.parametrize("month", [0, 13])
def test_format_month_refuses_a_month_outside_one_to_twelve(month):
    with pytest.raises(DomainError) as caught:
        format_month(2026, month)
    assert caught.value.code == "month"


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (999, "999"), (1234, "1.234"), (1234567, "1.234.567"), (-1234, "-1.234")],
)
def test_format_int_br_groups_thousands_with_dots(n, shown):
    assert format_int_br(n) == shown
