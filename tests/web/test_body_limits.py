"""Bodies are refused before they are parsed (issue 12, point 2): a portal or back-office form
over 32 KB or 100 fields gets 413 with a Portuguese page, the API keeps ``ESPACO_MAX_BODY_MB``
(413 in its JSON shape) and its uploads 15 MB; and while big bodies pour in, ``/saude`` keeps
answering — measured against a real uvicorn server in its own process.

Before the limits: a 30 MB form of 3 million fields to ``/entrar`` took 10 s to answer and
``/saude`` waited 15 s behind it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hostile_support import World, earliest_request_date, snapshot, world
from live import free_port
from support import csrf_token, post

from espaco.settings import Settings
from espaco.web.limits import FORM_MAX_BYTES, MAX_FORM_FIELDS, MAX_QUERY_BYTES, UPLOAD_MAX_BYTES

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Every form route of the app (method POST, not under /api): the limits are the app's default.
FORM_ROUTES = ["/entrar", "/admin/entrar", "/solicitar-coleta", "/admin/tokens"]


@pytest.fixture
def w(settings: Settings) -> Iterator[World]:
    with world(settings) as made:
        yield made


def title(text: str) -> str:
    start = text.index("<h1")
    return text[text.index(">", start) + 1 : text.index("</h1>", start)].strip()


@pytest.mark.parametrize("path", FORM_ROUTES)
def test_a_form_over_the_byte_limit_gets_a_413_page_in_portuguese(w: World, path: str):
    before = snapshot(w.http)
    body = b"documento=" + b"1" * (FORM_MAX_BYTES + 1)
    response = w.http.post(path, content=body, headers=FORM)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert title(response.text) == "Envio grande demais"
    assert snapshot(w.http) == before


@pytest.mark.parametrize("path", FORM_ROUTES)
def test_a_chunked_form_is_counted_as_it_arrives(w: World, path: str):
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length
        nonlocal sent
        for _ in range(1_000):
            sent += 1
            yield b"a=1&" * 1024  # 4 KB a chunk, 4 MB in all

    response = w.http.post(path, content=chunks(), headers=FORM)
    assert response.status_code == 413


@pytest.mark.parametrize("path", FORM_ROUTES)
def test_a_form_with_too_many_fields_gets_413_within_the_byte_limit(w: World, path: str):
    before = snapshot(w.http)
    body = "&".join(["a=1"] * (MAX_FORM_FIELDS + 1)).encode()
    assert len(body) < FORM_MAX_BYTES
    response = w.http.post(path, content=body, headers=FORM)
    assert response.status_code == 413
    assert title(response.text) == "Formulário grande demais"
    assert snapshot(w.http) == before


def test_the_most_a_real_form_holds_passes_the_limits(w: World):
    """The longest description (2,000 characters), each one a 4-byte character that the browser
    percent-encodes into 12 bytes, with the form's other fields."""
    description = "\U0001f69b" * 2_000
    form = {
        "local": str(w.location_id),
        "data_livre": earliest_request_date(w.settings).isoformat(),
        "descricao": description,
        "chave": "limite-1",
    }
    response = post(w.http, "/solicitar-coleta", form, form_page="/solicitar-coleta")
    assert response.status_code == 303, response.text[:300]


def test_a_form_with_exactly_the_field_limit_is_parsed(w: World):
    fields = [("_csrf_token", csrf_token(w.http, "/entrar")), ("documento", "x"), ("codigo", "y")]
    fields += [("extra", "1")] * (MAX_FORM_FIELDS - len(fields))
    body = urlencode(fields).encode()
    response = w.http.post("/entrar", content=body, headers=FORM, follow_redirects=False)
    assert response.status_code == 422  # read and answered: a bad login, not a refusal


