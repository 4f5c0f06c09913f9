"""The files a client downloads or opens (ticket, CDF and nota PDFs, the nota XML, the CSV
export, photos): one answer shape, a file name that cannot break the header, and 404 for a file
that is not there."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from litestar.exceptions import NotFoundException
from litestar.response import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(text: str, fallback: str = "arquivo") -> str:
    """``text`` with every run of characters outside ``A-Za-z0-9._-`` made one hyphen."""
    return _UNSAFE.sub("-", text).strip("-") or fallback


def file_response(
    body: bytes,
    media_type: str,
    filename: str | None = None,
    *,
    inline: bool = True,
    cache_control: str = "private, no-store",
) -> Response[bytes]:
    """``body`` as a file: opened in the browser (``inline``) or saved, under ``filename``."""
    headers = {"Cache-Control": cache_control}
    if filename is not None:
        disposition = "inline" if inline else "attachment"
        headers["Content-Disposition"] = f'{disposition}; filename="{safe_filename(filename)}"'
    return Response(body, media_type=media_type, headers=headers)


async def read_or_404(path: Path) -> bytes:
    """The file's bytes, read off the event loop; 404 when it is missing."""
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise NotFoundException() from error
