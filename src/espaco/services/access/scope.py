"""What a client session may see: a tuple of client ids (one for a client's own login, every
member for a group's, or the one unit a group chose), and the SQL that filters on it.

Services take the scope as one parameter and spell the filter ``<column> IN {scope}`` in their
SQL; :func:`scoped` turns that into ``= {}`` for one id (the single-client pages keep their plan
and cost) or ``IN ({}, {}, …)`` for several, and the caller passes ``*scope`` at that place.
"""

from __future__ import annotations

from typing import Any

from espaco.db import read
from espaco.db.read import Query, R
from espaco.domain.errors import NotFound
from espaco.services.access.queries import UNIT, UnitRow

Scope = tuple[int, ...]
MARK = " IN {scope}"


def scoped(sql: str, scope: Scope) -> str:
    """``sql`` with each ``IN {scope}`` spelled for ``len(scope)`` ids."""
    return read.spelled_in(sql, MARK, len(scope))


def column_in(column: Any, scope: Scope) -> Any:
    """A Piccolo condition ``column`` in ``scope`` (``=`` for one id)."""
    if not scope:
        raise ValueError("an empty scope sees nothing: refuse it before asking")
    return column == scope[0] if len(scope) == 1 else column.is_in(list(scope))


def scoped_query(query: Query[R], scope: Scope) -> Query[R]:
    """``query`` with each ``IN {scope}`` spelled for ``len(scope)`` ids."""
    return Query(query.row, scoped(query.sql, scope), generic=query.generic)


async def unit(unit_id: int, scope: Scope) -> UnitRow:
    """The names of one unit of the scope (a group's member); :class:`NotFound` outside it, as
    another client's id is."""
    found = await read.first(UNIT, unit_id) if unit_id in scope else None
    if found is None:
        raise NotFound("Unidade não encontrada.")
    return found
