"""The API's bodies as the OpenAPI document shows them, and the errors every endpoint may give."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar.datastructures import UploadFile
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

MONEY = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
Money = Annotated[str, msgspec.Meta(pattern=MONEY, examples=["1234.56"])]
Mtr = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,30}$", examples=["260010679516"])]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


@dataclass
class ApiError:
    """Every error: where (a JSON path, or empty), a stable code, and a Portuguese message."""

    path: str
    code: str
    message: str


@dataclass
class ImportRefused:
    """A refused import: every problem of the document; nothing was written."""

    path: str
    code: str
    message: str
    problems: list[ApiError] = field(default_factory=list)


@dataclass
class SectionCounts:
    created: int
    updated: int
    unchanged: int


@dataclass
class ImportDone:
    """An import that went in whole: what it created, updated and left unchanged per section."""

    ok: bool
    counts: dict[str, SectionCounts]


class InvoiceStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    """``paid`` needs ``paid_on`` and ``paid_amount``; ``open`` and ``cancelled`` take neither."""

    status: Literal["open", "paid", "cancelled"]
    paid_on: date | None = None
    paid_amount: Money | None = None


@dataclass
class InvoiceState:
    external_id: str
    status: str
    paid_on: str | None
    paid_amount: str | None


class CollectionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``null`` clears ``mtr_number`` or ``mtr_status``."""

    status: Literal["scheduled", "done", "validated", "cancelled"] | None = None
    performed_at: Instant | None = None
    mtr_number: Mtr | None | msgspec.UnsetType = msgspec.UNSET
    mtr_status: Annotated[str, msgspec.Meta(max_length=40)] | None | msgspec.UnsetType = (
        msgspec.UNSET
    )


@dataclass
class PhotoState:
    stage: str
    position: int


@dataclass
class CollectionState:
    external_id: str
    status: str
    performed_at: str | None
    mtr_number: str | None
    mtr_status: str | None
    photos: list[PhotoState]
    signature: bool


@dataclass
class PhotoUpload:
    """``file``: JPEG, PNG or WebP up to 15 MB (checked by its bytes, not its name)."""

    stage: Literal["before", "after"]
    file: UploadFile
    taken_at: datetime | None = None


@dataclass
class SignatureUpload:
    """``file``: the drawn signature, JPEG, PNG or WebP up to 15 MB."""

    file: UploadFile


def _error(description: str, code: str, message: str, path: str = "") -> ResponseSpec:
    return ResponseSpec(
        ApiError,
        description=description,
        examples=[Example(summary=code, value={"path": path, "code": code, "message": message})],
    )


COMMON_ERRORS: dict[int, ResponseSpec] = {
    400: _error("Corpo ou parâmetro inválido", "invalid", "Tipo de valor inválido", "status"),
    401: _error("Sem token válido", "unauthorized", "Token ausente, inválido ou revogado."),
    403: _error("Token sem o escopo", "forbidden", "Este token não tem o escopo exigido."),
    404: _error("Registro não encontrado", "not_found", "Registro não encontrado."),
    413: _error("Corpo grande demais", "body_too_large", "O corpo passa do tamanho permitido."),
    429: _error("Limite de pedidos", "rate_limited", "Pedidos demais: tente em 12 s."),
}


def errors(*extra: tuple[int, ResponseSpec]) -> dict[int, ResponseSpec]:
    return {**COMMON_ERRORS, **dict(extra)}


def unprocessable(code: str, message: str, path: str = "") -> tuple[int, ResponseSpec]:
    return 422, _error("Dados recusados", code, message, path)
