"""gzip for the portal's answers: each whole body compressed in one call, with zlib-ng.

Litestar's ``CompressionMiddleware`` makes a ``GzipFile`` for every response, writes the body,
flushes it and closes it. Served as browsers ask (``Accept-Encoding: gzip``), that cost the
pages 0.2–0.4 ms of a worker's CPU a request (docs/benchmarks.md, "The pages as a browser asks
for them"): the compression itself, and the rest of the request slowed beside zlib's fresh
256 KB of state. Here a body is compressed with one ``compress`` call, and zlib-ng at level 2
takes ~40% less time than zlib at level 1 for about the same size (/coletas, 55 KB: 64 against
110 µs, 5.6 KB either way). Measured whole (callgrind, gzip asked): /coletas 4.63 → 4.26 M
instructions a request, /financeiro 3.28 → 3.17 M, /inicio 2.03 → 2.06 M.

Every answer of the portal is sent whole, in one body message, except the dossiê's ZIP stream
(excluded from compression: it is a ZIP). A streamed answer that is not excluded is sent as it
comes, uncompressed, rather than held whole in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from zlib_ng import zlib_ng

if TYPE_CHECKING:
    from litestar.types import HTTPResponseStartEvent, Message, Scope, Send

GZIP_WBITS = 16 + 15  # a gzip header and trailer around a 32 KB window
# zlib-ng's level 2 is as small as zlib's level 1 (the portal's until 2026-12-07); its level 1
# is a third faster still but 17% bigger (the htmx fragment budget is 8 KB).
LEVEL = 2


def gzip(body: bytes, level: int) -> bytes:
    """``body`` as one gzip member."""
    return zlib_ng.compress(body, level, wbits=GZIP_WBITS)


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
                message["body"] = body = gzip(body, level)
                headers = MutableScopeHeaders(start)
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(body))
                headers.extend_header_value("vary", "Accept-Encoding")
                state.response_compressed = True
            await send(start)
            await send(message)

        return send_wrapper
