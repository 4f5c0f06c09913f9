"""Numbers from URLs, bounded where they are parsed: database ids and page numbers.

A path segment ``{x:int}`` or a query value becomes a Python int of any size; past the column's
range the query fails inside the driver (SQLite: "Python int too large", PostgreSQL: out of
``integer`` range) with a 500. Every id from a URL goes through :data:`PathId` or
:func:`query_id`, every page number through :func:`page_number`.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

from litestar.params import PathParameter

from espaco.db import MAX_ID

MAX_PAGE = 10_000

PathId: TypeAlias = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
"""A database id in the path: outside 1..MAX_ID the request is refused (400) before the handler."""


def query_id(text: str | None) -> int | None:
    """A database id from a query or form value: None when blank, not digits or out of range."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def page_number(text: str | None) -> int:
    """``?pagina=``: 1 when blank or garbled, at most :data:`MAX_PAGE`."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text[:6]), MAX_PAGE))
