"""Routes anyone may open: the health check and the root redirect."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect, Response

from espaco.db import database
from espaco.web.guards import PUBLIC


@get("/", include_in_schema=False, opt=PUBLIC)
async def root() -> Redirect:
    return Redirect("/entrar", status_code=303)


@get("/saude", include_in_schema=False, opt=PUBLIC)
async def health() -> Response[dict[str, str]]:
    """200 when the database answers, 503 otherwise (for load balancers)."""
    if await database.is_healthy():
        return Response({"status": "ok"}, headers={"Cache-Control": "no-store"})
    return Response({"status": "indisponível"}, status_code=503)
