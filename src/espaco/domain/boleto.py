"""Boleto de cobrança (FEBRABAN "ficha de compensação"): barcode and linha digitável.

Layout of the 44-digit barcode (FEBRABAN, especificações técnicas do boleto de
pagamento, ficha de compensação):

    bank(3) currency(1) DV(1) due factor(4) amount(10) free field(25)

The 47-digit linha digitável shows the same data as five fields:

    bank+currency+free[0:5]+DV | free[5:15]+DV | free[15:25]+DV | DV | factor+amount

The 48-digit "arrecadação"/convênio slips (utilities, taxes) are another
standard and are refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from espaco.domain.errors import DomainError

BARCODE_LENGTH = 44
LINE_LENGTH = 47
CURRENCY_REAL = "9"
MAX_AMOUNT_CENTS = 99_999_999_99  # ten digits in the barcode

# FEBRABAN: the due factor counts days from 07/10/1997; after 9999
# (21/02/2025) it restarted at 1000 on 22/02/2025, and will restart again
# every 9000 days.
FACTOR_BASE = date(1997, 10, 7)
FACTOR_RESTART = date(2025, 2, 22)
FACTOR_MIN = 1000
FACTOR_CYCLE = 9000

_SEPARATORS = re.compile(r"[\s.\-]")
_DIGITS = re.compile(r"[0-9]*")
# (start, end) of each check-digited field of the line and where its DV sits.
_LINE_FIELDS = ((0, 9), (10, 20), (21, 31))


@dataclass(frozen=True)
class Boleto:
    """A verified boleto: its parts, both of its forms (digits only)."""

    bank: str
    currency: str
    due_factor: int
    amount_cents: int
    free_field: str
    barcode: str
    digitable_line: str

    def due_on(self, reference: date) -> date | None:
        """The due date nearest ``reference`` (see ``due_date_from_factor``)."""
        return due_date_from_factor(self.due_factor, reference)


def mod10(digits: str) -> int:
    """FEBRABAN module-10 check digit of a linha digitável field: weights 2, 1,
    2, 1... from the right, digits of each product summed, 10 − (sum mod 10),
    where 10 becomes 0."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def mod11_general(digits43: str) -> int:
    """FEBRABAN general check digit of the barcode, over its 43 other digits:
    weights 2..9 from the right, 11 − (sum mod 11), where 0, 10 and 11 become 1."""
    total = sum(int(c) * (2 + i % 8) for i, c in enumerate(reversed(digits43)))
    digit = 11 - total % 11
    return 1 if digit in (0, 10, 11) else digit


def due_factor(due_on: date) -> int:
    """FEBRABAN due factor of a date: days since 07/10/1997 and, once the
    factor reached 9999 on 21/02/2025, counting again from 1000 on 22/02/2025,
    in cycles of 9000 days (FEBRABAN rule for the factor's restart)."""
    if due_on >= FACTOR_RESTART:
        return FACTOR_MIN + (due_on - FACTOR_RESTART).days % FACTOR_CYCLE
    days = (due_on - FACTOR_BASE).days
    if days < 1:
        raise DomainError("due_date_range", "Vencimento anterior a 08/10/1997")
    return days


def due_dates_for_factor(factor: int, *, cycles: int = 2) -> list[date]:
    """Every date the FEBRABAN due factor ``factor`` may stand for, oldest
    first: one in the 1997 cycle and one in each of the ``cycles - 1`` cycles
    starting 22/02/2025. Factor 0 (no due date) has none; 1..999 only ever
    meant a date between 1997 and 2000."""
    if not 0 <= factor <= 9999:
        raise DomainError("format", "Fator de vencimento deve ter 4 dígitos")
    if factor == 0:
        return []
    dates = [FACTOR_BASE + timedelta(days=factor)]
    if factor >= FACTOR_MIN:
        offset = factor - FACTOR_MIN
        dates += [
            FACTOR_RESTART + timedelta(days=offset + cycle * FACTOR_CYCLE)
            for cycle in range(cycles - 1)
        ]
    return dates


def due_date_from_factor(factor: int, reference: date) -> date | None:
    """The date that FEBRABAN due factor ``factor`` stands for, taken as the
    candidate closest to ``reference`` (usually today or the invoice's due
    date), as banks resolve the factor since its 2025 restart. ``None`` for
    factor 0 (a boleto with no due date)."""
    cycles = max(2, (reference - FACTOR_RESTART).days // FACTOR_CYCLE + 3)
    candidates = due_dates_for_factor(factor, cycles=cycles)
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - reference).days))


def _require_digits(text: str, length: int, label: str) -> None:
    if not _DIGITS.fullmatch(text):
        raise DomainError("format", f"{label} deve conter apenas dígitos")
    if len(text) != length:
        raise DomainError("length", f"{label} deve ter {length} dígitos")


