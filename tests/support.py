"""What the tests of the web app share, in one place: the app behind Litestar's TestClient, a way
to run the app's coroutines, CSRF tokens, the client's and the staff's logins, and HTML parsing.

The TestClient runs the app in its own event loop and thread: rows are written with
``call(client, fn, *args)``, so that they go through the app's own database connections. The
fixtures built on these (``web``, ``admin``) are in ``tests/web/conftest.py``; the app served
over real HTTP is in ``tests/live.py``; the rows themselves come from ``tests/factories.py``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import coletas_samples as cs
import httpx
import pyotp
from bs4 import BeautifulSoup
from factories import cnpj, cpf
from factories import make_client as _make_client
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.services.access.staff import create_staff
from espaco.settings import Settings
from espaco.tables import StaffUser

__all__ = ["cnpj", "cpf"]  # re-exported: the admin tests number their documents with them

T = TypeVar("T")
BASE_URL = "http://portal.example.com.br"  # the tests' ESPACO_BASE_URL (tests/conftest.py)
HX = {"HX-Request": "true"}
PASSWORD = "senha-forte-da-equipe"


def now() -> datetime:
    return datetime.now(UTC)


# -- the app -----------------------------------------------------------------------------------
@contextmanager
def app_client(settings: Settings, *, base_url: str = BASE_URL) -> Iterator[TestClient]:
    """The app on ``settings`` behind a TestClient, started (lifespan run) for the block."""
    with TestClient(create_app(settings), base_url=base_url) as client:
        yield client


def call(client: TestClient, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in the app's event loop and return its result."""
    with client.portal() as portal:
        return portal.call(functools.partial(fn, *args, **kwargs))


# -- pages -------------------------------------------------------------------------------------
def soup(page: httpx.Response | str) -> BeautifulSoup:
    """A response's (or an HTML text's) parsed document."""
    return BeautifulSoup(page if isinstance(page, str) else page.text, "html.parser")


def message(response: httpx.Response) -> str:
    """The text of the page's alert."""
    alert = soup(response).find(class_="alerta")
    return alert.get_text(" ", strip=True) if alert else ""


def csrf_in(page: httpx.Response | str) -> str:
    """The hidden CSRF token of the first form of a page already fetched."""
    field = soup(page).find("input", attrs={"name": "_csrf_token"})
    assert field is not None, "no CSRF field on the page"
    return str(field["value"])


def csrf_token(client: httpx.Client, path: str = "/admin/entrar") -> str:
    """The hidden form token of a page (the CSRF cookie comes with it). Tokens are bound to the
    session of their area: take it from a page of the area the form posts to."""
    return csrf_in(client.get(path))


def post(
    client: httpx.Client,
    path: str,
    data: dict[str, str] | None = None,
    *,
    form_page: str = "/admin/entrar",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a form the way a browser does, with the page's CSRF token; no redirect followed."""
    form = {"_csrf_token": csrf_token(client, form_page), **(data or {})}
    return client.post(path, data=form, headers=headers, follow_redirects=False)


# -- the client's portal -----------------------------------------------------------------------
def make_client(
    client: TestClient,
    *,
    name: str = "Padaria Pão Quente Ltda",
    trade_name: str = "Pão Quente",
    document: str | None = None,
    external_id: str | None = None,
    emails: tuple[str, ...] = (),
    invoice_emails: tuple[str, ...] = (),
    code: str | None = None,
    active: bool = True,
) -> int:
    """A client written through the app (``factories.make_client``), made now; its id."""
    client_id, _ = call(
        client,
        _make_client,
        name=name,
        trade_name=trade_name,
        document=document,
        external_id=external_id,
        emails=emails,
        invoice_emails=invoice_emails,
        code=code,
        active=active,
        when=now(),
    )
    return client_id


def client_login(
    client: httpx.Client,
    document: str,
    code: str,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """The client's login form, sent (303 to /inicio when it is right)."""
    return post(
        client,
        "/entrar",
        {"documento": document, "codigo": code},
        form_page="/entrar",
        headers=headers,
    )


def login(web: TestClient, document: str = cs.CLIENT_A, external_id: str = "CLI-1") -> None:
    """Log in a client of ``coletas_samples`` (seeded first), with a code made for it now."""
    code = call(web, cs.login_code, external_id)
    assert client_login(web, document, code).status_code == 303


def seed_and_log_in(web: TestClient, document: dict[str, Any]) -> TestClient:
    """``web`` with a ``coletas_samples`` import ``document`` seeded and its client logged in."""
    call(web, cs.seed, web.app.state.settings, document)
    login(web)
    return web


# -- the back-office ---------------------------------------------------------------------------
def make_staff(
    client: TestClient,
    username: str,
    role: str = "master",
    *,
    active: bool = True,
    totp_secret: str | None = None,
) -> int:
    error = call(client, create_staff, username, PASSWORD, role, name="", now=now())
    assert error is None, error
    values: dict[Any, Any] = {StaffUser.active: active}
    if totp_secret:
        values.update({StaffUser.totp_secret: totp_secret, StaffUser.totp_enabled: True})

    async def finish() -> int:
        await StaffUser.update(values).where(StaffUser.username == username)
        rows = await StaffUser.select(StaffUser.id).where(StaffUser.username == username)
        return int(rows[0]["id"])

    return call(client, finish)


def staff_login(
    client: httpx.Client,
    username: str,
    password: str = PASSWORD,
    totp_secret: str | None = None,
    *,
    totp_step: int = 0,
) -> httpx.Response:
    """Log a staff user in (with the TOTP step when ``totp_secret`` is given; ``totp_step=1``
    types the next 30-second code, as a user does after one was used: a code is good once)."""
    response = post(client, "/admin/entrar", {"usuario": username, "senha": password})
    if totp_secret and response.headers.get("location") == "/admin/entrar/codigo":
        code = pyotp.TOTP(totp_secret).at(time.time() + 30 * totp_step)
        response = post(
            client, "/admin/entrar/codigo", {"codigo": code}, form_page="/admin/entrar/codigo"
        )
    return response


def staff_logged_in(client: TestClient, username: str = "ana", role: str = "master") -> int:
    """A staff user made and logged in on ``client``; its id."""
    staff_id = make_staff(client, username, role)
    assert staff_login(client, username).status_code == 303
    return staff_id
