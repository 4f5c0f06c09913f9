"""Rendering one template as a whole page or, for htmx, as the fragment it includes."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Response

from espaco.web.compression import PIECES, Pieces
from espaco.web.templating import render_page

# Litestar appends "; charset=utf-8" to every text/* media type itself.
HTML = "text/html"


def is_fragment_request(request: Request) -> bool:
    """An htmx request that wants a fragment (not a history restore, which wants the page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-history-restore-request") != "true"
        and headers.get("hx-request-type", "partial") != "full"
    )


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """Render ``template`` (a page that includes ``fragment``) or, for htmx, ``fragment`` alone.

    Both come from the same partial, so the page and the fragment never drift; ``Vary`` tells
    caches that the answer depends on ``HX-Request``.
    """
    name = fragment if fragment is not None and is_fragment_request(request) else template
    context = {**request.app.state.base_context(request), **context}
    rendered = render_page(request.app.state.templates, name, context)
    if isinstance(rendered, Pieces):  # gzip compresses only the page around its kept parts
        request.scope[PIECES] = rendered  # type: ignore[literal-required]
        content: str | bytes = rendered.body
    else:
        content = rendered
    out_headers = {"Vary": "HX-Request", "Cache-Control": "no-store"}
    if headers:
        out_headers.update(headers)
    return Response(content, media_type=HTML, status_code=status_code, headers=out_headers)


def needs_confirmation(request: Request, data: Any) -> bool:
    """A destructive POST not confirmed yet: without JavaScript it shows ``confirmar.html``
    first; an htmx request comes after its ``hx-confirm`` dialog was accepted."""
    return not is_fragment_request(request) and str(data.get("confirmado", "")) != "1"


def confirmation(
    request: Request, context: dict[str, Any], *, layout: str = "portal_base.html"
) -> Response[str]:
    """The page asking to confirm a destructive POST (see ``templates/confirmar.html``)."""
    return page(request, "confirmar.html", {"layout": layout, "fields": {}, **context})
