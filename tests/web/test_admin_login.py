"""Staff login over HTTP: password, TOTP second step and enrolment, roles, logout, CSRF."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pyotp
import pytest
from litestar.testing import TestClient
from support import (
    PASSWORD,
    app_client,
    call,
    client_login,
    make_client,
    make_staff,
    message,
    post,
    soup,
    staff_login,
)

from espaco.app import create_app
from espaco.clock import Clock
from espaco.services.access.staff_login import BAD_LOGIN
from espaco.settings import Settings
from espaco.tables import AuditEvent, StaffUser


@pytest.fixture
def still_client(settings: Settings) -> Iterator[TestClient]:
    """The app with its clock stopped: a lock lasts however slow the machine is."""
    clock = Clock.fixed(datetime.now(UTC), settings.tz)
    with TestClient(app=create_app(settings, clock=clock)) as test_client:
        yield test_client


@pytest.fixture
def mfa_client(settings: Settings) -> Iterator[TestClient]:
    required = dataclasses.replace(settings, staff_mfa="required")
    with app_client(required) as test_client:
        yield test_client


def audit_actions(web: TestClient) -> list[str]:
    async def actions() -> list[str]:
        rows = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
        return [row["action"] for row in rows]

    return call(web, actions)


def logged_in(web: TestClient) -> bool:
    response = web.get("/admin/clientes", follow_redirects=False)
    return response.status_code == 200


# -- password ----------------------------------------------------------------------------------
def test_login_page_asks_username_and_password_in_portuguese(web: TestClient) -> None:
    page = soup(web.get("/admin/entrar"))
    form = page.find("form", action="/admin/entrar")
    assert form is not None and form["method"] == "post"
    assert form.find("input", attrs={"name": "_csrf_token"}) is not None
    assert page.find("label", attrs={"for": "usuario"}).get_text(strip=True) == "Usuário"
    assert form.find("input", attrs={"name": "senha"})["type"] == "password"


def test_master_logs_in_and_lands_on_cadastros(web: TestClient) -> None:
    make_staff(web, "ana")
    response = staff_login(web, "ana")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert "espaco_equipe" in web.cookies
    home = web.get("/admin", follow_redirects=False)
    assert home.headers["location"] == "/admin/clientes"
    page = web.get("/admin/clientes")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "staff_login_ok" in audit_actions(web)


def test_username_is_not_case_sensitive(web: TestClient) -> None:
    make_staff(web, "ana")
    assert staff_login(web, "  ANA ").status_code == 303


def test_htmx_login_navigates_with_hx_redirect(web: TestClient) -> None:
    make_staff(web, "ana")
    response = post(
        web,
        "/admin/entrar",
        {"usuario": "ana", "senha": PASSWORD},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/admin"


def test_unknown_user_wrong_password_and_inactive_user_get_the_same_answer(
    web: TestClient,
) -> None:
    make_staff(web, "ana")
    make_staff(web, "bia", active=False)
    answers = [
        staff_login(web, "ninguem"),
        staff_login(web, "ana", "senha-errada-123"),
        staff_login(web, "bia"),
    ]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert {message(a) for a in answers} == {BAD_LOGIN}
    assert "espaco_equipe" not in web.cookies
    assert audit_actions(web).count("staff_login_failed") == 3


def test_failures_are_throttled_and_the_lock_is_audited(still_client: TestClient) -> None:
    web = still_client
    make_staff(web, "ana")
    for _ in range(3):
        assert staff_login(web, "ana", "senha-errada-123").status_code == 422
    locked = staff_login(web, "ana", "senha-errada-123")
    assert locked.status_code == 429
    assert "aguarde" in message(locked)
    # Even the right password waits out the delay.
    held = staff_login(web, "ana")
    assert held.status_code == 429
    assert "espaco_equipe" not in web.cookies
    actions = audit_actions(web)
    assert "staff_login_locked" in actions
    assert "staff_login_blocked" in actions


def test_logout_ends_the_session(web: TestClient) -> None:
    make_staff(web, "ana")
    staff_login(web, "ana")
    cookie = web.cookies["espaco_equipe"]
    response = post(web, "/admin/sair", form_page="/admin/clientes")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/entrar"
    web.cookies.set("espaco_equipe", cookie)  # a copy of the old cookie is worthless
    assert not logged_in(web)


def test_back_office_pages_send_strangers_to_the_staff_login(web: TestClient) -> None:
    for path in ["/admin", "/admin/clientes", "/admin/clientes/1", "/admin/emails"]:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/admin/entrar"


def test_a_client_session_does_not_open_the_back_office(web: TestClient) -> None:
    make_client(web, document="11222333000181", code="ABCD-EFGH-JKMN-PQRS")
    assert client_login(web, "11.222.333/0001-81", "ABCD-EFGH-JKMN-PQRS").status_code == 303
    assert not logged_in(web)


# -- roles -------------------------------------------------------------------------------------
def test_planejamento_gets_403_on_cadastros_emails_and_account(web: TestClient) -> None:
    client_id = make_client(web, emails=("a@cliente.com.br",))
    make_staff(web, "pedro", role="planejamento")
    assert staff_login(web, "pedro").status_code == 303
    for path in [
        "/admin/clientes",
        f"/admin/clientes/{client_id}",
        "/admin/emails",
        "/admin/conta/2fa",
    ]:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert soup(response).find("h1").get_text(strip=True) == "Acesso negado"
    for path in (f"/admin/clientes/{client_id}/codigo", "/admin/emails/enviar-pendentes"):
        response = post(web, path, form_page="/admin/entrar")
        assert response.status_code == 403, path
    page = web.get("/admin")
    assert page.status_code == 200
    nav = [a["href"] for a in soup(page).select("nav a")]
    assert "/admin/clientes" not in nav and "/admin/emails" not in nav


def test_master_nav_links_only_to_routes_that_exist(web: TestClient) -> None:
    make_staff(web, "ana")
    staff_login(web, "ana")
    nav = soup(web.get("/admin/clientes")).select("nav[aria-label=Equipe] a")
    for link in nav:
        assert web.get(link["href"], follow_redirects=False).status_code == 200, link["href"]
    assert [a.get_text(strip=True) for a in nav][:1] == ["Clientes"]
    current = [a for a in nav if a.get("aria-current") == "page"]
    assert [a["href"] for a in current] == ["/admin/clientes"]


# -- TOTP --------------------------------------------------------------------------------------
def test_user_with_totp_needs_the_code_before_a_session_exists(web: TestClient) -> None:
    secret = pyotp.random_base32()
    make_staff(web, "ana", totp_secret=secret)
    first = staff_login(web, "ana")
    assert first.status_code == 303
    assert first.headers["location"] == "/admin/entrar/codigo"
    assert "espaco_equipe" not in web.cookies
    assert not logged_in(web)

    step = web.get("/admin/entrar/codigo")
    assert step.status_code == 200
    assert soup(step).find("input", attrs={"name": "codigo"})["autocomplete"] == "one-time-code"

    wrong = post(
        web, "/admin/entrar/codigo", {"codigo": "000000"}, form_page="/admin/entrar/codigo"
    )
    assert wrong.status_code == 422
    assert "Código incorreto" in message(wrong)
    assert not logged_in(web)

    right = post(
        web,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/admin"
    assert logged_in(web)


def test_the_second_step_without_its_cookie_goes_back_to_the_password(web: TestClient) -> None:
    response = web.get("/admin/entrar/codigo", follow_redirects=False)
    assert response.headers["location"] == "/admin/entrar"
    web.cookies.set("espaco_equipe_etapa", "1.0.totp.9999999999.forged")
    response = web.get("/admin/entrar/codigo", follow_redirects=False)
    assert response.headers["location"] == "/admin/entrar"


def test_master_turns_on_totp_for_their_account(web: TestClient) -> None:
    make_staff(web, "ana")
    staff_login(web, "ana")
    page = web.get("/admin/conta/2fa")
    assert page.status_code == 200
    html = soup(page)
    svg = html.select_one(".qr-codigo svg")
    assert svg is not None and svg.find("path") is not None
    assert not html.find_all(style=True), "inline style breaks the CSP"
    secret = html.select_one(".chave").get_text().replace(" ", "")
    # Reloading keeps the same secret: a scan already made stays valid.
    again = soup(web.get("/admin/conta/2fa")).select_one(".chave").get_text()
    assert again.replace(" ", "") == secret

    wrong = post(web, "/admin/conta/2fa", {"codigo": "123"}, form_page="/admin/conta/2fa")
    assert wrong.status_code == 422
    code = pyotp.TOTP(secret).now()
    ok = post(web, "/admin/conta/2fa", {"codigo": code}, form_page="/admin/conta/2fa")
    assert ok.status_code == 303
    done = soup(web.get("/admin/conta/2fa"))
    assert "ativada" in done.select_one("[role=status]").get_text()
    assert done.select_one(".chave") is None, "the secret is shown only while enrolling"

    post(web, "/admin/sair", form_page="/admin/clientes")
    assert staff_login(web, "ana").headers["location"] == "/admin/entrar/codigo"
    # the next code: the one that confirmed the enrolment is used up
    after = staff_login(web, "ana", totp_secret=secret, totp_step=1)
    assert after.headers["location"] == "/admin"
    assert "staff_totp_enabled" in audit_actions(web)


def test_mfa_required_makes_a_master_enrol_before_anything_else(mfa_client: TestClient) -> None:
    web = mfa_client
    staff_id = make_staff(web, "ana")
    first = staff_login(web, "ana")
    assert first.headers["location"] == "/admin/entrar/codigo"
    assert not logged_in(web)

    step = soup(web.get("/admin/entrar/codigo"))
    assert step.select_one(".qr-codigo svg") is not None
    secret = step.select_one(".chave").get_text().replace(" ", "")
    assert not logged_in(web), "no session until enrolled"

    response = post(
        web,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert response.headers["location"] == "/admin"
    assert logged_in(web)

    async def enabled() -> bool:
        rows = await StaffUser.select(StaffUser.totp_enabled).where(StaffUser.id == staff_id)
        return bool(rows[0]["totp_enabled"])

    assert call(web, enabled)


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
def test_every_admin_post_without_its_token_is_refused(web: TestClient, path: str) -> None:
    make_staff(web, "ana")
    staff_login(web, "ana")
    response = web.post(path, data={"usuario": "ana"}, follow_redirects=False)
    assert response.status_code == 403
    assert soup(response).find("h1").get_text(strip=True) == "Formulário expirado"
    wrong = web.post(path, data={"_csrf_token": "x" * 64}, follow_redirects=False)
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


def test_the_pending_cookie_is_good_once(web: TestClient) -> None:
    secret = pyotp.random_base32()
    make_staff(web, "ana", totp_secret=secret)
    staff_login(web, "ana")
    pending = web.cookies["espaco_equipe_etapa"]
    right = post(
        web,
        "/admin/entrar/codigo",
        {"codigo": pyotp.TOTP(secret).now()},
        form_page="/admin/entrar/codigo",
    )
    assert right.headers["location"] == "/admin"
    web.cookies.set("espaco_equipe_etapa", pending)  # a copy kept by whoever saw it
    again = web.get("/admin/entrar/codigo", follow_redirects=False)
    assert again.headers["location"] == "/admin/entrar"


def test_a_staff_login_leaves_a_known_device_cookie_that_outlasts_a_lock(
    still_client: TestClient,
) -> None:
    web = still_client
    make_staff(web, "ana")
    response = staff_login(web, "ana")
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    device = next(c for c in cookies if c.startswith("espaco_equipe_dispositivo="))
    assert "HttpOnly" in device and "Max-Age=31536000" in device
    post(web, "/admin/sair", form_page="/admin/clientes")
    kept = web.cookies["espaco_equipe_dispositivo"]
    # someone else, from a browser without that cookie, types four wrong passwords for ana
    web.cookies.clear()
    for _ in range(4):
        staff_login(web, "ana", "senha-errada-123")
    assert staff_login(web, "ana").status_code == 429
    web.cookies.set("espaco_equipe_dispositivo", kept)
    assert staff_login(web, "ana").status_code == 303
