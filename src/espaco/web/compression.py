"""gzip for the portal's answers: each whole body compressed in one call, with zlib-ng.

Litestar's ``CompressionMiddleware`` makes a ``GzipFile`` for every response, writes the body,
flushes it and closes it. Served as browsers ask (``Accept-Encoding: gzip``), that cost the
pages 0.2–0.4 ms of a worker's CPU a request (docs/benchmarks.md, "The pages as a browser asks
for them"): the compression itself, and the rest of the request slowed beside zlib's fresh
256 KB of state. Here a body is compressed with one ``compress`` call, and zlib-ng at level 2
takes ~40% less time than zlib at level 1 for about the same size (/coletas, 55 KB: 64 against
110 µs, 5.6 KB either way). Measured whole (callgrind, gzip asked): /coletas 4.63 → 4.26 M
instructions a request, /financeiro 3.28 → 3.17 M, /inicio 2.03 → 2.06 M.

A page's rows are made once for each kept read (``|derived``, services/page_cache.derived), and
so is their deflate stream when they are long (:class:`Kept`): when a page comes with its kept
parts (:class:`Pieces`, see web/templating.render_page), only the page around them is
compressed for each request, and the kept streams are joined in. Each stream is deflated on a
state of its own and ends on a byte (a sync flush), so none points back into another, and one
gzip member holds them all (RFC 1951 allows any number of blocks; RFC 1952's trailer is the
CRC-32 of the whole, combined from the parts'). On /coletas, 46 of the 55 KB are its rows.

Every answer of the portal is sent whole, in one body message, except the dossiê's ZIP stream
(excluded from compression: it is a ZIP). A streamed answer that is not excluded is sent as it
comes, uncompressed, rather than held whole in memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from zlib_ng import zlib_ng

if TYPE_CHECKING:
    from litestar.types import HTTPResponseStartEvent, Message, Scope, Send
    from markupsafe import Markup

GZIP_WBITS = 16 + 15  # a gzip header and trailer around a 32 KB window
# zlib-ng's level 2 is as small as zlib's level 1 (the portal's until 2026-12-07); its level 1
# is a third faster still but 17% bigger (the htmx fragment budget is 8 KB).
LEVEL = 2


# Kept markup shorter than this is left in the page around it. Each run of the page's own bytes
# between kept parts costs a deflate state (10-15 µs to set up), and rows of markup, repetitive,
# compress fast (~0.5 µs a KB): joining paid on /coletas' 46 KB of rows (3.75 M instructions a
# request instead of 4.24 M) and cost more than it saved on /financeiro's 6 KB (3.29 M, 3.17
# before) and /solicitacoes' 15 KB (even).
KEPT_MINIMUM = 32 * 1024
RAW_WBITS = -15  # a deflate stream with no header or trailer, joined into a gzip member
# RFC 1952: deflate, no flags, no time, no extra flags, OS "unknown": what zlib-ng writes but
# its OS byte (3, Unix), which no reader looks at.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# RFC 1951: an empty block of fixed codes marked last (its end-of-block code only), on a byte.
LAST_BLOCK = b"\x03\x00"
PIECES = "espaco.pieces"  # the scope key under which web/pages.page leaves a page's Pieces


def gzip(body: bytes, level: int) -> bytes:
    """``body`` as one gzip member."""
    return zlib_ng.compress(body, level, wbits=GZIP_WBITS)


class Kept:
    """Markup that many pages show (a kept read's rows, at least ``KEPT_MINIMUM`` long) with its
    UTF-8 bytes, made once, and from its second page asked with gzip on, its deflate stream and
    CRC-32. Never changed after (the stream is a pure function of the bytes), as
    services/page_cache.derived asks."""

    __slots__ = ("markup", "data", "_asked", "_stream")

    def __init__(self, markup: Markup) -> None:
        self.markup = markup
        self.data = markup.encode()
        self._asked = False
        self._stream: tuple[int, bytes, int] | None = None

    def stream(self, level: int) -> tuple[bytes, int] | None:
        """A raw deflate stream of ``data`` at ``level``, ending on a byte in a block that is not
        the last (a sync flush), so that it can be joined after any other such stream, and the
        CRC-32 of ``data``; None the first time it is asked for.

        A page's first view after its data changed is the usual view (a client looks once a
        day, after the ERP's import): that view is compressed whole, as a page without kept
        parts is (making the stream then cost /coletas' first view 6% more instructions; at
        level 6, 16%); a second view makes it and the ones after reuse it."""
        if self._stream is not None and self._stream[0] == level:
            return self._stream[1:]
        if not self._asked:
            self._asked = True
            return None
        state = zlib_ng.compressobj(level, zlib_ng.DEFLATED, RAW_WBITS)
        deflated = state.compress(self.data) + state.flush(zlib_ng.Z_SYNC_FLUSH)
        self._stream = level, deflated, zlib_ng.crc32(self.data)
        return self._stream[1:]


@dataclass(frozen=True, slots=True)
class Pieces:
    """A page's body and the same bytes in order: the page's own (``bytes``) and kept ones."""

    body: bytes
    parts: tuple[bytes | Kept, ...]


def gzip_pieces(pieces: Pieces, level: int) -> bytes | None:
    """``pieces.body`` as one gzip member, compressing only the page's own bytes: each run of
    them on a deflate state of its own, ended on a byte (a sync flush) with nothing pointing
    back before it, and the kept parts' streams joined in between. None while a kept part has
    no stream yet (:meth:`Kept.stream`): the body is then to be compressed whole."""
    kept = {id(part): part for part in pieces.parts if isinstance(part, Kept)}
    streams = {key: part.stream(level) for key, part in kept.items()}  # each asked once
    ready = {key: stream for key, stream in streams.items() if stream is not None}
    if len(ready) < len(streams):
        return None
    out = [GZIP_HEADER]
    crc = 0
    for part in pieces.parts:
        if isinstance(part, Kept):
            deflated, part_crc = ready[id(part)]
            out.append(deflated)
            crc = zlib_ng.crc32_combine(crc, part_crc, len(part.data))
        else:
            # A new state for each run: a full flush (which forgets the window) in one stream
            # cost 20 µs more. One state alive at a time: with two, glibc gave their ~300 KB
            # back to the system and faulted them in again at every request (95 faults, 200 µs).
            state = zlib_ng.compressobj(level, zlib_ng.DEFLATED, RAW_WBITS)
            out += (state.compress(part), state.flush(zlib_ng.Z_SYNC_FLUSH))
            del state
            crc = zlib_ng.crc32(part, crc)
    out += (LAST_BLOCK, struct.pack("<II", crc, len(pieces.body) & 0xFFFFFFFF))
    return b"".join(out)


class WholeBodyGzip(CompressionMiddleware):
    """Litestar's compression middleware (its ``exclude``, ``minimum_size`` and place in each
    route's stack), compressing each whole body in one call (``CompressionConfig(
    middleware_class=WholeBodyGzip, backend="gzip")``)."""

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        if compression_encoding != CompressionEncoding.GZIP:  # only gzip is configured
            return super().create_compression_send_wrapper(send, compression_encoding, scope)
        minimum, level = self.config.minimum_size, self.config.gzip_compress_level
        state = ScopeState.from_scope(scope)
        held: HTTPResponseStartEvent | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                held = message  # sent with the first body, its headers set for it
                return
            if held is None:  # the start is out: the rest of a stream
                await send(message)
                return
            if message["type"] != "http.response.body":
                return  # the client went away before the body: nothing to send
            start, held = held, None
            body = message["body"]
            if (
                not message.get("more_body", False)
                and len(body) >= minimum
                and not value_or_default(state.is_cached, False)
            ):
                pieces = scope.get(PIECES)  # type: ignore[call-overload]
                joined = None
                if isinstance(pieces, Pieces) and pieces.body is body:  # the page as rendered
                    joined = gzip_pieces(pieces, level)
                message["body"] = body = joined or gzip(body, level)
                headers = MutableScopeHeaders(start)
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(body))
                headers.extend_header_value("vary", "Accept-Encoding")
                state.response_compressed = True
            await send(start)
            await send(message)

        return send_wrapper
