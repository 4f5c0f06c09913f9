"""Dates and numbers the way a Brazilian reader expects them (pt-BR)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from espaco.domain.errors import DomainError

# Indexed from zero: MONTH_NAMES_PT[month - 1]. Lower case, as pt-BR writes
# month names inside a sentence (ABNT NBR 6023 and the Academia Brasileira de
# Letras' Vocabulário Ortográfico).
MONTH_NAMES_PT: tuple[str, ...] = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)
# ABNT NBR 6023 abbreviates every month to its first three letters except
# maio, which it writes whole; a table header wants equal widths, so "mai".
MONTH_ABBREVIATIONS_PT: tuple[str, ...] = tuple(name[:3] for name in MONTH_NAMES_PT)


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise DomainError("month", f"Mês inválido: {month}")


def month_name(month: int) -> str:
    """Portuguese name of month 1..12 (``11`` → ``novembro``), lower case as in
    the ABL's Vocabulário Ortográfico."""
    _check_month(month)
    return MONTH_NAMES_PT[month - 1]


def format_date(d: date) -> str:
    """``date(2026, 11, 28)`` → ``28/11/2026``: day/month/year, the ABNT
    NBR 5892 numeric form used across Brazil."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(dt: datetime, tz: tzinfo) -> str:
    """An aware instant as ``28/11/2026 09:32`` on the wall clock of ``tz``
    (the provider's zone, e.g. ``ZoneInfo("America/Sao_Paulo")``); 24-hour
    clock as in ABNT NBR 5892. A naive datetime is refused (code
    ``"naive_datetime"``): guessing its zone is how an hour goes missing."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise DomainError("naive_datetime", "Data e hora sem fuso horário")
    local = dt.astimezone(tz)
    return f"{format_date(local)} {local.hour:02d}:{local.minute:02d}"


def format_month(year: int, month: int) -> str:
    """``(2026, 11)`` → ``nov/2026``: three-letter month abbreviation (ABNT NBR 6023)."""
    _check_month(month)
    return f"{MONTH_ABBREVIATIONS_PT[month - 1]}/{year:04d}"


def format_month_long(year: int, month: int) -> str:
    """``(2026, 10)`` → ``outubro/2026``, how billing descriptions name a
    reference month (month names per the ABL's Vocabulário Ortográfico)."""
    return f"{month_name(month)}/{year:04d}"


_UNIT_SUPERSCRIPTS = {"m2": "m²", "m3": "m³"}


def format_unit(unit: str) -> str:
    """``m3`` → ``m³``, ``m2`` → ``m²`` (SI brochure, 9th ed., 5.4.2: the exponent is written as
    a superscript); other units as given. ERPs send the ASCII spelling."""
    return _UNIT_SUPERSCRIPTS.get(unit.strip().lower(), unit) if unit else unit


def format_int_br(n: int) -> str:
    """``1234`` → ``1.234``: thousands grouped by a dot, the pt-BR usage of
    the Banco Central's and IBGE's publications; the sign goes in front."""
    return f"{n:,d}".replace(",", ".")
