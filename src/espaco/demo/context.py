"""What every part of the demo generator shares: the seeded draws, today,
the destination folder, running numbers and the clients being built."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from espaco.demo.names import FIRST_NAMES, LAST_NAMES, Profile
from espaco.domain.documents import cnpj_check_digits, cpf_check_digits

BRT = timezone(timedelta(hours=-3))  # Brasília time, no daylight saving since 2019
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
Record = dict[str, Any]


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """``(2026, 11) + 3`` → ``(2027, 2)``."""
    year, month0 = divmod(year * 12 + month - 1 + delta, 12)
    return year, month0 + 1


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def instant(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), BRT)


@dataclass
class DemoClientState:
    """A client being generated: its import record and what later records need."""

    index: int
    profile: Profile
    record: Record
    document: str  # normalised
    bank: str
    pix: bool
    last_month: tuple[int, int]  # the last month billed
    contacts: list[tuple[str, str]] = field(default_factory=list)  # (name, CPF)
    coordinates: dict[str, tuple[float, float]] = field(default_factory=dict)  # by location

    @property
    def external_id(self) -> str:
        return str(self.record["external_id"])


class Context:
    """One ``random.Random(seed)`` and the running numbers of a demo document."""

    def __init__(self, dest: Path, today: date, seed: int) -> None:
        self.dest = dest
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
        self.mtr_numbers: set[str] = set()
        self.nfse_number = 1841
        self.nfe_number = 5210
        self.nosso_numero = 41730
        self.location_count = 0

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(count))

    def cpf(self) -> str:
        """A valid CPF, normalised."""
        first9 = self.digits(9)
        while len(set(first9)) == 1:
            first9 = self.digits(9)
        return first9 + cpf_check_digits(first9)

    def cnpj(self, alphanumeric: bool) -> str:
        """A valid CNPJ, normalised; with letters in the root (``12ABC345``) and
        sometimes in the branch when ``alphanumeric``."""
        if alphanumeric:
            letters = "".join(self.rng.choice(LETTERS) for _ in range(5))
            root = self.digits(2) + letters[:3] + self.digits(3)
            branch = self.rng.choice(("0001", "01" + letters[3:]))
        else:
            root, branch = self.digits(8), "0001"
        return root + branch + cnpj_check_digits(root + branch)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def quantity(self, low: float, high: float, decimals: int) -> Decimal:
        """A quantity between ``low`` and ``high`` with exactly ``decimals`` places."""
        scale = 10**decimals
        value = self.rng.randint(round(low * scale), round(high * scale))
        return Decimal(value).scaleb(-decimals)

    def mtr(self, year: int) -> str:
        """A new 12-digit SINIR manifest number of ``year``; some start with zeros."""
        number = ""
        while not number or number in self.mtr_numbers:
            prefix = "00" if self.rng.random() < 0.15 else f"{year % 100:02d}"
            number = prefix + self.digits(10)
        self.mtr_numbers.add(number)
        return number
