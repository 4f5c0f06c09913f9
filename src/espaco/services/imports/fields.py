"""Reading one JSON object of an import: each field checked, trimmed and converted, every
problem recorded under its JSON path (built only when there is a problem: a large file has
millions of fields and almost none of them is wrong)."""

from __future__ import annotations

import builtins
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from espaco.domain.documents import validate_document
from espaco.domain.errors import DomainError
from espaco.domain.money import parse_money
from espaco.services.imports.model import ImportProblem

# Dates and instants an ERP may send: a century either side of today's business, and far enough
# inside Python's years 1-9999 that turning an instant with its offset into UTC cannot overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2199
OUT_OF_RANGE = f"Data fora do intervalo aceito (anos {FIRST_YEAR} a {LAST_YEAR})"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# Centavos beyond this do not fit a boleto nor any real invoice (a trillion reais).
MAX_CENTS = 10**14
# Text columns have no limit of their own; a longer value is a mistake, not a note.
TEXT_MAX = 5000

# Stable codes the domain raises, mapped onto the import's own list.
_DOMAIN_CODES = {
    "crc": "check_digit",
    "due_date_mismatch": "mismatch",
    "amount_mismatch": "mismatch",
    "due_date_range": "format",
    "kind": "choice",
}


def domain_code(error: DomainError) -> str:
    return _DOMAIN_CODES.get(error.code, error.code)


