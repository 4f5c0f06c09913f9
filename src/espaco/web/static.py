"""Static files served from memory: content-hashed URLs, a year of immutable caching, gzip.

The files are few and small (one CSS file, htmx, icons), so they are read and compressed once at
start-up; a request costs a dictionary lookup. Templates link to ``static_url(name)``, which
carries the content hash, so a changed file gets a new URL and caches never serve a stale one.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response

from espaco.domain.errors import NotFound

YEAR = 365 * 24 * 3600
DATA_URI_SAFE = "/:=',.-"
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    media_type: str
    digest: str


class StaticFiles:
    """The contents of the static folder, loaded once."""

    def __init__(self, folder: Path) -> None:
        self.files: dict[str, StaticFile] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.files[path.relative_to(folder).as_posix()] = _load(path)

    def url(self, name: str) -> str:
        return f"/static/{name}?v={self.files[name].digest}"

    def data_uri(self, name: str) -> str:
        """The file as a ``data:`` URL, for the 184-byte icon: its own request would cost more
        in headers than its body, and the tab's icon would be fetched again on every page."""
        item = self.files[name]
        text = item.body.decode().strip().replace('"', "'")
        return f"data:{item.media_type.split(';')[0]},{quote(text, safe=DATA_URI_SAFE)}"


def _load(path: Path) -> StaticFile:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # Litestar appends "; charset=utf-8" to text/* itself; JavaScript needs it said here.
    if media_type == "application/javascript":
        media_type += "; charset=utf-8"
    gzipped = None
    if media_type.startswith(COMPRESSIBLE):
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return StaticFile(body, gzipped, media_type, hashlib.sha256(body).hexdigest()[:12])


# Public (web.guards.PUBLIC, spelled out: guards.py imports this module through the templates).
@get("/static/{name:path}", include_in_schema=False, sync_to_thread=False, opt={"public": True})
def serve_static(request: Request, name: FromPath[str]) -> Response[bytes]:
    """One static file; gzip when the browser takes it."""
    files: StaticFiles = request.app.state.static
    item = files.files.get(name.lstrip("/"))
    if item is None:
        raise NotFound()
    etag = f'"{item.digest}"'
    headers = {
        "Cache-Control": f"public, max-age={YEAR}, immutable",
        "ETag": etag,
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    body = item.body
    if item.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = item.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=item.media_type, headers=headers)
