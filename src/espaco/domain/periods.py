"""Periods of days, the filter presets and the Brazilian working-day calendar.

No clock here: every function that needs "today" takes it as an argument,
already in the provider's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from espaco.domain.errors import DomainError

PRESETS: dict[str, str] = {
    "este-mes": "Este mês",
    "ultimos-3-meses": "Últimos 3 meses",
    "ultimos-12-meses": "Últimos 12 meses",
    "este-ano": "Este ano",
    "ano-passado": "Ano passado",
}

# date.fromisoformat also takes "20260101" and "2026-W01-1"; a URL that
# people bookmark should have one spelling.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ZUMBI_SINCE = 2024  # Lei 14.759/2023

# The days a filter may name. Before 2000 no client of the portal has data (the ERPs it imports
# from start in this century), and past 2100 nothing is planned; inside, every month arithmetic
# stays far from date's 9999-12-31 edge (a period ending in December 9999 used to fail with a
# 500 on "the next month").
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# The longest period a Coletas or Financeiro filter may span: five years, the time the CTN (art.
# 173-174) gives the tax authority over an invoice and the span of the audits that ask for MTRs
# and CDFs. Longer asked for every row of a client's history in one page (a period from year 1
# to 9999 took 3.25 s and 14.7 MB of HTML).
MAX_SPAN_DAYS = 5 * 365 + 2


@dataclass(frozen=True)
class Period:
    """A closed range of days, ``start`` and ``end`` included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise DomainError("period_order", "A data inicial é posterior à final")

    def contains(self, d: date) -> bool:
        """Whether day ``d`` falls in the period, both ends included."""
        return self.start <= d <= self.end

    @property
    def days(self) -> int:
        """Number of days in the period, both ends counted."""
        return (self.end - self.start).days + 1

    def months(self) -> list[tuple[int, int]]:
        """The ``(year, month)`` pairs the period touches, in order."""
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        return [(n // 12, n % 12 + 1) for n in range(first, last + 1)]

    def by_month(self) -> list[tuple[tuple[int, int], Period]]:
        """The period cut at month boundaries: ``((year, month), its days in the period)``."""
        return [
            ((year, month), Period(max(whole.start, self.start), min(whole.end, self.end)))
            for year, month in self.months()
            for whole in (month_period(year, month),)
        ]


def month_period(year: int, month: int) -> Period:
    """The whole calendar month (``month`` may run past 12 or below 1: it carries into years)."""
    return Period(_month_start(year, month), _month_end(year, month))


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _month_end(year: int, month: int) -> date:
    return _month_start(year, month + 1) - timedelta(days=1)


def preset_period(key: str, today: date) -> Period:
    """The period a filter preset stands for on ``today``.

    The project's rule: presets cover whole calendar months, the unit of the
    billing closures (the monthly "competência"). "este-mes" is the current month
    from its first to its last day, "ultimos-3-meses" the current month and
    the two before it, "ultimos-12-meses" the current month and the eleven
    before it, "este-ano" 1 January to 31 December of this year, "ano-passado"
    all of last year. An unknown key raises ``DomainError("preset")``.
    """
    month_end = _month_end(today.year, today.month)
    if key == "este-mes":
        return Period(_month_start(today.year, today.month), month_end)
    if key == "ultimos-3-meses":
        return Period(_month_start(today.year, today.month - 2), month_end)
    if key == "ultimos-12-meses":
        return Period(_month_start(today.year, today.month - 11), month_end)
    if key == "este-ano":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    if key == "ano-passado":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise DomainError("preset", f"Período desconhecido: {key}")


def _parse_iso_date(text: str) -> date:
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError("date_format", "Data inválida: use o formato AAAA-MM-DD")


def parse_period(
    inicio: str | None, fim: str | None, default: Period, *, max_days: int = MAX_SPAN_DAYS
) -> Period:
    """The period of the ``inicio``/``fim`` query parameters (ISO 8601 dates,
    ``2026-01-01``); a blank side takes the ``default``'s. Both days fall within
    ``EARLIEST``..``LATEST`` and the period spans at most ``max_days``. Codes
    ``"date_format"``, ``"date_range"``, ``"period_order"`` and ``"period_span"``."""
    start = _parse_iso_date(inicio.strip()) if inicio and inicio.strip() else default.start
    end = _parse_iso_date(fim.strip()) if fim and fim.strip() else default.end
    for day in (start, end):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(
                "date_range",
                f"Data fora do intervalo aceito ({EARLIEST:%d/%m/%Y} a {LATEST:%d/%m/%Y})",
            )
    period = Period(start, end)
    if period.days > max_days:
        years = max_days // 365
        raise DomainError("period_span", f"O período pode ter no máximo {years} anos")
    return period


def last_days(today: date, n: int) -> Period:
    """The ``n`` days ending on ``today``, today included."""
    if n < 1:
        raise DomainError("days", "O número de dias deve ser positivo")
    return Period(today - timedelta(days=n - 1), today)


def easter(year: int) -> date:
    """Easter Sunday of ``year``: the anonymous Gregorian algorithm (Meeus/
    Jones/Butcher), which the movable national dates follow."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> tuple[tuple[date, str], ...]:
    holidays = {
        date(year, 1, 1): "Confraternização Universal",
        easter(year) - timedelta(days=2): "Sexta-feira Santa",
        date(year, 4, 21): "Tiradentes",
        date(year, 5, 1): "Dia do Trabalho",
        date(year, 9, 7): "Independência do Brasil",
        date(year, 10, 12): "Nossa Senhora Aparecida",
        date(year, 11, 2): "Finados",
        date(year, 11, 15): "Proclamação da República",
        date(year, 12, 25): "Natal",
    }
    if year >= ZUMBI_SINCE:
        holidays[date(year, 11, 20)] = "Dia Nacional de Zumbi e da Consciência Negra"
    return tuple(sorted(holidays.items()))


def national_holidays(year: int) -> dict[date, str]:
    """Brazil's national holidays of ``year``, by date, in date order.

    Lei 662/1949 as amended by Lei 10.607/2002 (1/1, 21/4, 1/5, 7/9, 2/11,
    15/11, 25/12), Lei 6.802/1980 (12/10, Nossa Senhora Aparecida), Lei
    14.759/2023 (20/11, Zumbi e Consciência Negra, from 2024) and the
    Sexta-feira Santa, two days before Easter (a religious holiday under Lei
    9.093/1995 that every municipality keeps and the federal calendar lists).
    """
    return dict(_national_holidays(year))


def optional_holidays(year: int) -> dict[date, str]:
    """The federal "pontos facultativos" that close most businesses: Carnaval
    Monday and Tuesday (47 and 48 days before Easter) and Corpus Christi (60
    days after), as the Ministério da Gestão's yearly portaria lists them.
    Not national holidays, so ``is_working_day`` does not skip them."""
    sunday = easter(year)
    return {
        sunday - timedelta(days=48): "Carnaval (ponto facultativo)",
        sunday - timedelta(days=47): "Carnaval (ponto facultativo)",
        sunday + timedelta(days=60): "Corpus Christi (ponto facultativo)",
    }


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a national holiday (see ``national_holidays``)."""
    return d.weekday() < 5 and d not in national_holidays(d.year)


def add_working_days(d: date, n: int) -> date:
    """The date ``n`` working days after ``d`` (before it when ``n`` is
    negative); ``n == 0`` returns ``d`` itself. Working days as in
    ``is_working_day``: a Friday plus one is the next Monday."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d
