"""A portal with one of everything and both kinds of user logged in, for the tests that send
hostile input (tests/web/test_hostile_input.py, tests/web/test_form_fuzz.py), and a snapshot of
the database to show that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from factories import make_location
from litestar.testing import TestClient
from piccolo.table import Table
from support import (
    app_client,
    call,
    client_login,
    csrf_token,
    make_client,
    staff_logged_in,
)

from espaco.domain import scheduling
from espaco.services.access import api_tokens, groups
from espaco.settings import Settings
from espaco.tables import (
    ALL_TABLES,
    ApiRateWindow,
    ApiToken,
    Client,
    CollectionRequest,
    OutboxEmail,
    WebSession,
)

CODE = "ABCD-EFGH-JKMN-PQRS"
# Rows that a request may touch without changing anything a person sees: the session's "last
# seen" minute, an API token's use count and "last used".
VOLATILE = {WebSession, ApiRateWindow, ApiToken}
# Columns the e-mail sender changes in the background, whatever the request did.
SENDER_COLUMNS = {
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
    "body_text",
    "sealed_secret",  # the access code, sealed until sent and cleared after
}


def earliest_request_date(settings: Settings) -> date:
    today = datetime.now(UTC).astimezone(settings.tz).date()
    return scheduling.earliest_date(today, settings.request_notice_days)


@dataclass
class World:
    http: TestClient
    client_id: int
    location_id: int
    protocol: str
    api_token: str
    settings: Settings
    group_id: int  # an empty group (matriz e filiais): its forms get fuzzed on a real one


async def _add_request(client_id: int, location_id: int) -> str:
    protocol = "2026-000001"
    await CollectionRequest.insert(
        CollectionRequest(
            client=client_id,
            location=location_id,
            protocol=protocol,
            intended_on=date(2026, 12, 15),
            description="Troca de caçamba na obra da rua de trás",
            submission_key="hostile-1",
            created_at=datetime.now(UTC),
        )
    )
    return protocol


async def _document(client_id: int) -> str:
    rows = await Client.select(Client.document).where(Client.id == client_id)
    return str(rows[0]["document"])


@contextmanager
def world(settings: Settings) -> Iterator[World]:
    """A client (one place, one request), an empty group and a master user, both logged in on
    one browser."""
    with app_client(settings) as http:
        client_id = make_client(http, code=CODE, emails=("compras@paoquente.com.br",))
        location_id = call(http, make_location, client_id)
        protocol = call(http, _add_request, client_id, location_id)
        staff_logged_in(http, "ana", "master")
        document = call(http, _document, client_id)
        assert client_login(http, document, CODE).status_code == 303
        # The first visit to the TOTP page makes the pending secret: done here, not by a test.
        assert http.get("/admin/conta/2fa").status_code == 200
        token = call(
            http,
            api_tokens.create_token,
            "hostil",
            api_tokens.SCOPES,
            created_by=None,
            now=datetime.now(UTC),
        )
        group_id = call(
            http, groups.create_group, "Grupo hostil", actor="teste", ip="", now=datetime.now(UTC)
        )
        yield World(http, client_id, location_id, protocol, token, settings, group_id)


def _stable(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    if table is OutboxEmail:
        return {k: v for k, v in row.items() if k not in SENDER_COLUMNS}
    return row


def form_token(http: TestClient, path: str) -> str:
    """A CSRF token for a form posted to ``path``: tokens are bound to the session of the
    area (back-office or portal) the form belongs to."""
    return csrf_token(http, "/admin/entrar" if path.startswith("/admin") else "/entrar")


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        table._meta.tablename: sorted(
            (_stable(table, row) for row in await table.select()), key=repr
        )
        for table in ALL_TABLES
        if table not in VOLATILE
    }


def snapshot(http: TestClient) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (but the volatile ones), to compare before and after."""
    return call(http, _snapshot)
