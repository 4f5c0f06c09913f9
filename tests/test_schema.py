"""``db.schema.INDEXES`` and ``db.schema.TRIGGERS`` say exactly what a freshly migrated database
holds, on the engine the suite runs on: an index or trigger a migration adds without the list, or
one the list names that no migration made, fails here."""

from __future__ import annotations

import re

from espaco.db import database
from espaco.db.schema import INDEXES, TRIGGERS
from espaco.tables import ALL_TABLES

_INDEX = re.compile(
    r"CREATE (UNIQUE )?INDEX (\w+) ON (?:public\.)?\"?(\w+)\"?(?: USING btree)? \(([^)]*)\)(.*)"
)


def _parsed(statement: str) -> tuple[str, tuple[str, bool, str, bool]]:
    """``name -> (table, unique, columns, partial)`` of a CREATE INDEX statement."""
    found = _INDEX.fullmatch(" ".join(statement.split()))
    assert found, statement
    unique, name, table, columns, rest = found.groups()
    columns = ", ".join(c.strip().strip('"') for c in columns.split(","))
    return name, (table, bool(unique), columns, "WHERE" in rest)


def _declared_indexes() -> dict[str, tuple[str, bool, str, bool]]:
    """INDEXES, and the one index Piccolo makes for each ``index=True`` column."""
    expected = dict(_parsed(statement) for statement in INDEXES)
    for table in ALL_TABLES:
        for column in table._meta.columns:
            if column._meta.index:
                name = f"{table._meta.tablename}_{column._meta.db_column_name}"
                expected[name] = (table._meta.tablename, False, column._meta.db_column_name, False)
    return expected


async def _database_indexes() -> dict[str, tuple[str, bool, str, bool]]:
    """Every index of the database but those of primary keys and unique columns (constraints)."""
    if database.current_engine().engine_type == "sqlite":
        rows = await database.fetch(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    else:
        rows = await database.fetch(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    return dict(_parsed(sql) for (sql,) in rows)


async def test_the_database_holds_exactly_the_declared_indexes(db) -> None:  # type: ignore[no-untyped-def]
    found = await _database_indexes()
    expected = _declared_indexes()
    assert sorted(set(found) - set(expected)) == [], "indexes missing from db.schema.INDEXES"
    assert sorted(set(expected) - set(found)) == [], "db.schema.INDEXES names indexes not made"
    assert found == expected


def test_no_two_indexes_cover_the_same_columns() -> None:
    """A second index on the same columns only costs every write (audit_event.created_at had
    two: the first schema's and Piccolo's ``index=True``)."""
    seen: dict[tuple[str, str, bool], str] = {}
    for name, (table, _unique, columns, partial) in sorted(_declared_indexes().items()):
        if partial:
            continue  # a partial index covers other rows than a full one
        key = (table, columns, partial)
        assert key not in seen, f"{name} repeats {seen[key]} on {table} ({columns})"
        seen[key] = name


async def test_sqlite_indexes_are_the_declared_statements_word_for_word(db) -> None:  # type: ignore[no-untyped-def]
    if database.current_engine().engine_type != "sqlite":
        return  # PostgreSQL rewrites the statements it keeps; the test above compares their parts
    rows = await database.fetch(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    stored = {name: " ".join(sql.split()) for name, sql in rows}
    for statement in INDEXES:
        name, _ = _parsed(statement)
        assert stored[name] == " ".join(statement.split())


async def test_the_database_holds_exactly_the_declared_triggers(db) -> None:  # type: ignore[no-untyped-def]
    if database.current_engine().engine_type == "sqlite":
        rows = await database.fetch(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
        )
        assert sorted((name, table) for name, table in rows) == sorted(
            (t.sqlite, t.table) for t in TRIGGERS
        )
        return
    rows = await database.fetch(
        "SELECT t.tgname, c.relname, p.proname FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
        " WHERE NOT t.tgisinternal"
    )
    assert sorted(tuple(r) for r in rows) == sorted(
        (t.name, t.table, t.pg_function) for t in TRIGGERS
    )
    functions = await database.fetch(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = 'public'"
    )
    assert sorted(name for (name,) in functions) == sorted(t.pg_function for t in TRIGGERS)
