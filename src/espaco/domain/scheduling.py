"""Rules of a collection request: the earliest date a client may ask for, the month calendar
the form draws, the description's length, and the protocol number.

The notice is counted in working days (``periods.add_working_days``: Monday to Friday, national
holidays excluded), so with the default notice of 1 a request made on a Friday may ask for the
next Monday at the earliest. Sundays and national holidays stay selectable — the date is only a
reference that Planejamento confirms — but the calendar marks them, and the federal pontos
facultativos (Carnaval, Corpus Christi) as well.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from espaco.domain.periods import add_working_days, national_holidays, optional_holidays

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
REFUSAL_MAX = 1000
PROTOCOL = re.compile(r"(\d{4})-(\d{6})")
MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
)  # fmt: skip
WEEKDAYS = (("seg", "segunda-feira"), ("ter", "terça-feira"), ("qua", "quarta-feira"),
            ("qui", "quinta-feira"), ("sex", "sexta-feira"), ("sáb", "sábado"),
            ("dom", "domingo"))  # fmt: skip
# How far ahead the calendar goes: a request is for the coming months, not for next year's.
MONTHS_AHEAD = 12


def earliest_date(today: date, notice_days: int) -> date:
    """The first day a client may ask for: ``notice_days`` working days after ``today``
    (``today`` itself when the notice is 0)."""
    return add_working_days(today, notice_days)


def date_problem(wanted: date | None, today: date, notice_days: int) -> str | None:
    """Why ``wanted`` is refused as the intended date, in Portuguese, or None."""
    if wanted is None:
        return "Escolha a data pretendida."
    if wanted < today:
        return "Essa data já passou. Escolha uma data a partir de hoje."
    earliest = earliest_date(today, notice_days)
    if wanted < earliest:
        return (
            f"A data precisa respeitar o prazo mínimo de {notice_days} dia(s) útil(eis): "
            f"escolha a partir de {earliest:%d/%m/%Y}."
        )
    if _month_index(wanted) - _month_index(today) > MONTHS_AHEAD:
        return f"Escolha uma data nos próximos {MONTHS_AHEAD} meses."
    return None


def description_problem(text: str) -> str | None:
    """Why the description (already stripped) is refused, in Portuguese, or None."""
    if not text:
        return "Descreva o serviço que você precisa."
    if len(text) < DESCRIPTION_MIN:
        return f"A descrição precisa ter ao menos {DESCRIPTION_MIN} caracteres."
    if len(text) > DESCRIPTION_MAX:
        return f"A descrição pode ter no máximo {DESCRIPTION_MAX:_} caracteres.".replace("_", ".")
    return None


def format_protocol(year: int, number: int) -> str:
    """``2026-000123``: the year the request was made and its number within that year."""
    return f"{year:04d}-{number:06d}"


def parse_iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def parse_month(text: str | None) -> tuple[int, int] | None:
    """``2026-12`` → (2026, 12); None for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


@dataclass(frozen=True)
class Day:
    """One cell of the calendar."""

    on: date
    selectable: bool
    sunday: bool
    holiday: str | None
    today: bool
    selected: bool

    @property
    def label(self) -> str:
        """What a screen reader says for the cell."""
        weekday = WEEKDAYS[self.on.weekday()][1]
        parts = [f"{weekday}, {self.on.day} de {MONTHS[self.on.month - 1]} de {self.on.year}"]
        if self.holiday:
            parts.append(f"feriado: {self.holiday}")
        if self.today:
            parts.append("hoje")
        if not self.selectable:
            parts.append("indisponível")
        return ", ".join(parts)


@dataclass(frozen=True)
class MonthGrid:
    """A month as weeks of seven cells (None outside the month), Monday first."""

    year: int
    month: int
    weeks: tuple[tuple[Day | None, ...], ...]
    previous: str | None  # "2026-10", or None when that month has no selectable day
    next: str | None

    @property
    def title(self) -> str:
        """``Dezembro de 2026``: the month capitalised as a title, the rest as written."""
        return f"{MONTHS[self.month - 1].capitalize()} de {self.year}"

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# The same grid object for the same arguments: the form's calendar markup is made once for each
# (web: |derived), and a grid is a frozen value of its arguments (today's date among them).
@lru_cache(maxsize=64)
def month_grid(
    year: int, month: int, *, today: date, notice_days: int, selected: date | None = None
) -> MonthGrid:
    """The calendar of ``year``/``month``, clamped to the months a request may ask for (from the
    month of the earliest date to ``MONTHS_AHEAD`` months after today's)."""
    earliest = earliest_date(today, notice_days)
    first, last = _month_index(earliest), _month_index(today) + MONTHS_AHEAD
    index = min(max(year * 12 + month - 1, first), last)
    year, month = divmod(index, 12)
    month += 1
    holidays = optional_holidays(year) | national_holidays(year)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            tuple(
                Day(
                    on=d,
                    selectable=d >= earliest,
                    sunday=d.weekday() == 6,
                    holiday=holidays.get(d),
                    today=d == today,
                    selected=d == selected,
                )
                if d.month == month
                else None
                for d in week
            )
        )

    def key(i: int) -> str:
        y, m = divmod(i, 12)
        return f"{y:04d}-{m + 1:02d}"

    return MonthGrid(
        year=year,
        month=month,
        weeks=tuple(weeks),
        previous=key(index - 1) if index > first else None,
        next=key(index + 1) if index < last else None,
    )