def path_join(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


class Problems:
    """Every problem of a document, in the order found."""

    def __init__(self) -> None:
        self.items: list[ImportProblem] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append(ImportProblem(path, code, message))

    def __len__(self) -> int:
        return len(self.items)


@lru_cache(maxsize=65536)
def _document(text: str) -> str | DomainError:
    try:
        return validate_document(text)
    except DomainError as error:
        return error


class Rec:
    """One JSON object at ``base``: its fields read one by one, unknown ones refused."""

    __slots__ = ("base", "data", "problems")

    def __init__(
        self, problems: Problems, data: dict[str, Any], base: str, allowed: Collection[str]
    ) -> None:
        self.problems = problems
        self.data = data
        self.base = base
        unknown = data.keys() - allowed
        for key in sorted(unknown):
            problems.add(path_join(base, key), "unknown_field", "Campo desconhecido")

    @classmethod
    def of(
        cls, problems: Problems, value: object, base: str, allowed: Collection[str]
    ) -> Rec | None:
        """A ``Rec`` when ``value`` is an object; else a ``type`` problem and None."""
        if not isinstance(value, dict):
            problems.add(base, "type", "Deveria ser um objeto JSON ({...})")
            return None
        return cls(problems, value, base, allowed)

    def path(self, key: str | int) -> str:
        return path_join(self.base, key)

    def fail(self, key: str, code: str, message: str) -> None:
        self.problems.add(self.path(key), code, message)

    def has(self, key: str) -> bool:
        return key in self.data

    # -- scalars ------------------------------------------------------------------------------
    def text(self, key: str, *, max_len: int | None, required: bool = False) -> str | None:
        """A trimmed string; None when absent, null or blank (a problem if ``required``)."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, str):
            self.fail(key, "type", "Deveria ser um texto")
            return None
        value = value.strip()
        if not value:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        limit = max_len or TEXT_MAX
        if len(value) > limit:
            self.fail(key, "length", f"Texto longo demais (máximo {limit} caracteres)")
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "type", "Deveria ser true ou false")
            return default
        return value

    def choice(self, key: str, values: Collection[str], *, required: bool = False) -> str | None:
        value = self.text(key, max_len=40, required=required)
        if value is not None and value not in values:
            self.fail(key, "choice", f"Valor inválido: use {', '.join(sorted(values))}")
            return None
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, str):
            self.fail(key, "type", "Data deveria ser um texto AAAA-MM-DD")
            return None
        value = value.strip()
        if _DATE.fullmatch(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if FIRST_YEAR <= parsed.year <= LAST_YEAR:
                    return parsed
                self.fail(key, "range", OUT_OF_RANGE)
                return None
        self.fail(key, "format", "Data inválida: use o formato AAAA-MM-DD")
        return None

    def instant(self, key: str, *, required: bool = False) -> datetime | None:
        """An ISO 8601 instant with its offset (``2026-10-05T09:32:00-03:00``)."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, str):
            self.fail(key, "type", "Data e hora deveria ser um texto ISO 8601")
            return None
        value = value.strip()
        if _INSTANT.fullmatch(value):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if FIRST_YEAR <= parsed.year <= LAST_YEAR:
                    return parsed
                self.fail(key, "range", OUT_OF_RANGE)
                return None
        self.fail(
            key, "format", "Data e hora inválida: use ISO 8601 com fuso (2026-10-05T09:32:00-03:00)"
        )
        return None

    def money(self, key: str, *, required: bool = False) -> int | None:
        """Centavos from a decimal string (never a JSON number), at most two decimals."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, str):
            self.fail(key, "type", 'Valor deveria ser um texto decimal, como "1234.56"')
            return None
        try:
            cents = parse_money(value)
        except DomainError as error:
            self.fail(key, domain_code(error), error.message)
            return None
        if cents >= MAX_CENTS:
            self.fail(key, "range", "Valor grande demais")
            return None
        return cents

    def decimal(self, key: str, *, max_len: int | None, required: bool = False) -> str | None:
        """A non-negative decimal string such as a quantity (``"2.35"``), kept as written."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, str):
            self.fail(key, "type", 'Deveria ser um texto decimal, como "2.35"')
            return None
        value = value.strip()
        if value.startswith("-") and _DECIMAL.fullmatch(value[1:]):
            self.fail(key, "negative", "Quantidade não pode ser negativa")
            return None
        if not _DECIMAL.fullmatch(value):
            self.fail(key, "format", 'Número inválido: use o formato "2.35"')
            return None
        limit = max_len or TEXT_MAX
        if len(value) > limit:
            self.fail(key, "length", f"Número longo demais (máximo {limit} caracteres)")
            return None
        return value

    def number(self, key: str, low: float, high: float) -> float | None:
        """A JSON number in ``[low, high]`` (coordinates are the format's only numbers)."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "type", "Deveria ser um número")
            return None
        if not low <= value <= high:
            self.fail(key, "range", f"Fora do intervalo de {low:g} a {high:g}")
            return None
        return float(value)

    def document(self, key: str, *, required: bool = True) -> str | None:
        """A CPF or CNPJ, check digits verified, normalised."""
        value = self.text(key, max_len=40, required=required)
        if value is None:
            return None
        result = _document(value)
        if isinstance(result, DomainError):
            self.fail(key, domain_code(result), result.message)
            return None
        return result

    # -- composites ---------------------------------------------------------------------------
    def obj(self, key: str, allowed: Collection[str], *, required: bool = False) -> Rec | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        return Rec.of(self.problems, value, self.path(key), allowed)

    def list(self, key: str, *, required: bool = False) -> list[Any] | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "required", "Campo obrigatório")
            return None
        if not isinstance(value, list):
            self.fail(key, "type", "Deveria ser uma lista ([...])")
            return None
        return value

    def emails(self, key: str) -> builtins.list[str] | None:
        """Addresses lower-cased and deduplicated in order; None when the list is not given."""
        values = self.list(key)
        if values is None:
            return None
        result: builtins.list[str] = []
        for index, value in enumerate(values):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(value, str):
                self.problems.add(path, "type", "Deveria ser um texto")
                continue
            address = value.strip().lower()
            local = address.partition("@")[0]
            if len(address) > 254 or len(local) > 64 or not _EMAIL.fullmatch(address):
                self.problems.add(path, "format", f"E-mail inválido: {value.strip()[:80]}")
                continue
            if address not in result:
                result.append(address)
        return result

    def texts(self, key: str, *, max_len: int | None) -> Iterable[tuple[str, str]]:
        """``(path, text)`` of each trimmed string of a list (blank ones refused)."""
        values = self.list(key, required=True) or []
        for index, value in enumerate(values):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(value, str):
                self.problems.add(path, "type", "Deveria ser um texto")
            elif not value.strip():
                self.problems.add(path, "required", "Texto vazio")
            elif len(value.strip()) > (max_len or TEXT_MAX):
                self.problems.add(path, "length", f"Texto longo demais (máximo {max_len})")
            else:
                yield path, value.strip()
