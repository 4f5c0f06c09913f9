"""``POST /api/v1/import``: an ``espaco-import/1`` document, inline files only, with
``Idempotency-Key``."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Request, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter
from litestar.response import Response

from espaco.services.imports import ImportResult, idempotency, import_document
from espaco.settings import Settings
from espaco.web.api.guard import caller_of, token_guard
from espaco.web.api.schemas import ImportDone, ImportRefused, _error, errors
from espaco.web.auth import clock_of
from espaco.web.errors import ApiProblem

EXAMPLE = {
    "format": "espaco-import/1",
    "clients": [
        {
            "external_id": "CLI-0001",
            "document": "11.222.333/0001-81",
            "name": "Padaria Pão Quente Ltda",
            "locations": [
                {
                    "external_id": "LOC-0001",
                    "label": "Matriz",
                    "street": "Rua das Flores",
                    "number": "120",
                    "district": "Centro",
                    "city": "Campinas",
                    "state": "SP",
                    "cep": "13010-050",
                }
            ],
        }
    ],
}


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _answer(result: ImportResult) -> tuple[int, str]:
    if result.ok:
        counts = {
            section: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for section, c in result.counts.items()
        }
        return 200, _json({"ok": True, "counts": counts})
    problems = [{"path": p.path, "code": p.code, "message": p.message} for p in result.problems]
    first = problems[0] if problems else {"path": "", "code": "invalid", "message": ""}
    message = (
        first["message"]
        if len(problems) == 1
        else f"O documento tem {len(problems)} problemas; nada foi importado."
    )
    payload = {
        "path": first["path"],
        "code": first["code"] if len(problems) == 1 else "invalid_document",
        "message": message,
        "problems": problems,
    }
    return 422, _json(payload)


@post(
    "/import",
    guards=[token_guard],
    opt={"scope": "import"},
    status_code=200,
    summary="Importar um documento espaco-import/1",
    description=(
        "O mesmo formato de `espaco import` (veja import-format.md), com arquivos só em base64. "
        "O documento inteiro é validado antes; entra todo numa transação ou nada entra. "
        "Importar o mesmo documento de novo não muda nada. Escopo: `import`.\n\n"
        "`Idempotency-Key`: a mesma chave com o mesmo corpo devolve a primeira resposta; "
        "com outro corpo, 422; enquanto a primeira ainda roda, 409."
    ),
    responses=errors(
        (200, ResponseSpec(ImportDone, description="Importado (ou nada mudou)")),
        (422, ResponseSpec(ImportRefused, description="Documento recusado; nada foi gravado")),
        (409, _error("Chave em uso", "idempotency_in_progress", "Pedido em andamento.")),
    ),
    tags=["Importação"],
)
async def import_endpoint(
    request: Request,
    data: Annotated[
        dict[str, Any],
        Body(
            title="Documento espaco-import/1",
            examples=[Example(summary="Um cliente com um local", value=EXAMPLE)],
        ),
    ],
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(name="Idempotency-Key", required=False, min_length=1, max_length=200),
    ] = None,
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    caller = caller_of(request)
    now = clock_of(request).now()
    claim = None
    if idempotency_key is not None:
        digest = idempotency.body_hash(await request.body())
        claim = await idempotency.claim(caller.token_id, idempotency_key, digest, now=now)
        if claim.outcome == "replay":
            return Response(
                claim.response.encode(),
                status_code=claim.status_code,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        if claim.outcome == "mismatch":
            raise ApiProblem(
                422,
                "idempotency_key_reused",
                "Esta Idempotency-Key já foi usada com outro corpo.",
                "Idempotency-Key",
            )
        if claim.outcome == "running":
            raise ApiProblem(
                409,
                "idempotency_in_progress",
                "O primeiro pedido com esta Idempotency-Key ainda está em andamento.",
                "Idempotency-Key",
            )
    try:
        result = await import_document(data, settings, base_dir=None, now=now)
        status, body = _answer(result)
        if claim is not None:
            await idempotency.finish(claim, status, body)
    except BaseException:
        if claim is not None:
            await idempotency.release(claim)
        raise
    return Response(body.encode(), status_code=status, media_type="application/json")
