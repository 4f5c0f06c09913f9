"""A logged-in portal client for web tests: the app, the CNPJ login and HTML parsing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import coletas_samples as cs
import pytest
from bs4 import BeautifulSoup
from litestar.testing import TestClient

from espaco.app import create_app

HX = {"HX-Request": "true"}


@pytest.fixture
def web(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://portal.example.com.br") as client:
        yield client


def call(web: TestClient, fn, *args, **kwargs):
    with web.portal() as portal:
        return portal.call(lambda: fn(*args, **kwargs))


def login(web: TestClient, document: str = cs.CLIENT_A, external_id: str = "CLI-1") -> None:
    code = call(web, cs.login_code, external_id)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', web.get("/entrar").text).group(1)
    response = web.post(
        "/entrar",
        data={"documento": document, "codigo": code, "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")
