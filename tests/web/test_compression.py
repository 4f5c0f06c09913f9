"""gzip of whole bodies (web/compression.py): the portal's pages as browsers ask for them, and
the middleware alone on a small app (a streamed body, a short one, a client gone away)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import coletas_samples as cs
import import_samples as samples
import pytest
from litestar import MediaType, get
from litestar.config.compression import CompressionConfig
from litestar.response import Stream
from litestar.testing import TestClient, create_test_client
from support import seed_and_log_in

from espaco.web import compression
from espaco.web.compression import WholeBodyGzip

PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # as browsers ask


@pytest.fixture
def seeded(web: TestClient) -> TestClient:
    collections = [cs.collection(n) for n in range(1, 21)]
    return seed_and_log_in(web, samples.document(clients=cs.clients(), collections=collections))


@pytest.mark.parametrize("path", ["/inicio", "/coletas", "/financeiro", "/solicitacoes"])
def test_pages_are_sent_gzipped_whole_when_asked(seeded: TestClient, path: str) -> None:
    plain = seeded.get(path, headers=PLAIN)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = seeded.get(path, headers=GZIP)
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    # httpx decoded it: the same page, sent as one gzip member made in one call
    assert zipped.text == plain.text
    sent = int(zipped.headers["content-length"])
    assert sent == len(compression.gzip(plain.content, compression.LEVEL)) < len(plain.content)
    assert sent < 1.3 * len(gzip.compress(plain.content, compresslevel=6))
    assert "accept-encoding" in zipped.headers["vary"].lower()


def test_an_htmx_fragment_is_gzipped_and_keeps_its_vary(seeded: TestClient) -> None:
    zipped = seeded.get("/coletas", headers={**GZIP, "HX-Request": "true"})
    assert zipped.headers["content-encoding"] == "gzip"
    vary = {v.strip().lower() for v in zipped.headers["vary"].split(",")}
    assert {"accept-encoding", "hx-request"} <= vary


# -- the middleware alone ---------------------------------------------------------------------
TEXT = "Coleta realizada em 28/11/2026 — R$ 1.234,56\n" * 200  # 9 KB


@get("/inteiro", media_type=MediaType.TEXT, sync_to_thread=False)
def whole() -> str:
    return TEXT


@get("/curto", media_type=MediaType.TEXT, sync_to_thread=False)
def short() -> str:
    return "ok"


@get("/fluxo", media_type=MediaType.TEXT)
async def stream() -> Stream:
    async def parts() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield TEXT.encode()

    return Stream(parts())


@pytest.fixture
def small() -> TestClient:
    config = CompressionConfig(
        backend="gzip",
        middleware_class=WholeBodyGzip,
        minimum_size=500,
        gzip_compress_level=compression.LEVEL,
    )
    with create_test_client([whole, short, stream], compression_config=config) as client:
        yield client


def test_a_whole_body_is_one_gzip_member_that_any_gzip_reads(small: TestClient) -> None:
    response = small.get("/inteiro", headers=GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == TEXT
    sent = int(response.headers["content-length"])
    assert sent < len(TEXT.encode()) // 10  # repetitive text: well under a tenth


def test_a_body_under_the_minimum_is_sent_as_it_is(small: TestClient) -> None:
    response = small.get("/curto", headers=GZIP)
    assert "content-encoding" not in response.headers and response.text == "ok"


def test_a_stream_is_sent_as_it_comes_uncompressed(small: TestClient) -> None:
    response = small.get("/fluxo", headers=GZIP)
    assert "content-encoding" not in response.headers
    assert response.text == TEXT * 4


def test_nothing_is_compressed_for_a_client_that_did_not_ask(small: TestClient) -> None:
    response = small.get("/inteiro", headers=PLAIN)
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(TEXT.encode())


async def test_a_client_gone_before_the_body_gets_nothing_sent() -> None:
    sent: list[dict] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.disconnect"})

    async def record(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    config = CompressionConfig(backend="gzip", middleware_class=WholeBodyGzip)
    middleware = WholeBodyGzip(app, config)
    scope = {"type": "http", "path": "/", "headers": [(b"accept-encoding", b"gzip")]}
    await middleware(scope, None, record)  # type: ignore[arg-type]
    assert sent == []
