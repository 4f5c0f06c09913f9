"""Error pages in Portuguese: a person never sees a stack trace or an English JSON blob."""

from __future__ import annotations

import logging

from litestar import Request
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Response

from espaco.domain.errors import NotFound
from espaco.web.csrf import FAILED as CSRF_FAILED
from espaco.web.limits import Refused
from espaco.web.pages import page

log = logging.getLogger("espaco")


MESSAGES = {
    400: ("Pedido inválido", "O pedido não pôde ser entendido. Confira os dados e tente de novo."),
    403: ("Acesso negado", "Você não tem permissão para abrir esta página."),
    404: ("Página não encontrada", "O endereço não existe ou não está disponível para você."),
    405: ("Método não permitido", "Esta página não aceita esse tipo de pedido."),
    413: ("Envio grande demais", "O formulário ou arquivo enviado passa do tamanho permitido."),
    500: ("Erro no servidor", "Algo deu errado do nosso lado. Tente de novo em instantes."),
    503: ("Portal ocupado", "Muitos arquivos sendo preparados agora. Tente de novo em instantes."),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# The API's answer for each status: a stable code and a Portuguese message.
API_ERRORS = {
    400: ("bad_request", "O pedido não pôde ser entendido: confira o JSON e os campos."),
    401: ("unauthorized", "Token ausente, inválido ou revogado. Envie Authorization: Bearer."),
    403: ("forbidden", "Este token não tem permissão para esta operação."),
    404: ("not_found", "Endereço ou registro não encontrado."),
    405: ("method_not_allowed", "Este endereço não aceita esse método."),
    409: ("conflict", "Conflito com outro pedido em andamento."),
    413: ("body_too_large", "O corpo do pedido passa do tamanho permitido."),
    415: ("unsupported_media_type", "Tipo de conteúdo não aceito."),
    422: ("invalid", "Dados inválidos."),
    429: ("rate_limited", "Pedidos demais para este token: espere e tente de novo."),
}


class ApiProblem(HTTPException):
    """An API refusal with its own code, message and JSON path."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        path: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=message, status_code=status_code, headers=headers)
        self.code = code
        self.message = message
        self.path = path


def _validation_path(exc: ValidationException) -> tuple[str, str]:
    """The field a validation error names, and a Portuguese message for it."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    key = str(first.get("key") or "")
    text = str(first.get("message") or "")
    quoted = text.split("`")[1] if text.count("`") >= 2 else ""
    if "missing required field" in text:
        return quoted or key, "Campo obrigatório"
    if "unknown field" in text:
        return quoted or key, "Campo desconhecido"
    if "malformed" in text:
        return key, "JSON inválido"
    if "Invalid enum value" in text:
        return key, "Valor fora da lista permitida"
    if "RFC3339" in text or "date" in text.lower():
        return key, "Data ou data e hora inválida (AAAA-MM-DD ou ISO 8601 com fuso)"
    if text.startswith("Expected") and "got" in text:
        return key, "Tipo de valor inválido"
    return key, "Valor inválido"


def api_error(exc: HTTPException) -> Response:
    """``{"path", "code", "message"}`` for every error under ``/api/``."""
    status = exc.status_code
    code, message = API_ERRORS.get(status, ("http_error", MESSAGES.get(status, MESSAGES[400])[1]))
    path = ""
    if isinstance(exc, ApiProblem):
        code, message, path = exc.code, exc.message, exc.path
    elif isinstance(exc, Refused):
        code, message = exc.code, exc.message
    elif isinstance(exc, ValidationException) and exc.extra:
        code = "invalid"
        path, message = _validation_path(exc)
    elif status == 400 and "JSON" in str(exc.detail):
        code, message = "invalid_json", "O corpo não é um JSON válido."
    return Response(
        {"path": path, "code": code, "message": message},
        status_code=status,
        headers=exc.headers or None,
    )


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if _wants_json(request):
        return api_error(exc)
    title, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    if isinstance(exc, Refused):
        title, message = exc.title, exc.message
    if isinstance(exc, PermissionDeniedException) and exc.detail == CSRF_FAILED:
        title = "Formulário expirado"
        message = (
            "O formulário expirou ou não veio desta página. Volte, recarregue a página e "
            "envie de novo."
        )
    return page(
        request,
        "erro.html",
        {"title": title, "message": message, "status": status},
        status_code=status,
    )


def not_found(request: Request, exc: NotFound) -> Response:
    """A service's :class:`NotFound`: the 404 page, or for the API its message, naming the
    path parameter that found nothing (``protocol``, ``external_id``)."""
    if _wants_json(request):
        path = next(iter(request.path_params), "")
        return api_error(ApiProblem(404, "not_found", exc.message, path))
    return http_error(request, NotFoundException())


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    title, message = MESSAGES[500]
    if _wants_json(request):
        return Response({"code": "server_error", "message": message, "path": ""}, status_code=500)
    return page(
        request, "erro.html", {"title": title, "message": message, "status": 500}, status_code=500
    )
