"""Access keys of fiscal documents: NF-e (goods) and national NFS-e (services).

NF-e key, 44 positions (SEFAZ/ENCAT, Manual de Orientação do Contribuinte,
"Chave de Acesso"):

    cUF(2) AAMM(4) CNPJ(14) mod(2) serie(3) nNF(9) tpEmis(1) cNF(8) DV(1)

Since the alphanumeric CNPJ (IN RFB 2.229/2024 and the SEFAZ technical note
that followed it) the 14 CNPJ positions may hold letters, valued
``ord(c) - 48`` in the check digit.
"""

from __future__ import annotations

import re
from typing import Literal

from espaco.domain.errors import DomainError

NFE_KEY_LENGTH = 44
NFSE_KEY_LENGTH = 50
FISCAL_KIND_LABELS: dict[str, str] = {"nfe": "NF-e", "nfse": "NFS-e"}

_SEPARATORS = re.compile(r"[\s.\-/]")
_NFE_BODY = re.compile(r"[0-9]{6}[0-9A-Z]{14}[0-9]{23}")
_NFE_KEY = re.compile(r"[0-9]{6}[0-9A-Z]{14}[0-9]{24}")
_NFSE_KEY = re.compile(r"[0-9]{50}")


def nfe_key_check_digit(first43: str) -> str:
    """The check digit of an NF-e access key (SEFAZ Manual de Orientação do
    Contribuinte): weights 2..9 from the right over the 43 positions, valued
    ``ord(c) - 48``; remainder mod 11 of 0 or 1 gives 0, else 11 − remainder."""
    if not _NFE_BODY.fullmatch(first43):
        raise DomainError("format", "Os 43 primeiros caracteres da chave de acesso são inválidos")
    total = sum((ord(c) - 48) * (2 + i % 8) for i, c in enumerate(reversed(first43)))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _normalise(text: str) -> str:
    # DANFEs print the key in groups of four; people paste it with the spaces.
    key = _SEPARATORS.sub("", text).upper()
    return key.removeprefix("NFE") if len(key) == NFE_KEY_LENGTH + 3 else key


def validate_nfe_key(text: str) -> str:
    """The normalised 44-character NF-e access key in ``text`` (spaces and an
    ``NFe`` prefix as in the XML ``Id`` allowed), its check digit verified per
    the SEFAZ Manual de Orientação do Contribuinte. Codes ``"length"``,
    ``"format"``, ``"check_digit"``."""
    key = _normalise(text)
    if len(key) != NFE_KEY_LENGTH:
        raise DomainError("length", "Chave de acesso da NF-e deve ter 44 dígitos")
    if not _NFE_KEY.fullmatch(key):
        raise DomainError("format", "Chave de acesso da NF-e deve conter apenas dígitos")
    if nfe_key_check_digit(key[:43]) != key[43]:
        raise DomainError("check_digit", "Chave de acesso da NF-e com dígito verificador inválido")
    return key


def validate_nfse_key(text: str) -> str:
    """The normalised 50-digit access key of a national-standard NFS-e
    (Receita Federal / Sistema Nacional NFS-e, "chave de acesso"): only its
    length and digits are checked. Codes ``"length"``, ``"format"``."""
    key = _SEPARATORS.sub("", text).upper()
    if len(key) != NFSE_KEY_LENGTH:
        raise DomainError("length", "Chave de acesso da NFS-e deve ter 50 dígitos")
    if not _NFSE_KEY.fullmatch(key):
        raise DomainError("format", "Chave de acesso da NFS-e deve conter apenas dígitos")
    return key


def validate_access_key(kind: Literal["nfe", "nfse"], text: str) -> str:
    """Validate ``text`` as the access key of a fiscal document of ``kind``
    (SEFAZ rules for NF-e, Sistema Nacional NFS-e rules for NFS-e)."""
    if kind == "nfe":
        return validate_nfe_key(text)
    if kind == "nfse":
        return validate_nfse_key(text)
    raise DomainError("kind", "Tipo de documento fiscal deve ser nfe ou nfse")


def format_access_key(key: str) -> str:
    """``3526 1012 ...``: the key in groups of four, as the DANFE prints it
    (SEFAZ Manual de Orientação do Contribuinte, DANFE layout)."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
