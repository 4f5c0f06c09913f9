"""The ERP integration API (``/api/v1``), JSON in and out, documented at ``/api/docs``."""

from __future__ import annotations

from litestar import Router

from espaco.web.api import imports, records, requests

ROUTER = Router(
    path="/api/v1",
    route_handlers=[
        imports.import_endpoint,
        records.invoice_status,
        records.collection_update,
        records.collection_photo,
        records.collection_signature,
        requests.list_requests,
        requests.schedule,
        requests.refuse,
    ],
    include_in_schema=True,
)

__all__ = ["ROUTER"]
