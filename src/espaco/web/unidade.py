"""The unit selector of a group's pages (``?unidade=``): which members a page reads.

A group's session sees every member ("Todas as unidades") or the one chosen; a client's own
session sees itself. A ``unidade`` outside the session's scope is another client's id: 404.
A form that acts on one unit (``/avisos``) posts its ``unidade`` in the body, checked against
the scope again the same way (:func:`narrowed` with ``form``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from litestar import Request

from espaco.domain.errors import NotFound
from espaco.services.access import scope
from espaco.services.access.scope import Scope
from espaco.services.access.sessions import ClientSession
from espaco.web.params import query_id


def _unit(value: Any, client: ClientSession) -> int | None:
    """The unit a ``unidade`` value names (None: none named); outside the scope: 404."""
    text = str(value or "")[:20]
    if not text.strip():
        return None
    unit = query_id(text)
    if unit is None or unit not in client.scope:
        raise NotFound("Unidade não encontrada.")
    return unit


def chosen(request: Request, client: ClientSession) -> tuple[Scope, int | None]:
    """The scope the page reads, and the unit chosen (None: every unit of the session)."""
    unit = _unit(request.query_params.get("unidade"), client)
    return (client.scope, None) if unit is None else ((unit,), unit)


def version(client: ClientSession, scope: Scope) -> int | None:
    """The data version the session lookup read, when ``scope`` is the client it read it for
    (the page caches' key; None: they read the scope's own)."""
    return client.data_version if scope == (client.client_id,) else None


def labels(client: ClientSession) -> dict[int, str] | None:
    """Unit names by client id for a group's tables (their "Unidade" column); None otherwise."""
    return {u.id: u.label for u in client.units} if client.is_group else None


async def narrowed(
    request: Request, client: ClientSession, form: Mapping[str, Any] | None = None
) -> ClientSession:
    """The session seen as one unit, for the per-CNPJ documents (Relatório de resíduos, DMR,
    dossiê) and the notices (Avisos): ``?unidade=`` (or the posted ``form``'s ``unidade``) picks
    a member of a group (default: the unit that logged in); the session's scope and units stay,
    so the selector still lists them. Outside the scope: 404."""
    source = request.query_params if form is None else form
    unidade = _unit(source.get("unidade"), client)
    if unidade is None or unidade == client.client_id:
        return client
    row = await scope.unit(unidade, client.scope)
    return replace(
        client,
        client_id=unidade,
        client_name=row.name,
        trade_name=row.trade_name,
        document=row.document,
        data_version=None,  # the caches read the unit's own
    )
