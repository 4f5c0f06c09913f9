"""DMR quarters and semesters as report presets."""

from __future__ import annotations

from datetime import date

import pytest

from espaco.domain.dmr import dmr_period, dmr_presets, last_closed_quarter
from espaco.domain.errors import DomainError


@pytest.mark.parametrize(
    ("key", "start", "end", "label"),
    [
        ("2026-t1", date(2026, 1, 1), date(2026, 3, 31), "1º trimestre de 2026"),
        ("2026-T2", date(2026, 4, 1), date(2026, 6, 30), "2º trimestre de 2026"),
        ("2024-t1", date(2024, 1, 1), date(2024, 3, 31), "1º trimestre de 2024"),
        ("2026-t4", date(2026, 10, 1), date(2026, 12, 31), "4º trimestre de 2026"),
        ("2026-s1", date(2026, 1, 1), date(2026, 6, 30), "1º semestre de 2026"),
        ("2026-s2", date(2026, 7, 1), date(2026, 12, 31), "2º semestre de 2026"),
    ],
)
def test_quarters_and_semesters_are_whole_calendar_months(key, start, end, label):
    found = dmr_period(key)
    assert (found.period.start, found.period.end, found.label) == (start, end, label)
    assert found.key == key.lower()


@pytest.mark.parametrize("key", ["2026-t5", "2026-s3", "2026-t0", "26-t1", "2026-q1", ""])
def test_other_keys_are_refused(key):
    with pytest.raises(DomainError):
        dmr_period(key)


def test_a_year_has_four_quarters_and_two_semesters_that_tile_it():
    presets = dmr_presets(2026)
    quarters, semesters = presets[:4], presets[4:]
    assert sum(p.period.days for p in quarters) == sum(p.period.days for p in semesters) == 365


@pytest.mark.parametrize(
    ("year", "month", "key"),
    [(2026, 1, "2025-t4"), (2026, 3, "2025-t4"), (2026, 4, "2026-t1"), (2026, 12, "2026-t3")],
)
def test_the_last_closed_quarter(year, month, key):
    assert last_closed_quarter(year, month).key == key
