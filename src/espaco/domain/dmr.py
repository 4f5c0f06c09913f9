"""The periods a generator declares its waste for: the DMR's quarters and semesters.

SINIR's Declaração de Movimentação de Resíduos (DMR, Portaria MMA 280/2020, art. 6) is
quarterly and due by the last day of the month after each quarter; some states ask for it
half-yearly. A report preset names one of them: ``2026-t3`` (3º trimestre), ``2026-s2``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from espaco.domain.errors import DomainError
from espaco.domain.periods import Period, month_period

_KEY = re.compile(r"([0-9]{4})-([ts])([1-4])")


class DmrPeriod(NamedTuple):
    """A quarter or semester: its URL key, its label and its days."""

    key: str
    label: str
    period: Period


def dmr_period(key: str) -> DmrPeriod:
    """The quarter (``2026-t1``…``t4``) or semester (``2026-s1``, ``s2``) a key names.

    Raises DomainError ``preset`` for anything else."""
    match = _KEY.fullmatch(key.strip().lower())
    if match is None or (match[2] == "s" and match[3] not in "12"):
        raise DomainError("preset", "Período desconhecido: use um trimestre ou semestre da lista")
    year, kind, n = int(match[1]), match[2], int(match[3])
    months = 3 if kind == "t" else 6
    first = (n - 1) * months + 1
    period = Period(month_period(year, first).start, month_period(year, first + months - 1).end)
    noun = "trimestre" if kind == "t" else "semestre"
    return DmrPeriod(f"{year}-{kind}{n}", f"{n}º {noun} de {year}", period)


def dmr_presets(year: int) -> list[DmrPeriod]:
    """The quarters then the semesters of ``year``."""
    return [dmr_period(f"{year}-t{n}") for n in range(1, 5)] + [
        dmr_period(f"{year}-s{n}") for n in (1, 2)
    ]


def last_closed_quarter(today_year: int, today_month: int) -> DmrPeriod:
    """The latest quarter that has ended: the one a DMR is being filled for."""
    quarter = (today_month - 1) // 3  # the current one, 0-based
    if quarter == 0:
        return dmr_period(f"{today_year - 1}-t4")
    return dmr_period(f"{today_year}-t{quarter}")
