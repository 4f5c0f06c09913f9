"""Staff login over HTTP: password, TOTP second step and enrolment, roles, logout, CSRF."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pyotp
import pytest
from admin_support import (
    PASSWORD,
    make_client,
    make_staff,
    message,
    post,
    run,
    soup,
    staff_login,
)
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.services.access.staff_login import BAD_LOGIN
from espaco.settings import Settings
from espaco.tables import AuditEvent, StaffUser


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def mfa_client(settings: Settings) -> Iterator[TestClient]:
    required = dataclasses.replace(settings, staff_mfa="required")
    with TestClient(app=create_app(required)) as test_client:
        yield test_client


def audit_actions(client: TestClient) -> list[str]:
    async def actions() -> list[str]:
        rows = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
        return [row["action"] for row in rows]

    return run(client, actions)


def logged_in(client: TestClient) -> bool:
    response = client.get("/admin/clientes", follow_redirects=False)
    return response.status_code == 200


# -- password ----------------------------------------------------------------------------------
def test_login_page_asks_username_and_password_in_portuguese(client: TestClient) -> None:
    page = soup(client.get("/admin/entrar"))
    form = page.find("form", action="/admin/entrar")
    assert form is not None and form["method"] == "post"
    assert form.find("input", attrs={"name": "_csrf_token"}) is not None
    assert page.find("label", attrs={"for": "usuario"}).get_text(strip=True) == "Usuário"
    assert form.find("input", attrs={"name": "senha"})["type"] == "password"


def test_master_logs_in_and_lands_on_cadastros(client: TestClient) -> None:
    make_staff(client, "ana")
    response = staff_login(client, "ana")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert "espaco_equipe" in client.cookies
    home = client.get("/admin", follow_redirects=False)
    assert home.headers["location"] == "/admin/clientes"
    page = client.get("/admin/clientes")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "staff_login_ok" in audit_actions(client)


def test_username_is_not_case_sensitive(client: TestClient) -> None:
    make_staff(client, "ana")
    assert staff_login(client, "  ANA ").status_code == 303


def test_htmx_login_navigates_with_hx_redirect(client: TestClient) -> None:
    make_staff(client, "ana")
    response = post(
        client,
        "/admin/entrar",
        {"usuario": "ana", "senha": PASSWORD},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/admin"


def test_unknown_user_wrong_password_and_inactive_user_get_the_same_answer(
    client: TestClient,
) -> None:
    make_staff(client, "ana")
    make_staff(client, "bia", active=False)
    answers = [
        staff_login(client, "ninguem"),
        staff_login(client, "ana", "senha-errada-123"),
        staff_login(client, "bia"),
    ]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert {message(a) for a in answers} == {BAD_LOGIN}
    assert "espaco_equipe" not in client.cookies
    assert audit_actions(client).count("staff_login_failed") == 3


def test_failures_are_throttled_and_the_lock_is_audited(client: TestClient) -> None:
    make_staff(client, "ana")
    for _ in range(3):
        assert staff_login(client, "ana", "senha-errada-123").status_code == 422
    locked = staff_login(client, "ana", "senha-errada-123")
    assert locked.status_code == 429
    assert "aguarde" in message(locked)
    # Even the right password waits out the delay.
    held = staff_login(client, "ana")
    assert held.status_code == 429
    assert "espaco_equipe" not in client.cookies
    actions = audit_actions(client)
    assert "staff_login_locked" in actions
    assert "staff_login_blocked" in actions


def test_logout_ends_the_session(client: TestClient) -> None:
    make_staff(client, "ana")
    staff_login(client, "ana")
    cookie = client.cookies["espaco_equipe"]
    response = post(client, "/admin/sair", form_page="/admin/clientes")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/entrar"
    client.cookies.set("espaco_equipe", cookie)  # a copy of the old cookie is worthless
    assert not logged_in(client)


def test_back_office_pages_send_strangers_to_the_staff_login(client: TestClient) -> None:
    for path in ["/admin", "/admin/clientes", "/admin/clientes/1", "/admin/emails"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/admin/entrar"


def test_a_client_session_does_not_open_the_back_office(client: TestClient) -> None:
    make_client(client, document="11222333000181", code="ABCD-EFGH-JKMN-PQRS")
    from admin_support import client_login

    assert client_login(client, "11.222.333/0001-81", "ABCD-EFGH-JKMN-PQRS").status_code == 303
    assert not logged_in(client)


# -- roles -------------------------------------------------------------------------------------
def test_planejamento_gets_403_on_cadastros_emails_and_account(client: TestClient) -> None:
    client_id = make_client(client, emails=("a@cliente.com.br",))
    make_staff(client, "pedro", role="planejamento")
    assert staff_login(client, "pedro").status_code == 303
    for path in [
        "/admin/clientes",
        f"/admin/clientes/{client_id}",
        "/admin/emails",
        "/admin/conta/2fa",
    ]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert soup(response).find("h1").get_text(strip=True) == "Acesso negado"
    for path in (f"/admin/clientes/{client_id}/codigo", "/admin/emails/enviar-pendentes"):
        response = post(client, path, form_page="/admin/entrar")
        assert response.status_code == 403, path
    page = client.get("/admin")
    assert page.status_code == 200
    nav = [a["href"] for a in soup(page).select("nav a")]
    assert "/admin/clientes" not in nav and "/admin/emails" not in nav


def test_master_nav_links_only_to_routes_that_exist(client: TestClient) -> None:
    make_staff(client, "ana")
    staff_login(client, "ana")
    nav = soup(client.get("/admin/clientes")).select("nav[aria-label=Equipe] a")
    for link in nav:
        assert client.get(link["href"], follow_redirects=False).status_code == 200, link["href"]
    assert [a.get_text(strip=True) for a in nav][:1] == ["Clientes"]
    current = [a for a in nav if a.get("aria-current") == "page"]
    assert [a["href"] for a in current] == ["/admin/clientes"]


# -- TOTP --------------------------------------------------------------------------------------
def test_user_with_totp_needs_the_code_before_a_session_exists(client: TestClient) -> None:
    secret = pyotp.random_base32()
    make_staff(client, "ana", totp_secret=secret)
    first = staff_login(client, "ana")
    assert first.status_code == 303
    assert first.headers["location"] == "/admin/entrar/codigo"
    assert "espaco_equipe" not in client.cookies
    assert not logged_in(client)

    step = client.get("/admin/entrar/codigo")
    assert step.status_code == 200
    assert soup(step).find("input", attrs={"name": "codigo"})["autocomplete"] == "one-time-code"

    wrong = post(
        client, "/admin/entrar/codigo", {"codigo": "000000"}, form_page="/admin/entrar/codigo"
    )
    assert wrong.status_code == 422
    assert "Código incorreto" in message(wrong)
    assert not logged_in(client)

    right = post(
        client,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/admin"
    assert logged_in(client)


def test_the_second_step_without_its_cookie_goes_back_to_the_password(client: TestClient) -> None:
    response = client.get("/admin/entrar/codigo", follow_redirects=False)
    assert response.headers["location"] == "/admin/entrar"
    client.cookies.set("espaco_equipe_etapa", "1.0.totp.9999999999.forged")
    response = client.get("/admin/entrar/codigo", follow_redirects=False)
    assert response.headers["location"] == "/admin/entrar"


def test_master_turns_on_totp_for_their_account(client: TestClient) -> None:
    make_staff(client, "ana")
    staff_login(client, "ana")
    page = client.get("/admin/conta/2fa")
    assert page.status_code == 200
    html = soup(page)
    svg = html.select_one(".qr-codigo svg")
    assert svg is not None and svg.find("path") is not None
    assert not html.find_all(style=True), "inline style breaks the CSP"
    secret = html.select_one(".chave").get_text().replace(" ", "")
    # Reloading keeps the same secret: a scan already made stays valid.
    again = soup(client.get("/admin/conta/2fa")).select_one(".chave").get_text()
    assert again.replace(" ", "") == secret

    wrong = post(client, "/admin/conta/2fa", {"codigo": "123"}, form_page="/admin/conta/2fa")
    assert wrong.status_code == 422
    code = pyotp.TOTP(secret).now()
    ok = post(client, "/admin/conta/2fa", {"codigo": code}, form_page="/admin/conta/2fa")
    assert ok.status_code == 303
    done = soup(client.get("/admin/conta/2fa"))
    assert "ativada" in done.select_one("[role=status]").get_text()
    assert done.select_one(".chave") is None, "the secret is shown only while enrolling"

    post(client, "/admin/sair", form_page="/admin/clientes")
    assert staff_login(client, "ana").headers["location"] == "/admin/entrar/codigo"
    # the next code: the one that confirmed the enrolment is used up
    after = staff_login(client, "ana", totp_secret=secret, totp_step=1)
    assert after.headers["location"] == "/admin"
    assert "staff_totp_enabled" in audit_actions(client)


def test_mfa_required_makes_a_master_enrol_before_anything_else(mfa_client: TestClient) -> None:
    client = mfa_client
    staff_id = make_staff(client, "ana")
    first = staff_login(client, "ana")
    assert first.headers["location"] == "/admin/entrar/codigo"
    assert not logged_in(client)

    step = soup(client.get("/admin/entrar/codigo"))
    assert step.select_one(".qr-codigo svg") is not None
    secret = step.select_one(".chave").get_text().replace(" ", "")
    assert not logged_in(client), "no session until enrolled"

    response = post(
        client,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert response.headers["location"] == "/admin"
    assert logged_in(client)

    async def enabled() -> bool:
        rows = await StaffUser.select(StaffUser.totp_enabled).where(StaffUser.id == staff_id)
        return bool(rows[0]["totp_enabled"])

    assert run(client, enabled)


def test_mfa_required_does_not_apply_to_planejamento(mfa_client: TestClient) -> None:
    make_staff(mfa_client, "pedro", role="planejamento")
    assert staff_login(mfa_client, "pedro").headers["location"] == "/admin"


# -- CSRF --------------------------------------------------------------------------------------
ADMIN_POSTS = [
    "/admin/entrar",
    "/admin/entrar/codigo",
    "/admin/sair",
    "/admin/conta/2fa",
    "/admin/clientes/1/emails",
    "/admin/clientes/1/emails/1/remover",
    "/admin/clientes/1/codigo",
    "/admin/clientes/1/situacao",
    "/admin/emails/1/tentar-de-novo",
    "/admin/emails/enviar-pendentes",
]


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_every_admin_post_without_its_token_is_refused(client: TestClient, path: str) -> None:
    make_staff(client, "ana")
    staff_login(client, "ana")
    response = client.post(path, data={"usuario": "ana"}, follow_redirects=False)
    assert response.status_code == 403
    assert soup(response).find("h1").get_text(strip=True) == "Formulário expirado"
    wrong = client.post(path, data={"_csrf_token": "x" * 64}, follow_redirects=False)
    assert wrong.status_code == 403


# -- the pending step and the known device -----------------------------------------------------
def test_the_secret_key_alone_cannot_open_the_enrolment_step(mfa_client: TestClient) -> None:
    """The old pending cookie was an HMAC of ``id.epoch.step.expiry``: anyone with the secret
    key could make one and enrol their own authenticator for any master without the password."""
    import hashlib
    import hmac
    import time

    from espaco.services.access.staff_login import PENDING_TTL

    settings = mfa_client.app.state.settings
    staff_id = make_staff(mfa_client, "ana")
    payload = f"{staff_id}.0.enrol.{int(time.time() + PENDING_TTL.total_seconds())}"
    signature = hmac.new(
        settings.secret_key.encode(), f"staff-pending:{payload}".encode(), hashlib.sha256
    ).hexdigest()
    mfa_client.cookies.set("espaco_equipe_etapa", f"{payload}.{signature}")
    step = mfa_client.get("/admin/entrar/codigo", follow_redirects=False)
    assert step.status_code == 303 and step.headers["location"] == "/admin/entrar"
    posted = post(mfa_client, "/admin/entrar/codigo", {"codigo": "123456"})
    assert posted.status_code == 422 and not logged_in(mfa_client)


def test_the_pending_cookie_is_good_once(client: TestClient) -> None:
    secret = pyotp.random_base32()
    make_staff(client, "ana", totp_secret=secret)
    staff_login(client, "ana")
    pending = client.cookies["espaco_equipe_etapa"]
    right = post(
        client,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert right.headers["location"] == "/admin"
    client.cookies.set("espaco_equipe_etapa", pending)  # a copy kept by whoever saw it
    again = client.get("/admin/entrar/codigo", follow_redirects=False)
    assert again.headers["location"] == "/admin/entrar"


def test_a_staff_login_leaves_a_known_device_cookie_that_outlasts_a_lock(
    client: TestClient,
) -> None:
    make_staff(client, "ana")
    response = staff_login(client, "ana")
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    device = next(c for c in cookies if c.startswith("espaco_equipe_dispositivo="))
    assert "HttpOnly" in device and "Max-Age=31536000" in device
    post(client, "/admin/sair", form_page="/admin/clientes")
    kept = client.cookies["espaco_equipe_dispositivo"]
    # someone else, from a browser without that cookie, types four wrong passwords for ana
    client.cookies.clear()
    for _ in range(4):
        staff_login(client, "ana", "senha-errada-123")
    assert staff_login(client, "ana").status_code == 429
    client.cookies.set("espaco_equipe_dispositivo", kept)
    assert staff_login(client, "ana").status_code == 303
