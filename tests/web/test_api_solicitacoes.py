"""The ERP's side of the clients' requests: list pending ones, schedule, refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from import_samples import full_document
from litestar.testing import TestClient
from support import call, now

from espaco.services.access import api_tokens
from espaco.tables import Client, Collection, CollectionRequest, Location


def token(client: TestClient, *scopes: str) -> dict[str, str]:
    value = call(client, api_tokens.create_token, "ERP", scopes, created_by=None, now=now())
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

    call(client, insert)


def test_pending_requests_are_listed_oldest_first(web):
    make_requests(web)
    headers = token(web, "requests")
    response = web.get("/api/v1/requests", params={"status": "pending"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["protocol"] for r in body] == ["2026-000000", "2026-000001"]
    assert body[0]["client"] == "CLI-1" and body[0]["location"] == "LOC-1"
    since = web.get("/api/v1/requests", params={"since": "2026-11-21T00:00:00+00:00"},
                    headers=headers)  # fmt: skip
    assert [r["protocol"] for r in since.json()] == ["2026-000001"]


def test_requests_need_the_requests_scope_and_a_valid_query(web):
    assert web.get("/api/v1/requests", headers=token(web, "import")).status_code == 403
    assert web.get("/api/v1/requests").status_code == 401
    headers = token(web, "requests")
    bad = web.get("/api/v1/requests", params={"status": "perdida"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    naive = web.get("/api/v1/requests", params={"since": "2026-11-21T00:00:00"}, headers=headers)
    assert naive.status_code == 400


def test_a_request_is_scheduled_once(web):
    make_requests(web)
    headers = token(web, "requests")
    day = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    url = "/api/v1/requests/2026-000000/schedule"
    response = web.post(url, json={"scheduled_on": day}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"
    assert response.json()["scheduled_on"] == day
    assert call(web, Collection.count().where(Collection.request.is_not_null()).run) == 1
    again = web.post(url, json={"scheduled_on": day}, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"scheduled_on": "2020-01-01"}, 422), ({"scheduled_on": "amanhã"}, 400), ({}, 400)],
)
def test_a_bad_schedule_is_refused(web, body, status):
    make_requests(web)
    response = web.post("/api/v1/requests/2026-000000/schedule", json=body,
                        headers=token(web, "requests"))  # fmt: skip
    assert response.status_code == status, response.text
    assert {"path", "code", "message"} <= response.json().keys()


def test_a_request_is_refused_with_a_reason(web):
    make_requests(web)
    headers = token(web, "requests")
    url = "/api/v1/requests/2026-000001/refuse"
    assert web.post(url, json={"reason": ""}, headers=headers).status_code == 400
    response = web.post(url, json={"reason": "Sem rota nesse dia."}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["refusal_reason"] == "Sem rota nesse dia."
    assert web.post(url, json={"reason": "de novo"}, headers=headers).status_code == 409
    missing = web.post("/api/v1/requests/9999/refuse", json={"reason": "x"}, headers=headers)
    assert missing.status_code == 404
    assert web.post(url, json={"reason": "x"}, headers=token(web, "import")).status_code == 403
