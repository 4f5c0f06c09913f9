"""Wrong logins fired all at once against a real server: the throttle counts each attempt before
its hash is checked, so a burst gets no more argon2 verifications than attempts made one after
another would, and the rest are refused at once with the Portuguese wait message.

Before, 60 wrong codes for one document sent at once were all 60 checked (the throttle read
"is this key locked?" before any of them had counted), each ~170 ms on the event loop.
The server's clock is frozen for these tests so that "at once" does not depend on this
machine's speed: a burst slower than the 2 s delay would earn one more check.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from factories import cnpj, make_client
from live import LiveServer, serving
from support import csrf_in, message

from espaco.clock import Clock
from espaco.services.access import login, login_throttle, passwords, staff_login
from espaco.services.access.staff import create_staff
from espaco.settings import Settings
from espaco.web.auth import REFUSAL_PAUSE

FROZEN = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
# The attempt that earns the first delay is still checked.
ALLOWED = login_throttle.FREE_FAILURES + 1
PASSWORD = "senha-forte-da-equipe"
# A flood's subject is what the checks cost: the lanes fill only when each lasts as in production.
pytestmark = pytest.mark.real_argon2


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with serving(settings, clock=Clock.fixed(FROZEN, settings.tz)) as server:
        yield server


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The argon2 verifications done, each by the name of the thread that ran it."""
    done: list[str] = []
    lock = threading.Lock()
    real = passwords.verify_secret

    def counting(stored_hash: str | None, secret: str) -> bool:
        with lock:
            done.append(threading.current_thread().name)
        return real(stored_hash, secret)

    monkeypatch.setattr(passwords, "verify_secret", counting)
    return done


async def burst(live: LiveServer, path: str, forms: list[dict[str, str]]) -> list[httpx.Response]:
    """POST every form at once, each on its own connection, from one address."""
    limits = httpx.Limits(max_connections=len(forms) + 1)
    async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60) as client:
        token = csrf_in(await client.get(path))
        return await asyncio.gather(
            *(client.post(path, data={**f, "_csrf_token": token}) for f in forms)
        )


def assert_held(responses: list[httpx.Response], verified: list[str]) -> None:
    assert 1 <= len(verified) <= ALLOWED, f"{len(verified)} hashes checked"
    assert all(name.startswith("argon2") for name in verified), "argon2 ran on the event loop"
    refused = [r for r in responses if r.status_code == 429]
    # Every attempt past the allowed ones was refused unchecked, with the wait in Portuguese.
    assert len(refused) >= len(responses) - ALLOWED + 1
    for response in refused:
        assert "Por segurança, aguarde" in message(response), message(response)
    # ... after the tarpit's pause (the checked attempt that set the lock has no pause)
    paused = [r for r in refused if r.elapsed.total_seconds() >= REFUSAL_PAUSE[0]]
    assert len(paused) >= len(responses) - ALLOWED
    assert {r.status_code for r in responses} <= {422, 429}


def test_sixty_wrong_codes_for_one_document_at_once_check_four(live, verified) -> None:  # type: ignore[no-untyped-def]
    live.call(make_client, document="12ABC34501DE35")
    forms = [{"documento": "12ABC34501DE35", "codigo": f"WRONG-{i:04d}"} for i in range(60)]
    responses = asyncio.run(burst(live, "/entrar", forms))
    assert_held(responses, verified)


def test_wrong_codes_for_many_documents_from_one_address_are_held_by_its_counter(
    live,  # type: ignore[no-untyped-def]
    verified,
) -> None:
    forms = [{"documento": cnpj(9000 + i), "codigo": "WRONG-CODE"} for i in range(150)]
    responses = asyncio.run(burst(live, "/entrar", forms))
    assert_held(responses, verified)


def test_forty_wrong_staff_passwords_at_once_check_four(live, verified) -> None:  # type: ignore[no-untyped-def]
    assert live.call(create_staff, "ana", PASSWORD, "master", now=FROZEN) is None
    forms = [{"usuario": "ana", "senha": f"errada-{i:04d}"} for i in range(40)]
    responses = asyncio.run(burst(live, "/admin/entrar", forms))
    assert_held(responses, verified)
    checked = [r for r in responses if r.status_code == 422]
    assert checked and all(staff_login.BAD_LOGIN in message(r) for r in checked)


def test_after_a_flood_the_owner_and_the_admin_on_that_address_still_get_in(
    live,  # type: ignore[no-untyped-def]
    verified,
    settings: Settings,
) -> None:
    """The client and staff logins count the address apart, and a known device is held only by
    its own failures: a flood from the owner's office network does not lock the owner out."""
    _, code = live.call(make_client, document="12ABC34501DE35")
    assert live.call(create_staff, "ana", PASSWORD, "master", now=FROZEN) is None
    forms = [{"documento": cnpj(9000 + i), "codigo": "WRONG-CODE"} for i in range(30)]
    asyncio.run(burst(live, "/entrar", forms))

    async def owner_then_admin() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        device = login.device_token(settings.secret_key, "12ABC34501DE35")
        cookies = {"espaco_dispositivo": device}
        async with httpx.AsyncClient(base_url=live.url, cookies=cookies) as client:
            token = await csrf(client, "/entrar")
            owner = await client.post(
                "/entrar", data={"documento": "12ABC34501DE35", "codigo": code, **token}
            )
        async with httpx.AsyncClient(base_url=live.url) as client:
            token = await csrf(client, "/entrar")
            stranger = await client.post(
                "/entrar", data={"documento": "12ABC34501DE35", "codigo": code, **token}
            )
        async with httpx.AsyncClient(base_url=live.url) as client:
            token = await csrf(client, "/admin/entrar")
            admin = await client.post(
                "/admin/entrar", data={"usuario": "ana", "senha": PASSWORD, **token}
            )
        return owner, stranger, admin

    owner, stranger, admin = asyncio.run(owner_then_admin())
    assert owner.status_code == 303 and owner.headers["location"] == "/inicio"
    assert stranger.status_code == 429  # a browser never seen before waits like the flood
    assert admin.status_code == 303 and admin.headers["location"] == "/admin"


async def csrf(client: httpx.AsyncClient, path: str) -> dict[str, str]:
    return {"_csrf_token": csrf_in(await client.get(path))}
