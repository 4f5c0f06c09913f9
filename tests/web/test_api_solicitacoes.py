"""The ERP's side of the clients' requests: list pending ones, schedule, refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from admin_support import now, run
from import_samples import full_document
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.services.access import api_tokens
from espaco.settings import Settings
from espaco.tables import Client, Collection, CollectionRequest, Location


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


def token(client: TestClient, *scopes: str) -> dict[str, str]:
    value = run(client, api_tokens.create_token, "ERP", scopes, created_by=None, now=now())
    return {"Authorization": f"Bearer {value}"}


def make_requests(client: TestClient, count: int = 2) -> None:
    headers = token(client, "import")
    assert client.post("/api/v1/import", json=full_document(), headers=headers).status_code == 200

    async def insert() -> None:
        client_id = (await Client.select(Client.id).where(Client.external_id == "CLI-1"))[0]["id"]
        location_id = (await Location.select(Location.id).where(Location.external_id == "LOC-1"))[
            0
        ]["id"]
        for n in range(count):
            await CollectionRequest.insert(
                CollectionRequest(
                    client=client_id,
                    location=location_id,
                    protocol=f"2026-{n:06d}",
                    intended_on=datetime.now(UTC).date() + timedelta(days=5),
                    description=f"Caçamba {n}",
                    submission_key=f"key-{n}",
                    created_at=datetime(2026, 11, 20 + n, 12, tzinfo=UTC),
                )
            )

    run(client, insert)


def test_pending_requests_are_listed_oldest_first(api):
    make_requests(api)
    headers = token(api, "requests")
    response = api.get("/api/v1/requests", params={"status": "pending"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["protocol"] for r in body] == ["2026-000000", "2026-000001"]
    assert body[0]["client"] == "CLI-1" and body[0]["location"] == "LOC-1"
    since = api.get("/api/v1/requests", params={"since": "2026-11-21T00:00:00+00:00"},
                    headers=headers)  # fmt: skip
    assert [r["protocol"] for r in since.json()] == ["2026-000001"]


def test_requests_need_the_requests_scope_and_a_valid_query(api):
    assert api.get("/api/v1/requests", headers=token(api, "import")).status_code == 403
    assert api.get("/api/v1/requests").status_code == 401
    headers = token(api, "requests")
    bad = api.get("/api/v1/requests", params={"status": "perdida"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    naive = api.get("/api/v1/requests", params={"since": "2026-11-21T00:00:00"}, headers=headers)
    assert naive.status_code == 400


def test_a_request_is_scheduled_once(api):
    make_requests(api)
    headers = token(api, "requests")
    day = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    url = "/api/v1/requests/2026-000000/schedule"
    response = api.post(url, json={"scheduled_on": day}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"
    assert response.json()["scheduled_on"] == day
    assert run(api, Collection.count().where(Collection.request.is_not_null()).run) == 1
    again = api.post(url, json={"scheduled_on": day}, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"scheduled_on": "2020-01-01"}, 422), ({"scheduled_on": "amanhã"}, 400), ({}, 400)],
)
def test_a_bad_schedule_is_refused(api, body, status):
    make_requests(api)
    response = api.post("/api/v1/requests/2026-000000/schedule", json=body,
                        headers=token(api, "requests"))  # fmt: skip
    assert response.status_code == status, response.text
    assert {"path", "code", "message"} <= response.json().keys()


def test_a_request_is_refused_with_a_reason(api):
    make_requests(api)
    headers = token(api, "requests")
    url = "/api/v1/requests/2026-000001/refuse"
    assert api.post(url, json={"reason": ""}, headers=headers).status_code == 400
    response = api.post(url, json={"reason": "Sem rota nesse dia."}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["refusal_reason"] == "Sem rota nesse dia."
    assert api.post(url, json={"reason": "de novo"}, headers=headers).status_code == 409
    missing = api.post("/api/v1/requests/9999/refuse", json={"reason": "x"}, headers=headers)
    assert missing.status_code == 404
    assert api.post(url, json={"reason": "x"}, headers=token(api, "import")).status_code == 403
