"""The ERP integration API (``/api/v1``), JSON in and out, documented at ``/api/docs``."""

from __future__ import annotations

from litestar import Router

from espaco.web.api import imports, records, solicitacoes
from espaco.web.api.body import ApiRequest


def router(max_body_bytes: int) -> Router:
    """The API's routes, taking bodies up to ``max_body_bytes`` (``ESPACO_MAX_BODY_MB``: an
    import carries its files inline) where the portal's forms take a few KB."""
    return Router(
        path="/api/v1",
        route_handlers=[
            imports.import_endpoint,
            records.invoice_status,
            records.collection_update,
            records.collection_photo,
            records.collection_signature,
            solicitacoes.list_requests,
            solicitacoes.schedule,
            solicitacoes.refuse,
        ],
        include_in_schema=True,
        request_class=ApiRequest,
        request_max_body_size=max_body_bytes,
    )


__all__ = ["router"]