def test_the_api_keeps_its_own_larger_limit(w: World):
    """An import far over the forms' 32 KB is read (and judged on its content)."""
    big = b'{"format": "espaco-import/1", "clients": [], "x": "' + b"a" * 1_000_000 + b'"}'
    response = w.http.post(
        "/api/v1/import",
        content=big,
        headers={"Authorization": f"Bearer {w.api_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] != "body_too_large"


def test_an_upload_over_its_own_limit_gets_413_in_the_api_shape(w: World):
    body = b"x" * (UPLOAD_MAX_BYTES + 1)
    response = w.http.post(
        "/api/v1/collections/COL-1/photos",
        content=body,
        headers={
            "Authorization": f"Bearer {w.api_token}",
            "Content-Type": "multipart/form-data; boundary=xyz",
        },
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_a_form_to_the_api_is_not_a_way_around_the_field_limit(w: World):
    body = "&".join(["a=1"] * (MAX_FORM_FIELDS + 1)).encode()
    headers = {**FORM, "Authorization": f"Bearer {w.api_token}"}
    response = w.http.post("/api/v1/requests/2026-000001/refuse", content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


# -- a real server under a flood of big bodies ------------------------------------------------
ATTACK_SECONDS = 3.0
BIG = 30 * 1024 * 1024


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """``uvicorn --factory espaco.app:app_from_env`` in its own process, on the test's data."""
    port = free_port()
    env = {
        **os.environ,
        "ESPACO_DATA_DIR": str(settings.data_dir),
        "ESPACO_SECRET_KEY": settings.secret_key,
        "ESPACO_DATABASE_URL": settings.database_url,
        "ESPACO_LOG_LEVEL": "WARNING",
    }
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "espaco.app:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _health(host: str, port: int, stop: asyncio.Event, times: list[float]) -> None:
    """GET /saude on one kept-alive connection, back to back, recording each answer's time."""
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET /saude HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    while not stop.is_set():
        started = time.perf_counter()
        writer.write(request)
        await reader.readuntil(b"\r\n\r\n")
        head = await reader.readuntil(b"}")  # {"status":"ok"}
        assert b"ok" in head
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)
    writer.close()


async def _big_form(host: str, port: int, path: str, chunked: bool) -> int:
    """Pour a 30 MB form into ``path`` until the server answers; return the status code."""
    reader, writer = await asyncio.open_connection(host, port)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BIG}"
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{length}\r\n\r\n".encode()
    )
    piece = b"a=1&" * 16_384  # 64 KB
    answer = asyncio.ensure_future(reader.readline())
    try:
        for _ in range(BIG // len(piece)):
            if answer.done():
                break
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        status = await asyncio.wait_for(answer, timeout=30)
    except (ConnectionError, asyncio.IncompleteReadError):
        status = await asyncio.wait_for(answer, timeout=30) if answer.done() else b"0 0"
    finally:
        writer.close()
    return int(status.split()[1])


async def _flood(address: str) -> tuple[list[float], list[float], list[int]]:
    host, port = address.split(":")
    quiet: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_health(host, int(port), stop, quiet))
    await asyncio.sleep(1.0)
    stop.set()
    await probe
    busy: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_health(host, int(port), stop, busy))
    statuses: list[int] = []
    deadline = time.monotonic() + ATTACK_SECONDS
    while time.monotonic() < deadline:
        statuses += await asyncio.gather(
            *(
                _big_form(host, int(port), path, chunked)
                for path in ("/entrar", "/admin/entrar")
                for chunked in (False, True)
            )
        )
    stop.set()
    await probe
    return quiet, busy, statuses


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98] if len(times) > 1 else times[0]


def test_saude_keeps_answering_while_big_forms_pour_in(server: str):
    quiet, busy, statuses = asyncio.run(_flood(server))
    print(
        f"\n/saude quiet: n={len(quiet)} p50={statistics.median(quiet) * 1000:.1f} ms "
        f"p99={p99(quiet) * 1000:.1f} ms; under {len(statuses)} forms of 30 MB: n={len(busy)} "
        f"p50={statistics.median(busy) * 1000:.1f} ms p99={p99(busy) * 1000:.1f} ms "
        f"max={max(busy) * 1000:.1f} ms"
    )
    assert set(statuses) == {413}
    assert len(statuses) >= 8
    # Before the limits /saude waited 15 s (up to 50 s on a loaded machine) behind one such
    # form. The flood's own client shares the 2 cores with the server and the shared machines
    # drift, so the bound is generous (measured p99 under the flood: 33-204 ms); the printed
    # figures are what to compare.
    assert max(busy) < 1.0
    assert p99(busy) < max(10 * p99(quiet), 0.5)


@pytest.mark.parametrize("path", ["/coletas", "/admin/clientes", "/entrar", "/api/v1/requests"])
def test_a_query_string_past_any_filter_gets_414(w: World, path: str):
    response = w.http.get(path + "?" + "&".join(["local=1"] * (MAX_QUERY_BYTES // 7 + 1)))
    assert response.status_code == 414
    if path.startswith("/api/"):
        assert response.json()["code"] == "uri_too_long"
    else:
        assert title(response.text) == "Endereço longo demais"
    assert w.http.get(path + "?" + "&".join(["local=1"] * 100)).status_code < 500
