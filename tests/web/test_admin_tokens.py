"""``/admin/tokens``: a master user creates a token (shown once), sees its last use, revokes it;
nobody else gets in."""

from __future__ import annotations

import pytest
from import_samples import document
from litestar.testing import TestClient
from support import HX, app_client, make_staff, post, soup, staff_login


def create(admin: TestClient, name: str, *scopes: str, headers=None):  # type: ignore[no-untyped-def]
    data: dict = {"nome": name, "escopos": list(scopes)}
    return post(admin, "/admin/tokens", data, form_page="/admin/tokens", headers=headers)


def test_a_token_is_shown_once_and_works_with_its_scopes(admin):
    response = create(admin, "ERP Protheus", "import")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = soup(response).select_one("#token-novo").get_text(strip=True)
    assert token.startswith("esp_")
    page = admin.get("/admin/tokens")
    assert token not in page.text
    row = soup(page).select("tbody tr")[0].get_text(" ", strip=True)
    assert "ERP Protheus" in row and token[:12] in row and "nunca" in row
    api = {"Authorization": f"Bearer {token}"}
    assert admin.post("/api/v1/import", json=document(), headers=api).status_code == 200
    assert "nunca" not in soup(admin.get("/admin/tokens")).select("tbody tr")[0].get_text()


def test_a_revoked_token_is_refused(admin):
    token = soup(create(admin, "ERP", "import", "requests")).select_one("#token-novo").text
    form = soup(admin.get("/admin/tokens")).select_one("form[action$='/revogar']")
    response = post(admin, form["action"], form_page="/admin/tokens")
    assert response.status_code == 303
    page = admin.get("/admin/tokens")
    assert "Revogado em" in page.text and "Token revogado" in page.text
    api = {"Authorization": f"Bearer {token.strip()}"}
    assert admin.post("/api/v1/import", json=document(), headers=api).status_code == 401


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [
        ("", ("import",), "#nome-erro"),
        ("ERP", (), "#escopos-erro"),
        ("x" * 101, ("import",), "#nome-erro"),
    ],
)
def test_a_bad_form_is_shown_again_with_422(admin, name, scopes, field):
    response = create(admin, name, *scopes, headers=HX)
    assert response.status_code == 422
    assert soup(response).select_one(field) is not None
    assert soup(response).select_one("#token-novo") is None


def test_the_fragment_is_the_list_alone(admin):
    response = admin.get("/admin/tokens", headers=HX)
    assert response.text.lstrip().startswith('<div id="tokens">')


def test_only_master_users_see_tokens(settings):
    with app_client(settings) as admin:
        make_staff(admin, "pedro", role="planejamento")
        staff_login(admin, "pedro")
        assert admin.get("/admin/tokens").status_code == 403
    with app_client(settings) as admin:
        assert admin.get("/admin/tokens", follow_redirects=False).status_code in (302, 303)
