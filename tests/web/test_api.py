"""The ERP API over HTTP: tokens and scopes, the import with Idempotency-Key, the record
updates, errors as ``{"path", "code", "message"}``, body size and rate limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from import_samples import client as client_record
from import_samples import collection, document, full_document, image_bytes, row_counts
from litestar.testing import TestClient
from support import app_client, call, now

from espaco.app import create_app
from espaco.clock import Clock
from espaco.services.access import api_tokens
from espaco.services.imports import idempotency
from espaco.services.imports.sql import Sql
from espaco.settings import Settings
from espaco.tables import (
    ApiIdempotency,
    ApiToken,
    Client,
    Collection,
    CollectionPhoto,
    Invoice,
)
from espaco.web.api import imports as api_imports

BOOTSTRAP = "bootstrap-token-of-the-first-deploy-0123456789"


def token(client: TestClient, *scopes: str) -> dict[str, str]:
    value = call(
        client, api_tokens.create_token, "ERP", scopes or ("import",), created_by=None, now=now()
    )
    return {"Authorization": f"Bearer {value}"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert {"path", "code", "message"} <= body.keys()
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


BOOKKEEPING = {"api_token", "api_rate_window", "api_idempotency", "audit_event"}


def counts(client: TestClient) -> dict[str, int]:
    """Rows of the portal's data (not the API's own bookkeeping)."""
    return {k: v for k, v in call(client, row_counts).items() if k not in BOOKKEEPING}


# -- tokens ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [None, "Bearer esp_nao-existe", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_missing_or_unknown_token_gets_401(web, header):
    headers = {"Authorization": header} if header else {}
    response = web.post("/api/v1/import", json=document(), headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_gets_401_and_a_used_one_records_its_last_use(web):
    headers = token(web)
    assert web.post("/api/v1/import", json=document(), headers=headers).status_code == 200
    rows = call(web, ApiToken.select().run)
    assert rows[0]["last_used_at"] is not None
    call(web, api_tokens.revoke, rows[0]["id"], now=now())
    assert_error(web.post("/api/v1/import", json=document(), headers=headers), 401)


def test_a_token_without_the_scope_gets_403_on_every_import_endpoint(web):
    headers = token(web, "requests")
    assert_error(web.post("/api/v1/import", json=document(), headers=headers), 403, "forbidden")
    assert_error(
        web.put("/api/v1/invoices/FAT-1/status", json={"status": "open"}, headers=headers), 403
    )
    assert_error(web.patch("/api/v1/collections/COL-1", json={}, headers=headers), 403)
    files = {"file": ("a.jpg", image_bytes((64, 48)), "image/jpeg")}
    assert_error(
        web.post(
            "/api/v1/collections/COL-1/photos", data={"stage": "before"}, files=files,
            headers=headers,
        ),
        403,
    )  # fmt: skip
    assert_error(web.put("/api/v1/collections/COL-1/signature", files=files, headers=headers), 403)


def test_the_bootstrap_token_is_seeded_once_with_every_scope(tmp_path, settings):
    seeded = Settings(**{**settings.__dict__, "api_token": BOOTSTRAP})
    for _ in range(2):
        with app_client(seeded) as client:
            headers = {"Authorization": f"Bearer {BOOTSTRAP}"}
            assert (
                client.post("/api/v1/import", json=document(), headers=headers).status_code == 200
            )
            rows = call(client, ApiToken.select(ApiToken.scopes, ApiToken.token_hash).run)
    assert len(rows) == 1
    assert rows[0]["scopes"] == "import requests"
    assert rows[0]["token_hash"] == api_tokens.hash_token(BOOTSTRAP)


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(settings, monkeypatch):
    monkeypatch.setattr(api_tokens, "REQUESTS_PER_MINUTE", 3)
    # The app's clock pinned 20 s into a minute: no minute turns between the requests.
    clock = Clock.fixed(datetime(2026, 11, 28, 15, 4, 40, tzinfo=UTC), settings.tz)
    with TestClient(app=create_app(settings, clock=clock)) as api:
        headers, other = token(api), token(api)
        for _ in range(3):
            assert api.post("/api/v1/import", json=document(), headers=headers).status_code == 200
        response = api.post("/api/v1/import", json=document(), headers=headers)
        assert_error(response, 429, "rate_limited")
        assert response.headers["retry-after"] == "20"
        # Counted per token: another token is not held by the first one's requests.
        assert api.post("/api/v1/import", json=document(), headers=other).status_code == 200


# -- import ------------------------------------------------------------------------------------
def test_a_good_import_answers_the_counts(web):
    response = web.post("/api/v1/import", json=full_document(), headers=token(web))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["counts"]["collections"] == {"created": 3, "updated": 0, "unchanged": 0}
    again = web.post("/api/v1/import", json=full_document(), headers=token(web)).json()
    assert again["counts"]["collections"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_the_api_takes_the_optional_mtr_fields_and_checks_the_ibama_code(web):
    doc = full_document()
    doc["collections"][0]["waste"]["physical_state"] = "líquido"
    doc["collections"][0]["transporter"] = {"name": "Transportes Exemplo Ltda"}
    doc["collections"][0]["destination"] = {"treatment": "Coprocessamento"}
    doc["collections"][1]["waste"]["ibama_code"] = "17 09"
    body = assert_error(web.post("/api/v1/import", json=doc, headers=token(web)), 422, "format")
    assert [(p["path"], p["code"]) for p in body["problems"]] == [
        ("collections[1].waste.ibama_code", "format")
    ]
    doc["collections"][1]["waste"]["ibama_code"] = "13 02 05*"
    response = web.post("/api/v1/import", json=doc, headers=token(web))
    assert response.status_code == 200, response.text


def test_a_refused_import_lists_every_problem_and_writes_nothing(web):
    doc = full_document()
    doc["invoices"][0]["amount"] = 12.5
    doc["collections"][1]["status"] = "perdida"
    before = counts(web)
    body = assert_error(
        web.post("/api/v1/import", json=doc, headers=token(web)), 422, "invalid_document"
    )
    paths = {p["path"] for p in body["problems"]}
    assert {"invoices[0].amount", "collections[1].status"} <= paths
    assert counts(web) == before


def test_a_file_path_is_refused_by_the_api_which_takes_inline_files_only(web):
    doc = document(
        clients=[client_record(1)],
        collections=[collection(1, photos=[{"stage": "before", "file": "fotos/a.jpg"}])],
    )
    body = assert_error(web.post("/api/v1/import", json=doc, headers=token(web)), 422)
    assert any(p["path"].startswith("collections[0].photos[0]") for p in body["problems"])


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2", b"\xff\xfe"])
def test_a_body_that_is_not_json_gets_400(web, body):
    headers = {**token(web), "Content-Type": "application/json"}
    assert_error(web.post("/api/v1/import", content=body, headers=headers), 400)


def test_an_import_interrupted_half_way_leaves_nothing_and_frees_its_key(web, monkeypatch):
    headers = {**token(web), "Idempotency-Key": "lote-1"}
    before = counts(web)
    real = Sql._send
    calls = 0

    async def failing(self, sql, rows, copy):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        await real(self, sql, rows, copy)

    monkeypatch.setattr(Sql, "_send", failing)
    assert_error(web.post("/api/v1/import", json=full_document(), headers=headers), 500)
    assert calls >= 3
    assert counts(web) == before
    monkeypatch.setattr(Sql, "_send", real)
    response = web.post("/api/v1/import", json=full_document(), headers=headers)
    assert response.status_code == 200
    assert response.json()["counts"]["clients"]["created"] == 2


# -- Idempotency-Key ---------------------------------------------------------------------------
def test_the_same_key_and_body_get_the_first_answer_again(web):
    headers = {**token(web), "Idempotency-Key": "lote-7"}
    first = web.post("/api/v1/import", json=full_document(), headers=headers)
    second = web.post("/api/v1/import", json=full_document(), headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.json()["counts"]["clients"]["created"] == 2  # the first answer, replayed
    assert second.headers["idempotent-replayed"] == "true"


def test_a_refusal_is_replayed_too(web):
    headers = {**token(web), "Idempotency-Key": "lote-ruim"}
    doc = document(clients=[client_record(1, document="123")])
    first = web.post("/api/v1/import", json=doc, headers=headers)
    second = web.post("/api/v1/import", json=doc, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.json() == second.json()


def test_the_same_key_with_another_body_gets_422(web):
    headers = {**token(web), "Idempotency-Key": "lote-8"}
    assert web.post("/api/v1/import", json=full_document(), headers=headers).status_code == 200
    other = document(clients=[client_record(3)])
    assert_error(web.post("/api/v1/import", json=other, headers=headers), 422,
                 "idempotency_key_reused")  # fmt: skip


def test_keys_of_different_tokens_do_not_meet(web):
    first = {**token(web), "Idempotency-Key": "k"}
    second = {**token(web), "Idempotency-Key": "k"}
    assert web.post("/api/v1/import", json=full_document(), headers=first).status_code == 200
    other = document(clients=[client_record(3)])
    assert web.post("/api/v1/import", json=other, headers=second).status_code == 200


def test_while_the_first_request_runs_the_same_key_gets_409(web):
    headers = {**token(web), "Idempotency-Key": "lote-9"}
    body = b'{"format": "espaco-import/1"}'
    token_id = call(web, ApiToken.select(ApiToken.id).first().run)["id"]
    claim = call(web, idempotency.claim, token_id, "lote-9", idempotency.body_hash(body), now=now())
    assert claim.outcome == "run"
    response = web.post(
        "/api/v1/import", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert_error(response, 409, "idempotency_in_progress")


def test_the_key_is_committed_before_the_import_starts(web, monkeypatch):
    seen: list[list[dict[str, Any]]] = []
    real = api_imports.import_document

    async def spying(doc, settings, **kwargs):  # type: ignore[no-untyped-def]
        # A read outside the import's transaction sees only what is committed.
        seen.append(await ApiIdempotency.select(ApiIdempotency.status_code))
        return await real(doc, settings, **kwargs)

    monkeypatch.setattr(api_imports, "import_document", spying)
    headers = {**token(web), "Idempotency-Key": "lote-10"}
    assert web.post("/api/v1/import", json=document(), headers=headers).status_code == 200
    assert seen == [[{"status_code": 0}]]
    assert call(web, ApiIdempotency.select(ApiIdempotency.status_code).run) == [
        {"status_code": 200}
    ]


def test_two_concurrent_requests_with_one_key_run_the_import_once(web, monkeypatch):
    started = 0
    real = api_imports.import_document

    async def slow(doc, settings, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal started
        started += 1
        await asyncio.sleep(0.3)
        return await real(doc, settings, **kwargs)

    monkeypatch.setattr(api_imports, "import_document", slow)
    headers = {**token(web), "Idempotency-Key": "lote-11"}

    async def both() -> list[int]:
        transport = httpx.ASGITransport(app=web.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            answers = await asyncio.gather(
                *(http.post("/api/v1/import", json=full_document(), headers=headers)
                  for _ in range(2))
            )  # fmt: skip
        return sorted(a.status_code for a in answers)

    assert call(web, both) == [200, 409]
    assert started == 1


# -- body size ---------------------------------------------------------------------------------
def test_a_body_over_the_limit_gets_413_before_it_is_read(tmp_path, settings):
    small = Settings(**{**settings.__dict__, "max_body_mb": 1})
    with app_client(small) as client:
        headers = {**token(client), "Content-Type": "application/json"}
        big = b'{"format": "espaco-import/1", "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
        assert_error(client.post("/api/v1/import", content=big, headers=headers), 413)
        sent = 0

        def chunks() -> Iterator[bytes]:  # no Content-Length: refused while streaming
            nonlocal sent
            for _ in range(64):
                sent += 1
                yield b"a" * (256 * 1024)

        response = client.post("/api/v1/import", content=chunks(), headers=headers)
        assert_error(response, 413, "body_too_large")


# -- invoices ----------------------------------------------------------------------------------
def imported(client: TestClient) -> dict[str, str]:
    headers = token(client)
    assert client.post("/api/v1/import", json=full_document(), headers=headers).status_code == 200
    return headers


def test_an_invoice_is_marked_paid_and_reopened(web):
    headers = imported(web)
    paid = {"status": "paid", "paid_on": "2026-11-09", "paid_amount": "1234.57"}
    response = web.put("/api/v1/invoices/FAT-1/status", json=paid, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"external_id": "FAT-1", **paid}
    row = call(web, Invoice.select().where(Invoice.external_id == "FAT-1").first().run)
    assert (row["status"], row["paid_amount_cents"], str(row["paid_on"])) == (
        "paid", 123457, "2026-11-09"
    )  # fmt: skip
    response = web.put("/api/v1/invoices/FAT-1/status", json={"status": "cancelled"},
                       headers=headers)  # fmt: skip
    assert response.json()["paid_on"] is None


@pytest.mark.parametrize(
    ("body", "status", "path"),
    [
        ({"status": "paid"}, 422, "paid_on"),
        ({"status": "paid", "paid_on": "2026-11-09"}, 422, "paid_amount"),
        ({"status": "open", "paid_on": "2026-11-09"}, 422, "paid_on"),
        ({"status": "vencida"}, 400, "status"),
        ({"status": "open", "extra": 1}, 400, "extra"),
        ({"status": "paid", "paid_on": "09/11/2026", "paid_amount": "1.00"}, 400, "paid_on"),
        ({"status": "paid", "paid_on": "2026-11-09", "paid_amount": 12.5}, 400, "paid_amount"),
        ({}, 400, "status"),
    ],
)
def test_a_bad_invoice_status_is_refused_with_its_field(web, body, status, path):
    headers = imported(web)
    response = web.put("/api/v1/invoices/FAT-1/status", json=body, headers=headers)
    assert assert_error(response, status)["path"] == path


def test_an_unknown_invoice_gets_404(web):
    response = web.put("/api/v1/invoices/FAT-404/status", json={"status": "open"},
                       headers=token(web))  # fmt: skip
    assert_error(response, 404, "not_found")


# -- collections -------------------------------------------------------------------------------
def test_a_collection_update_changes_only_what_it_sends_and_matches_a_reimport(web):
    headers = imported(web)
    response = web.patch(
        "/api/v1/collections/COL-1", json={"mtr_status": "Cancelado"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["mtr_status"] == "Cancelado"
    assert response.json()["mtr_number"] == "260010679501"
    # The ticket's hash is the importer's: importing the same data again changes nothing.
    doc = full_document()
    doc["collections"][0]["mtr_status"] = "Cancelado"
    again = web.post("/api/v1/import", json=doc, headers=headers).json()
    assert again["counts"]["collections"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_a_collection_update_keeps_the_optional_mtr_fields(web):
    headers = token(web)
    doc = full_document()
    doc["collections"][0]["transporter"] = {"name": "Transportes Exemplo Ltda"}
    doc["collections"][0]["destination"] = {"treatment": "Aterro sanitário"}
    assert web.post("/api/v1/import", json=doc, headers=headers).status_code == 200
    response = web.patch(
        "/api/v1/collections/COL-1", json={"mtr_status": "Cancelado"}, headers=headers
    )
    assert response.status_code == 200, response.text
    doc["collections"][0]["mtr_status"] = "Cancelado"
    again = web.post("/api/v1/import", json=doc, headers=headers).json()
    assert again["counts"]["collections"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_a_collection_becomes_done_with_its_time_and_day(web):
    headers = imported(web)
    doc = document(collections=[collection(9, status="scheduled", performed_at=None,
                                           scheduled_on="2026-12-01")])  # fmt: skip
    assert web.post("/api/v1/import", json=doc, headers=headers).status_code == 200
    response = web.patch("/api/v1/collections/COL-9", json={"status": "done"}, headers=headers)
    assert assert_error(response, 422, "required")["path"] == "performed_at"
    body = {"status": "done", "performed_at": "2026-12-02T01:30:00-03:00", "mtr_number": None}
    response = web.patch("/api/v1/collections/COL-9", json=body, headers=headers)
    assert response.status_code == 200, response.text
    row = call(web, Collection.select().where(Collection.external_id == "COL-9").first().run)
    assert (row["status"], str(row["event_on"]), row["mtr_number"]) == ("done", "2026-12-02", None)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "perdida"},
        {"mtr_number": "12-34"},
        {"performed_at": "2026-12-02T01:30:00"},
        {"situacao": "done"},
        [],
    ],
)
def test_a_bad_collection_update_gets_400(web, body):
    headers = imported(web)
    assert_error(web.patch("/api/v1/collections/COL-1", json=body, headers=headers), 400)


@pytest.mark.parametrize(
    ("url", "method", "body", "path"),
    [
        ("/api/v1/collections/COL-1", "PATCH",
         {"status": "done", "performed_at": "9999-12-31T23:00:00-03:00"}, "performed_at"),
        ("/api/v1/collections/COL-1", "PATCH",
         {"status": "done", "performed_at": "0001-01-01T00:00:00+03:00"}, "performed_at"),
        ("/api/v1/invoices/FAT-1/status", "PUT",
         {"status": "paid", "paid_on": "0001-01-01", "paid_amount": "1.00"}, "paid_on"),
    ],
)  # fmt: skip
def test_far_dates_get_422_and_change_nothing(web, url, method, body, path):
    headers = imported(web)
    before = call(web, Collection.select().run), call(web, Invoice.select().run)
    response = web.request(method, url, json=body, headers=headers)
    assert assert_error(response, 422, "range")["path"] == path
    assert (call(web, Collection.select().run), call(web, Invoice.select().run)) == before


def test_an_unknown_collection_gets_404(web):
    headers = token(web)
    assert_error(web.patch("/api/v1/collections/NOPE", json={}, headers=headers), 404)
    files = {"file": ("a.jpg", image_bytes((64, 48)), "image/jpeg")}
    response = web.post("/api/v1/collections/NOPE/photos", data={"stage": "after"},
                        files=files, headers=headers)  # fmt: skip
    assert_error(response, 404)


def test_photos_and_a_signature_are_added_by_content(web):
    headers = imported(web)
    photo = image_bytes((1600, 1200))
    files = {"file": ("qualquer.bin", photo, "application/octet-stream")}
    for _ in range(2):  # the same photo twice is one photo
        response = web.post("/api/v1/collections/COL-1/photos",
                            data={"stage": "after", "taken_at": "2026-10-05T09:31:00-03:00"},
                            files=files, headers=headers)  # fmt: skip
        assert response.status_code == 200, response.text
    assert response.json()["photos"] == [{"stage": "after", "position": 0}]
    photos = call(web, CollectionPhoto.select().run)
    assert len(photos) == 1 and max(photos[0]["width"], photos[0]["height"]) == 960
    signature = {"file": ("s.png", image_bytes((400, 200), "PNG"), "image/png")}
    response = web.put("/api/v1/collections/COL-1/signature", files=signature, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["signature"] is True


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(web):
    headers = imported(web)
    files = {"file": ("foto.jpg", b"%PDF-1.4 not a photo", "image/jpeg")}
    response = web.post("/api/v1/collections/COL-1/photos", data={"stage": "before"},
                        files=files, headers=headers)  # fmt: skip
    assert assert_error(response, 422, "file_type")["path"] == "file"
    response = web.put("/api/v1/collections/COL-1/signature", files=files, headers=headers)
    assert_error(response, 422, "file_type")


def test_a_photo_without_its_stage_gets_400(web):
    headers = imported(web)
    files = {"file": ("a.jpg", image_bytes((64, 48)), "image/jpeg")}
    response = web.post("/api/v1/collections/COL-1/photos", files=files, headers=headers)
    assert_error(response, 400)


# -- errors and documentation ------------------------------------------------------------------
def test_unknown_paths_and_methods_answer_json(web):
    assert_error(web.get("/api/v1/nada"), 404, "not_found")
    assert_error(web.get("/api/v1/import"), 405, "method_not_allowed")


def test_the_openapi_document_covers_the_api_and_only_the_api(web):
    response = web.get("/api/docs")
    assert response.status_code == 200
    spec = response.json()
    assert web.get("/api/docs/openapi.json").json() == spec
    paths = spec["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert {"/api/v1/import", "/api/v1/invoices/{external_id}/status",
            "/api/v1/collections/{external_id}", "/api/v1/collections/{external_id}/photos",
            "/api/v1/collections/{external_id}/signature"} <= paths.keys()  # fmt: skip
    for operations in paths.values():
        for operation in operations.values():
            assert {"200", "400", "401", "403", "429"} <= operation["responses"].keys()
            assert operation.get("summary")


# -- clients[].group (matriz e filiais, optional) ---------------------------------------------
async def _group_names() -> dict[str, str | None]:
    rows = await Client.select(Client.external_id, Client.client_group.name.as_alias("g"))
    return {r["external_id"]: r["g"] for r in rows}


def test_the_api_puts_clients_in_the_group_they_name(web):
    rede = {"external_id": "GRP-9", "name": "Rede Norte"}
    doc = document(clients=[client_record(1, group=rede), client_record(2, group=rede),
                            client_record(3)])  # fmt: skip
    response = web.post("/api/v1/import", json=doc, headers=token(web))
    assert response.status_code == 200, response.text
    assert call(web, _group_names) == {"CLI-1": "Rede Norte", "CLI-2": "Rede Norte", "CLI-3": None}


def test_the_api_refuses_a_group_without_a_name_naming_the_path(web):
    doc = document(clients=[client_record(1, group={"external_id": "GRP-9"})])
    body = assert_error(web.post("/api/v1/import", json=doc, headers=token(web)), 422, "required")
    assert body["path"] == "clients[0].group.name"
