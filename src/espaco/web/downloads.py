"""The files a client downloads or opens (ticket, CDF and nota PDFs, the nota XML, the CSV
export, photos): one answer shape, a file name that cannot break the header, and 404 for a file
that is not there."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from litestar.response import Response

from espaco.domain.errors import NotFound

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): = + - @ and a
# leading tab or carriage return, which Excel skips before looking for one of those.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: one that would start a formula gets a
    leading apostrophe (Excel and LibreOffice hide it)."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV as Excel in Brazil opens it (``;``, CRLF), every cell through :func:`csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


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
        raise NotFound() from error
