"""PIX copia-e-cola: the Banco Central's BR Code (Manual do BR Code, over the
EMV QRCPS Merchant-Presented Mode specification).

A payload is a run of TLV fields: a 2-digit id, a 2-digit length and the
value; some values are TLV runs themselves (templates). Field 63 closes the
payload with a CRC16-CCITT over everything before its value.
"""

from __future__ import annotations

import binascii
import re
import unicodedata

from espaco.domain.errors import DomainError
from espaco.domain.money import cents_to_decimal_str

PIX_GUI = "br.gov.bcb.pix"
NAME_MAX = 25
CITY_MAX = 15
TXID_NONE = "***"

_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_ID = re.compile(r"[0-9]{2}")
# EMV MPM: 26..51 are merchant account templates (PIX uses 26), 62 the
# additional data template; their values are TLV runs too.
_MERCHANT_ACCOUNT_IDS = frozenset(f"{n:02d}" for n in range(26, 52))
_TEMPLATE_IDS = _MERCHANT_ACCOUNT_IDS | {"62"}
_CRC_TAG = "6304"
# EMV MPM mandatory fields besides 00, 63 and one merchant account template.
_MANDATORY_IDS = ("52", "53", "58", "59", "60")


def crc16(payload: str) -> str:
    """CRC16-CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) of the
    UTF-8 bytes of ``payload``, as 4 upper-case hex digits: the field-63
    checksum of the Banco Central's Manual do BR Code."""
    return f"{binascii.crc_hqx(payload.encode('utf-8'), 0xFFFF):04X}"


def _tlv(field_id: str, value: str) -> str:
    if len(value) > 99:
        raise DomainError("format", f"Campo {field_id} do BR Code excede 99 caracteres")
    return f"{field_id}{len(value):02d}{value}"


def _parse_tlv(text: str, prefix: str = "") -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    seen: set[str] = set()
    pos = 0
    while pos < len(text):
        field_id, length = text[pos : pos + 2], text[pos + 2 : pos + 4]
        if not (_ID.fullmatch(field_id) and _ID.fullmatch(length)):
            raise DomainError("format", f"BR Code malformado na posição {pos + 1}")
        end = pos + 4 + int(length)
        if end > len(text):
            raise DomainError("format", f"Campo {prefix}{field_id} do BR Code incompleto")
        if field_id in seen:
            raise DomainError("format", f"Campo {prefix}{field_id} repetido no BR Code")
        seen.add(field_id)
        fields.append((field_id, text[pos + 4 : end]))
        pos = end
    return fields


def parse_brcode(text: str) -> dict[str, str]:
    """The fields of a BR Code, verified: ``{"00": "01", "26": ..., "26.00":
    "br.gov.bcb.pix", "26.01": key, ..., "62.05": txid, "63": crc}``.

    Banco Central, Manual do BR Code: field 00 = "01" first, field 63 (length
    4) last, holding the CRC16 of everything up to and including "6304"; the
    mandatory fields (a merchant account template, 52, 53, 58, 59, 60) present.
    Lengths count characters. Codes ``"format"`` (broken TLV) and ``"crc"``.
    """
    payload = text.strip()
    top = _parse_tlv(payload)
    if not top or top[0] != ("00", "01"):
        raise DomainError("format", "BR Code deve começar pelo campo 00 com valor 01")
    if top[-1][0] != "63" or len(top[-1][1]) != 4 or payload[-8:-4] != _CRC_TAG:
        raise DomainError("format", "BR Code deve terminar pelo campo 63 (CRC)")
    ids = {field_id for field_id, _ in top}
    for mandatory in _MANDATORY_IDS:
        if mandatory not in ids:
            raise DomainError("format", f"BR Code sem o campo obrigatório {mandatory}")
    if not ids & _MERCHANT_ACCOUNT_IDS:
        raise DomainError("format", "BR Code sem os dados da conta do recebedor (campo 26)")
    fields: dict[str, str] = {}
    for field_id, value in top:
        fields[field_id] = value
        if field_id in _TEMPLATE_IDS:
            for sub_id, sub_value in _parse_tlv(value, prefix=f"{field_id}."):
                fields[f"{field_id}.{sub_id}"] = sub_value
    if fields["63"].upper() != crc16(payload[:-4]):
        raise DomainError("crc", "PIX copia-e-cola com CRC inválido: o código foi alterado")
    return fields


def ascii_upper(text: str) -> str:
    """Accents removed and upper-cased (``"São Paulo"`` → ``"SAO PAULO"``), as
    the Manual do BR Code recommends for the name and city fields so every
    bank's app can show them."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = decomposed.encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.split()).upper()


def build_static_brcode(
    key: str, name: str, city: str, amount_cents: int | None, txid: str = TXID_NONE
) -> str:
    """A static PIX copia-e-cola (Banco Central, Manual do BR Code) for the
    provider's key.

    Name truncated to 25 and city to 15 characters after removing accents and
    upper-casing; amount (field 54) only when given; txid up to 25 letters or
    digits, ``***`` when there is none. Codes ``"format"``, ``"amount"``.
    """
    key = key.strip()
    if not key or not key.isascii() or len(key) > 77:
        raise DomainError("format", "Chave PIX inválida")
    merchant_name = ascii_upper(name)[:NAME_MAX].rstrip()
    merchant_city = ascii_upper(city)[:CITY_MAX].rstrip()
    if not merchant_name:
        raise DomainError("format", "Informe o nome do recebedor do PIX")
    if not merchant_city:
        raise DomainError("format", "Informe a cidade do recebedor do PIX")
    if txid != TXID_NONE and not _TXID.fullmatch(txid):
        raise DomainError("format", "Identificador do PIX (txid): até 25 letras ou números")
    amount = ""
    if amount_cents is not None:
        if amount_cents <= 0:
            raise DomainError("amount", "Valor do PIX deve ser maior que zero")
        amount = _tlv("54", cents_to_decimal_str(amount_cents))
        if len(amount) > 4 + 13:
            raise DomainError("amount", "Valor do PIX excede 13 caracteres")
    payload = (
        _tlv("00", "01")
        + _tlv("26", _tlv("00", PIX_GUI) + _tlv("01", key))
        + _tlv("52", "0000")
        + _tlv("53", "986")
        + amount
        + _tlv("58", "BR")
        + _tlv("59", merchant_name)
        + _tlv("60", merchant_city)
        + _tlv("62", _tlv("05", txid))
        + _CRC_TAG
    )
    return payload + crc16(payload)
