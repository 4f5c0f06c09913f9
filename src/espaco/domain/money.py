"""Money as integer centavos, parsed from and shown as text.

A float total is a wrong total, so amounts are ``int`` centavos from the
import file to the page; ``Decimal`` appears only for quantities.
"""

from __future__ import annotations

import re
from decimal import Decimal

from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_int_br

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_MONEY = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")
_TOO_PRECISE = re.compile(r"-?[0-9]+\.[0-9]{3,}")
_QUANTITY = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


def parse_money(text: str, *, allow_negative: bool = False) -> int:
    """Centavos from a decimal string: ``"1234.56"`` → ``123456``, ``"10"`` → ``1000``.

    The ``espaco-import/1`` money format: ``-?digits(.d{1,2})?``, a dot as
    decimal separator, no thousands separators, no exponent, at most two
    decimals because the real (Banco Central, Lei 9.069/1995) has 100
    centavos. Codes: ``"format"``, ``"too_many_decimals"``, ``"negative"``.
    """
    if not isinstance(text, str):
        raise DomainError("format", 'Valor deve ser um texto decimal, como "1234.56"')
    value = text.strip()
    if not _MONEY.fullmatch(value):
        if _TOO_PRECISE.fullmatch(value):
            raise DomainError("too_many_decimals", "Valor com mais de duas casas decimais")
        raise DomainError("format", 'Valor inválido: use o formato "1234.56"')
    negative = value.startswith("-")
    whole, _, fraction = value.lstrip("-").partition(".")
    cents = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if negative and cents and not allow_negative:
        raise DomainError("negative", "Valor não pode ser negativo")
    return -cents if negative else cents


def cents_to_decimal_str(cents: int) -> str:
    """``123456`` → ``"1234.56"``: the decimal string of the ``espaco-import/1``
    format, inverse of ``parse_money``."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"


def format_decimal_br(cents: int) -> str:
    """``123456`` → ``1.234,56``: pt-BR number with two decimals, comma as
    decimal separator and dots between thousands (Banco Central usage)."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{format_int_br(whole)},{fraction:02d}"


def format_brl(cents: int) -> str:
    """``123456`` → ``R$ 1.234,56``; ``0`` → ``R$ 0,00``; ``-123456`` →
    ``-R$ 1.234,56``. Symbol R$ as the Banco Central writes the real."""
    sign = "-" if cents < 0 else ""
    return f"{sign}R$ {format_decimal_br(abs(cents))}"


def format_quantity(value: str | Decimal | int) -> str:
    """A quantity as written in pt-BR: ``"2.35"`` → ``2,35``, ``"1234.5"`` →
    ``1.234,5``, ``"4"`` → ``4``.

    Keeps exactly the decimals it was given (``"2.350"`` → ``2,350``): a
    weighing ticket's precision is the scale's, not ours. Input as in the
    ``espaco-import/1`` format (dot decimal) or a finite ``Decimal``.
    Code ``"format"`` for anything else.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DomainError("format", "Quantidade inválida")
        text = format(value, "f")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise DomainError("format", "Quantidade inválida")
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise DomainError("format", "Quantidade inválida: use o formato 2.35")
    sign, whole, fraction = match.groups()
    formatted = format_int_br(int(whole))
    if fraction:
        formatted += "," + fraction
    return sign + formatted
