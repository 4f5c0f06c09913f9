"""uvicorn's httptools protocol with a limit on each request's head (its request line and
headers), as h11 has and httptools has not.

httptools (llhttp) parses a request with ~0.6 M fewer instructions than h11, which gives the
portal's pages 1.05-1.35x the throughput (docs/benchmarks.md), but it reads a head of any length:
a client could send headers for as long as the connection stays open, and httptools would keep
joining them in memory. Here a head longer than :data:`HEAD_LIMIT` (h11's own default, 16 KB)
is answered ``431`` and the connection closed, before the bytes that pass the limit are parsed.

The count is made on what arrives, not inside the parser (httptools joins header pieces before
it hands them over): while a request's head is incomplete, each read's bytes up to the head's
end (``CRLF CRLF``, the only ending llhttp accepts) are added to it. A request pipelined behind
another in the same read is parsed from that read without a count; one read is at most the
event loop's buffer (256 KB), so that head is bounded too, and its next read is counted.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_LIMIT = 16 * 1024
_END = b"\r\n\r\n"
_MESSAGE = "Cabeçalhos do pedido grandes demais.".encode()
_REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n"
    b"\r\n%s"
) % (len(_MESSAGE), _MESSAGE)


class HeadLimitedHttpTools(HttpToolsProtocol):
    """``espaco serve``'s HTTP protocol: uvicorn's httptools one, with :data:`HEAD_LIMIT`."""

    # Bytes of the current request's head received so far; None while its body is read.
    _head: int | None = 0
    # The last bytes of an incomplete head, for an ending split between two reads.
    _carry = b""

    def data_received(self, data: bytes) -> None:
        if self._head is not None:
            seen = self._carry + data
            end = seen.find(_END)
            if end < 0:
                size = self._head + len(data)
            else:
                size = self._head + end + len(_END) - len(self._carry)
            if size > HEAD_LIMIT:
                self.logger.warning("Request head over %d bytes: refused.", HEAD_LIMIT)
                self.transport.write(_REFUSAL)
                self.transport.close()
                return
            if end < 0:
                self._head, self._carry = size, seen[-(len(_END) - 1) :]
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._head, self._carry = None, b""
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._head, self._carry = 0, b""
        super().on_message_complete()
