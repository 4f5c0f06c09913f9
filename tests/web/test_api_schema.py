"""schemathesis against the API's own OpenAPI document: generated requests, valid and not, find
no 500 and no answer that breaks the documented schema (status, content type, body).

Bounded for CI: a few examples per operation, no shrinking, no example database."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from import_samples import full_document
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import call, now

from espaco.services.access import api_tokens

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_generated_requests_find_no_500_and_no_answer_outside_the_schema(web, monkeypatch):
    monkeypatch.setattr(api_tokens, "REQUESTS_PER_MINUTE", 1_000_000)
    token = call(
        web, api_tokens.create_token, "fuzz", api_tokens.SCOPES, created_by=None, now=now()
    )
    auth = {"Authorization": f"Bearer {token}"}
    # Some records to find, so that generated ids sometimes hit and the success paths run too.
    assert web.post("/api/v1/import", json=full_document(), headers=auth).status_code == 200
    schema = schemathesis.openapi.from_dict(web.get("/api/docs/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation, mode in itertools.product(operations, list(GenerationMode)):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=auth)
            kwargs.pop("verify", None)
            request = web.build_request(**kwargs)
            try:
                request.read()
            except (TypeError, AttributeError):
                # httpx cannot encode what was generated (an int as a multipart file): the
                # request never leaves the client, so there is no server answer to check.
                reject()
            response = web.send(request)
            case.validate_response(response, checks=CHECKS)

        check()


def test_json_nested_a_thousand_levels_gets_the_documented_400_on_every_json_operation(
    web, monkeypatch
):
    """msgspec gave up at ~1,000 levels with a RecursionError (a 500); the body is now refused
    before it is decoded, with an answer the schema documents."""
    token = call(
        web, api_tokens.create_token, "deep", api_tokens.SCOPES, created_by=None, now=now()
    )
    auth = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_dict(web.get("/api/docs/openapi.json").json())
    deep = b'{"x":[' * 500 + b'{"status":"open"}' + b"]}" * 500  # 1,001 levels
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not any(body.media_type == "application/json" for body in operation.body):
            continue
        params = {p.name: "X-1" for p in operation.path_parameters}
        case = operation.Case(path_parameters=params, media_type="application/json")
        kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=auth)
        kwargs.pop("verify", None)
        kwargs.pop("json", None)  # (a JSON encoder recurses too: the body goes as bytes)
        kwargs["content"] = deep
        kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "application/json"}
        response = web.send(web.build_request(**kwargs))
        assert response.status_code == 400, (operation.label, response.text[:200])
        assert response.json()["code"] == "too_deep"
        case.validate_response(response, checks=CHECKS)
        checked += 1
    assert checked >= 4
