"""``/admin/tokens``: a master user creates a token (shown once), sees its last use, revokes it;
nobody else gets in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_support import make_staff, post, soup, staff_login
from import_samples import document
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.settings import Settings

HX = {"HX-Request": "true"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as test_client:
        make_staff(test_client, "ana")
        assert staff_login(test_client, "ana").status_code == 303
        yield test_client


def create(client: TestClient, name: str, *scopes: str, headers=None):  # type: ignore[no-untyped-def]
    data: dict = {"nome": name, "escopos": list(scopes)}
    return post(client, "/admin/tokens", data, form_page="/admin/tokens", headers=headers)


def test_a_token_is_shown_once_and_works_with_its_scopes(client):
    response = create(client, "ERP Protheus", "import")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = soup(response).select_one("#token-novo").get_text(strip=True)
    assert token.startswith("esp_")
    page = client.get("/admin/tokens")
    assert token not in page.text
    row = soup(page).select("tbody tr")[0].get_text(" ", strip=True)
    assert "ERP Protheus" in row and token[:12] in row and "nunca" in row
    api = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/import", json=document(), headers=api).status_code == 200
    assert "nunca" not in soup(client.get("/admin/tokens")).select("tbody tr")[0].get_text()


def test_a_revoked_token_is_refused(client):
    token = soup(create(client, "ERP", "import", "requests")).select_one("#token-novo").text
    form = soup(client.get("/admin/tokens")).select_one("form[action$='/revogar']")
    response = post(client, form["action"], form_page="/admin/tokens")
    assert response.status_code == 303
    page = client.get("/admin/tokens")
    assert "Revogado em" in page.text and "Token revogado" in page.text
    api = {"Authorization": f"Bearer {token.strip()}"}
    assert client.post("/api/v1/import", json=document(), headers=api).status_code == 401


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [
        ("", ("import",), "#nome-erro"),
        ("ERP", (), "#escopos-erro"),
        ("x" * 101, ("import",), "#nome-erro"),
    ],
)
def test_a_bad_form_is_shown_again_with_422(client, name, scopes, field):
    response = create(client, name, *scopes, headers=HX)
    assert response.status_code == 422
    assert soup(response).select_one(field) is not None
    assert soup(response).select_one("#token-novo") is None


def test_the_fragment_is_the_list_alone(client):
    response = client.get("/admin/tokens", headers=HX)
    assert response.text.lstrip().startswith('<div id="tokens">')


def test_only_master_users_see_tokens(settings):
    with TestClient(app=create_app(settings)) as client:
        make_staff(client, "pedro", role="planejamento")
        staff_login(client, "pedro")
        assert client.get("/admin/tokens").status_code == 403
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/admin/tokens", follow_redirects=False).status_code in (302, 303)
