"""What a request may carry before anything parses it: body bytes, form fields, NUL characters.

Bytes are Litestar's ``request_max_body_size``, declared per layer: the app's default is
:data:`FORM_MAX_BYTES` (every portal and back-office form), the API router takes
``ESPACO_MAX_BODY_MB`` and the photo and signature uploads :data:`UPLOAD_MAX_BYTES`. Litestar
refuses a ``Content-Length`` over the limit before reading, and counts the bytes of a chunked
body as they arrive.

:func:`request_guard` (an ASGI middleware, outermost after the security headers) refuses what
the byte limit does not catch, before the CSRF check or a handler parses anything: an urlencoded
body with more than :data:`MAX_FORM_FIELDS` fields (counted as the chunks arrive), a query
string over :data:`MAX_QUERY_BYTES`, and a NUL
character in the path, the query string or a form (PostgreSQL text cannot hold one, so it used to
fail deep inside a query). Measured before the limits: a 30 MB form of 3 million fields to
``/entrar`` took 10 s to parse, on the one event loop, and ``/saude`` waited 15 s behind it.
"""

from __future__ import annotations

from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

# The largest form field is a collection request's description (2,000 characters, 500 more
# tolerated); percent-encoded at worst (a 4-byte character is 12 bytes) that is 30 KB.
FORM_MAX_BYTES = 32 * 1024
# The portal's largest form has 7 fields.
MAX_FORM_FIELDS = 100
# The longest filter URL is a few hundred bytes. espaco serve stops a request's line and headers
# at 16 KB (espaco.http_head); this one holds under any server.
MAX_QUERY_BYTES = 8 * 1024
# A 15 MB image (services.operations.media.MAX_PHOTO_BYTES) and its multipart framing and fields.
UPLOAD_MAX_BYTES = 15 * 1024 * 1024 + 64 * 1024

URLENCODED = b"application/x-www-form-urlencoded"


class Refused(HTTPException):
    """A request refused before parsing, with its Portuguese title, message and API code."""

    title = "Pedido inválido"
    message = "O pedido não pôde ser entendido. Confira os dados e tente de novo."
    code = "bad_request"


class BodyTooLarge(Refused):
    """413: more form fields than any form of the portal has."""

    status_code = 413
    title = "Formulário grande demais"
    message = "O formulário enviado passa do tamanho permitido. Confira os dados e envie de novo."
    code = "body_too_large"


class QueryTooLong(Refused):
    """414: a query string longer than any filter of the portal makes."""

    status_code = 414
    title = "Endereço longo demais"
    message = "O endereço pedido é longo demais. Volte e refaça a busca ou o filtro."
    code = "uri_too_long"


class NulCharacter(Refused):
    """400: a NUL character where text was expected."""

    status_code = 400
    title = "Caractere não permitido"
    message = (
        "O texto enviado tem um caractere de controle (NUL) que o portal não aceita. "
        "Apague-o e envie de novo."
    )
    code = "nul_character"


def has_nul(text: str | bytes) -> bool:
    """Whether ``text`` holds a NUL, raw or percent-encoded (``%00``)."""
    if isinstance(text, str):
        return "\x00" in text or "%00" in text
    return b"\x00" in text or b"%00" in text


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return b""


def request_guard(app: ASGIApp) -> ASGIApp:
    """ASGI middleware factory: refuse NUL characters and over-long forms (see the module)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            raise QueryTooLong("query string too long")
        if has_nul(scope.get("path", "")) or has_nul(scope.get("query_string", b"")):
            raise NulCharacter("NUL character in the URL")
        if _content_type(scope) != URLENCODED:
            await app(scope, receive, send)
            return
        fields = 1
        tail = b""  # the last bytes of the previous chunk: "%0" + "0..." spans two chunks

        async def counting_receive() -> ReceiveMessage:
            nonlocal fields, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                fields += chunk.count(b"&")
                if fields > MAX_FORM_FIELDS:
                    raise BodyTooLarge(f"more than {MAX_FORM_FIELDS} form fields")
                if has_nul(tail + chunk):
                    raise NulCharacter("NUL character in a form")
                tail = chunk[-2:]
            return message

        await app(scope, counting_receive, send)

    return middleware
