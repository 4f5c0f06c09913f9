"""Error pages in Portuguese: a person never sees a stack trace or an English JSON blob."""

from __future__ import annotations

import logging

from litestar import Request
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Response

from espaco.web.pages import page

log = logging.getLogger("espaco")

CSRF_FAILED = "CSRF token verification failed"

MESSAGES = {
    400: ("Pedido inválido", "O pedido não pôde ser entendido. Confira os dados e tente de novo."),
    403: ("Acesso negado", "Você não tem permissão para abrir esta página."),
    404: ("Página não encontrada", "O endereço não existe ou não está disponível para você."),
    405: ("Método não permitido", "Esta página não aceita esse tipo de pedido."),
    413: ("Arquivo grande demais", "O conteúdo enviado passa do tamanho permitido."),
    500: ("Erro no servidor", "Algo deu errado do nosso lado. Tente de novo em instantes."),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if _wants_json(request):
        return Response(
            {"code": "http_error", "message": MESSAGES.get(status, MESSAGES[400])[1], "path": ""},
            status_code=status,
        )
    title, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
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


def not_found(request: Request, exc: NotFoundException) -> Response:
    return http_error(request, exc)


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    title, message = MESSAGES[500]
    if _wants_json(request):
        return Response({"code": "server_error", "message": message, "path": ""}, status_code=500)
    return page(
        request, "erro.html", {"title": title, "message": message, "status": 500}, status_code=500
    )