def line_to_barcode(line: str) -> str:
    """The 44-digit barcode carried by a 47-digit linha digitável (FEBRABAN
    layout; check digits are not verified here, see ``parse_boleto``)."""
    _require_digits(line, LINE_LENGTH, "Linha digitável")
    return line[0:4] + line[32] + line[33:47] + line[4:9] + line[10:20] + line[21:31]


def barcode_to_line(barcode: str) -> str:
    """The 47-digit linha digitável (no punctuation) of a 44-digit barcode,
    with the three FEBRABAN mod-10 field check digits computed."""
    _require_digits(barcode, BARCODE_LENGTH, "Código de barras")
    fields = (barcode[0:4] + barcode[19:24], barcode[24:34], barcode[34:44])
    checked = "".join(f + str(mod10(f)) for f in fields)
    return checked + barcode[4] + barcode[5:19]


def format_digitable_line(line47: str) -> str:
    """``00190.00009 02812.345672 00000.123182 5 10160000015075``: the
    FEBRABAN printed form of a linha digitável."""
    _require_digits(line47, LINE_LENGTH, "Linha digitável")
    line = line47
    return (
        f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
        f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:47]}"
    )


def build_barcode(bank: str, due_on: date | None, amount_cents: int, free_field: str) -> str:
    """A 44-digit FEBRABAN barcode in reais with its general check digit.

    ``due_on`` None gives factor 0000 (no due date); the free field (25
    digits) is the bank's own layout (agreement, nosso número...).
    """
    if not re.fullmatch(r"[0-9]{3}", bank):
        raise DomainError("format", "Código do banco deve ter 3 dígitos")
    if not re.fullmatch(r"[0-9]{25}", free_field):
        raise DomainError("format", "Campo livre deve ter 25 dígitos")
    if amount_cents < 0:
        raise DomainError("negative", "Valor do boleto não pode ser negativo")
    if amount_cents > MAX_AMOUNT_CENTS:
        raise DomainError("format", "Valor do boleto excede 10 dígitos")
    factor = 0 if due_on is None else due_factor(due_on)
    body = f"{bank}{CURRENCY_REAL}{factor:04d}{amount_cents:010d}{free_field}"
    return body[:4] + str(mod11_general(body)) + body[4:]


def _check_general_digit(barcode: str) -> None:
    if barcode[4] != str(mod11_general(barcode[:4] + barcode[5:])):
        raise DomainError("check_digit", "Dígito verificador geral do boleto inválido")


def _check_line_fields(line: str) -> None:
    for number, (start, end) in enumerate(_LINE_FIELDS, start=1):
        if line[end] != str(mod10(line[start:end])):
            raise DomainError(
                "check_digit", f"Dígito verificador do campo {number} da linha digitável inválido"
            )


def parse_boleto(text: str) -> Boleto:
    """A verified ``Boleto`` from its barcode (44 digits) or linha digitável
    (47 digits), spaces and dots allowed.

    FEBRABAN rules: every check digit verified (the three mod-10 field DVs of
    the line and the general mod-11 DV), currency 9 (real). Codes
    ``"length"``, ``"format"``, ``"check_digit"``; the message names the field.
    """
    digits = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(digits):
        raise DomainError("format", "Boleto deve conter apenas dígitos")
    if len(digits) == 48:
        raise DomainError(
            "length", "Boleto de arrecadação (48 dígitos) não é aceito: use o boleto de cobrança"
        )
    if len(digits) == LINE_LENGTH:
        _check_line_fields(digits)
        barcode = line_to_barcode(digits)
    elif len(digits) == BARCODE_LENGTH:
        barcode = digits
    else:
        raise DomainError(
            "length", "Boleto deve ter 47 dígitos (linha digitável) ou 44 (código de barras)"
        )
    if barcode[3] != CURRENCY_REAL:
        raise DomainError("format", "Código da moeda do boleto deve ser 9 (real)")
    _check_general_digit(barcode)
    return Boleto(
        bank=barcode[0:3],
        currency=barcode[3],
        due_factor=int(barcode[5:9]),
        amount_cents=int(barcode[9:19]),
        free_field=barcode[19:44],
        barcode=barcode,
        digitable_line=barcode_to_line(barcode),
    )


def check_boleto_matches(boleto: Boleto, *, due_on: date, amount_cents: int) -> None:
    """Cross-check a boleto against its invoice: the due factor must be that
    of ``due_on`` and the amount ``amount_cents`` (FEBRABAN: factor 0000 means
    no due date and amount zero "valor a informar"; those are not compared).
    Codes ``"due_date_mismatch"``, ``"amount_mismatch"``."""
    if boleto.due_factor and boleto.due_factor != due_factor(due_on):
        raise DomainError(
            "due_date_mismatch", "Vencimento do boleto diferente do vencimento da fatura"
        )
    if boleto.amount_cents and boleto.amount_cents != amount_cents:
        raise DomainError("amount_mismatch", "Valor do boleto diferente do valor da fatura")
