"""CPF and CNPJ: the Receita Federal's taxpayer numbers for people and companies.

Validation is python-stdnum's (``stdnum.br.cpf`` / ``stdnum.br.cnpj``, which
since 2.2 know the alphanumeric CNPJ); this module adds the project's rules
around it: one normal form, Portuguese errors, formatting and LGPD masking.
"""

from __future__ import annotations

import re
from typing import Literal

from stdnum.br import cnpj as _cnpj
from stdnum.br import cpf as _cpf

from espaco.domain.errors import DomainError

CPF_LENGTH = 11
CNPJ_LENGTH = 14

# Separators people type or paste: spaces, the usual punctuation and the
# typographic dashes word processors substitute for "-".
_SEPARATORS = re.compile(r"[\s./\-\u2010-\u2015]")
_CPF = re.compile(r"[0-9]{11}")
_CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_CPF_BASE = re.compile(r"[0-9]{9}")
_CNPJ_BASE = re.compile(r"[0-9A-Z]{12}")


def normalize_document(text: str) -> str:
    """Strip spaces and the punctuation ``. / -`` and upper-case the rest.

    Receita Federal prints CPF as ``000.000.000-00`` and CNPJ as
    ``00.000.000/0000-00``; the stored form is the bare characters, with the
    letters of an alphanumeric CNPJ upper-cased (IN RFB 2.229/2024).
    """
    return _SEPARATORS.sub("", text).upper()


def _all_same(number: str) -> bool:
    return len(set(number)) == 1


def is_valid_cpf(text: str) -> bool:
    """Whether ``text`` is a valid CPF (Receita Federal: 11 digits, two mod-11
    check digits; numbers with all digits equal are not issued)."""
    number = normalize_document(text)
    return bool(_CPF.fullmatch(number)) and not _all_same(number) and _cpf.is_valid(number)


def is_valid_cnpj(text: str) -> bool:
    """Whether ``text`` is a valid CNPJ, numeric or alphanumeric.

    Receita Federal (IN RFB 2.229/2024, from July 2026): 12 characters
    ``[0-9A-Z]`` then 2 check digits, mod 11 over the values ``ord(c) - 48``.
    """
    number = normalize_document(text)
    return bool(_CNPJ.fullmatch(number)) and not _all_same(number) and _cnpj.is_valid(number)


def validate_document(text: str) -> str:
    """Return the normalised CPF (11 digits) or CNPJ (14 characters) in ``text``.

    Rules of the Receita Federal as in ``is_valid_cpf`` / ``is_valid_cnpj``.
    Raises ``DomainError`` with code ``"format"`` (wrong length or characters)
    or ``"check_digit"``.
    """
    number = normalize_document(text)
    if len(number) == CPF_LENGTH:
        if not _CPF.fullmatch(number):
            raise DomainError("format", "CPF deve ter 11 dígitos")
        if not is_valid_cpf(number):
            raise DomainError("check_digit", "CPF com dígito verificador inválido")
        return number
    if len(number) == CNPJ_LENGTH:
        if not _CNPJ.fullmatch(number):
            raise DomainError("format", "CNPJ deve ter 12 letras ou números seguidos de 2 dígitos")
        if not is_valid_cnpj(number):
            raise DomainError("check_digit", "CNPJ com dígito verificador inválido")
        return number
    if not number:
        raise DomainError("format", "Informe um CPF ou CNPJ")
    raise DomainError("format", "Documento deve ser um CPF (11 dígitos) ou um CNPJ (14 caracteres)")


def document_kind(normalised: str) -> Literal["cpf", "cnpj"]:
    """Tell a normalised CPF from a CNPJ by its length (Receita Federal: CPF 11,
    CNPJ 14). Does not check the digits; raises ``DomainError("format")`` on
    any other length."""
    if len(normalised) == CPF_LENGTH:
        return "cpf"
    if len(normalised) == CNPJ_LENGTH:
        return "cnpj"
    raise DomainError("format", "Documento deve ser um CPF (11 dígitos) ou um CNPJ (14 caracteres)")


def cpf_check_digits(first9: str) -> str:
    """The two check digits of a CPF whose first nine digits are ``first9``.

    Receita Federal: each digit is 11 − (weighted sum mod 11), 0 when that is
    10 or 11; weights 10..2 for the first, 11..2 (over ten digits) for the second.
    """
    if not _CPF_BASE.fullmatch(first9):
        raise DomainError("format", "A base do CPF deve ter 9 dígitos")
    digits = [int(c) for c in first9]
    for _ in range(2):
        total = sum(w * d for w, d in zip(range(len(digits) + 1, 1, -1), digits, strict=True))
        digits.append((11 - total % 11) % 11 % 10)
    return f"{digits[-2]}{digits[-1]}"


def cnpj_check_digits(first12: str) -> str:
    """The two check digits of a CNPJ whose first twelve characters are ``first12``.

    Receita Federal (alphanumeric CNPJ): mod 11 over ``ord(c) - 48``, weights
    2..9 from the right; computed by python-stdnum.
    """
    base = first12.upper()
    if not _CNPJ_BASE.fullmatch(base):
        raise DomainError("format", "A base do CNPJ deve ter 12 letras ou números")
    return _cnpj.calc_check_digits(base)


def _normalised_of_length(text: str, length: int, label: str) -> str:
    number = normalize_document(text)
    if len(number) != length:
        raise DomainError("format", f"{label} deve ter {length} caracteres")
    return number


def format_cpf(text: str) -> str:
    """``12345678909`` → ``123.456.789-09``, the Receita Federal's presentation."""
    number = _normalised_of_length(text, CPF_LENGTH, "CPF")
    return _cpf.format(number)


def format_cnpj(text: str) -> str:
    """``12ABC34501DE35`` → ``12.ABC.345/01DE-35``, the Receita Federal's presentation."""
    number = _normalised_of_length(text, CNPJ_LENGTH, "CNPJ")
    return _cnpj.format(number)


def format_document(normalised: str) -> str:
    """Format a CPF or CNPJ (Receita Federal presentation), chosen by length."""
    if document_kind(normalised) == "cpf":
        return format_cpf(normalised)
    return format_cnpj(normalised)


def mask_cpf(text: str) -> str:
    """``12345678909`` → ``***.456.789-**``.

    LGPD (Lei 13.709/2018): a CPF shown to someone other than its owner keeps
    only the middle six digits, the masking the federal government uses on
    its own portals.
    """
    number = _normalised_of_length(text, CPF_LENGTH, "CPF")
    return f"***.{number[3:6]}.{number[6:9]}-**"


def mask_document(normalised: str) -> str:
    """Mask a CPF (personal data under the LGPD); a CNPJ is public and is
    shown in full, formatted as the Receita Federal prints it."""
    if document_kind(normalised) == "cpf":
        return mask_cpf(normalised)
    return format_cnpj(normalised)
