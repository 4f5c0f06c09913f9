"""Every response carries the security headers: pages, static files, and every error the
framework or the app answers (404, 405, 413, 500, CSRF 403), with HSTS under an https base URL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from litestar import get
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.settings import Settings
from espaco.web.security import CSP

REQUIRED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}

# (method, path, expected status): unknown URLs, wrong methods, refused and failing requests.
ANSWERS = [
    ("GET", "/entrar", 200),
    ("GET", "/saude", 200),
    ("GET", "/nao-existe", 404),
    ("GET", "/admin/nao-existe", 404),
    ("GET", "/api/v1/nao-existe", 404),
    ("GET", "/static/nao-existe.css", 404),
    ("GET", "/financeiro/999999999/nota", 303),  # not logged in
    ("DELETE", "/entrar", 405),
    ("PUT", "/admin/entrar", 405),
    ("PATCH", "/saude", 405),
    ("POST", "/entrar", 403),  # no CSRF token
    ("GET", "/boom", 500),
]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from _client(settings)


def _client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)

    @get("/boom", include_in_schema=False)
    async def boom() -> str:
        raise RuntimeError("falha de teste")

    app.register(boom)
    with TestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_every_answer_carries_the_security_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (name, method, path)
    assert "strict-transport-security" not in response.headers  # http base URL: no HSTS
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_a_body_over_the_limit_is_refused_with_the_headers(settings: Settings) -> None:
    for client in _client(replace(settings, max_body_mb=1)):
        response = client.post(
            "/entrar",
            content=b"x" * (1024 * 1024 + 1),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413
        for name, value in REQUIRED.items():
            assert response.headers.get(name) == value, name


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_an_https_base_url_sends_hsts_on_every_answer_though_the_request_came_over_http(
    settings: Settings, method: str, path: str, status: int
) -> None:
    # Behind the proxy uvicorn sees http (proxy_headers=False): the base URL decides.
    for client in _client(replace(settings, base_url="https://portal.example.com.br")):
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == status
        assert response.headers["strict-transport-security"] == "max-age=31536000"
