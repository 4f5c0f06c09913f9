"""What an ERP changes often, by ``external_id``: an invoice's status, a collection's situação
and MTR, its photos and signature. Scope ``import``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Request, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Response

from espaco.domain.errors import DomainError
from espaco.domain.money import parse_money
from espaco.services.imports import erp_updates
from espaco.services.imports.erp_updates import Outcome
from espaco.services.imports.fields import FIRST_YEAR, LAST_YEAR, OUT_OF_RANGE
from espaco.services.operations.media import MAX_PHOTO_BYTES
from espaco.settings import Settings
from espaco.web.api.guard import token_guard
from espaco.web.api.schemas import (
    CollectionState,
    CollectionUpdate,
    InvoiceState,
    InvoiceStatusIn,
    PhotoUpload,
    SignatureUpload,
    errors,
    unprocessable,
)
from espaco.web.auth import clock_of
from espaco.web.errors import ApiProblem
from espaco.web.limits import UPLOAD_MAX_BYTES

COMMON: dict[str, Any] = {"guards": [token_guard], "opt": {"scope": "import"}}
Multipart = Body(media_type=RequestEncodingType.MULTI_PART)


def _in_range(value: date | None, field: str) -> None:
    """The import's years (``fields.FIRST_YEAR`` to ``LAST_YEAR``), or 422: a far instant
    overflowed when turned into the provider's day."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ApiProblem(422, "range", OUT_OF_RANGE, field)


def _answer(outcome: Outcome) -> Response[Any]:
    if not outcome.ok:
        problem = outcome.problems[0]
        raise ApiProblem(422, problem.code, problem.message, problem.path)
    return Response(outcome.state, status_code=200)


@put(
    "/invoices/{external_id:str}/status",
    **COMMON,
    summary="Situação de uma fatura",
    description="Paga (com data e valor pago), em aberto ou cancelada. Escopo: `import`.",
    responses=errors(
        (200, ResponseSpec(InvoiceState, description="A fatura como ficou")),
        unprocessable("required", "Data do pagamento obrigatória quando pago", "paid_on"),
    ),
    tags=["Faturas"],
)
async def invoice_status(
    request: Request, external_id: FromPath[str], data: JSONBody[InvoiceStatusIn]
) -> Response[Any]:
    _in_range(data.paid_on, "paid_on")
    cents = None
    if data.paid_amount is not None:
        try:
            cents = parse_money(data.paid_amount)
        except DomainError as error:
            raise ApiProblem(422, error.code, error.message, "paid_amount") from error
    outcome = await erp_updates.set_invoice_status(
        external_id,
        data.status,
        paid_on=data.paid_on,
        paid_amount_cents=cents,
        now=clock_of(request).now(),
    )
    return _answer(outcome)


@patch(
    "/collections/{external_id:str}",
    **COMMON,
    summary="Situação e MTR de uma coleta",
    description=(
        "Muda só os campos enviados: `status` (scheduled, done, validated, cancelled), "
        "`performed_at` (obrigatório para done e validated), `mtr_number` e `mtr_status` "
        "(situação no SINIR, guardada como veio; `null` apaga). Quando a coleta passa a "
        "realizada ou validada, o cliente que ligou o aviso recebe um e-mail com o link do "
        "ticket (uma vez por coleta). Escopo: `import`."
    ),
    responses=errors(
        (200, ResponseSpec(CollectionState, description="A coleta como ficou")),
        unprocessable("required", "Data e hora da coleta obrigatória", "performed_at"),
    ),
    tags=["Coletas"],
)
async def collection_update(
    request: Request, external_id: FromPath[str], data: JSONBody[CollectionUpdate]
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    changes: dict[str, Any] = {}
    if data.status is not None:
        changes["status"] = data.status
    if data.performed_at is not None:
        _in_range(data.performed_at, "performed_at")
        changes["performed_at"] = data.performed_at
    for name in ("mtr_number", "mtr_status"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            changes[name] = value.strip() or None if isinstance(value, str) else value
    outcome = await erp_updates.update_collection(
        external_id, changes, tz=settings.tz, notify=settings, now=clock_of(request).now()
    )
    return _answer(outcome)


async def _read_upload(upload: Any) -> bytes:
    if not isinstance(upload, UploadFile):  # a plain form field where a file was expected
        raise ApiProblem(400, "invalid", "Envie o arquivo como parte multipart com nome.", "file")
    data: bytes = await upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiProblem(413, "file_too_large", "Imagem maior que 15 MB.", "file")
    return data


@post(
    "/collections/{external_id:str}/photos",
    **COMMON,
    request_max_body_size=UPLOAD_MAX_BYTES,
    status_code=200,
    summary="Foto de uma coleta",
    description=(
        "Multipart: `stage` (before ou after), `file` (JPEG, PNG ou WebP até 15 MB, conferido "
        "pelo conteúdo) e `taken_at` opcional. A mesma foto no mesmo momento não é repetida. "
        "Escopo: `import`."
    ),
    responses=errors(
        (200, ResponseSpec(CollectionState, description="A coleta com suas fotos")),
        unprocessable("file_type", "Arquivo não é uma imagem JPEG, PNG ou WebP", "file"),
    ),
    tags=["Coletas"],
)
async def collection_photo(
    request: Request,
    external_id: FromPath[str],
    data: Annotated[PhotoUpload, Multipart],
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    if data.taken_at is not None and data.taken_at.tzinfo is None:
        raise ApiProblem(422, "format", "taken_at precisa do fuso (ISO 8601)", "taken_at")
    content = await _read_upload(data.file)
    outcome = await erp_updates.add_photo(
        external_id, content, stage=data.stage, taken_at=data.taken_at, settings=settings
    )
    return _answer(outcome)


@put(
    "/collections/{external_id:str}/signature",
    **COMMON,
    request_max_body_size=UPLOAD_MAX_BYTES,
    summary="Assinatura de quem recebeu a coleta",
    description="Multipart: `file` (JPEG, PNG ou WebP até 15 MB). Substitui a anterior.",
    responses=errors(
        (200, ResponseSpec(CollectionState, description="A coleta com a assinatura")),
        unprocessable("file_type", "Arquivo não é uma imagem JPEG, PNG ou WebP", "file"),
    ),
    tags=["Coletas"],
)
async def collection_signature(
    request: Request,
    external_id: FromPath[str],
    data: Annotated[SignatureUpload, Multipart],
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    content = await _read_upload(data.file)
    outcome = await erp_updates.set_signature(external_id, content, settings=settings)
    return _answer(outcome)
