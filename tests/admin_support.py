"""Helpers of the back-office tests: staff users, clients, logins and CSRF tokens.

The TestClient runs the app in its own event loop and thread: rows are written through
``client.portal()`` so that they go through the app's own database connections.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pyotp
from bs4 import BeautifulSoup
from litestar.testing import TestClient

from espaco.domain.documents import cnpj_check_digits, cpf_check_digits
from espaco.services.access.access_codes import normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.services.access.staff import create_staff
from espaco.tables import Client, ClientEmail, StaffUser

T = TypeVar("T")
PASSWORD = "senha-forte-da-equipe"
_numbers = itertools.count(1)


def now() -> datetime:
    return datetime.now(UTC)


def run(client: TestClient, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` in the app's event loop and return its result."""
    with client.portal() as portal:
        return portal.call(functools.partial(fn, *args, **kwargs))


def cnpj(n: int) -> str:
    base = f"{n:08d}0001"
    return base + cnpj_check_digits(base)


def cpf(n: int) -> str:
    base = f"{(n * 7919 + 123) % 10**9:09d}"
    return base + cpf_check_digits(base)


def make_staff(
    client: TestClient,
    username: str,
    role: str = "master",
    *,
    active: bool = True,
    totp_secret: str | None = None,
) -> int:
    error = run(client, create_staff, username, PASSWORD, role, name="", now=now())
    assert error is None, error
    values: dict[Any, Any] = {StaffUser.active: active}
    if totp_secret:
        values.update({StaffUser.totp_secret: totp_secret, StaffUser.totp_enabled: True})

    async def finish() -> int:
        await StaffUser.update(values).where(StaffUser.username == username)
        rows = await StaffUser.select(StaffUser.id).where(StaffUser.username == username)
        return int(rows[0]["id"])

    return run(client, finish)


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
    number = next(_numbers)
    when = now()

    async def insert() -> int:
        rows = await Client.insert(
            Client(
                external_id=external_id or f"CLI-{number:05d}",
                document=document or cnpj(number),
                name=name,
                trade_name=trade_name,
                active=active,
                access_code_hash=hash_secret(normalize_code(code)) if code else None,
                code_generated_at=when if code else None,
                created_at=when,
                updated_at=when,
            )
        ).returning(Client.id)
        client_id = int(rows[0]["id"])
        for kind, addresses in (("access", emails), ("invoice", invoice_emails)):
            for address in addresses:
                await ClientEmail.insert(ClientEmail(client=client_id, kind=kind, address=address))
        return client_id

    return run(client, insert)


def csrf_token(client: TestClient, path: str = "/admin/entrar") -> str:
    """The hidden form token of a page (the CSRF cookie comes with it)."""
    response = client.get(path)
    field = BeautifulSoup(response.text, "html.parser").find("input", attrs={"name": "_csrf_token"})
    assert field is not None, f"no CSRF field on {path}"
    return str(field["value"])


def post(
    client: TestClient,
    path: str,
    data: dict[str, str] | None = None,
    *,
    form_page: str = "/admin/entrar",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a form the way a browser does, with the page's CSRF token; no redirect followed."""
    form = {"_csrf_token": csrf_token(client, form_page), **(data or {})}
    return client.post(path, data=form, headers=headers, follow_redirects=False)


def staff_login(
    client: TestClient,
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


def client_login(client: TestClient, document: str, code: str) -> httpx.Response:
    return post(client, "/entrar", {"documento": document, "codigo": code}, form_page="/entrar")


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def message(response: httpx.Response) -> str:
    """The text of the page's alert."""
    alert = soup(response).find(class_="alerta")
    return alert.get_text(" ", strip=True) if alert else ""
