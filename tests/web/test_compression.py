"""gzip (web/compression.py): the portal's pages as browsers ask for them, the middleware alone
on a small app (a streamed body, a short one, a client gone away), and the kept parts' deflate
streams joined into a page (compression.Kept, templating.render_page)."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import AsyncIterator

import coletas_samples as cs
import import_samples as samples
import pytest
from litestar import MediaType, Request, get
from litestar.config.compression import CompressionConfig
from litestar.response import Stream
from litestar.testing import TestClient, create_test_client
from markupsafe import Markup
from support import seed_and_log_in

from espaco.services import page_cache
from espaco.web import compression, templating
from espaco.web.compression import Kept, WholeBodyGzip

PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # as browsers ask


@pytest.fixture
def seeded(web: TestClient) -> TestClient:
    page_cache.clear()  # what kept_parts() finds is this test's
    collections = [cs.collection(n) for n in range(1, 61)]  # a page of rows: 50
    return seed_and_log_in(web, samples.document(clients=cs.clients(), collections=collections))


@pytest.mark.parametrize("path", ["/inicio", "/coletas", "/financeiro", "/solicitacoes"])
def test_pages_are_sent_gzipped_when_asked(seeded: TestClient, path: str) -> None:
    plain = seeded.get(path, headers=PLAIN)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = seeded.get(path, headers=GZIP)
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert zipped.text == plain.text  # httpx decoded it: the same page
    sent = int(zipped.headers["content-length"])
    assert sent < len(plain.content)
    assert sent < 1.3 * len(gzip.compress(plain.content, compresslevel=6))
    assert "accept-encoding" in zipped.headers["vary"].lower()
    # as sent, any gzip reads it, its CRC-32 and length checked
    assert gzip.decompress(sent_bytes(seeded, path)) == plain.content


def test_a_page_without_kept_rows_is_one_gzip_member_made_in_one_call(seeded: TestClient) -> None:
    plain = seeded.get("/inicio", headers=PLAIN)
    zipped = seeded.get("/inicio", headers=GZIP)
    assert kept_parts() == []
    assert int(zipped.headers["content-length"]) == len(
        compression.gzip(plain.content, compression.LEVEL)
    )


def test_kept_rows_are_deflated_once_and_joined_into_every_page_that_shows_them(
    seeded: TestClient,
) -> None:
    plain = seeded.get("/coletas", headers=PLAIN).content
    whole = compression.gzip(plain, compression.LEVEL)
    (rows,) = kept_parts()  # the page's collection rows, made once for the kept read
    assert len(rows.data) >= compression.KEPT_MINIMUM
    # The first view asked with gzip is compressed whole (the usual view: see Kept.stream)
    assert sent_bytes(seeded, "/coletas") == whole
    second, third = sent_bytes(seeded, "/coletas"), sent_bytes(seeded, "/coletas")
    made = rows.stream(compression.LEVEL)
    assert made is not None and rows.stream(compression.LEVEL) == made
    stream, crc = made
    assert crc == zlib.crc32(rows.data) and len(stream) < len(rows.data) // 5
    for sent in (second, third):
        assert sent != whole and stream in sent  # the kept stream, as it was made, joined in
        assert gzip.decompress(sent) == plain  # any gzip reads it, CRC-32 and length checked
    # what joining costs in size, against the page compressed whole at the same level
    assert len(second) < 1.1 * len(whole)


def kept_parts() -> list[Kept]:
    return [value for _, value in page_cache._derived.values() if isinstance(value, Kept)]


def sent_bytes(client: TestClient, path: str) -> bytes:
    """The body of ``path`` asked with gzip, as sent (not decoded)."""
    with client.stream("GET", path, headers=GZIP) as response:
        assert response.headers["content-encoding"] == "gzip"
        return b"".join(response.iter_raw())


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


# -- kept parts joined into a page's stream ---------------------------------------------------
ROW = '<tr><td data-label="Data">28/11/2026</td><td>Coleta nº {n} — R$ 1.234,{n:02}</td></tr>\n'
ROWS = Markup("".join(ROW.format(n=n % 100) for n in range(500)))  # noqa: S704 - our constants
OTHER = Markup("".join(ROW.format(n=(n * 7) % 100) for n in range(450)))  # noqa: S704


def pieces(*parts: str | Markup) -> compression.Pieces:
    """Page text (``str``) and kept markup (``Markup``), as render_page would hand them over."""
    made = tuple(Kept(p) if isinstance(p, Markup) else p.encode() for p in parts)
    body = b"".join(p if isinstance(p, bytes) else p.data for p in made)
    return compression.Pieces(body, made)


@pytest.mark.parametrize(
    "parts",
    [
        ("<main><table>", ROWS, "</table></main>"),
        (ROWS, "</table>"),  # kept first
        ("<table>", ROWS),  # kept last
        (ROWS,),
        ("<h1>Coletas</h1>", ROWS, OTHER, "<p>fim</p>"),  # two kept parts side by side
        ("<p>ção</p>", ROWS, "<p>é</p>", OTHER, "<p>" + "x" * 70_000 + "</p>"),
    ],
)
def test_joined_streams_are_one_gzip_member_of_the_whole_body(parts: tuple) -> None:  # type: ignore[type-arg]
    joined = pieces(*parts)
    assert compression.gzip_pieces(joined, compression.LEVEL) is None  # first: whole, as before
    sent = compression.gzip_pieces(joined, compression.LEVEL)
    assert sent is not None
    assert gzip.decompress(sent) == joined.body  # CRC-32 and length checked
    assert zlib.decompress(sent, wbits=31) == joined.body
    for part in joined.parts:
        if isinstance(part, Kept):
            stream = part.stream(compression.LEVEL)
            assert stream is not None and stream[0] in sent


def test_a_kept_part_shown_twice_on_its_first_page_is_not_deflated_yet() -> None:
    kept = Kept(ROWS)
    made = (b"<p>", kept, b"<hr>", kept)
    joined = compression.Pieces(b"".join(p if isinstance(p, bytes) else p.data for p in made), made)
    assert compression.gzip_pieces(joined, compression.LEVEL) is None
    sent = compression.gzip_pieces(joined, compression.LEVEL)
    assert sent is not None and gzip.decompress(sent) == joined.body


def test_a_body_that_is_not_the_rendered_one_is_compressed_whole() -> None:
    rendered = pieces("<main>", ROWS, "</main>")
    compression.gzip_pieces(rendered, compression.LEVEL)  # its rows' stream would be made next

    @get("/outro", media_type=MediaType.HTML, sync_to_thread=False)
    def changed(request: Request) -> bytes:
        request.scope[compression.PIECES] = rendered  # type: ignore[literal-required]
        return rendered.body.replace(b"<main>", b"<div>")  # not the bytes the pieces describe

    config = CompressionConfig(
        backend="gzip", middleware_class=WholeBodyGzip, gzip_compress_level=compression.LEVEL
    )
    with create_test_client([changed], compression_config=config) as client:
        response = client.get("/outro", headers=GZIP)
    assert response.content == rendered.body.replace(b"<main>", b"<div>")
    assert int(response.headers["content-length"]) == len(
        compression.gzip(response.content, compression.LEVEL)
    )


def test_render_page_gives_the_page_render_gives_with_each_kept_part_where_it_shows() -> None:
    from jinja2 import DictLoader, Environment

    env = Environment(loader=DictLoader({}), autoescape=True)
    env.filters["derived"] = templating.kept
    env.loader.mapping["page.html"] = (  # type: ignore[union-attr]
        "<p>{{ decoy }}</p><table>{{ make|derived(subject) }}</table>"
        "{% for _ in [1, 2] %}{{ make|derived(subject) }}{% endfor %}{{ other|derived(subject) }}"
        "<i>{{ small|derived(subject) }}</i><p>{{ text }}</p>"
    )
    context = {
        "decoy": Markup(str(ROWS)[:200]),  # noqa: S704 - the kept rows' start, before them
        "make": lambda _: ROWS,
        "other": lambda _: OTHER,
        "small": lambda _: Markup("<b>1</b>"),  # short: left in the page
        "text": "\x00kept-0\x00 · ção",  # what a mark looks like, but for its token
        "subject": object(),
    }
    rendered = templating.render_page(env, "page.html", context)
    html = templating.render(env, "page.html", context)
    assert isinstance(rendered, compression.Pieces)
    assert rendered.body == html.encode()
    assert str(ROWS) in html and "kept-" + "0" in html  # the rows, and the text as it was
    kinds = [type(p).__name__ if isinstance(p, Kept) else p.decode() for p in rendered.parts]
    assert kinds == [
        f"<p>{context['decoy']}</p><table>",
        "Kept",
        "</table>",
        "Kept",
        "Kept",
        "Kept",
        "<i><b>1</b></i><p>\x00kept-0\x00 · ção</p>",
    ]
    shown = [p.markup for p in rendered.parts if isinstance(p, Kept)]
    assert shown == [ROWS, ROWS, ROWS, OTHER]
    assert len({id(p) for p in rendered.parts if isinstance(p, Kept)}) == 2  # each made once
    # a page that shows no long kept part is its text
    env.loader.mapping["plain.html"] = "<p>{{ small|derived(subject) }}</p>"  # type: ignore[union-attr]
    assert templating.render_page(env, "plain.html", context) == "<p><b>1</b></p>"


def test_every_kept_part_is_shown_as_it_is() -> None:
    # For render_page, |derived gives a mark that stands for the kept markup: a template may
    # only show it, as {{ ...|derived(...) }}, never pass it to another filter, test or set.
    from espaco.resources import resource_dir

    uses = found = 0
    for template in sorted(resource_dir("templates").rglob("*.html")):
        text = template.read_text()
        uses += text.count("|derived(")
        shown = re.findall(r"\{\{ [\w.]+\|derived\([\w., ]*\) \}\}", text)
        found += len(shown)
        assert text.count("|derived(") == len(shown), template.name
    assert uses == found >= 5  # coletas (rows, CDF rows), solicitações, calendar, financeiro
